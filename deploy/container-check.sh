#!/usr/bin/env bash
# Build the image, start it with compose, and check it as a new host would: /health/ answers
# 200, the first account is made with the setup code, the worker makes a dossier and takes a
# scheduled backup, and the data is still there after `compose down && up`. Prints the image
# size and the start time.
# Not part of `make test` (it needs a container engine). See docs/container.md.
#
#   deploy/container-check.sh                              # FROM debian:bookworm-slim
#   BASE_IMAGE=stalkerlog-base:bookworm deploy/container-check.sh   # a locally made base
#   KEEP=1 ...   leaves the containers and the volume for a look afterwards
set -euo pipefail
cd "$(dirname "$0")/.."

BASE_IMAGE=${BASE_IMAGE:-debian:bookworm-slim}
IMAGE=${IMAGE:-stalkerlog:check}
PORT=${PORT:-18000}
BASE_URL="http://127.0.0.1:${PORT}"
export COMPOSE_PROJECT_NAME=${COMPOSE_PROJECT_NAME:-stalkerlog-check}
export STALKERLOG_IMAGE=$IMAGE PORT BASE_IMAGE
export ALLOWED_HOSTS=127.0.0.1,localhost
# Scheduled backups on, into the data volume (a real host mounts another disk: docs/container.md).
export BACKUP_DIR=/data/backups BACKUP_PASSPHRASE="container check passphrase 2026"

# `docker compose` (the plugin) where there is one, else Debian's docker-compose.
if docker compose version >/dev/null 2>&1; then
    compose() { docker compose "$@"; }
else
    compose() { docker-compose "$@"; }
fi

wait_healthy() {
    # Seconds until /health/ answers 200, or a failure after two minutes.
    local started=$SECONDS
    until python3 -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('${BASE_URL}/health/', timeout=2).status != 200)" 2>/dev/null; do
        if ((SECONDS - started > 120)); then
            echo "FAIL  /health/ did not answer 200 within 120 s"; compose logs --tail 50; exit 1
        fi
        sleep 0.5
    done
    echo $((SECONDS - started))
}

cleanup() {
    rm -f .container-check-export
    if [ -z "${KEEP:-}" ]; then compose down --volumes --remove-orphans >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

echo "==> building $IMAGE from $BASE_IMAGE"
build_started=$SECONDS
docker build --quiet --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$IMAGE" . >/dev/null
size=$(docker image inspect --format '{{.Size}}' "$IMAGE")
echo "ok    image built in $((SECONDS - build_started)) s: $((size / 1000000)) MB"
base_size=$(docker image inspect --format '{{.Size}}' "$BASE_IMAGE")
echo "      (the base image is $((base_size / 1000000)) MB of it)"
echo "      runs as: $(docker run --rm --entrypoint id "$IMAGE" -un)"
if docker run --rm --entrypoint sh "$IMAGE" -c 'command -v gcc cc pip pip3' >/dev/null; then
    echo "FAIL  build tools or pip are left in the image"; exit 1
fi
echo "ok    no compiler and no pip in the image"

compose down --volumes --remove-orphans >/dev/null 2>&1 || true
echo "==> compose up -d"
compose up -d --no-build
seconds=$(wait_healthy)
echo "ok    /health/ answered 200 $seconds s after compose up: $(python3 -c "import urllib.request; print(urllib.request.urlopen('${BASE_URL}/health/').read().decode())")"

code=$(compose exec -T web manage.py setup_code | grep -Eo '[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}' | head -1)
[ -n "$code" ] || { echo "FAIL  no setup code from 'compose exec web manage.py setup_code'"; exit 1; }
echo "ok    setup code printed by 'compose exec web manage.py setup_code'"
python3 deploy/container_check_client.py setup "$BASE_URL" "$code"
backup_state() {
    python3 -c "import json, urllib.request; h = json.load(urllib.request.urlopen('${BASE_URL}/health/')); print(h['backup'], h.get('backup_age_hours', '-'))"
}
waited=0
until [ "$(backup_state | cut -d' ' -f1)" = ok ]; do
    if ((waited > 120)); then echo "FAIL  no scheduled backup: $(backup_state)"; compose logs --tail 30 worker; exit 1; fi
    sleep 1; waited=$((waited + 1))
done
echo "ok    the worker took the first scheduled backup: /health/ backup, age in hours: $(backup_state)"
compose exec -T worker sh -c 'ls /data/backups'
compose ps

echo "==> compose down && compose up -d"
compose down
compose up -d --no-build
seconds=$(wait_healthy)
echo "ok    /health/ answered 200 $seconds s after the second compose up"
python3 deploy/container_check_client.py after-restart "$BASE_URL"
echo "ok    /health/ backup after the restart: $(backup_state)"
echo "==> all checks passed"
