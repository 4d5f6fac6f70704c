"""`atomixd serve` over real sockets: a scratch root, the sim service manager,
loopback listeners. Every response a test receives through `api` is checked
against the schema the server's OpenAPI document declares for it."""

import getpass
import io
import json
import os
import signal
import socket
import subprocess
import tarfile
import threading
import time
import zlib

import pytest
import requests

from atomixd_server import Api, Daemon, OpenApi, free_port, read_events

COMMAND_TIMEOUT = 120


@pytest.fixture(scope="session")
def openapi_document(atomixd):
    out = subprocess.run([str(atomixd), "openapi"], capture_output=True, text=True, check=True,
                         timeout=COMMAND_TIMEOUT)
    return json.loads(out.stdout)


@pytest.fixture(scope="session")
def openapi(openapi_document):
    return OpenApi(openapi_document)


@pytest.fixture
def start_daemon(atomixd, tmp_path):
    started = []

    def start(listen=None, extra=(), root=None, wait_for=None):
        root = root or tmp_path / "root"
        root.mkdir(exist_ok=True)
        daemon = Daemon(atomixd, root, listen or [f"127.0.0.1:{free_port()}"], extra)
        started.append(daemon)
        return daemon.start(wait_for=wait_for)

    yield start
    for daemon in started:
        if daemon.proc is not None:
            daemon.stop()


@pytest.fixture
def daemon(start_daemon):
    return start_daemon()


@pytest.fixture
def api(daemon, openapi):
    return Api(daemon.url, openapi)


@pytest.fixture(scope="session")
def example_config(source_dir):
    return (source_dir / "examples" / "config.toml").read_bytes()


def config_with_gateway(example_config, ip):
    """The example config with its LAN on a loopback address the test can bind."""
    prefix = ip.rsplit(".", 1)[0]
    return (example_config.decode()
            .replace('gateway_cidr = "172.20.30.1/24"', f'gateway_cidr = "{ip}/24"')
            .replace('dhcp_start = "172.20.30.10"', f'dhcp_start = "{prefix}.10"')
            .replace('dhcp_end = "172.20.30.254"', f'dhcp_end = "{prefix}.254"')).encode()


def nothing_written(root):
    """No config tree, no candidate, no job, no leftover upload."""
    config = root / "config"
    jobs = root / "jobs"
    uploads = root / "uploads"
    assert not (config / "config.toml").exists()
    assert not list(jobs.glob("*.json")) if jobs.exists() else True
    assert not list(uploads.iterdir()) if uploads.exists() else True


def submit(api, body, filename=None, **kwargs):
    headers = {"X-Config-Filename": filename} if filename else {}
    return api.post("/api/config", data=body, headers=headers, **kwargs)


# --- system routes --------------------------------------------------------------------------


def test_health_and_nonce(api):
    assert api.get("/api/health").json() == {"status": "ok"}
    first = api.get("/api/nonce").json()["nonce"]
    second = api.get("/api/nonce").json()["nonce"]
    assert len(first) == 43 and first != second


def test_unknown_route_404_and_wrong_method_405_with_allow(api):
    response = api.get("/api/nope")
    assert response.status_code == 404
    assert "error" in response.json()
    response = api.request("DELETE", "/api/config")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert "not allowed" in response.json()["error"]
    response = api.post("/api/jobs")
    assert response.status_code == 405 and response.headers["Allow"] == "GET"


def test_openapi_served_live_equals_atomixd_openapi(api, openapi_document):
    response = api.get("/schema/openapi.json")
    assert response.status_code == 200
    assert response.json() == openapi_document


# --- submit -----------------------------------------------------------------------------------


