"""atomixctl against the real `atomixd serve` (scratch root, sim service manager,
loopback): apply --watch, 422 printed like validate, 409, rollback, --json, jobs,
job --watch, openapi, and an event stream cut mid-event by a TCP proxy in front
of the daemon, resumed with Last-Event-ID. The contract details the daemon
cannot be made to show on demand are in test_client_contract.py."""

import json
import re
import socket
import threading

import pytest

# The daemon helpers come with `atomixd serve` (tests/integration/atomixd_server.py).
atomixd_server = pytest.importorskip("atomixd_server", reason="needs atomixd serve and its test helpers")

STEP_LINE = re.compile(r"^\[ *\d+\.\d\ds\] (?P<step>[a-z-]+)(?:: (?P<message>.*))?$")


def steps_of(text):
    return [m.group("step") for m in map(STEP_LINE.match, text.splitlines()) if m]


@pytest.fixture
def start_daemon(atomixd, tmp_path):
    started = []

    def start(extra=()):
        root = tmp_path / "root"
        root.mkdir(exist_ok=True)
        daemon = atomixd_server.Daemon(atomixd, root, [f"127.0.0.1:{atomixd_server.free_port()}"],
                                       ["--rebind-delay-seconds", "30", *extra])
        started.append(daemon)
        return daemon.start()

    yield start
    for daemon in started:
        daemon.stop()


@pytest.fixture
def example(source_dir):
    return source_dir / "examples" / "config.toml"


def test_apply_watch_against_the_daemon(run_atomixctl, start_daemon, example):
    daemon = start_daemon(["--sim-delay-ms", "20"])
    result = run_atomixctl("apply", example, "--url", daemon.url, "--watch")
    assert result.returncode == 0, result.stdout + result.stderr
    steps = steps_of(result.stdout)
    assert steps[0] == "running" and steps[-1] == "completed"
    assert {"validate", "promote", "cleanup"} <= set(steps)
    assert "succeeded" in result.stdout
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", result.stdout)

    listed = run_atomixctl("jobs", "--url", daemon.url, "--json")
    jobs = json.loads(listed.stdout)["jobs"]
    assert len(jobs) == 1 and jobs[0]["state"] == "succeeded"
    replay = run_atomixctl("job", jobs[0]["id"], "--url", daemon.url, "--watch")
    assert replay.returncode == 0
    assert steps_of(replay.stdout) == steps


def test_invalid_config_is_reported_like_validate(run_atomixctl, start_daemon, tmp_path):
    daemon = start_daemon()
    path = tmp_path / "config.toml"
    path.write_text('version = 1\n\n[users.admin]\nisAdmin = "yes"\n\n[network.lan]\ngateway_cidr = "300.1.1.1/24"\n')
    offline = run_atomixctl("validate", path)
    assert offline.returncode == 1
    applied = run_atomixctl("apply", path, "--url", daemon.url, "--watch")
    assert applied.returncode == 1
    assert applied.stderr == offline.stderr
    remote = run_atomixctl("validate", path, "--url", daemon.url)
    assert remote.returncode == 1
    assert remote.stderr == offline.stderr
    assert json.loads(run_atomixctl("jobs", "--url", daemon.url, "--json").stdout)["jobs"] == []


