# chat-emulator as a container: `docker build -t chat-emulator .` then
#   docker run --rm -p 8000:8000 -v "$PWD/scenarios:/scenarios:ro" chat-emulator
# Reference: docs/operations.md (the image, compose, Kubernetes).
#
# CHAT_EMULATOR_BUILD: `compiled` (the default) serves the compiled build, the request path compiled to
# C with mypyc as `make compiled` builds it (docs/performance.md, "The compiled build"); `pure`
# (`--build-arg CHAT_EMULATOR_BUILD=pure`) installs the pure-Python package, a quicker build that needs
# no compiler. `chat-emulator --version` in the image says which.
# PYTHON_IMAGE: any image with python3 (>= 3.11) and its venv module on PATH. The default is the
# official slim image; deploy/check-image.sh passes a Debian base it builds locally (no registry).
# BUILD_IMAGE: the build stage's base, by default PYTHON_IMAGE; it must have the same Python. Where it
# lacks a C compiler or Python's headers the compiled build installs them with apt-get; an image that
# has them already needs no package mirror (deploy/check-image.sh passes one made with debootstrap).
ARG PYTHON_IMAGE=docker.io/library/python:3.12-slim
ARG BUILD_IMAGE=${PYTHON_IMAGE}

FROM ${BUILD_IMAGE} AS build
ARG CHAT_EMULATOR_BUILD=compiled
# pip reads PIP_* from the environment, so an offline build can pass
# --build-arg PIP_NO_INDEX=1 --build-arg PIP_FIND_LINKS=/src/wheelhouse (see deploy/check-image.sh).
ARG PIP_NO_INDEX
ARG PIP_FIND_LINKS
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# The compiler and headers only the compiled build needs, and only what the base lacks: the official
# python images carry their Python's headers (so gcc alone), Debian's python3 needs python3-dev.
# Before the COPY, so a source change does not re-run it.
RUN case "$CHAT_EMULATOR_BUILD" in \
      pure) ;; \
      compiled) \
        need=""; \
        command -v gcc >/dev/null || need="gcc libc6-dev"; \
        python3 -c 'import os, sys, sysconfig; sys.exit(not os.path.isfile(os.path.join(sysconfig.get_path("include"), "Python.h")))' \
          || need="$need python3-dev"; \
        [ -z "$need" ] || { apt-get update -qq \
          && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need \
          && rm -rf /var/lib/apt/lists/*; } ;; \
      *) echo "CHAT_EMULATOR_BUILD is 'compiled' or 'pure', not '$CHAT_EMULATOR_BUILD'" >&2; exit 1 ;; \
    esac
COPY . /src
# The compiled wheel, as `make compiled` builds it: mypyc type-checks the package first, so it runs in
# a venv of its own (never copied) with the package's dependencies, the `client` extra (openai's
# types), the `dev` extra (mypy at the version `make check` pins, the stubs) and a setuptools that
# reads pyproject.toml, without build isolation. Linked stripped (LDFLAGS=-s drops the symbols and
# the line tables mypyc's -g1 asks for): the same code, a smaller image. Then the runtime venv gets that wheel, or the
# package itself in the pure build, with the `fast` extra (uvloop, httptools: what makes one process
# serve thousands of requests a second).
RUN python3 -m venv /opt/chat-emulator \
 && if [ "$CHAT_EMULATOR_BUILD" = compiled ]; then \
      python3 -m venv /opt/build \
      && /opt/build/bin/pip install "setuptools>=77" wheel "/src[fast,client,dev]" \
      && cd /src \
      && CHAT_EMULATOR_MYPYC=1 LDFLAGS=-s /opt/build/bin/python -m pip wheel -q --no-build-isolation \
        --no-deps -w /wheel /src \
      && package=$(echo /wheel/chat_emulator-*.whl); \
    else package=/src; fi \
 && /opt/chat-emulator/bin/pip install "$package[fast]" \
 && /opt/chat-emulator/bin/chat-emulator --version

FROM ${PYTHON_IMAGE}
COPY --from=build /opt/chat-emulator /opt/chat-emulator
# A numeric, non-root user (Kubernetes' runAsNonRoot can check a number, not a name). /scenarios is
# where scenario files are mounted (read-only is enough); /data is writable for `--store /data/store.sqlite`.
RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent chat-emulator \
 && mkdir -p /scenarios /data && chown 10001:10001 /data
ENV PATH=/opt/chat-emulator/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
# CHAT_EMULATOR_ADMIN_TOKEN, when set, turns on the admin API and inspector (they are off on 0.0.0.0
# without it). Pass it at run time (`-e CHAT_EMULATOR_ADMIN_TOKEN=...`), never bake it into the image.
USER 10001:10001
WORKDIR /data
VOLUME ["/scenarios"]
EXPOSE 8000
# No curl in a slim image: the venv's Python asks /health (unauthenticated on every bind).
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["python3", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2).status != 200)"]
# SIGTERM drains in-flight requests and streams (--graceful-timeout) and exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["chat-emulator"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--scenarios", "/scenarios"]
