# Two commands do everything: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
# VERBOSE=1 make run: show every command and the full output of pip, the migrations and gunicorn.
VERBOSE ?=
Q := $(if $(VERBOSE),,@)
PIP_QUIET := $(if $(VERBOSE),,--quiet)
VERBOSITY := $(if $(VERBOSE),1,0)
GUNICORN_LOG := $(if $(VERBOSE),info,warning)

.PHONY: run test test-quick install install-dev lint format clean messages compilemessages

$(PY):
	$(Q)$(PYTHON) -m venv $(VENV)
	$(Q)$(PY) -m pip install $(PIP_QUIET) --upgrade pip

# A stamp per lock file: dependencies are reinstalled only when a lock file changes.
$(VENV)/.runtime: requirements.txt | $(PY)
	$(Q)$(PY) -m pip install $(PIP_QUIET) -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements-dev.txt requirements-s3.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

# The background worker (it makes the dossiers and the scheduled backups) runs beside gunicorn
# and is stopped with it; exports_recover first restarts the jobs a previous worker left
# unfinished. The setup code (or the address) is printed last, in a box, before serving.
# No gunicorn control socket: it is one path per user, so two copies of the app would clash.
# The access log's format (paths without query strings) is in gunicorn.conf.py.
run: install compilemessages
	$(Q)$(PY) manage.py startup_check
	$(Q)$(PY) manage.py migrate --noinput --verbosity $(VERBOSITY)
	$(Q)$(PY) manage.py collectstatic --noinput --verbosity 0
	$(Q)$(PY) manage.py exports_recover
	$(Q)$(PY) manage.py backup_schedule --verbosity $(VERBOSITY)
	@$(PY) manage.py setup_code --url http://$(HOST):$(PORT)/
	$(Q)$(PY) manage.py db_worker --no-reload --verbosity $(VERBOSITY) & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn stalkerlog.wsgi --config gunicorn.conf.py \
		--bind $(HOST):$(PORT) --workers $(WORKERS) --timeout 120 --access-logfile - \
		--forwarded-allow-ips 127.0.0.1 --no-control-socket --log-level $(GUNICORN_LOG)

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install-dev
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

test: lint compilemessages
	$(PY) manage.py makemigrations --check --dry-run >/dev/null
	$(PY) -m pytest

# The translations (locale/): `make messages` gathers the marked strings into the catalogues
# for translators; the compiled .mo files are made from them here, never committed. Both need
# GNU gettext (apt-get install gettext).
MESSAGES_IGNORE := --ignore=.venv --ignore=staticfiles --ignore=data --ignore=test-results
messages: install
	$(PY) manage.py makemessages -l es --no-obsolete --extension html,txt,py,css $(MESSAGES_IGNORE)

compilemessages: install
	$(Q)$(PY) manage.py compilemessages $(MESSAGES_IGNORE) --verbosity 0

# The everyday run: everything but the soak, fault-tolerance, live-server and browser tests,
# spread over the machine's cores (pytest-xdist; each worker has its own test database). Whole
# files go to one worker, so records a test module makes once (tests/conftest.py's made_once)
# are made once, not once per worker.
test-quick: install-dev compilemessages
	$(PY) -m pytest -m "not slow" -n auto --dist loadfile

clean:
	rm -rf $(VENV) staticfiles
