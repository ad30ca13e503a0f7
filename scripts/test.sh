#!/usr/bin/env bash
# One command for the whole test suite, against PostgreSQL on 127.0.0.1:5432 (user postgres)
# unless DATABASE_URL points elsewhere. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/reportportal}"
.venv/bin/python manage.py collectstatic --noinput -v 0
exec .venv/bin/pytest "$@"