def test_busy_device_names_the_running_job(run_atomixctl, start_daemon, example, atomixctl, tmp_path):
    import subprocess
    # Once the first job has promoted admin-signers, a submission must be
    # signed (reference §1.1): the second apply signs with the admin's key,
    # so it reaches the single-flight check whenever it arrives.
    key = tmp_path / "admin"
    subprocess.run(["ssh-keygen", "-q", "-N", "", "-t", "ed25519", "-f", str(key)], check=True, timeout=60)
    public = (tmp_path / "admin.pub").read_text().strip()
    text = example.read_text()
    start = text.index('ssh_key = "')
    config = tmp_path / "config.toml"
    config.write_text(text[:start] + f'ssh_key = "{public}"' + text[text.index("\n", start):])
    example = config
    daemon = start_daemon(["--sim-delay-ms", "300"])
    first = subprocess.Popen([str(atomixctl), "apply", str(example), "--url", daemon.url], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        job_id = None
        for _ in range(200):
            jobs = json.loads(run_atomixctl("jobs", "--url", daemon.url, "--json").stdout)["jobs"]
            if jobs:
                job_id = jobs[0]["id"]
                break
        assert job_id
        second = run_atomixctl("apply", example, "--url", daemon.url, "--key", key)
        assert second.returncode == 1
        assert job_id in second.stderr
    finally:
        out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err


def test_rollback_exits_1_with_the_job_as_json(run_atomixctl, start_daemon, example):
    daemon = start_daemon(["--sim-fail", "myapp.service", "--poll-interval-ms", "50"])
    result = run_atomixctl("apply", example, "--url", daemon.url, "--json")
    assert result.returncode == 1, result.stderr
    job = json.loads(result.stdout)
    assert job["state"] == "failed"
    assert job.get("rollback_status")


def test_connection_refused_exits_2(run_atomixctl, example):
    result = run_atomixctl("apply", example, "--url", f"http://127.0.0.1:{atomixd_server.free_port()}")
    assert result.returncode == 2


class CuttingProxy:
    """Forwards loopback TCP to the daemon; the first event stream is cut after
    `cut_after` response bytes (mid-event), later ones pass untouched."""

    def __init__(self, upstream_port, cut_after):
        self.upstream_port = upstream_port
        self.cut_after = cut_after
        self.stream_requests = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.relay, args=(client,), daemon=True).start()

    def relay(self, client):
        with client, socket.create_connection(("127.0.0.1", self.upstream_port), timeout=60) as upstream:
            client.settimeout(60)
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = client.recv(65536)
                if not chunk:
                    return
                request += chunk
            head = request.split(b"\r\n\r\n", 1)[0].decode()
            cut = None
            if "/events " in head.splitlines()[0]:
                self.stream_requests.append(head)
                cut = self.cut_after if len(self.stream_requests) == 1 else None
            upstream.sendall(request)
            threading.Thread(target=self.pump, args=(client, upstream), daemon=True).start()
            sent = 0
            while True:
                data = upstream.recv(65536)
                if not data:
                    return
                if cut is not None and sent + len(data) >= cut:
                    client.sendall(data[:cut - sent])
                    # shutdown, not just close: the pump thread still holds the socket.
                    client.shutdown(socket.SHUT_RDWR)
                    return
                client.sendall(data)
                sent += len(data)

    @staticmethod
    def pump(client, upstream):
        try:
            while True:
                data = client.recv(65536)
                if not data:
                    return
                upstream.sendall(data)
        except OSError:
            return

    def close(self):
        self.listener.close()


def test_event_stream_cut_mid_event_resumes_without_loss_or_repeat(run_atomixctl, start_daemon, example):
    daemon = start_daemon(["--sim-delay-ms", "100"])
    port = int(daemon.url.rsplit(":", 1)[1])
    proxy = CuttingProxy(port, cut_after=700)
    try:
        url = f"http://127.0.0.1:{proxy.port}"
        result = run_atomixctl("apply", example, "--url", url, "--watch")
        assert result.returncode == 0, result.stdout + result.stderr
        job_id = json.loads(run_atomixctl("jobs", "--url", daemon.url, "--json").stdout)["jobs"][0]["id"]
        full = run_atomixctl("job", job_id, "--url", daemon.url)
        assert steps_of(result.stdout) == steps_of(full.stdout)
        assert len(proxy.stream_requests) >= 2
        assert "Last-Event-ID:" in proxy.stream_requests[1]
    finally:
        proxy.close()


def test_openapi_is_the_daemons_document(run_atomixctl, atomixd, build_dir):
    import subprocess
    options = json.loads((build_dir / "meson-info" / "intro-buildoptions.json").read_text())
    if not next(o["value"] for o in options if o["name"] == "embed_openapi"):
        pytest.skip("built without -Dembed_openapi=true")
    ours = run_atomixctl("openapi")
    theirs = subprocess.run([str(atomixd), "openapi"], capture_output=True, text=True, check=True, timeout=60)
    assert ours.returncode == 0
    assert json.loads(ours.stdout) == json.loads(theirs.stdout)
