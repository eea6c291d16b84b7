"""The deployment files (Dockerfile, compose, Kubernetes) as a cluster and the CLI read them.

Kubernetes objects are checked against the API schemas `kubernetes-validate` bundles (offline), and
every command line they give is parsed by the real `chat-emulator` argument parser, so a renamed
flag or a moved port fails here rather than in somebody's cluster.
"""
from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any

import httpx
import kubernetes_validate
import pytest
import yaml

from emulator.cli import build_parser, main

from serve_process import ServeProcess

ROOT = Path(__file__).resolve().parent.parent
KUBERNETES = ROOT / "deploy" / "kubernetes"
# The oldest Kubernetes release still commonly run, and the newest the validator knows.
KUBERNETES_VERSIONS = ("1.29", kubernetes_validate.utils.latest_version())
# Custom resources have no bundled schema; they are checked by hand below.
CUSTOM_KINDS = {"ServiceMonitor"}


def manifest_files() -> list[Path]:
    return sorted(p for p in KUBERNETES.rglob("*.yaml") if p.name != "kustomization.yaml")


def objects() -> list[tuple[Path, dict[str, Any]]]:
    return [(path, doc) for path in manifest_files()
            for doc in yaml.safe_load_all(path.read_text()) if doc]


def the(kind: str) -> dict[str, Any]:
    (found,) = [doc for _, doc in objects() if doc["kind"] == kind]
    return found


def container() -> dict[str, Any]:
    (found,) = the("Deployment")["spec"]["template"]["spec"]["containers"]
    return found