def test_invalid_config_is_422_problem_with_every_diagnostic_and_nothing_written(api, daemon):
    response = submit(api, b'version = 1\n[users.admin]\nisAdmin = "yes"\n')
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422 and body["title"] and body["type"] and body["detail"]
    assert body["error"].startswith("config.toml:")
    codes = [d["code"] for d in body["diagnostics"]]
    assert len(codes) >= 3, codes  # missing sections and the wrong type, all at once
    for diag in body["diagnostics"]:
        assert {"code", "severity", "pointer", "message"} <= diag.keys()
    assert any("line" in d and "column" in d for d in body["diagnostics"])
    assert api.get("/api/jobs").json() == {"jobs": []}
    nothing_written(daemon.root)


def test_submit_accepted_202_then_job_succeeds(api, daemon, example_config):
    response = submit(api, example_config)
    assert response.status_code == 202
    body = response.json()
    assert body["state"] == "submitted"
    assert body["job_url"] == f"/api/jobs/{body['job_id']}"
    assert response.headers["Location"] == body["job_url"]
    job = api.wait_job(body["job_id"])
    assert job["state"] == "succeeded", job
    assert job["result"]["reapply"] is False
    assert (daemon.root / "config" / "config.toml").read_bytes() == example_config
    listed = api.get("/api/jobs?limit=1").json()["jobs"]
    assert [j["id"] for j in listed] == [body["job_id"]]


