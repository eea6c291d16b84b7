#!/usr/bin/env bash
# Build the Dockerfile's image and run it once: check it serves the build asked for (`--version`) and
# carries no compiler, wait for /health, send one chat completion (answered by a scenario from the
# mounted /scenarios volume), check the user is not root, stop it with SIGTERM and expect exit status 0.
#
# Works offline: no container registry is needed. The base image is a minimal Debian made here with
# debootstrap (cached as localhost/chat-emulator-base:<suite>); the compiled build's stage starts
# from a second one that also has gcc and Python's headers (localhost/chat-emulator-build-base:<suite>),
# so the build needs no package mirror; pip installs from wheels fetched on the host. Where the machine
# cannot do this (no podman, no root, no debootstrap, containers not allowed), it prints `SKIP: <why>`
# and exits 0. Any other failure exits 1.
#
#   deploy/check-image.sh                    # or: make image-check
#   CHAT_EMULATOR_BUILD=pure deploy/check-image.sh        # check the pure-Python image instead
#   PYTHON_IMAGE=python:3.11-slim deploy/check-image.sh   # use an existing base instead of debootstrap
#                                            # (its build stage installs gcc with apt-get; BUILD_IMAGE=... to give one)
#   KEEP_IMAGE=1 deploy/check-image.sh       # keep chat-emulator:check afterwards
set -euo pipefail
cd "$(dirname "$0")/.."

SUITE=${DEBIAN_SUITE:-bookworm}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
BASE=${PYTHON_IMAGE:-localhost/chat-emulator-base:$SUITE}
BUILD=${CHAT_EMULATOR_BUILD:-compiled}
case $BUILD in
    compiled) BUILD_BASE=${BUILD_IMAGE:-${PYTHON_IMAGE:-localhost/chat-emulator-build-base:$SUITE}}; expect_build="compiled with mypyc" ;;
    pure) BUILD_BASE=$BASE; expect_build="pure Python" ;;
    *) printf 'FAIL: CHAT_EMULATOR_BUILD is compiled or pure, not %s\n' "$BUILD"; exit 1 ;;
esac
IMAGE=localhost/chat-emulator:check
NAME=chat-emulator-check-$$
WORK=$(mktemp -d)
started=$SECONDS

say() { printf '%s\n' "check-image: $*" >&2; }
skip() { printf 'SKIP: %s\n' "$*"; exit 0; }
fail() { printf 'FAIL: %s\n' "$*"; exit 1; }
cleanup() {
    if [ -n "${PODMAN[*]:-}" ]; then
        "${PODMAN[@]}" rm -f -t 0 "$NAME" >/dev/null 2>&1 || true
        [ -n "${KEEP_IMAGE:-}" ] || "${PODMAN[@]}" rmi -f "$IMAGE" >/dev/null 2>&1 || true
        # The build stage's untagged image: only the ones this run added.
        if [ -f "$WORK/dangling.before" ]; then
            for id in $(dangling | comm -13 "$WORK/dangling.before" -); do
                "${PODMAN[@]}" rmi -f "$id" >/dev/null 2>&1 || true
            done
        fi
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

dangling() { "${PODMAN[@]}" images -q --filter dangling=true | sort -u; }
as_root() {  # run as root: directly, or through sudo without a password prompt
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif sudo -n true 2>/dev/null; then sudo -n "$@"; else return 1; fi
}

# --- tools ------------------------------------------------------------------------------------------
# Root podman: rootless podman needs subuid ranges and a user session this kind of sandbox lacks.
if ! command -v podman >/dev/null || { [ -z "${PYTHON_IMAGE:-}" ] && ! command -v debootstrap >/dev/null; }; then
    say "installing podman and debootstrap from apt (best effort)"
    (as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        podman runc debootstrap >/dev/null) || true
fi
command -v podman >/dev/null || skip "podman is not installed and could not be installed"
as_root true || skip "podman needs root here (rootless podman needs subuid ranges and a user session)"

RUN_LIMITS=()
# Containers in a VM sandbox: crun refuses hybrid cgroups (v1 with a v2 mount), and podman's
# default open-files limit needs CAP_SYS_RESOURCE. Try the defaults first, then runc with limits
# the current process already has.
probe_runtime() {
    local -a candidate=("$@")
    "${candidate[@]}" run --rm "${RUN_LIMITS[@]}" "$BASE" python3 -c 'import sys' >"$WORK/probe.log" 2>&1
}

# --- the base images --------------------------------------------------------------------------------
PODMAN_BARE=(as_root podman)
# ensure_base IMAGE PACKAGES: IMAGE from local storage, or made with debootstrap (when it is one of ours).
ensure_base() {
    local image=$1 packages=$2 rootfs=$WORK/rootfs
    "${PODMAN_BARE[@]}" image exists "$image" && return 0
    case $image in localhost/chat-emulator-*) ;; *) skip "base image $image is not in local storage (no registry is reachable)" ;; esac
    command -v debootstrap >/dev/null || skip "debootstrap is not installed and could not be installed"
    say "making $image with debootstrap from $MIRROR (once; about 90 s)"
    as_root debootstrap --variant=minbase --include="$packages" "$SUITE" "$rootfs" "$MIRROR" \
        >"$WORK/debootstrap.log" 2>&1 || { tail -5 "$WORK/debootstrap.log"; skip "debootstrap failed (is $MIRROR reachable?)"; }
    # What an image never needs: package caches and lists, documentation, translations.
    as_root sh -c "rm -rf '$rootfs'/var/cache/apt/archives/*.deb '$rootfs'/var/lib/apt/lists/* \
        '$rootfs'/usr/share/doc '$rootfs'/usr/share/man '$rootfs'/usr/share/locale/*"
    as_root tar -C "$rootfs" -c . | "${PODMAN_BARE[@]}" import --change 'CMD ["python3"]' - "$image" >/dev/null
    as_root rm -rf "$rootfs"
}
ensure_base "$BASE" python3,python3-venv
# The compiled build's stage: the same Python, plus what mypyc's C needs.
ensure_base "$BUILD_BASE" python3,python3-venv,python3-dev,gcc,libc6-dev

