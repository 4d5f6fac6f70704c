"""atomixctl's HTTP commands against a CONTRACT FIXTURE: a small Python http.server
that answers as reference provisioning-service.md §1, §2 and §7.2 and the new
contract say (202 {job_id, state, job_url} + Location, 409 {"error"}, 422
application/problem+json with diagnostics, job resources, GET /api/jobs, the
Server-Sent Events stream of /api/jobs/{id}/events with Last-Event-ID resume,
GET /api/nonce and signatures checked with the real `ssh-keygen -Y verify`).
It stands in for `atomixd serve` while that is being written; it is not the
device. Every exchange goes over real loopback sockets."""

import base64
import hashlib
import http.server
import json
import os
import pty
import re
import secrets
import select
import shutil
import subprocess
import tempfile
import threading
import time
import uuid

import pytest

CONFIG = b'version = 1\n[users]\n'

STEPS_OK = [
    ("running", None),
    ("prepare", "unpacking config.toml"),
    ("recover", "checking for interrupted promotion"),
    ("validate", "parsing config"),
    ("write-candidate", "rendering provisioned state"),
    ("write-config", "writing config.toml"),
    ("promote", "activating initial config root"),
    ("activate", "running activation hook"),
    ("cleanup", "removing rollback state"),
    ("complete", "initial provisioning complete"),
    ("completed", None),
]

ROLLBACK_ERROR = "activation failed: web (rootful) is failed"
STEPS_ROLLBACK = STEPS_OK[:8] + [
    ("service-status", "web (rootful) is failed"),
    ("rollback", "restoring previous config"),
    ("failed", ROLLBACK_ERROR),
]

# What a step line looks like: "[   0.05s] write-config: writing config.toml".
STEP_LINE = re.compile(r"^\[ *\d+\.\d\ds\] (?P<step>[a-z-]+)(?:: (?P<message>.*))?$")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class Job:
    def __init__(self, steps, outcome):
        self.id = str(uuid.uuid4())
        self.steps = steps
        self.outcome = outcome  # "succeeded" | "rollback"
        self.events = []
        self.state = "submitted"
        self.created = time.monotonic()
        self.created_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    def resource(self):
        res = {"id": self.id, "kind": "config", "state": self.state, "created_at": self.created_at,
               "current_step": self.events[-1]["step"] if self.events else "submitted"}
        if self.events:
            res["events"] = list(self.events)
        if self.state == "succeeded":
            res["result"] = {"warnings": ["publish port 10080 is open on the WAN"], "reapply": False,
                             "forwarding_url": "http://172.20.30.1:8080"}
        if self.state == "failed":
            res["error"] = ROLLBACK_ERROR
            res["rollback_status"] = "completed"
        if self.state in ("succeeded", "failed"):
            res["duration_seconds"] = round(time.monotonic() - self.created, 2)
        return res


class ContractServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ContractHandler)
        self.provisioned = False
        self.lock = threading.Condition()
        self.jobs = {}            # id -> Job, insertion order = age
        self.outcome = "succeeded"  # of the next submission
        self.problem = None       # a 422 body to answer the next submission with
        self.busy_job = None      # a job id to answer 409 with
        self.step_delay = 0.02
        self.events_route = True  # False: 404 like the reference service (polling fallback)
        self.drop_plan = []       # per connection: events to send before dropping (None: no drop)
        self.resend_overlap = 0   # resend this many already-seen events on resume
        self.always_drop = False
        self.connections = []     # Last-Event-ID header of each events connection
        self.requests = []        # (method, path, headers dict, body)
        self.signers = None       # list of "ssh-... key" lines; None = no signature required
        self.nonces = set()
        self.signature_version = 1  # the message the fixture verifies (2 binds the method)
        self.signed_messages = []   # X-AtomixOS-Signed-Message of each signed request, decoded
        self.validate_answer = (200, {"ok": True, "warnings": ["container web publishes port 10080 on the WAN"]})

    def submit(self):
        steps = STEPS_OK if self.outcome == "succeeded" else STEPS_ROLLBACK
        job = Job(steps, self.outcome)
        with self.lock:
            self.jobs[job.id] = job
        threading.Thread(target=self.run_job, args=(job,), daemon=True).start()
        return job

    def run_job(self, job):
        for seq, (step, message) in enumerate(job.steps, start=1):
            time.sleep(self.step_delay)
            event = {"seq": seq, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "step": step,
                     "elapsed_seconds": round(time.monotonic() - job.created, 2)}
            if message:
                event["message"] = message
            with self.lock:
                job.events.append(event)
                if step == "running":
                    job.state = "running"
                if step == "completed":
                    job.state = "succeeded"
                if step == "failed":
                    job.state = "failed"
                self.lock.notify_all()


