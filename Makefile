# One obvious command per chore; each creates .venv and installs what it needs (and no more).
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
# `make serve` and `make test` may start at once on a fresh clone: one pip at a time in one venv.
LOCKED := flock $(VENV).lock

.PHONY: serve test bench wheel image-check check clean compiled test-compiled bench-compiled

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
# The image serves the compiled build; `CHAT_EMULATOR_BUILD=pure make image-check` checks the pure one.
# Prints SKIP and succeeds where this machine cannot run containers.
image-check:
	deploy/check-image.sh

# The opt-in compiled build (docs/performance.md, "The compiled build"): the request path compiled to C by
# mypyc, installed NOT editable into its own venv, so no compiled module in the tree can shadow an edited
# source (it is rebuilt when any file of the package changed). The build type-checks the package as
# `make check` does, so the venv first gets a setuptools that reads pyproject.toml and the package with
# its dependencies and the dev extra (mypy at the version `make check` pins, the stubs) through a pure
# install, which the compiled wheel then replaces.
COMPILED := .venv-compiled
CBIN := $(COMPILED)/bin
CPIP := $(CBIN)/python -m pip install -q --disable-pip-version-check
SOURCES := $(shell find emulator -type f -not -name '*.pyc')

compiled: $(COMPILED)/.installed

$(COMPILED)/.installed: pyproject.toml setup.py $(SOURCES)
	@echo "building the compiled (mypyc) chat-emulator into $(COMPILED) (a few minutes)..."
	[ -x $(CBIN)/python ] || $(PYTHON) -m venv $(COMPILED)
	$(CPIP) "setuptools>=77" wheel
	$(CPIP) '.[test,fast,dev]'
	rm -rf build/compiled build/compiled-wheel
	CHAT_EMULATOR_MYPYC=1 $(CBIN)/python -m pip wheel -q --disable-pip-version-check --no-build-isolation \
		--no-deps -w build/compiled-wheel .
	$(CPIP) --force-reinstall --no-deps build/compiled-wheel/*.whl
	touch $@

# The whole suite against the compiled install. PYTHONSAFEPATH: neither pytest nor the servers and
# scripts it starts put the checkout on sys.path; conftest.py stops the run when the emulator imported
# is not the compiled install.
test-compiled: $(COMPILED)/.installed
	CHAT_EMULATOR_EXPECT_COMPILED=1 PYTHONSAFEPATH=1 $(CBIN)/python -m pytest -q

# `make bench` with the compiled build serving (the bare app and the clients run as in `make bench`).
bench-compiled: $(COMPILED)/.installed $(VENV)/.test-installed
	$(BIN)/python bench/run.py --emulator-python $(CBIN)/python

clean:
	rm -rf $(VENV) $(VENV).lock $(COMPILED) dist build