PODMAN=(as_root podman)
if ! probe_runtime "${PODMAN[@]}"; then
    PODMAN=(as_root podman --runtime runc)
    RUN_LIMITS=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096)
    command -v runc >/dev/null || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq runc >/dev/null 2>&1 || true
    probe_runtime "${PODMAN[@]}" || skip "this machine cannot run containers: $(tail -1 "$WORK/probe.log")"
fi
say "runtime: ${PODMAN[*]:1} ${RUN_LIMITS[*]}"

# --- wheels for an offline build, for the base image's Python ----------------------------------------
python_of() { "${PODMAN[@]}" run --rm "${RUN_LIMITS[@]}" "$1" python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])'; }
py=$(python_of "$BASE")
# The build stage's venv is copied into the runtime image: both must have one Python.
[ "$BUILD_BASE" = "$BASE" ] || [ "$(python_of "$BUILD_BASE")" = "$py" ] \
    || fail "the build base $BUILD_BASE has Python $(python_of "$BUILD_BASE"), the base $BASE has $py"
command -v "python$py" >/dev/null || skip "the base image has Python $py; this host has no python$py to fetch wheels with"
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || skip "not a git checkout (the build context is the checkout's files)"
context=$WORK/context
mkdir -p "$context"
# The build context as the Dockerfile sees it (its .dockerignore applies), plus a wheelhouse: what the
# Dockerfile installs (the compiled build's stage also takes the `client` and `dev` extras).
git ls-files -z --cached --others --exclude-standard | tar --null -T - -c | tar -C "$context" -x
extras=fast; [ "$BUILD" = pure ] || extras=fast,client,dev
"python$py" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" wheel -q --disable-pip-version-check --wheel-dir "$context/wheelhouse" \
    ".[$extras]" "setuptools>=77" wheel >"$WORK/wheels.log" 2>&1 \
    || { tail -5 "$WORK/wheels.log"; skip "could not fetch the wheels from the package index"; }

