#!/usr/bin/env bash
# One command for a working demo: set-up, migrations, demo data, then the portal on
# http://127.0.0.1:8000. Uses an embedded SQLite file (var/db.sqlite3) unless DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
PY=.venv/bin/python
$PY manage.py migrate --noinput
$PY manage.py collectstatic --noinput -v 0
$PY manage.py load_demo
exec $PY manage.py runserver "${PORT:-127.0.0.1:8000}"