def serve_args(argv: list[str]) -> Any:
    """What `chat-emulator <argv>` would run with; argparse exits on an unknown flag."""
    args = build_parser().parse_args(argv)
    assert args.command == "serve"
    return args


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("validation tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# --- Kubernetes ----------------------------------------------------------------------------------

@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_kubernetes_object_validates_offline_against_the_api_schemas(offline: None, version: str) -> None:
    checked = []
    for path, doc in objects():
        if doc["kind"] in CUSTOM_KINDS:
            continue
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{path.relative_to(ROOT)}: {doc['kind']} at {'.'.join(map(str, error.path))}: {error.message}")
        checked.append(doc["kind"])
    assert sorted(checked) == ["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Service"]


def test_kustomizations_name_files_that_exist_and_every_manifest_is_in_one() -> None:
    listed: set[Path] = set()
    for kustomization in KUBERNETES.rglob("kustomization.yaml"):
        for entry in yaml.safe_load(kustomization.read_text())["resources"]:
            target = (kustomization.parent / entry).resolve()
            assert target.exists(), f"{kustomization.relative_to(ROOT)} lists {entry}, which does not exist"
            if target.is_dir():
                assert (target / "kustomization.yaml").exists(), f"{entry} is not a kustomization"
            listed.add(target)
    assert set(manifest_files()) <= listed


def test_the_deployment_runs_serve_with_flags_the_cli_knows_on_its_named_port() -> None:
    spec = container()
    args = serve_args(spec["args"])
    assert args.host == "0.0.0.0"
    ports = {port["name"]: port["containerPort"] for port in spec["ports"]}
    assert ports == {"http": args.port}
    # Liveness on /health, readiness on /ready, both on the port the server listens on.
    assert spec["livenessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    assert spec["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
    # The scenarios ConfigMap is mounted where --scenarios reads.
    mounts = {mount["name"]: mount["mountPath"] for mount in spec["volumeMounts"]}
    assert [str(path) for path in args.scenarios] == [mounts["scenarios"]]
    volumes = {volume["name"]: volume for volume in the("Deployment")["spec"]["template"]["spec"]["volumes"]}
    assert volumes["scenarios"]["configMap"]["name"] == the("ConfigMap")["metadata"]["name"]
    # The admin token reaches the server through the variable the CLI reads.
    assert [env["name"] for env in spec["env"]] == ["CHAT_EMULATOR_ADMIN_TOKEN"]


def test_draining_fits_in_the_pods_grace_period() -> None:
    pod = the("Deployment")["spec"]["template"]["spec"]
    pause = int(container()["lifecycle"]["preStop"]["exec"]["command"][-1])
    assert pause + serve_args(container()["args"]).graceful_timeout < pod["terminationGracePeriodSeconds"]


def test_the_service_and_service_monitor_reach_the_containers_named_port() -> None:
    service = the("Service")
    pod_labels = the("Deployment")["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    names = {port["name"]: port for port in service["spec"]["ports"]}
    assert {port["targetPort"] for port in names.values()} == {"http"}
    monitor = the("ServiceMonitor")
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["port"] == "metrics" and endpoint["port"] in names
    assert endpoint["path"] == "/metrics"


def test_the_configmaps_scenario_files_are_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, text in the("ConfigMap")["data"].items():
        (tmp_path / name).write_text(text)
    assert main(["validate", str(tmp_path)]) == 0, capsys.readouterr().out


def test_the_autoscaler_scales_the_deployment() -> None:
    target = the("HorizontalPodAutoscaler")["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", the("Deployment")["metadata"]["name"])
    assert "cpu" in container()["resources"]["requests"]  # utilisation is measured against the request


# --- Dockerfile and compose -----------------------------------------------------------------------

def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, rest) for each instruction, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def final_stage() -> dict[str, str]:
    """The last stage's instructions by name (the last of each wins, as in Docker)."""
    found: dict[str, str] = {}
    for keyword, rest in dockerfile_instructions():
        if keyword == "FROM":
            found = {}
        found[keyword] = rest
    return found


def test_the_image_serves_on_all_interfaces_on_the_exposed_port_as_a_non_root_user() -> None:
    stage = final_stage()
    args = serve_args(json.loads(stage["ENTRYPOINT"])[1:] + json.loads(stage["CMD"]))
    assert json.loads(stage["ENTRYPOINT"])[0] == "chat-emulator"
    assert args.host == "0.0.0.0" and str(args.port) == stage["EXPOSE"]
    assert [str(path) for path in args.scenarios] == json.loads(stage["VOLUME"])
    user = stage["USER"].split(":")[0]
    assert user.isdigit() and int(user) != 0  # numeric, so Kubernetes' runAsNonRoot can check it
    assert int(user) == the("Deployment")["spec"]["template"]["spec"]["securityContext"]["runAsUser"]


def test_the_images_healthcheck_asks_health_on_the_served_port() -> None:
    stage = final_stage()
    args = serve_args(json.loads(stage["CMD"]))
    command = json.loads(stage["HEALTHCHECK"].split(" CMD ", 1)[1])
    urls = re.findall(r"http://[^'\"]+", " ".join(command))
    assert urls == [f"http://127.0.0.1:{args.port}/health"]


def test_the_compose_example_serves_what_the_web_app_is_pointed_at() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose" / "compose.yaml").read_text())
    emulator, web = compose["services"]["emulator"], compose["services"]["web"]
    args = serve_args(emulator["command"])
    assert web["environment"]["OPENAI_BASE_URL"] == f"http://emulator:{args.port}/v1"
    assert web["depends_on"]["emulator"]["condition"] == "service_healthy"
    (volume,) = emulator["volumes"]
    source, target, _ = volume.split(":")
    assert [str(path) for path in args.scenarios] == [target]
    assert main(["validate", str(ROOT / "deploy" / "compose" / source)]) == 0
    assert "CHAT_EMULATOR_ADMIN_TOKEN" in emulator["environment"]


# --- the Deployment's command line, served ----------------------------------------------------------

def kubelet_configmap_volume(folder: Path, data: dict[str, str]) -> Path:
    """A ConfigMap volume as the kubelet lays it out: the files in a timestamped hidden folder, a
    `..data` link to it, and one link per key."""
    stamped = folder / "..2026_01_01_00_00_00.000000001"
    stamped.mkdir(parents=True)
    (folder / "..data").symlink_to(stamped.name)
    for name, text in data.items():
        (stamped / name).write_text(text)
        (folder / name).symlink_to(Path("..data") / name)
    return folder


def local_argv(argv: list[str], scenarios: Path) -> list[str]:
    """The manifest's command line, bound to a free loopback port and the local scenarios folder."""
    replacements = {"--host": "127.0.0.1", "--port": "0", "--scenarios": str(scenarios)}
    return [replacements.get(argv[i - 1], arg) if i else arg for i, arg in enumerate(argv)]


def test_the_deployments_command_line_serves_the_configmap_as_the_kubelet_mounts_it(tmp_path: Path) -> None:
    volume = kubelet_configmap_volume(tmp_path / "scenarios", the("ConfigMap")["data"])
    server = ServeProcess(local_argv(container()["args"], volume))
    try:
        probes = {name: httpx.get(server.url + container()[name]["httpGet"]["path"])
                  for name in ("livenessProbe", "readinessProbe")}
        reply = httpx.post(server.base_url + "/chat/completions", headers={"Authorization": "Bearer sk-k8s"},
                           json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello"}]})
    finally:
        output = server.stop()  # SIGTERM, as the kubelet sends it
    assert {name: response.status_code for name, response in probes.items()} == \
        {"livenessProbe": 200, "readinessProbe": 200}
    assert reply.status_code == 200, output
    assert server.returncode == 0, output
    assert reply.json()["choices"][0]["message"]["content"] == "Hello from the emulator in Kubernetes!"
    assert f"{len(the('ConfigMap')['data'])} scenarios loaded" in output


def test_the_monitoring_overlay_turns_metrics_on_with_a_flag_the_cli_knows() -> None:
    kustomization = yaml.safe_load((KUBERNETES / "monitoring" / "kustomization.yaml").read_text())
    (patch,) = kustomization["patches"]
    assert patch["target"] == {"kind": "Deployment", "name": the("Deployment")["metadata"]["name"]}
    (operation,) = yaml.safe_load(patch["patch"])
    assert (operation["op"], operation["path"]) == ("add", "/spec/template/spec/containers/0/args/-")
    argv = container()["args"] + [operation["value"]]
    if "--metrics" in build_parser().parse_known_args(argv)[1]:
        pytest.skip("this build has no --metrics yet (issue 16, metrics)")
    assert serve_args(argv).metrics