# --- build ---------------------------------------------------------------------------------------------
say "building the $BUILD image $IMAGE from $BASE (build stage: $BUILD_BASE)"
dangling >"$WORK/dangling.before"
# Docker format keeps HEALTHCHECK (the OCI image format has no field for it).
"${PODMAN[@]}" build -q --format docker "${RUN_LIMITS[@]}" -t "$IMAGE" \
    --build-arg "PYTHON_IMAGE=$BASE" --build-arg "BUILD_IMAGE=$BUILD_BASE" --build-arg "CHAT_EMULATOR_BUILD=$BUILD" \
    --build-arg PIP_NO_INDEX=1 --build-arg PIP_FIND_LINKS=/src/wheelhouse \
    "$context" >"$WORK/build.log" 2>&1 || { tail -20 "$WORK/build.log"; fail "the image did not build"; }
size=$("${PODMAN[@]}" image inspect --format '{{.Size}}' "$IMAGE")
[ -n "$("${PODMAN[@]}" image inspect --format '{{.Config.Healthcheck}}' "$IMAGE" | grep -F /health)" ] \
    || fail "the image has no HEALTHCHECK on /health"

# --- run -----------------------------------------------------------------------------------------------
# No systemd here to run the HEALTHCHECK on a timer: it is run once by hand below. The container runs
# as the Kubernetes Deployment's securityContext asks: read-only root, no capabilities, no new privileges.
"${PODMAN[@]}" run -d --name "$NAME" "${RUN_LIMITS[@]}" --health-interval disable -p 127.0.0.1::8000 \
    --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges \
    -e CHAT_EMULATOR_ADMIN_TOKEN=check-token \
    -v "$PWD/deploy/compose/scenarios:/scenarios:ro" "$IMAGE" >/dev/null 2>"$WORK/run.log" \
    || { cat "$WORK/run.log"; fail "the container did not start"; }
port=$("${PODMAN[@]}" port "$NAME" 8000/tcp | sed 's/.*://')
url=http://127.0.0.1:$port
for _ in $(seq 1 100); do
    curl -fsS "$url/health" >/dev/null 2>&1 && break
    "${PODMAN[@]}" container exists "$NAME" && [ "$("${PODMAN[@]}" inspect --format '{{.State.Running}}' "$NAME")" = true ] \
        || { "${PODMAN[@]}" logs "$NAME" | tail -20; fail "the container exited before /health answered"; }
    sleep 0.2
done
curl -fsS "$url/health" >/dev/null || { "${PODMAN[@]}" logs "$NAME" | tail -20; fail "/health did not answer within 20 s"; }
curl -fsS "$url/ready" >/dev/null || fail "/ready did not answer 200"
"${PODMAN[@]}" healthcheck run "$NAME" >/dev/null 2>>"$WORK/run.log" || fail "the image's HEALTHCHECK failed inside the container"
[ "$("${PODMAN[@]}" exec "$NAME" id -u)" != 0 ] || fail "the server runs as root"
version=$("${PODMAN[@]}" exec "$NAME" chat-emulator --version) || fail "chat-emulator --version failed in the container"
grep -qF "($expect_build)" <<<"$version" || fail "the $BUILD image says: $version"
# The compiler stays in the build stage.
! "${PODMAN[@]}" exec "$NAME" sh -c 'command -v gcc || command -v cc' >/dev/null || fail "the image carries a C compiler"

reply=$(curl -fsS "$url/v1/chat/completions" -H 'Authorization: Bearer sk-emulator' -H 'Content-Type: application/json' \
    -d '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello there"}]}') \
    || fail "the chat completion request failed"
grep -q 'Hello from the emulator in compose!' <<<"$reply" || fail "the mounted scenario did not answer: $reply"
# The admin API is on (the token came from the environment) and wants the token.
curl -fsS -H 'Authorization: Bearer check-token' "$url/_emulator/requests" >/dev/null || fail "the admin API did not take the token from CHAT_EMULATOR_ADMIN_TOKEN"

# --- stop ----------------------------------------------------------------------------------------------
"${PODMAN[@]}" stop -t 20 "$NAME" >/dev/null 2>>"$WORK/run.log"
status=$("${PODMAN[@]}" inspect --format '{{.State.ExitCode}}' "$NAME")
[ "$status" = 0 ] || { "${PODMAN[@]}" logs "$NAME" | tail -20; fail "SIGTERM ended the server with status $status, not 0"; }

printf 'OK: %s (%s) built from %s (%s MB), served /health, /ready and a chat completion, stopped with status 0 in %ss\n' \
    "$IMAGE" "$version" "$BASE" "$((size / 1000000))" "$((SECONDS - started))"
