# One obvious command per chore; each creates .venv and installs what it needs (and no more).
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
# `make serve` and `make test` may start at once on a fresh clone: one pip at a time in one venv.
LOCKED := flock $(VENV).lock

.PHONY: serve test bench wheel image-check check clean

$(BIN)/python:
	$(LOCKED) sh -c '[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)'

# What serving needs: the package and the fast event loop and HTTP parser.
$(VENV)/.serve-installed: pyproject.toml | $(BIN)/python
	@echo "installing chat-emulator into $(VENV) (once)..."
	$(LOCKED) $(BIN)/python -m pip install --disable-pip-version-check -e '.[fast]'
	touch $@

# What the suite needs besides: pytest, the official SDKs and the client libraries it drives.
$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	@echo "installing chat-emulator and its test dependencies into $(VENV) (once)..."
	$(LOCKED) $(BIN)/python -m pip install --disable-pip-version-check -e '.[test]'
	touch $@

serve: $(VENV)/.serve-installed
	$(BIN)/chat-emulator serve --host $(HOST) --port $(PORT)

test: $(VENV)/.test-installed
	$(BIN)/python -m pytest -q

# What `make check` needs: everything the package imports (pytest and openai too: they are type-checked),
# ruff, mypy and the stubs.
$(VENV)/.check-installed: pyproject.toml | $(BIN)/python
	@echo "installing chat-emulator and its check tools into $(VENV) (once)..."
	$(LOCKED) $(BIN)/python -m pip install --disable-pip-version-check -e '.[test,dev]'
	touch $@

# Lint and type-check the package: zero findings (config in pyproject.toml).
check: $(VENV)/.check-installed
	$(BIN)/ruff check emulator
	$(BIN)/mypy

bench: $(VENV)/.test-installed
	$(BIN)/python bench/run.py

# A wheel a user can `pip install` without a checkout (dist/).
wheel: $(VENV)/.serve-installed
	$(BIN)/python -m pip wheel --disable-pip-version-check --no-deps -w dist .

# Build the Dockerfile's image and run it once (podman, no registry needed; slow, so not in `make test`).
# Prints SKIP and succeeds where this machine cannot run containers.
image-check:
	deploy/check-image.sh

clean:
	rm -rf $(VENV) $(VENV).lock dist build
