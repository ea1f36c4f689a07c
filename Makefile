# The two commands a newcomer needs: `make run` and `make test`.
PY      := .venv/bin/python
PIP     := .venv/bin/pip
HOST    ?= 127.0.0.1
PORT    ?= 8000

.PHONY: run test lint format bench clean backup restore

.venv/bin/python:
	python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv
	$(PIP) install --quiet --upgrade pip

.venv/.installed: .venv/bin/python pyproject.toml constraints.txt
	$(PIP) install --quiet -c constraints.txt -e .
	touch $@

.venv/.installed-test: .venv/.installed
	$(PIP) install --quiet -c constraints.txt -e '.[test]'
	touch $@

run: export DEBUG ?= true
# settings derive SITE_URL from PORT (the links in e-mails, feeds and .ics files) unless SITE_URL is set
run: export PORT := $(PORT)
run: .venv/.installed
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_asean
	$(PY) manage.py rotation "ASEAN Summit" --from 2022 --to 2030 --apply --quiet
	$(PY) manage.py rotation ACCMSME --from 2022 --to 2030 --apply --quiet
	$(PY) manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/ with a Celery worker and beat; Ctrl-C stops all three."
	@trap 'kill 0 2>/dev/null; exit 0' INT TERM; \
	  .venv/bin/celery -A config worker --pool=solo --loglevel=WARNING & \
	  .venv/bin/celery -A config beat --loglevel=WARNING --schedule=var/celerybeat-schedule & \
	  $(PY) manage.py runserver $(HOST):$(PORT) & \
	  wait

test: lint
	$(PY) -m pytest $(PYTEST_ARGS)

lint: .venv/.installed-test
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports --no-cache

format: .venv/.installed-test
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

bench: .venv/.installed-test
	$(PY) bench/run_all.py

# A consistent backup (database, media files, manifest) into var/backups/<time>, or BACKUP=<empty folder>.
backup: .venv/.installed
	$(PY) manage.py backup $(BACKUP)

# Restore BACKUP=<folder> (its manifest is checked first); waiting messages are held for the Secretariat.
restore: .venv/.installed
	$(PY) manage.py restore $(BACKUP)

clean:
	rm -rf var/ .pytest_cache
