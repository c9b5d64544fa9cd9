# Two entry points for a newcomer: `make run` and `make test` (see README).
PYTHON := $(shell scripts/find-python)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= localhost
PORT ?= 8000

.PHONY: run test venv checks lint format clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q ".[test]"
	@touch $(STAMP)

venv: $(STAMP)

# Passkeys check the page's origin exactly, so it follows HOST and PORT.
run: export WEBAUTHN_ALLOWED_ORIGINS ?= http://$(HOST):$(PORT)
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py seed_demo
	@echo "Open http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

checks: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run -v0
	$(BIN)/python manage.py check --fail-level WARNING
	DEBUG=false SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  ALLOWED_HOSTS=sessions.example.com EMAIL_URL=smtp://mail.example.com:587 \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

test: $(STAMP) checks
	scripts/ensure-chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: checks

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache
