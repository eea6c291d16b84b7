# chat-emulator as a container: `docker build -t chat-emulator .` then
#   docker run --rm -p 8000:8000 -v "$PWD/scenarios:/scenarios:ro" chat-emulator
# Reference: docs/operations.md (the image, compose, Kubernetes).
#
# PYTHON_IMAGE: any image with python3 (>= 3.11) and its venv module on PATH. The default is the
# official slim image; deploy/check-image.sh passes a Debian base it builds locally (no registry).
ARG PYTHON_IMAGE=docker.io/library/python:3.12-slim

FROM ${PYTHON_IMAGE} AS build
# pip reads PIP_* from the environment, so an offline build can pass
# --build-arg PIP_NO_INDEX=1 --build-arg PIP_FIND_LINKS=/src/wheelhouse (see deploy/check-image.sh).
ARG PIP_NO_INDEX
ARG PIP_FIND_LINKS
COPY . /src
# The `fast` extra (uvloop, httptools) is what makes one process serve thousands of requests a second.
RUN python3 -m venv /opt/chat-emulator \
 && /opt/chat-emulator/bin/pip install --no-cache-dir --disable-pip-version-check "/src[fast]"

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