def test_jobs_list_newest_first_limit_and_404(api, example_config):
    assert submit(api, b"not toml [").status_code == 422
    first = submit(api, b"version = 1\n" + example_config.split(b"\n", 4)[-1]).json()
    api.wait_job(first["job_id"])
    assert api.get("/api/jobs?limit=0").status_code == 400
    assert api.get("/api/jobs?limit=x").status_code == 400
    assert len(api.get("/api/jobs").json()["jobs"]) == 1
    response = api.get("/api/jobs/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404 and response.json() == {"error": "job not found"}


def test_provisioned_device_refuses_unsigned_reapply_validate_and_export_with_401(api, example_config):
    assert api.get("/api/config/export").status_code == 404  # nothing provisioned yet
    job = submit(api, example_config).json()
    assert api.wait_job(job["job_id"])["state"] == "succeeded"
    for response in (submit(api, example_config), api.post("/api/validate", data=example_config),
                     api.get("/api/config/export")):
        assert response.status_code == 401
        assert "authentication required: provide X-AtomixOS-Nonce and X-AtomixOS-Signature headers" \
            in response.json()["error"]
    # Reading stays open.
    assert api.get(f"/api/jobs/{job['job_id']}").status_code == 200
    assert api.get("/api/health").status_code == 200


def test_export_before_provisioning_is_404_not_provisioned(api):
    # Signed once provisioned; before, nothing can be signed and there is
    # nothing to export: a clear 404 rather than a 401 nobody can satisfy.
    response = api.get("/api/config/export")
    assert response.status_code == 404
    assert "not provisioned" in response.json()["error"]


def test_partial_edit_before_provisioning_is_401(api):
    response = api.request("PUT", "/api/config/users/alice", json={"isAdmin": False})
    assert response.status_code == 401


def test_validate_before_provisioning_changes_nothing(api, daemon, example_config):
    response = api.post("/api/validate", data=example_config)
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and "config.toml" in body["files"]
    assert "quadlet/myapp.container" in body["files"]
    bad = api.post("/api/validate", data=b"version = 2\n")
    assert bad.status_code == 422 and bad.json()["ok"] is False
    nothing_written(daemon.root)


def test_body_over_limit_is_413_before_reading_it(api, daemon):
    response = submit(api, b"x" * (32 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert "byte limit" in response.json()["error"]
    nothing_written(daemon.root)


def test_chunked_body_over_limit_is_413(api, daemon):
    def chunks():
        block = b"y" * (1024 * 1024)
        for _ in range(33):
            yield block

    response = api.post("/api/config", data=chunks())
    assert response.status_code == 413
    nothing_written(daemon.root)


def raw_request(url, head, body_parts, delay=0.0, read=True):
    host, port = url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(head)
        for part in body_parts:
            s.sendall(part)
            time.sleep(delay)
        if not read:
            return b""
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk
            if b"\r\n\r\n" in data:
                head_end = data.index(b"\r\n\r\n")
                length = [int(l.split(b":")[1]) for l in data[:head_end].split(b"\r\n")
                          if l.lower().startswith(b"content-length:")]
                if length and len(data) >= head_end + 4 + length[0]:
                    return data


def test_body_sent_slowly_in_small_chunks(daemon, example_config):
    parts = [example_config[i:i + 7] for i in range(0, len(example_config), 7)]
    head = (f"POST /api/config HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(example_config)}\r\n"
            "Connection: close\r\n\r\n").encode()
    reply = raw_request(daemon.url, head, parts, delay=0.01)
    assert reply.startswith(b"HTTP/1.1 202"), reply[:200]


def test_one_address_cannot_take_every_connection(start_daemon, openapi):
    """--connections-per-address: the connection over the limit is closed at
    once; the ones within it are served, and a freed slot can be used again."""
    daemon = start_daemon(extra=["--connections-per-address", "4"])
    host, port = daemon.listen[0].rsplit(":", 1)
    held = [socket.create_connection((host, int(port)), timeout=20) for _ in range(4)]
    try:
        extra = socket.create_connection((host, int(port)), timeout=20)
        with extra:
            try:
                closed = extra.recv(1) == b""
            except ConnectionResetError:
                closed = True
            assert closed, "the fifth connection from one address was kept"
        request = f"GET /api/health HTTP/1.1\r\nHost: {daemon.listen[0]}\r\nConnection: close\r\n\r\n".encode()
        held[0].sendall(request)
        assert held[0].recv(4096).startswith(b"HTTP/1.1 200")
        held.pop(0).close()
        deadline = time.monotonic() + 20
        while True:  # the server notices the closed slot on its own time
            try:
                if Api(daemon.url, openapi).get("/api/health").status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "a freed slot was not given to a new connection"
            time.sleep(0.05)
    finally:
        for connection in held:
            connection.close()


def test_client_disconnect_mid_upload_leaves_nothing(start_daemon, openapi, example_config):
    # libmicrohttpd sometimes notices a peer that closed mid-body only at the
    # connection timeout: a short one bounds when the upload must be gone.
    daemon = start_daemon(extra=["--connection-timeout-seconds", "3"])
    api = Api(daemon.url, openapi)
    head = (f"POST /api/config HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(example_config) * 10}\r\n\r\n").encode()
    raw_request(daemon.url, head, [example_config], read=False)
    uploads = daemon.root / "uploads"
    # The server may start the upload file only after the client is gone (a
    # slow, sanitized build): wait for it to appear, then to vanish when the
    # server notices the closed socket; both waits are bounded.
    deadline = time.monotonic() + 3
    while not list(uploads.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.02)
    deadline = time.monotonic() + 20
    while list(uploads.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert api.get("/api/jobs").json() == {"jobs": []}
    nothing_written(daemon.root)


def test_concurrent_submissions_exactly_one_accepted(start_daemon, openapi, example_config):
    daemon = start_daemon(extra=["--sim-delay-ms", "300"])
    api = Api(daemon.url, openapi)
    results = []
    barrier = threading.Barrier(8)

    def one():
        barrier.wait()
        results.append(Api(daemon.url, openapi).post("/api/config", data=example_config))

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    statuses = sorted(r.status_code for r in results)
    assert statuses == [202] + [409] * 7, statuses
    accepted = next(r for r in results if r.status_code == 202).json()["job_id"]
    for r in results:
        if r.status_code == 409:
            assert accepted in r.json()["error"]
    api.wait_job(accepted)


# --- bundles ------------------------------------------------------------------------------------


def tar_gz(members, compresslevel=6):
    """members: list of (TarInfo, bytes-or-None)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=compresslevel) as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    return raw.getvalue()


def file_member(name, data):
    info = tarfile.TarInfo(name)
    info.mode = 0o644
    return info, data


def special_member(name, kind, link=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    return info, None


def test_good_bundle_accepted(api, daemon, example_config):
    bundle = tar_gz([file_member("config.toml", example_config), special_member("files", tarfile.DIRTYPE),
                     file_member("files/index.html", b"<h1>hi</h1>\n")])
    response = submit(api, bundle, filename="config.tar.gz")
    assert response.status_code == 202, response.text
    assert api.wait_job(response.json()["job_id"])["state"] == "succeeded"
    assert (daemon.root / "config" / "files" / "index.html").exists()
    # The job read the upload from disk (files/ streamed into the candidate)
    # and removed it when it ended.
    assert list((daemon.root / "uploads").iterdir()) == []


def tar_gz_with_zeros(config, name, mebibytes, count=1):
    """A valid tar.gz: config.toml, then @count members (@name, then @name1, @name2 ...) of @mebibytes
    zero MiB each (compressed on the fly)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    info = tarfile.TarInfo("config.toml")
    info.size = len(config)
    out = [compressor.compress(info.tobuf() + config + b"\0" * (-len(config) % 512))]
    zeros = b"\0" * (1024 * 1024)
    for index in range(count):
        header = tarfile.TarInfo(f"{name}{index or ''}")
        header.size = mebibytes * 1024 * 1024
        out.append(compressor.compress(header.tobuf()))
        for _ in range(mebibytes):
            out.append(compressor.compress(zeros))
    out.append(compressor.compress(b"\0" * 1024))
    out.append(compressor.flush())
    return b"".join(out)


@pytest.mark.parametrize("case", ["traversal", "absolute", "symlink", "hardlink", "device", "fifo", "bomb",
                                  "member-too-big", "too-many-members", "truncated", "duplicate"])
def test_hostile_bundle_refused_422_nothing_written(api, daemon, example_config, case):
    good = file_member("config.toml", example_config)
    bundles = {
        "traversal": lambda: tar_gz([good, file_member("files/../../etc/passwd", b"x")]),
        "absolute": lambda: tar_gz([good, file_member("/etc/passwd", b"x")]),
        "symlink": lambda: tar_gz([good, special_member("files", tarfile.DIRTYPE),
                                   special_member("files/link", tarfile.SYMTYPE, "/etc/shadow")]),
        "hardlink": lambda: tar_gz([good, special_member("files", tarfile.DIRTYPE),
                                    special_member("files/link", tarfile.LNKTYPE, "config.toml")]),
        "device": lambda: tar_gz([good, special_member("files", tarfile.DIRTYPE),
                                  special_member("files/null", tarfile.CHRTYPE)]),
        "fifo": lambda: tar_gz([good, special_member("files", tarfile.DIRTYPE),
                                special_member("files/fifo", tarfile.FIFOTYPE)]),
        "bomb": lambda: tar_gz_with_zeros(example_config, "files/zeros", 300),
        "member-too-big": lambda: tar_gz_with_zeros(example_config, "files/zeros", 65),
        "too-many-members": lambda: tar_gz([good, special_member("files", tarfile.DIRTYPE)]
                                           + [file_member(f"files/{i}", b"") for i in range(4100)]),
        "truncated": lambda: tar_gz([good, file_member("files/big", os.urandom(200000))])[:-5000],
        "duplicate": lambda: tar_gz([good, file_member("config.toml", b"version = 1\n")]),
    }
    response = submit(api, bundles[case](), filename="config.tar.gz")
    assert response.status_code == 422, (case, response.status_code, response.text[:300])
    body = response.json()
    assert any(d["code"].startswith("bundle.") for d in body["diagnostics"]), body
    nothing_written(daemon.root)


# --- event streams --------------------------------------------------------------------------------


def test_events_stream_whole_history_and_end_for_a_finished_job(api, example_config):
    job_id = submit(api, example_config).json()["job_id"]
    job = api.wait_job(job_id)
    response = api.get(f"/api/jobs/{job_id}/events", stream=True)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/event-stream"
    events, ended = read_events(response)
    assert ended
    assert [seq for seq, _ in events] == [e["seq"] for e in job["events"]]
    assert events[-1][1]["step"] == "completed"
    for _, event in events:
        api.openapi.validate(event, "JobEventResponseBody")
    response = api.get(f"/api/jobs/{job_id}/events", headers={"Last-Event-ID": str(events[-3][0])}, stream=True)
    assert [seq for seq, _ in read_events(response)[0]] == [seq for seq, _ in events[-2:]]
    assert api.get("/api/jobs/nope/events").status_code == 404
    assert api.get(f"/api/jobs/{job_id}/events", headers={"Last-Event-ID": "x"}).status_code == 400


def test_events_resume_after_dropped_connection_loses_and_repeats_nothing(start_daemon, openapi, example_config):
    daemon = start_daemon(extra=["--sim-delay-ms", "100"])
    api = Api(daemon.url, openapi)
    job_id = submit(api, example_config).json()["job_id"]
    seen = []
    last = None
    for _ in range(200):
        headers = {"Last-Event-ID": str(last)} if last is not None else {}
        response = api.get(f"/api/jobs/{job_id}/events", headers=headers, stream=True)
        events, ended = read_events(response, stop_after=3)
        response.close()  # drop the connection mid-stream
        seen += events
        if events:
            last = events[-1][0]
        if ended:
            break
    job = api.wait_job(job_id)
    assert [seq for seq, _ in seen] == [e["seq"] for e in job["events"]]
    assert seen[-1][1]["step"] == "completed"


def test_events_live_with_heartbeats(start_daemon, openapi, example_config):
    daemon = start_daemon(extra=["--sim-delay-ms", "400"])
    api = Api(daemon.url, openapi)
    job_id = submit(api, example_config).json()["job_id"]
    response = api.get(f"/api/jobs/{job_id}/events", stream=True)
    text = "".join(response.iter_content(chunk_size=None, decode_unicode=True))
    assert ": keepalive" in text
    last_event = [line for line in text.splitlines() if line.startswith("data: ")][-1]
    assert json.loads(last_event[6:])["step"] == "completed"
    assert api.wait_job(job_id)["state"] == "succeeded"


# --- process lifecycle --------------------------------------------------------------------------


def test_sigterm_exits_zero(start_daemon):
    daemon = start_daemon()
    assert daemon.stop() == 0
    assert "stopping" in daemon.log_text()


def test_sigterm_mid_job_stops_at_a_safe_point_and_exits_zero(start_daemon, openapi, example_config):
    daemon = start_daemon(extra=["--sim-delay-ms", "300"])
    api = Api(daemon.url, openapi)
    job_id = submit(api, example_config).json()["job_id"]
    deadline = time.monotonic() + 30
    while api.get(f"/api/jobs/{job_id}").json()["state"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert daemon.stop() == 0
    daemon = start_daemon(listen=daemon.listen)
    job = Api(daemon.url, openapi).get(f"/api/jobs/{job_id}").json()
    assert job["state"] in ("failed", "succeeded"), job
    if job["state"] == "failed":
        assert "interrupted" in job["error"], job
        assert not (daemon.root / "config" / "config.toml").exists()
    else:
        assert (daemon.root / "config" / "config.toml").read_bytes() == example_config


def test_sigkill_mid_job_then_restart_reports_interrupted(start_daemon, openapi, example_config, tmp_path):
    daemon = start_daemon(extra=["--sim-delay-ms", "300"])
    api = Api(daemon.url, openapi)
    job_id = submit(api, example_config).json()["job_id"]
    deadline = time.monotonic() + 30
    while api.get(f"/api/jobs/{job_id}").json()["current_step"] in ("submitted", "running", "prepare", "recover"):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    daemon.kill()
    daemon = start_daemon(listen=daemon.listen, extra=["--sim-delay-ms", "300"])
    api = Api(daemon.url, openapi)
    job = api.get(f"/api/jobs/{job_id}").json()
    assert job["state"] == "failed" and job["error"] == "interrupted", job
    assert job["recovery"]
    config = daemon.root / "config" / "config.toml"
    assert not config.exists() or config.read_bytes() == example_config
    events, ended = read_events(api.get(f"/api/jobs/{job_id}/events", stream=True))
    assert ended


# --- listeners ----------------------------------------------------------------------------------


def refuses(url):
    """True when nothing listens at url. A slow answer on a loaded machine is
    not a refusal: the connection was accepted."""
    try:
        requests.get(url + "/api/health", timeout=(5, 10))
        return False
    except requests.ConnectTimeout:
        return False
    except requests.ReadTimeout:
        return False
    except requests.ConnectionError:
        return True


def test_listeners_narrow_to_lan_gateway_after_provisioning_and_after_restart(start_daemon, openapi,
                                                                              example_config):
    port = free_port("127.0.0.1")
    wan, lan_other, gateway = f"127.0.0.1:{port}", f"127.0.0.2:{port}", f"127.0.0.3:{port}"
    daemon = start_daemon(listen=[wan, lan_other], extra=["--rebind-delay-seconds", "3"])
    assert refuses("http://" + gateway)
    api = Api("http://" + wan, openapi)
    assert Api("http://" + lan_other).get("/api/health").status_code == 200
    job = submit(api, config_with_gateway(example_config, "127.0.0.3")).json()
    assert api.wait_job(job["job_id"])["state"] == "succeeded"
    deadline = time.monotonic() + 20
    while not refuses("http://" + wan) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert refuses("http://" + wan) and refuses("http://" + lan_other)
    moved = Api("http://" + gateway, openapi)
    assert moved.get("/api/health").status_code == 200
    assert moved.get(f"/api/jobs/{job['job_id']}").json()["state"] == "succeeded"
    assert daemon.stop() == 0
    start_daemon(listen=[wan, lan_other], wait_for="http://" + gateway)
    assert refuses("http://" + wan) and refuses("http://" + lan_other)


# --- the document itself --------------------------------------------------------------------------

OPENAPI_VALIDATOR = "@seriousme/openapi-schema-validator@2"


def test_openapi_document_passes_an_independent_validator(build_dir, atomixd, tmp_path):
    """@seriousme/openapi-schema-validator (npm) checks the document against the
    official OpenAPI 3.1 schemas; installed once into the build directory."""
    prefix = build_dir / "npm-openapi-validator"
    cli = prefix / "node_modules" / ".bin" / "validate-api"
    if not cli.exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(prefix), OPENAPI_VALIDATOR],
                       check=True, capture_output=True, timeout=300)
    document = tmp_path / "openapi.json"
    document.write_text(subprocess.run([str(atomixd), "openapi"], capture_output=True, text=True, check=True,
                                       timeout=COMMAND_TIMEOUT).stdout)
    result = subprocess.run([str(cli), str(document)], capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["valid"] is True
    # The validator does refuse a broken document (the test can fail).
    broken = json.loads(document.read_text())
    broken["paths"]["/api/health"]["get"]["parameters"] = [{"name": "x"}]  # no "in"
    document.write_text(json.dumps(broken))
    assert subprocess.run([str(cli), str(document)], capture_output=True, timeout=COMMAND_TIMEOUT).returncode != 0


# --- systemd integration --------------------------------------------------------------------------


def test_socket_activation_and_sd_notify(atomixd, tmp_path, openapi):
    """systemd-socket-activate passes a listening socket (LISTEN_FDS); the
    daemon serves it, ignoring --listen, and reports READY=1 and STOPPING=1
    on NOTIFY_SOCKET."""
    root = tmp_path / "root"
    root.mkdir()
    notify_path = str(tmp_path / "notify")
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(notify_path)
    notify.settimeout(20)
    port = free_port()
    unused = f"127.0.0.1:{free_port()}"
    log = open(tmp_path / "serve.log", "w")
    proc = subprocess.Popen(
        ["systemd-socket-activate", "-l", f"127.0.0.1:{port}", "-E", f"NOTIFY_SOCKET={notify_path}",
         str(atomixd), "serve", "--root", str(root), "--service-manager", "sim", "--listen", unused],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        # systemd-socket-activate starts the daemon on the first connection.
        api = Api(f"http://127.0.0.1:{port}", openapi)
        deadline = time.monotonic() + 20
        while refuses(api.base_url):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        assert api.get("/api/health").json() == {"status": "ok"}
        assert notify.recv(4096) == b"READY=1"
        assert refuses("http://" + unused)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        assert notify.recv(4096) == b"STOPPING=1"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        notify.close()
        log.close()


def test_socket_activated_daemon_does_not_narrow(atomixd, tmp_path, openapi, example_config):
    """A socket unit keeps listening on the sockets it passed whatever the
    daemon closes, so a socket-activated daemon keeps serving them after
    provisioning and says why it does not move to the gateway address (the
    shipped atomixd.service has no socket unit; docs/platform.md)."""
    root = tmp_path / "root"
    root.mkdir()
    port = free_port()
    log_path = tmp_path / "serve.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        ["systemd-socket-activate", "-l", f"127.0.0.1:{port}", str(atomixd), "serve", "--root", str(root),
         "--service-manager", "sim", "--heartbeat-seconds", "1", "--rebind-delay-seconds", "1",
         "--app-user", getpass.getuser()],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        api = Api(f"http://127.0.0.1:{port}", openapi)
        deadline = time.monotonic() + 20
        while refuses(api.base_url):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        job = submit(api, config_with_gateway(example_config, "127.0.0.3")).json()
        assert api.wait_job(job["job_id"])["state"] == "succeeded"
        deadline = time.monotonic() + 20
        while "narrowing needs atomixd.service started without a socket unit" not in log_path.read_text():
            assert time.monotonic() < deadline and proc.poll() is None, log_path.read_text()
            time.sleep(0.1)
        assert api.get("/api/health").status_code == 200
        assert refuses(f"http://127.0.0.3:{port}")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        log.close()


def test_listener_answers_while_a_bundle_is_validated(daemon, api, example_config):
    """Validation runs off the listener's thread: a health request sent after
    a bomb's body is answered before the (slow) validation's reply arrives.
    The bomb's members tell their sizes truthfully, each within the member
    limit, so 240 MiB are inflated before the fifth crosses the 256 MiB limit
    (a member over a limit is refused from its header, before any inflating:
    too fast for this test)."""
    body = tar_gz_with_zeros(example_config, "files/zeros", 60, count=5)
    head = (f"POST /api/validate HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Config-Filename: b.tar.gz\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    host, port = daemon.url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=60) as s:
        s.sendall(head + body)
        assert api.get("/api/health").status_code == 200
        s.setblocking(False)
        try:
            early = s.recv(1)
        except BlockingIOError:
            early = None
        s.setblocking(True)
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = s.recv(65536)
            assert chunk
            reply += chunk
    assert early is None, "the validation answered before the health request"
    assert reply.startswith(b"HTTP/1.1 422")


def test_failed_activation_is_discarded_and_jobs_list_newest_first(start_daemon, openapi, example_config):
    daemon = start_daemon(extra=["--sim-fail", "myapp", "--poll-interval-ms", "20"])
    api = Api(daemon.url, openapi)
    ids = []
    for _ in range(2):
        response = submit(api, example_config)
        assert response.status_code == 202, response.text
        job = api.wait_job(response.json()["job_id"])
        assert job["state"] == "failed" and job["rollback_status"] == "discarded", job
        ids.append(job["id"])
    assert [j["id"] for j in api.get("/api/jobs").json()["jobs"]] == ids[::-1]
    assert [j["id"] for j in api.get("/api/jobs?limit=1").json()["jobs"]] == ids[-1:]
    assert not (daemon.root / "config" / "config.toml").exists()
    events, ended = read_events(api.get(f"/api/jobs/{ids[0]}/events", stream=True))
    assert ended and events[-1][1]["step"] == "failed"


def test_config_filename_header_picks_the_format_and_is_sanitised(api, example_config):
    as_bundle = api.post("/api/validate", data=example_config, headers={"X-Config-Filename": "x.tar.gz"})
    assert as_bundle.status_code == 422
    assert as_bundle.json()["error"].startswith("x.tar.gz")
    # Not a plain name: ignored, the body is read as config.toml.
    for hostile in ("../../x.tar.gz", "a/b.tgz", "x.tar.gz\u00a0;rm", "y" * 300 + ".tar.gz"):
        response = api.post("/api/validate", data=example_config, headers={"X-Config-Filename": hostile.encode()})
        assert response.status_code == 200, (hostile, response.text[:200])  # (cut to 255: no .tar.gz left)


def test_concurrent_uploads_are_bounded_503(daemon, api, example_config):
    host, port = daemon.url.split("//")[1].split(":")
    head = b"POST /api/validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n"
    held = []
    try:
        for _ in range(16):  # MAX_CONCURRENT_UPLOADS in src/http/listener.c
            s = socket.create_connection((host, int(port)), timeout=30)
            s.sendall(head + b"x" * 1000)
            held.append(s)
        uploads = daemon.root / "uploads"
        deadline = time.monotonic() + 20
        while len(list(uploads.iterdir())) < 16 and time.monotonic() < deadline:
            time.sleep(0.05)
        response = api.post("/api/validate", data=example_config)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "1"
    finally:
        for s in held:
            s.close()
    deadline = time.monotonic() + 20
    while api.post("/api/validate", data=example_config, check=False).status_code == 503:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert api.post("/api/validate", data=example_config).status_code == 200


@pytest.mark.parametrize("manager", ["sim", "systemd"])
def test_idle_daemon_does_not_map_libraries_only_some_routes_need(start_daemon, openapi, manager):
    """libnftables (the firewall applier), zlib/libzstd (bundles), libcrypto
    (signatures) and libsystemd (sd-bus, the systemd manager's first call) are
    loaded on first use; an idle `atomixd serve` keeps none of them, nor their
    dependencies, resident, whichever service manager it was given (readiness
    and socket activation are spoken without libsystemd)."""
    daemon = start_daemon(extra=["--service-manager", manager])
    Api(daemon.url, openapi).get("/api/health")
    with open(f"/proc/{daemon.proc.pid}/maps") as maps:
        mapped = {os.path.basename(line.split()[-1]) for line in maps if "/" in line}
    assert any(name.startswith("libmicrohttpd.so") for name in mapped), sorted(mapped)  # the check can see
    for soname in ("libnftables.so", "libnftnl.so", "libxtables.so", "libarchive.so", "libxml2.so", "libzstd.so",
                   "libcrypto.so", "libsystemd.so", "libgcrypt.so", "liblz4.so"):
        assert not any(name.startswith(soname) for name in mapped), f"{soname} is mapped: {sorted(mapped)}"


def test_systemd_manager_without_libsystemd_names_the_package(atomixd, tmp_path, openapi, example_config):
    """The systemd manager loads libsystemd on its first bus call: the daemon
    starts and answers without it, and the job that needs the manager fails
    with a message naming the Debian package to install."""
    root = tmp_path / "root"
    root.mkdir()
    daemon = Daemon(atomixd, root, [f"127.0.0.1:{free_port()}"], extra=["--service-manager", "systemd"],
                    env={"ATOMIX_TEST_LIBSYSTEMD_SONAME": "libsystemd-absent.so.0"})
    try:
        daemon.start()
        api = Api(daemon.url, openapi)
        response = submit(api, example_config)
        assert response.status_code == 202, response.text
        job = api.wait_job(response.json()["job_id"])
        assert job["state"] == "failed", job
        assert "libsystemd-absent.so.0 is not available" in json.dumps(job), job
        assert "install the Debian package libsystemd0" in json.dumps(job), job
    finally:
        daemon.stop()
