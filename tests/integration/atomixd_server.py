"""A running `atomixd serve` for the tests: a scratch root, the sim service
manager, loopback listeners, and an HTTP helper that checks every response
it receives against the schema the server's own OpenAPI document declares
for that route, status and content type."""

import getpass
import json
import os
import re
import signal
import socket
import subprocess
import time
import tomllib

import jsonschema
import requests

START_TIMEOUT = 20
STOP_TIMEOUT = 30


def free_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class Daemon:
    def __init__(self, atomixd, root, listen, extra=(), env=None):
        self.atomixd = atomixd
        self.root = root
        self.listen = list(listen)
        self.extra = list(extra)
        self.env = env
        self.proc = None
        self.log_path = root / "serve.log"

    @property
    def url(self):
        return "http://" + self.listen[0]

    def start(self, wait_for=None):
        args = [str(self.atomixd), "serve", "--root", str(self.root), "--service-manager", "sim",
                "--heartbeat-seconds", "1", "--rebind-delay-seconds", "1",
                "--app-user", getpass.getuser()]
        for address in self.listen:
            args += ["--listen", address]
        env = dict(os.environ, **(self.env or {}))
        env.pop("LISTEN_FDS", None)
        env.pop("LISTEN_PID", None)
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(args + self.extra, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        url = wait_for or self.url
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"atomixd serve exited {self.proc.returncode}: {self.log_text()}")
            try:
                requests.get(url + "/api/health", timeout=2)
                return self
            except requests.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("atomixd serve did not answer: " + self.log_text())

    def log_text(self):
        return self.log_path.read_text() if self.log_path.exists() else ""

    def stop(self):
        """SIGTERM; returns the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT)
                raise AssertionError("atomixd serve ignored SIGTERM")
        self.log.close()
        code, self.proc = self.proc.returncode, None
        return code

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=STOP_TIMEOUT)
        self.log.close()
        self.proc = None


class OpenApi:
    """The server's document: finds the declared schema of a response and validates it."""

    def __init__(self, document):
        self.document = document
        self.routes = []
        for path, item in document["paths"].items():
            pattern = re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", path) + "$")
            for method, operation in item.items():
                self.routes.append((pattern, method.upper(), operation))

    def operation(self, method, path):
        for pattern, m, operation in self.routes:
            if m == method and pattern.match(path):
                return operation
        return None

    def validate(self, instance, schema_name):
        validator_class = jsonschema.Draft202012Validator
        try:
            import referencing
            import referencing.jsonschema
            resource = referencing.Resource.from_contents(
                self.document, default_specification=referencing.jsonschema.DRAFT202012)
            registry = referencing.Registry().with_resource("urn:openapi", resource)
            validator = validator_class({"$ref": "urn:openapi#/components/schemas/" + schema_name},
                                        registry=registry)
        except ImportError:  # Debian's python3-jsonschema 4.10
            resolver = jsonschema.RefResolver.from_schema(self.document)
            validator = validator_class({"$ref": "#/components/schemas/" + schema_name}, resolver=resolver)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
        assert not errors, f"{schema_name}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])

    def check(self, method, path, response):
        """Asserts the response is one the document declares, with a body matching its schema."""
        operation = self.operation(method, path)
        if operation is None:
            # Unknown routes and wrong methods: the router's generic JSON errors.
            assert response.status_code in (404, 405), (method, path, response.status_code)
            assert response.headers["Content-Type"] == "application/json"
            self.validate(response.json(), "ApiErrorResponseBody")
            return
        declared = operation["responses"].get(str(response.status_code))
        assert declared, f"{method} {path}: status {response.status_code} is not documented"
        content_type = response.headers.get("Content-Type", "").split(";")[0]
        assert content_type in declared["content"], f"{method} {path} {response.status_code}: {content_type}"
        schema = declared["content"][content_type]["schema"]
        if "$ref" not in schema:
            return
        name = schema["$ref"].rsplit("/", 1)[1]
        if content_type == "application/toml":
            body = tomllib.loads(response.text)
        else:
            body = response.json()
        self.validate(body, name)


class Api:
    """requests against one daemon; every response is checked against the document."""

    def __init__(self, base_url, openapi=None):
        self.base_url = base_url
        self.openapi = openapi
        self.session = requests.Session()

    def request(self, method, path, check=True, **kwargs):
        kwargs.setdefault("timeout", 30)
        response = self.session.request(method, self.base_url + path, **kwargs)
        if check and self.openapi and "stream" not in kwargs:
            self.openapi.check(method, path.split("?")[0], response)
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def wait_job(self, job_id, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.get(f"/api/jobs/{job_id}").json()
            if job["state"] in ("succeeded", "failed"):
                return job
            time.sleep(0.05)
        raise AssertionError(f"job {job_id} did not finish: {job}")


def read_events(response, stop_after=None):
    """(events, ended): SSE events of a streaming response as (id, data-json) pairs."""
    events = []
    block = []
    for line in response.iter_lines(decode_unicode=True):
        if line:
            block.append(line)
            continue
        fields = {}
        for item in block:
            if item.startswith(":"):
                continue
            key, _, value = item.partition(":")
            fields[key] = value[1:] if value.startswith(" ") else value
        block = []
        if "data" in fields:
            events.append((int(fields["id"]), json.loads(fields["data"])))
            if stop_after is not None and len(events) >= stop_after:
                return events, False
    return events, True