class ContractHandler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.0: every response ends with the connection, as an event stream does.

    def log_message(self, *args):
        pass

    def send_json(self, status, body, content_type="application/json", headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def record(self, body=b""):
        self.server.requests.append((self.command, self.path, dict(self.headers.items()), body))

    def authorised(self, body):
        """§7.2: nonce single use, message over nonce, path and SHA-256 of the body."""
        server = self.server
        if server.signers is None:
            return True
        nonce = self.headers.get("X-AtomixOS-Nonce")
        signature = self.headers.get("X-AtomixOS-Signature")
        if not nonce or not signature:
            self.send_json(401, {"status_code": 401, "detail": "authentication required: provide "
                                 "X-AtomixOS-Nonce and X-AtomixOS-Signature headers"})
            return False
        with server.lock:
            known = nonce in server.nonces
            server.nonces.discard(nonce)
        if not known:
            self.send_json(401, {"status_code": 401, "detail": "invalid or expired nonce"})
            return False
        path = self.path.split("?", 1)[0]
        digest = hashlib.sha256(body).hexdigest()
        if server.signature_version == 2:
            message = f"atomixos-reapply-v2\nmethod:{self.command}\nnonce:{nonce}\npath:{path}\nsha256:{digest}\n"
        else:
            message = f"atomixos-reapply-v1\nnonce:{nonce}\npath:{path}\nsha256:{digest}\n"
        message = message.encode()
        server.signed_messages.append(base64.b64decode(self.headers.get("X-AtomixOS-Signed-Message", "")))
        with tempfile.TemporaryDirectory() as tmp:
            allowed = os.path.join(tmp, "allowed")
            sig = os.path.join(tmp, "sig")
            with open(allowed, "w") as f:
                f.writelines(f"atomixos-reapply {key}\n" for key in server.signers)
            with open(sig, "wb") as f:
                f.write(base64.b64decode(signature, validate=True))
            verify = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", allowed, "-I", "atomixos-reapply",
                                     "-n", "atomixos-reapply", "-s", sig], input=message,
                                    capture_output=True, timeout=10, check=False)
        if verify.returncode != 0:
            self.send_json(401, {"status_code": 401, "detail": "signature verification failed"})
            return False
        return True

    def do_POST(self):
        body = self.read_body()
        self.record(body)
        server = self.server
        if self.path == "/api/config":
            if not self.authorised(body):
                return
            if server.problem is not None:
                self.send_json(422, server.problem, content_type="application/problem+json")
                return
            if server.busy_job is not None:
                self.send_json(409, {"error": f"a provision job is already running: {server.busy_job}"})
                return
            job = server.submit()
            self.send_json(202, {"job_id": job.id, "state": "submitted", "job_url": f"/api/jobs/{job.id}"},
                           headers=[("Location", f"/api/jobs/{job.id}")])
            return
        if self.path == "/api/validate":
            if not self.authorised(body):
                return
            status, answer = server.validate_answer
            self.send_json(status, answer,
                           content_type="application/problem+json" if status == 422 else "application/json")
            return
        self.send_json(404, {"error": "not found"})

    def do_edit(self):
        """The partial routes of reference §1.2: JSON object bodies, signed, 422/409/202."""
        body = self.read_body()
        self.record(body)
        server = self.server
        if not re.fullmatch(r"/api/config/(network|(users|containers|container-networks|container-volumes)/[^/]+)", self.path):
            self.send_json(404, {"error": "not found"})
            return
        if not self.authorised(body):
            return
        if self.command != "DELETE":
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                self.send_json(400, {"status_code": 400, "detail": "request body must be a JSON object"})
                return
        if server.problem is not None:
            self.send_json(422, server.problem, content_type="application/problem+json")
            return
        job = server.submit()
        self.send_json(202, {"job_id": job.id, "state": "submitted", "job_url": f"/api/jobs/{job.id}"},
                       headers=[("Location", f"/api/jobs/{job.id}")])

    do_PUT = do_edit
    do_PATCH = do_edit
    do_DELETE = do_edit

    def do_GET(self):
        self.record()
        server = self.server
        path, _, query = self.path.partition("?")
        if path == "/api/config/export":
            if not self.authorised(b""):
                return
            if server.provisioned:
                self.send_response(200)
                self.send_header("Content-Type", "application/toml")
                self.send_header("Content-Length", str(len(CONFIG)))
                self.end_headers()
                self.wfile.write(CONFIG)
                return
            self.send_json(404, {"error": "device is not provisioned"})
            return
        if path == "/api/nonce":
            nonce = secrets.token_urlsafe(32)
            with server.lock:
                server.nonces.add(nonce)
            self.send_json(200, {"nonce": nonce})
            return
        if path == "/api/jobs":
            limit = int(query.split("=", 1)[1]) if query.startswith("limit=") else 64
            with server.lock:
                jobs = [job.resource() for job in reversed(list(server.jobs.values()))][:limit]
            self.send_json(200, {"jobs": jobs})
            return
        match = re.fullmatch(r"/api/jobs/([^/]+)(/events)?", path)
        job = server.jobs.get(match.group(1)) if match else None
        if job is None:
            self.send_json(404, {"error": "job not found"})
            return
        if match.group(2) is None:
            with server.lock:
                self.send_json(200, job.resource())
            return
        if not server.events_route:
            self.send_json(404, {"status_code": 404, "detail": "Not Found"})
            return
        self.stream_events(job)

    def stream_events(self, job):
        server = self.server
        last = int(self.headers.get("Last-Event-ID") or 0)
        with server.lock:
            server.connections.append(self.headers.get("Last-Event-ID"))
            drop_after = server.drop_plan.pop(0) if server.drop_plan else None
        if server.always_drop:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.write(b"retry: 50\nid: 1\ndata: {\"seq\"")
            return
        if last and server.resend_overlap:
            last = max(0, last - server.resend_overlap)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.write(b"retry: 50\n: connected\n\n")
        sent = 0
        while True:
            with server.lock:
                server.lock.wait_for(lambda: len(job.events) > last or job.state in ("succeeded", "failed"),
                                     timeout=0.2)
                pending = job.events[last:]
                ended = job.state in ("succeeded", "failed")
            if not pending and not ended:
                self.wfile.write(b": heartbeat\n\n")
                self.wfile.flush()
                continue
            for event in pending:
                if drop_after is not None and sent >= drop_after:
                    # Half an event, then the connection dies: the client must discard it.
                    self.wfile.write(f"id: {event['seq']}\ndata: {{\"seq\": {event['seq']},".encode())
                    self.wfile.flush()
                    return
                self.wfile.write(f"id: {event['seq']}\nevent: job\ndata: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
                sent += 1
                last = event["seq"]
            if ended and last >= len(job.events):
                return


@pytest.fixture
def contract_server():
    server = ContractServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def url_of(server):
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(CONFIG)
    return path


def step_lines(text):
    """The (step, message) of every progress line in @text, in order."""
    steps = []
    for line in text.splitlines():
        match = STEP_LINE.match(line)
        if match:
            steps.append((match.group("step"), match.group("message")))
    return steps


def events_connections(server):
    return [c for c in server.connections]


# --- export ---------------------------------------------------------------------------


def test_export_prints_config_when_provisioned(run_atomixctl, contract_server):
    contract_server.provisioned = True
    result = run_atomixctl("export", "--url", url_of(contract_server))
    assert result.returncode == 0, result.stderr
    assert result.stdout == CONFIG.decode()


def test_export_before_provisioning_says_so(run_atomixctl, contract_server):
    result = run_atomixctl("export", "--url", url_of(contract_server))
    assert result.returncode == 1
    assert "device is not provisioned" in result.stderr
    assert result.stdout == ""


def test_export_connection_error_names_url(run_atomixctl, contract_server):
    url = url_of(contract_server)
    contract_server.shutdown()
    contract_server.server_close()
    result = run_atomixctl("export", "--url", url)
    assert result.returncode == 2
    assert url + "/api/config/export" in result.stderr


def test_export_requires_url(run_atomixctl):
    result = run_atomixctl("export")
    assert result.returncode == 2
    assert "--url URL is required" in result.stderr


# --- apply ----------------------------------------------------------------------------


def test_apply_watch_success_prints_each_step_once_and_exits_0(run_atomixctl, contract_server, config_file):
    result = run_atomixctl("apply", config_file, "--url", url_of(contract_server), "--watch")
    assert result.returncode == 0, result.stderr
    assert step_lines(result.stdout) == STEPS_OK
    job_id = next(iter(contract_server.jobs))
    assert f"Accepted: {config_file} as job {job_id}" in result.stdout
    assert f"Job {job_id} succeeded in " in result.stdout
    assert "warning: publish port 10080 is open on the WAN" in result.stdout
    assert "http://172.20.30.1:8080" in result.stdout
    # Piped: plain lines, no spinner, no control characters.
    assert not CONTROL.search(result.stdout)


def test_apply_sends_body_content_type_and_filename(run_atomixctl, contract_server, config_file, tmp_path,
                                                    make_bundle, source_dir):
    result = run_atomixctl("apply", config_file, "--url", url_of(contract_server))
    assert result.returncode == 0, result.stderr
    method, path, headers, body = contract_server.requests[0]
    assert (method, path, body) == ("POST", "/api/config", CONFIG)
    assert headers["Content-Type"] == "application/toml"
    assert headers["X-Config-Filename"] == "config.toml"

    bundle = make_bundle(source_dir / "examples" / "bundle", tmp_path / "site.tar.gz")
    result = run_atomixctl("apply", bundle, "--url", url_of(contract_server))
    assert result.returncode == 0, result.stderr
    posts = [r for r in contract_server.requests if r[0] == "POST"]
    assert posts[1][2]["Content-Type"] == "application/gzip"
    assert posts[1][2]["X-Config-Filename"] == "site.tar.gz"
    assert posts[1][3] == bundle.read_bytes()


def test_apply_without_watch_waits_quietly_for_the_outcome(run_atomixctl, contract_server, config_file):
    result = run_atomixctl("apply", config_file, "--url", url_of(contract_server))
    assert result.returncode == 0, result.stderr
    assert step_lines(result.stdout) == []
    assert "succeeded" in result.stdout


def test_apply_rollback_exits_1_and_says_why(run_atomixctl, contract_server, config_file):
    contract_server.outcome = "rollback"
    result = run_atomixctl("apply", config_file, "--url", url_of(contract_server), "--watch")
    assert result.returncode == 1, result.stdout + result.stderr
    assert step_lines(result.stdout) == STEPS_ROLLBACK
    assert "failed" in result.stdout
    assert f"error: {ROLLBACK_ERROR}" in result.stdout
    assert "rollback: completed" in result.stdout


def test_apply_json_prints_the_final_job_resource(run_atomixctl, contract_server, config_file):
    result = run_atomixctl("apply", config_file, "--url", url_of(contract_server), "--watch", "--json")
    assert result.returncode == 0, result.stderr
    job = json.loads(result.stdout)
    assert job["state"] == "succeeded"
    assert job["id"] == next(iter(contract_server.jobs))
    assert [e["step"] for e in job["events"]] == [s for s, _ in STEPS_OK]
    assert job["result"]["warnings"]
    # Progress went to stderr so stdout stays one JSON document.
    assert step_lines(result.stderr) == STEPS_OK


def test_apply_json_rollback_exits_1(run_atomixctl, contract_server, config_file):
    contract_server.outcome = "rollback"
    result = run_atomixctl("apply", config_file, "--url", url_of(contract_server), "--json")
    assert result.returncode == 1
    job = json.loads(result.stdout)
    assert (job["state"], job["rollback_status"], job["error"]) == ("failed", "completed", ROLLBACK_ERROR)


INVALID = """version = 1

[users.admin]
isAdmin = "yes"

[network.lan]
gateway_ip = "300.1.1.1"
"""


def test_apply_422_prints_diagnostics_exactly_like_validate(run_atomixctl, contract_server, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(INVALID)
    offline = run_atomixctl("validate", path)
    assert offline.returncode == 1
    diagnostics = json.loads(run_atomixctl("validate", path, "--json").stdout)["diagnostics"]
    assert any("line" in d for d in diagnostics) and len(diagnostics) >= 2
    contract_server.problem = {
        "type": "https://atomixos.dev/problems/invalid-config", "title": "Invalid configuration",
        "status": 422, "detail": f"{len(diagnostics)} problems", "diagnostics": diagnostics,
        "error": diagnostics[0]["message"],
    }
    result = run_atomixctl("apply", path, "--url", url_of(contract_server), "--watch")
    assert result.returncode == 1
    assert result.stderr == offline.stderr
    assert result.stdout == ""
    assert contract_server.jobs == {}

    json_result = run_atomixctl("apply", path, "--url", url_of(contract_server), "--json")
    assert json_result.returncode == 1
    assert json.loads(json_result.stdout)["diagnostics"] == diagnostics


def test_apply_422_without_diagnostics_shows_the_error(run_atomixctl, contract_server, config_file):
    contract_server.problem = {"type": "about:blank", "title": "Unprocessable", "status": 422,
                               "detail": "bundle exceeds 4096 member limit"}
    result = run_atomixctl("apply", config_file, "--url", url_of(contract_server))
    assert result.returncode == 1
    assert "bundle exceeds 4096 member limit" in result.stderr
    assert "Invalid: " in result.stderr


def test_apply_409_names_the_running_job(run_atomixctl, contract_server, config_file):
    contract_server.busy_job = "5f0c3f7e-0000-4000-8000-000000000001"
    result = run_atomixctl("apply", config_file, "--url", url_of(contract_server), "--watch")
    assert result.returncode == 1
    assert "busy" in result.stderr
    assert "5f0c3f7e-0000-4000-8000-000000000001" in result.stderr


def test_apply_connection_refused_exits_2(run_atomixctl, contract_server, config_file):
    url = url_of(contract_server)
    contract_server.shutdown()
    contract_server.server_close()
    result = run_atomixctl("apply", config_file, "--url", url, "--watch")
    assert result.returncode == 2
    assert url + "/api/config" in result.stderr


def test_apply_usage_errors_exit_2(run_atomixctl, config_file, tmp_path):
    assert run_atomixctl("apply", config_file).returncode == 2
    assert run_atomixctl("apply", "--url", "http://127.0.0.1:1").returncode == 2
    missing = run_atomixctl("apply", tmp_path / "nope.toml", "--url", "http://127.0.0.1:1")
    assert missing.returncode == 2
    other = tmp_path / "config.zip"
    other.write_bytes(b"PK\x03\x04")
    assert run_atomixctl("apply", other, "--url", "http://127.0.0.1:1").returncode == 2


def test_apply_resumes_a_dropped_stream_without_losing_or_repeating_lines(run_atomixctl, contract_server,
                                                                           config_file):
    # First connection: 3 events then half of the 4th; second: 4 more, then half again; then to the end.
    contract_server.drop_plan = [3, 4]
    result = run_atomixctl("apply", config_file, "--url", url_of(contract_server), "--watch")
    assert result.returncode == 0, result.stderr
    assert step_lines(result.stdout) == STEPS_OK
    assert contract_server.connections[:3] == [None, "3", "7"]


def test_apply_skips_events_a_server_resends_after_resume(run_atomixctl, contract_server, config_file):
    contract_server.drop_plan = [5]
    contract_server.resend_overlap = 2
    result = run_atomixctl("apply", config_file, "--url", url_of(contract_server), "--watch")
    assert result.returncode == 0, result.stderr
    assert step_lines(result.stdout) == STEPS_OK
    assert contract_server.connections[1] == "5"


def test_apply_gives_up_after_bounded_reconnects(run_atomixctl, contract_server, config_file):
    contract_server.always_drop = True
    contract_server.step_delay = 5  # the job outlives the attempts
    result = run_atomixctl("apply", config_file, "--url", url_of(contract_server), "--watch")
    assert result.returncode == 2
    assert "gave up after" in result.stderr or "without news" in result.stderr
    assert 2 <= len(contract_server.connections) <= 10


def test_apply_polls_a_server_without_the_events_route(run_atomixctl, contract_server, config_file):
    contract_server.events_route = False
    result = run_atomixctl("apply", config_file, "--url", url_of(contract_server), "--watch")
    assert result.returncode == 0, result.stderr
    assert step_lines(result.stdout) == STEPS_OK


def run_on_tty(argv, timeout=60):
    """Runs argv with stdout and stderr on a pseudo-terminal; returns (status, output)."""
    master, slave = pty.openpty()
    process = subprocess.Popen(argv, stdout=slave, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    output = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        elif process.poll() is not None:
            break
    os.close(master)
    return process.wait(timeout=10), output.decode()


def test_apply_on_a_terminal_shows_a_spinner_between_steps(atomixctl, contract_server, config_file):
    contract_server.step_delay = 0.3
    status, output = run_on_tty([str(atomixctl), "apply", str(config_file), "--url", url_of(contract_server),
                                 "--watch"])
    assert status == 0, output
    assert "\r\x1b[K" in output
    assert "write-config ..." in output
    # Once the spinner is erased, the step lines are the same as piped.
    plain = re.sub(r"[|/\\-] [a-z-]+ \.\.\.\r\x1b\[K", "", output.replace("\r\n", "\n"))
    assert step_lines(plain) == STEPS_OK


# --- jobs / job -----------------------------------------------------------------------


def finished_jobs(run_atomixctl, server, config_file, n):
    for _ in range(n):
        assert run_atomixctl("apply", config_file, "--url", url_of(server)).returncode == 0
    return list(server.jobs)


def test_jobs_lists_newest_first(run_atomixctl, contract_server, config_file):
    ids = finished_jobs(run_atomixctl, contract_server, config_file, 3)
    result = run_atomixctl("jobs", "--url", url_of(contract_server))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "STATE", "STEP", "CREATED"]
    assert [line.split()[0] for line in lines[1:]] == ids[::-1]
    assert all(line.split()[1:3] == ["succeeded", "completed"] for line in lines[1:])

    limited = run_atomixctl("jobs", "--url", url_of(contract_server), "--limit", "2", "--json")
    assert limited.returncode == 0
    assert [job["id"] for job in json.loads(limited.stdout)["jobs"]] == ids[::-1][:2]
    assert contract_server.requests[-1][1] == "/api/jobs?limit=2"


def test_job_shows_steps_and_outcome(run_atomixctl, contract_server, config_file):
    contract_server.outcome = "rollback"
    run_atomixctl("apply", config_file, "--url", url_of(contract_server))
    job_id = next(iter(contract_server.jobs))
    result = run_atomixctl("job", job_id, "--url", url_of(contract_server))
    assert result.returncode == 0, result.stderr
    assert step_lines(result.stdout) == STEPS_ROLLBACK
    assert f"Job {job_id} failed" in result.stdout
    as_json = run_atomixctl("job", job_id, "--url", url_of(contract_server), "--json")
    assert json.loads(as_json.stdout)["rollback_status"] == "completed"
    watched = run_atomixctl("job", job_id, "--url", url_of(contract_server), "--watch")
    assert watched.returncode == 1
    assert step_lines(watched.stdout) == STEPS_ROLLBACK


def test_job_watch_follows_a_running_job(run_atomixctl, contract_server):
    contract_server.step_delay = 0.1
    job = contract_server.submit()
    result = run_atomixctl("job", job.id, "--url", url_of(contract_server), "--watch")
    assert result.returncode == 0, result.stderr
    assert step_lines(result.stdout) == STEPS_OK


def test_unknown_job_exits_1_with_the_devices_message(run_atomixctl, contract_server):
    result = run_atomixctl("job", "no-such-job", "--url", url_of(contract_server))
    assert result.returncode == 1
    assert "job not found" in result.stderr


# --- validate --url -------------------------------------------------------------------


def test_remote_validate_reports_warnings_and_problems(run_atomixctl, contract_server, config_file, tmp_path):
    result = run_atomixctl("validate", config_file, "--url", url_of(contract_server))
    assert result.returncode == 0, result.stderr
    assert "container web publishes port 10080 on the WAN" in result.stderr
    assert f"Valid: {config_file} (1 warning)" in result.stdout
    assert contract_server.requests[0][:2] == ("POST", "/api/validate")

    path = tmp_path / "bad.toml"
    path.write_text(INVALID)
    offline = run_atomixctl("validate", path)
    diagnostics = json.loads(run_atomixctl("validate", path, "--json").stdout)["diagnostics"]
    contract_server.validate_answer = (422, {"type": "about:blank", "title": "Invalid configuration",
                                             "status": 422, "diagnostics": diagnostics, "error": "invalid"})
    remote = run_atomixctl("validate", path, "--url", url_of(contract_server))
    assert remote.returncode == 1
    assert remote.stderr == offline.stderr


# --- signing --------------------------------------------------------------------------


@pytest.fixture
def ssh_keys(tmp_path):
    if shutil.which("ssh-keygen") is None:
        pytest.fail("ssh-keygen is required (scripts/install-deps installs openssh-client)")
    keys = {}
    for kind, extra in (("ed25519", []), ("ecdsa", ["-b", "384"]), ("rsa", ["-b", "2048"])):
        path = tmp_path / f"id_{kind}"
        subprocess.run(["ssh-keygen", "-q", "-t", kind, *extra, "-N", "", "-C", f"admin-{kind}", "-f", str(path)],
                       check=True, timeout=60)
        keys[kind] = path
    return keys


def test_signed_apply_with_each_key_type(run_atomixctl, contract_server, config_file, ssh_keys):
    contract_server.signers = [(path.with_suffix(".pub")).read_text().strip() for path in ssh_keys.values()]
    for kind, key in ssh_keys.items():
        result = run_atomixctl("apply", config_file, "--url", url_of(contract_server), "--key", key)
        assert result.returncode == 0, (kind, result.stderr)
    posts = [r for r in contract_server.requests if r[0] == "POST"]
    nonces = [r[2]["X-AtomixOS-Nonce"] for r in posts]
    assert len(set(nonces)) == len(ssh_keys)  # a fresh nonce per request
    assert all(base64.b64decode(r[2]["X-AtomixOS-Signature"]).startswith(b"-----BEGIN SSH SIGNATURE-----")
               for r in posts)


def test_bind_method_signs_the_v2_message(run_atomixctl, contract_server, ssh_keys):
    contract_server.signers = [ssh_keys["ed25519"].with_suffix(".pub").read_text().strip()]
    url = url_of(contract_server)
    # A v2-only verifier refuses the default v1 signature...
    contract_server.signature_version = 2
    refused = run_atomixctl("user", "rm", "alice", "--url", url, "--key", ssh_keys["ed25519"])
    assert refused.returncode == 1 and "signature verification failed" in refused.stderr
    # ...and accepts the method-bound one; the signed text travels along.
    accepted = run_atomixctl("user", "rm", "alice", "--url", url, "--key", ssh_keys["ed25519"], "--bind-method")
    assert accepted.returncode == 0, accepted.stderr
    assert contract_server.signed_messages[-1].startswith(b"atomixos-reapply-v2\nmethod:DELETE\nnonce:")
    assert contract_server.signed_messages[0].startswith(b"atomixos-reapply-v1\nnonce:")


def test_unsigned_or_foreign_key_is_refused_with_advice(run_atomixctl, contract_server, config_file, ssh_keys):
    contract_server.signers = [ssh_keys["ed25519"].with_suffix(".pub").read_text().strip()]
    unsigned = run_atomixctl("apply", config_file, "--url", url_of(contract_server))
    assert unsigned.returncode == 1
    assert "401" in unsigned.stderr and "--key" in unsigned.stderr
    foreign = run_atomixctl("apply", config_file, "--url", url_of(contract_server), "--key", ssh_keys["rsa"])
    assert foreign.returncode == 1
    assert "signature verification failed" in foreign.stderr
    assert contract_server.jobs == {}


def test_signed_export_and_validate(run_atomixctl, contract_server, config_file, ssh_keys):
    contract_server.signers = [ssh_keys["ecdsa"].with_suffix(".pub").read_text().strip()]
    contract_server.provisioned = True
    assert run_atomixctl("export", "--url", url_of(contract_server)).returncode == 1
    exported = run_atomixctl("export", "--url", url_of(contract_server), "--key", ssh_keys["ecdsa"])
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == CONFIG.decode()
    validated = run_atomixctl("validate", config_file, "--url", url_of(contract_server), "--key", ssh_keys["ecdsa"])
    assert validated.returncode == 0, validated.stderr


def test_passphrase_protected_key_prompts_on_the_terminal(atomixctl, contract_server, config_file, tmp_path):
    key = tmp_path / "id_locked"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "s3cret phrase", "-f", str(key)], check=True, timeout=60)
    contract_server.signers = [key.with_suffix(".pub").read_text().strip()]
    master, slave = pty.openpty()
    process = subprocess.Popen([str(atomixctl), "apply", str(config_file), "--url", url_of(contract_server), "--key",
                                str(key)], stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    output, answered = b"", False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if not ready:
            if process.poll() is not None:
                break
            continue
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        if not answered and b"passphrase" in output.lower():
            os.write(master, b"s3cret phrase\n")
            answered = True
    os.close(master)
    assert process.wait(timeout=10) == 0, output.decode(errors="replace")
    assert answered
    assert "succeeded" in output.decode(errors="replace")


def test_key_held_by_ssh_agent_signs_with_the_public_key_file(run_atomixctl, atomixctl, contract_server,
                                                              config_file, tmp_path):
    key = tmp_path / "id_agent"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True, timeout=60)
    contract_server.signers = [key.with_suffix(".pub").read_text().strip()]
    sock = tmp_path / "agent.sock"
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(sock)], stdout=subprocess.DEVNULL)
    try:
        env = dict(os.environ, SSH_AUTH_SOCK=str(sock))
        deadline = time.monotonic() + 10
        while not sock.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        subprocess.run(["ssh-add", "-q", str(key)], env=env, check=True, timeout=30, capture_output=True)
        key.unlink()  # only the agent holds the private key now
        result = subprocess.run([str(atomixctl), "apply", str(config_file), "--url", url_of(contract_server),
                                 "--key", str(key.with_suffix(".pub"))], env=env, capture_output=True, text=True,
                                timeout=60, check=False)
        assert result.returncode == 0, result.stderr
    finally:
        agent.terminate()
        agent.wait(timeout=10)


