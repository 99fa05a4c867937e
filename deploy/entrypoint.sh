#!/bin/sh
# The container's two roles (see compose.yaml):
#   web     set up the database, print the setup code while no account exists, serve with gunicorn
#   worker  make dossiers and scheduled backups (manage.py db_worker)
# Anything else is run as a command, e.g. `docker compose exec web manage.py setup_code`.
set -eu
cd /app

wait_for_database() {
    # The settings first, once and without the database: one the app cannot run with (such as
    # a mistyped DEFAULT_JURISDICTION) stops the start here with its message, rather than being
    # retried below as if the database were still starting.
    python3 manage.py check >/dev/null
    # PostgreSQL may still be starting; try for a minute before giving up.
    tries=30
    until python3 manage.py migrate --noinput --verbosity 0 --skip-checks; do
        tries=$((tries - 1))
        if [ "$tries" -le 0 ]; then
            echo "The database could not be reached or set up; see the lines above." >&2
            exit 1
        fi
        sleep 2
    done
}

case "${1:-web}" in
web)
    wait_for_database
    python3 manage.py setup_code
    exec gunicorn stalkerlog.wsgi --bind "0.0.0.0:${PORT}" --workers "${WORKERS:-2}" \
        --timeout 120 --access-logfile - --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
        --no-control-socket
    ;;
worker)
    wait_for_database
    python3 manage.py exports_recover
    python3 manage.py backup_schedule
    exec python3 manage.py db_worker --no-reload
    ;;
manage.py)
    shift
    exec python3 manage.py "$@"
    ;;
*)
    exec "$@"
    ;;
esac
