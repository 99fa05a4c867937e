# Two commands do everything: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

.PHONY: run test install install-dev lint format clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# A stamp per lock file: dependencies are reinstalled only when a lock file changes.
$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements-dev.txt requirements-s3.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

# The background worker (it makes the dossiers) runs beside gunicorn and is stopped with it;
# exports_recover first restarts the jobs a previous worker left unfinished.
# No gunicorn control socket: it is one path per user, so two copies of the app would clash.
# The access log's format (paths without query strings) is in gunicorn.conf.py.
run: install
	$(PY) manage.py check --deploy --fail-level ERROR >/dev/null
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py exports_recover
	@$(PY) manage.py setup_code
	@echo "  StalkerLog is starting. Open http://$(HOST):$(PORT)/ in your browser. Stop it with Ctrl+C."
	@echo
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn stalkerlog.wsgi --config gunicorn.conf.py \
		--bind $(HOST):$(PORT) --workers $(WORKERS) --timeout 120 --access-logfile - \
		--forwarded-allow-ips 127.0.0.1 --no-control-socket

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install-dev
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

test: lint
	$(PY) manage.py makemigrations --check --dry-run >/dev/null
	$(PY) -m pytest

clean:
	rm -rf $(VENV) staticfiles