def test_signing_with_a_missing_key_is_a_usage_error(run_atomixctl, contract_server, config_file, tmp_path):
    contract_server.signers = []
    result = run_atomixctl("apply", config_file, "--url", url_of(contract_server), "--key", tmp_path / "absent")
    assert result.returncode == 2
    assert "ssh-keygen" in result.stderr
    assert [r for r in contract_server.requests if r[0] == "POST"] == []


# --- partial edits -------------------------------------------------------------------


def test_user_set_and_rm_are_signed_edits(run_atomixctl, contract_server, ssh_keys):
    pub = ssh_keys["ed25519"].with_suffix(".pub")
    contract_server.signers = [pub.read_text().strip()]
    url = url_of(contract_server)
    result = run_atomixctl("user", "set", "alice", "--url", url, "--key", ssh_keys["ed25519"], "--admin",
                           "--ssh-key-file", pub, "--shell", "/bin/bash", "--watch")
    assert result.returncode == 0, result.stderr
    assert step_lines(result.stdout) == STEPS_OK
    method, path, headers, body = [r for r in contract_server.requests if r[0] != "GET"][0]
    assert (method, path, headers["Content-Type"]) == ("PUT", "/api/config/users/alice", "application/json")
    assert json.loads(body) == {"isAdmin": True, "ssh_key": pub.read_text().strip(), "shell": "/bin/bash"}

    removed = run_atomixctl("user", "rm", "bob smith", "--url", url, "--key", ssh_keys["ed25519"], "--json")
    assert removed.returncode == 0, removed.stderr
    assert json.loads(removed.stdout)["state"] == "succeeded"
    method, path, _, body = [r for r in contract_server.requests if r[0] != "GET"][1]
    assert (method, path, body) == ("DELETE", "/api/config/users/bob%20smith", b"")


