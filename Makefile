# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The embedded default: SQLite, files on disk, tasks in-process, e-mail to the console.
# Static files are collected with hashed names (STATIC_MANIFEST=1): a browser on a weak school
# connection fetches them once (WhiteNoise marks them immutable). After editing static/, run
# `make run` again (or unset STATIC_MANIFEST while developing CSS/JS).
RUN_ENV := DEBUG=1 SHOW_DEMO_LOGINS=1 STATIC_MANIFEST=1 SITE_URL=http://$(HOST):$(PORT)

.PHONY: install run test lint browser system-deps guide-screenshots prod-shape

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(MAKE) --no-print-directory system-deps
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

run: install
	$(RUN_ENV) $(PY) manage.py collectstatic --noinput -v 0
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py load_demo
	@echo "Mở http://$(HOST):$(PORT)/ (Ctrl+C để dừng)"
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# PyICU (Vietnamese collation) has no wheels: it builds against ICU's headers (Debian's
# libicu-dev, found by pkg-config). Installed here when missing (needs root, as on CI).
system-deps:
	@pkg-config --exists icu-uc 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pkg-config libicu-dev >/dev/null; \
	  else echo "Cài trước: sudo apt-get install pkg-config libicu-dev"; exit 1; fi; }

# Browser tests drive Debian's Chromium; install it if missing (needs root, as on CI).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Cài Chromium trước: sudo apt-get install chromium"; exit 1; fi; }

# PYTEST_ARGS passes options through, e.g. PYTEST_ARGS='-m "not browser"' (CI's PostgreSQL run).
# The tests run in parallel, one worker per core (pytest-xdist; each worker has its own test
# database); a test file stays on one worker (--dist loadfile: its module fixtures start once).
# PYTEST_WORKERS=0 runs them in this one process.
PYTEST_WORKERS ?= auto
test: install browser
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Retake the help centre's screenshots (static/guide/*.png) from the demo city; commit them.
guide-screenshots: install browser
	GUIDE_SCREENSHOTS=1 $(PY) -m pytest tests/browser/test_guide_screenshots.py -q

# The production shape on this machine (deploy/prod_shape.py): PostgreSQL, Redis, S3 (moto), Celery
# worker and beat, two gunicorn nodes behind nginx; the browser journey and the submission-week
# burst with a node killed midway; then everything is stopped. PROD_SHAPE_ARGS passes options,
# e.g. PROD_SHAPE_ARGS='--teachers 100 --reviewers 20' or '--keep'.
prod-shape: install browser
	$(PY) deploy/prod_shape.py $(PROD_SHAPE_ARGS)
