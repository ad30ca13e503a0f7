#!/bin/sh
# manage.py on a production server, as the service's user with the service's environment:
#   deploy/manage.sh migrate      deploy/manage.sh deploy_check
set -eu
cd "$(dirname "$0")/.."
ENV_FILE="${ENV_FILE:-/etc/reportportal/reportportal.env}"
SERVICE_USER="${SERVICE_USER:-reportportal}"
if [ ! -r "$ENV_FILE" ]; then
  echo "找不到环境文件 $ENV_FILE（见 deploy/reportportal.env.example）" >&2
  exit 1
fi
exec runuser -u "$SERVICE_USER" -- sh -c \
  'set -a; . "$0"; set +a; exec .venv/bin/python manage.py "$@"' "$ENV_FILE" "$@"