@pytest.mark.parametrize("locale", ["C", "C.UTF-8"])
def test_option_text_is_utf8_whatever_the_locale(run_atomixctl, contract_server, locale):
    # GOption's string options convert from the locale's character set: in the C locale an
    # "é" in a key's comment was refused with "Invalid byte sequence in conversion input".
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOoFK6uA2jy0kexCbVjOt2tr4zG9gNVkNsMEf4iJ4Q4x josé@hôte"
    result = run_atomixctl("user", "set", "josé", "--url", url_of(contract_server), "--ssh-key", key,
                           "--shell", "/bin/bäsh", env=dict(os.environ, LC_ALL=locale))
    assert result.returncode == 0, result.stderr
    method, path, _, body = [r for r in contract_server.requests if r[0] != "GET"][0]
    assert (method, path) == ("PUT", "/api/config/users/jos%C3%A9")
    assert json.loads(body) == {"isAdmin": False, "ssh_key": key, "shell": "/bin/bäsh"}


def test_option_text_that_is_not_utf8_is_a_usage_error(atomixctl, contract_server, tmp_path):
    key_file = tmp_path / "latin1.pub"
    key_file.write_bytes(b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOoFK6uA2jy0kexCbVjOt2tr4zG9gNVkNsMEf4iJ4Q4x jos\xe9\n")
    cases = (([b"--shell", b"/bin/b\xe4sh"], "--shell"), ([b"--ssh-key-file", bytes(key_file)], "the SSH key"))
    for extra, what in cases:
        result = subprocess.run([bytes(atomixctl), b"user", b"set", b"bob", b"--url", url_of(contract_server).encode(),
                                 *extra], capture_output=True, timeout=30, check=False)
        assert result.returncode == 2
        assert result.stderr.decode() == f"atomixctl user set: {what} is not valid UTF-8\n"
    assert contract_server.requests == []


def test_apply_prints_the_accepted_job_before_it_ends(atomixctl, contract_server, config_file):
    # stdout is a pipe, so fully buffered: the line must be flushed when printed, not
    # when atomixctl exits at the end of the job (about 10 steps of 1 s each here).
    contract_server.step_delay = 1.0
    start = time.monotonic()
    process = subprocess.Popen([str(atomixctl), "apply", str(config_file), "--url", url_of(contract_server)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "no output within 60 s"
        line = process.stdout.readline().decode()
        arrived = time.monotonic() - start
        assert process.wait(timeout=60) == 0
        ended = time.monotonic() - start
        job_id = next(iter(contract_server.jobs))
        assert line == f"Accepted: {config_file} as job {job_id}\n"
        assert arrived < ended - 5, f"the line came at {arrived:.1f} s, the job ended at {ended:.1f} s"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_container_set_sends_the_table_of_a_toml_file(run_atomixctl, contract_server, tmp_path):
    web = tmp_path / "web.toml"
    web.write_text('privileged = false\n[Container]\nImage = "docker.io/library/nginx:1.27"\n'
                   'PublishPort = ["8080:80"]\n[Install]\nWantedBy = ["default.target"]\n')
    result = run_atomixctl("container", "set", "web", web, "--url", url_of(contract_server))
    assert result.returncode == 0, result.stderr
    method, path, _, body = contract_server.requests[0]
    assert (method, path) == ("PUT", "/api/config/containers/web")
    assert json.loads(body) == {"privileged": False, "Container": {"Image": "docker.io/library/nginx:1.27",
                                "PublishPort": ["8080:80"]}, "Install": {"WantedBy": ["default.target"]}}
    removed = run_atomixctl("container", "rm", "web", "--url", url_of(contract_server))
    assert removed.returncode == 0, removed.stderr
    edits = [r[:2] for r in contract_server.requests if r[0] != "GET"]
    assert edits == [("PUT", "/api/config/containers/web"), ("DELETE", "/api/config/containers/web")]


def test_container_networks_and_volumes(run_atomixctl, contract_server, tmp_path):
    net = tmp_path / "net.json"
    net.write_text('{"Network": {"Subnet": "10.89.0.0/24"}}')
    vol = tmp_path / "vol.toml"
    vol.write_text('[Volume]\nLabel = ["app=data"]\n')
    url = url_of(contract_server)
    assert run_atomixctl("container-network", "set", "appnet", net, "--url", url).returncode == 0
    assert run_atomixctl("container-volume", "set", "data", vol, "--url", url).returncode == 0
    assert run_atomixctl("container-network", "rm", "appnet", "--url", url).returncode == 0
    assert run_atomixctl("container-volume", "rm", "data", "--url", url).returncode == 0
    edits = [(r[0], r[1], json.loads(r[3]) if r[3] else None) for r in contract_server.requests if r[0] != "GET"]
    assert edits == [
        ("PUT", "/api/config/container-networks/appnet", {"Network": {"Subnet": "10.89.0.0/24"}}),
        ("PUT", "/api/config/container-volumes/data", {"Volume": {"Label": ["app=data"]}}),
        ("DELETE", "/api/config/container-networks/appnet", None),
        ("DELETE", "/api/config/container-volumes/data", None),
    ]


def test_network_patch_keeps_json_null(run_atomixctl, contract_server, tmp_path):
    patch = tmp_path / "patch.json"
    patch.write_text('{"ntp": null, "dns_servers": ["9.9.9.9"]}')
    result = run_atomixctl("network", "patch", patch, "--url", url_of(contract_server))
    assert result.returncode == 0, result.stderr
    method, path, _, body = contract_server.requests[0]
    assert (method, path) == ("PATCH", "/api/config/network")
    assert json.loads(body) == {"ntp": None, "dns_servers": ["9.9.9.9"]}


def test_invalid_edit_shows_diagnostics_and_exits_1(run_atomixctl, contract_server):
    contract_server.problem = {"type": "about:blank", "title": "Invalid configuration", "status": 422,
                               "error": "invalid", "diagnostics": [
                                   {"code": "users.reserved_name", "severity": "error", "pointer": "/users/root",
                                    "message": "reserved user name: 'root'"}]}
    result = run_atomixctl("user", "set", "root", "--url", url_of(contract_server))
    assert result.returncode == 1
    assert result.stderr == ("config.toml: error[users.reserved_name]: reserved user name: 'root' (at /users/root)\n"
                             "Invalid: users/root (1 error, 0 warnings)\n")
    assert contract_server.jobs == {}


def test_edit_usage_errors_exit_2(run_atomixctl, contract_server, tmp_path):
    url = url_of(contract_server)
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    assert run_atomixctl("network", "patch", bad, "--url", url).returncode == 2
    assert run_atomixctl("network", "patch", tmp_path / "missing.toml", "--url", url).returncode == 2
    dated = tmp_path / "dated.toml"
    dated.write_text("when = 2024-01-01\n")
    result = run_atomixctl("network", "patch", dated, "--url", url)
    assert result.returncode == 2 and "dates" in result.stderr
    assert run_atomixctl("user", "frobnicate", "x", "--url", url).returncode == 2
    assert run_atomixctl("user", "set", "--url", url).returncode == 2
    assert run_atomixctl("container", "set", "web", "--url", url).returncode == 2
    assert run_atomixctl("user", "rm", "alice").returncode == 2
    assert contract_server.requests == []


# --- openapi --------------------------------------------------------------------------


def test_openapi_prints_the_embedded_document_or_says_it_was_not_built(run_atomixctl, build_dir):
    options = json.loads((build_dir / "meson-info" / "intro-buildoptions.json").read_text())
    embedded = next(o["value"] for o in options if o["name"] == "embed_openapi")
    result = run_atomixctl("openapi")
    if embedded:
        assert result.returncode == 0, result.stderr
        document = json.loads(result.stdout)
        assert document["openapi"].startswith("3.1")
        assert "/api/config" in document["paths"]
    else:
        assert result.returncode == 1
        assert "-Dembed_openapi=true" in result.stderr
        assert result.stdout == ""
