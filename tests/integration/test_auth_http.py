"""Signed access over real HTTP: `atomixd serve` on loopback, keys made and
requests signed by the real `ssh-keygen -Y sign` (and by `atomixctl --key`),
for every supported key type; every refusal case; the partial-edit routes;
and the attacks of issue 10 item 6 (replay, path/body swaps, nonce flood,
slow-loris, header flood, absurd Content-Length). Each refused request is
checked to have changed nothing: same config.toml, no new job.

Refusals count against the sender's address (rate limit, 10 a minute), so
cases send from their own loopback source address (127.0.0.N)."""

import base64
import hashlib
import http.client
import json
import os
import socket
import subprocess
import time
import tomllib

import pytest
from requests.structures import CaseInsensitiveDict

from atomixd_server import Daemon, OpenApi, free_port

COMMAND_TIMEOUT = 60
KEY_TYPES = {
    "ed25519": ["-t", "ed25519"],
    "ecdsa256": ["-t", "ecdsa", "-b", "256"],
    "ecdsa384": ["-t", "ecdsa", "-b", "384"],
    "ecdsa521": ["-t", "ecdsa", "-b", "521"],
    "rsa": ["-t", "rsa", "-b", "3072"],
}
NAMESPACE = "atomixos-reapply"


@pytest.fixture(scope="module")
def openapi(atomixd):
    out = subprocess.run([str(atomixd), "openapi"], capture_output=True, text=True, check=True,
                         timeout=COMMAND_TIMEOUT)
    return OpenApi(json.loads(out.stdout))


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """name -> private key path; "outsider" is a key no admin holds."""
    directory = tmp_path_factory.mktemp("keys")
    paths = {}
    for name, args in list(KEY_TYPES.items()) + [("outsider", ["-t", "ed25519"])]:
        path = directory / name
        subprocess.run(["ssh-keygen", "-q", "-N", "", "-C", name, "-f", str(path)] + args, check=True,
                       timeout=COMMAND_TIMEOUT)
        paths[name] = path
    return paths


def public_key(path):
    return (path.parent / (path.name + ".pub")).read_text().strip()


def provisioning_config(example_config, keys):
    """The example config with one admin per supported key type."""
    text = example_config.decode()
    users = "".join(f'[users.admin{name}]\nisAdmin = true\nssh_key = "{public_key(keys[name])}"\n\n'
                    for name in KEY_TYPES)
    start = text.index("[users.admin]")
    end = text.index("[", start + 1)
    return (text[:start] + users + text[end:]).encode()


def sign(key, method, path, body, nonce, bind_method=False, claim=False):
    """Headers of a request signed with the real ssh-keygen; v2 (and v1 with
    @claim) also send what was signed, so a refusal names what differs."""
    digest = hashlib.sha256(body).hexdigest()
    if bind_method:
        message = f"atomixos-reapply-v2\nmethod:{method}\nnonce:{nonce}\npath:{path}\nsha256:{digest}\n"
    else:
        message = f"atomixos-reapply-v1\nnonce:{nonce}\npath:{path}\nsha256:{digest}\n"
    out = subprocess.run(["ssh-keygen", "-Y", "sign", "-n", NAMESPACE, "-f", str(key)], input=message.encode(),
                         capture_output=True, check=True, timeout=COMMAND_TIMEOUT)
    headers = {"X-AtomixOS-Nonce": nonce, "X-AtomixOS-Signature": base64.b64encode(out.stdout).decode()}
    if bind_method or claim:
        headers["X-AtomixOS-Signed-Message"] = base64.b64encode(message.encode()).decode()
    return headers


class Checked:
    """What OpenApi.check reads of a response."""

    def __init__(self, status, headers, data):
        self.status_code = status
        self.headers = CaseInsensitiveDict(headers)
        self.text = data.decode("utf-8", "replace")
        self.data = data

    def json(self):
        return json.loads(self.data)


class Client:
    """http.client from a chosen loopback source address; every response is
    checked against what the server's OpenAPI document declares for it."""

    def __init__(self, daemon, openapi):
        self.host, port = daemon.listen[0].split(":")
        self.port = int(port)
        self.openapi = openapi

    def call(self, method, path, body=b"", headers=None, source="127.0.0.1"):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30, source_address=(source, 0))
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            data = response.read()
            headers = dict(response.getheaders())
            self.openapi.check(method, path, Checked(response.status, headers, data))
            return response.status, headers, data
        finally:
            connection.close()

    def nonce(self, source="127.0.0.1"):
        status, _, data = self.call("GET", "/api/nonce", source=source)
        assert status == 200
        return json.loads(data)["nonce"]

    def signed(self, key, method, path, body=b"", source="127.0.0.1", bind_method=False):
        headers = sign(key, method, path, body, self.nonce(source), bind_method)
        if body:
            headers["Content-Type"] = "application/json"
        return self.call(method, path, body, headers, source)


def wait_job(client, job_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, _, data = client.call("GET", f"/api/jobs/{job_id}")
        job = json.loads(data)
        if job["state"] in ("succeeded", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


@pytest.fixture(scope="module")
def device(atomixd, openapi, keys, example_config_bytes, tmp_path_factory):
    """A provisioned daemon whose admins hold one key of each supported type."""
    root = tmp_path_factory.mktemp("device")
    daemon = Daemon(atomixd, root, [f"127.0.0.1:{free_port()}"],
                    ["--connection-timeout-seconds", "2", "--nonce-ttl-seconds", "3"])
    daemon.start()
    client = Client(daemon, openapi)
    status, _, data = client.call("POST", "/api/config", provisioning_config(example_config_bytes, keys))
    assert status == 202, data
    assert wait_job(client, json.loads(data)["job_id"])["state"] == "succeeded"
    yield daemon, client
    daemon.stop()


@pytest.fixture(scope="module")
def example_config_bytes(source_dir):
    return (source_dir / "examples" / "config.toml").read_bytes()


def snapshot(daemon, client):
    """What a refused request must not change."""
    config = (daemon.root / "config" / "config.toml").read_bytes()
    _, _, data = client.call("GET", "/api/jobs")
    return config, [job["id"] for job in json.loads(data)["jobs"]]


def refused(expected_status, fragment, result):
    status, headers, data = result
    assert status == expected_status, (status, data)
    assert fragment in json.loads(data)["error"], data
    return headers


# --- item 1/3: every key type, by ssh-keygen and by atomixctl --------------------------------


@pytest.mark.parametrize("key_type", list(KEY_TYPES))
def test_signed_export_and_validate_for_every_key_type(device, keys, key_type):
    daemon, client = device
    before = snapshot(daemon, client)
    status, headers, data = client.signed(keys[key_type], "GET", "/api/config/export")
    assert status == 200 and headers["Content-Type"] == "application/toml"
    assert data == (daemon.root / "config" / "config.toml").read_bytes()
    config = before[0]
    status, _, data = client.signed(keys[key_type], "POST", "/api/validate", config, bind_method=True)
    assert status == 200 and json.loads(data)["ok"] is True
    assert snapshot(daemon, client) == before


@pytest.mark.parametrize("key_type", list(KEY_TYPES))
def test_atomixctl_export_with_key_for_every_key_type(device, keys, key_type, atomixctl):
    daemon, client = device
    for extra in ([], ["--bind-method"]):
        out = subprocess.run([str(atomixctl), "export", "--url", f"http://{daemon.listen[0]}", "--key",
                              str(keys[key_type])] + extra, capture_output=True, timeout=COMMAND_TIMEOUT)
        assert out.returncode == 0, out.stderr
        assert out.stdout == (daemon.root / "config" / "config.toml").read_bytes()


def test_atomixctl_without_key_or_with_outsider_key_is_refused(device, keys, atomixctl):
    daemon, client = device
    before = snapshot(daemon, client)
    url = f"http://{daemon.listen[0]}"
    out = subprocess.run([str(atomixctl), "user", "set", "eve", "--admin", "--url", url], capture_output=True,
                         text=True, timeout=COMMAND_TIMEOUT)
    assert out.returncode != 0 and "authentication required" in out.stderr + out.stdout
    out = subprocess.run([str(atomixctl), "user", "set", "eve", "--admin", "--url", url, "--key",
                          str(keys["outsider"])], capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
    assert out.returncode != 0 and "not in admin-signers" in out.stderr + out.stdout
    assert snapshot(daemon, client) == before


def test_routes_of_class_none_need_no_signature_after_provisioning(device):
    daemon, client = device
    for path in ("/api/health", "/api/nonce", "/api/jobs", "/schema/openapi.json"):
        assert client.call("GET", path, source="127.0.0.60")[0] == 200
    _, _, data = client.call("GET", "/api/jobs")
    job_id = json.loads(data)["jobs"][0]["id"]
    assert client.call("GET", f"/api/jobs/{job_id}", source="127.0.0.60")[0] == 200
    for method, path in (("GET", "/api/config/export"), ("POST", "/api/validate"), ("POST", "/api/config"),
                         ("PUT", "/api/config/users/x"), ("DELETE", "/api/config/users/x"),
                         ("PATCH", "/api/config/network"), ("PUT", "/api/config/containers/x"),
                         ("DELETE", "/api/config/containers/x"), ("PUT", "/api/config/container-networks/x"),
                         ("DELETE", "/api/config/container-networks/x"), ("PUT", "/api/config/container-volumes/x"),
                         ("DELETE", "/api/config/container-volumes/x")):
        refused(401, "authentication required", client.call(method, path, b"{}", source="127.0.0.61"))


# --- item 2: partial edits -------------------------------------------------------------------


def exported(client, keys):
    status, _, data = client.signed(keys["ed25519"], "GET", "/api/config/export")
    assert status == 200
    return data


def test_partial_edits_over_http_and_atomixctl_export_canonical_merge(device, keys, atomixctl):
    daemon, client = device
    url = f"http://{daemon.listen[0]}"
    original = tomllib.loads(exported(client, keys).decode())
    bob_key = public_key(keys["outsider"])
    out = subprocess.run([str(atomixctl), "user", "set", "bob", "--ssh-key", bob_key, "--shell", "bash",
                          "--url", url, "--key", str(keys["ecdsa384"])], capture_output=True, text=True,
                         timeout=COMMAND_TIMEOUT)
    assert out.returncode == 0, out.stdout + out.stderr
    status, _, data = client.signed(keys["rsa"], "PATCH", "/api/config/network",
                                    json.dumps({"dns_servers": ["9.9.9.9"]}).encode(), bind_method=True)
    assert status == 202, data
    assert wait_job(client, json.loads(data)["job_id"])["state"] == "succeeded"
    status, _, data = client.signed(keys["ed25519"], "PUT", "/api/config/container-volumes/cache",
                                    json.dumps({"Volume": {"Label": "app=cache"}}).encode())
    assert status == 202, data
    assert wait_job(client, json.loads(data)["job_id"])["state"] == "succeeded"
    text = exported(client, keys)
    merged = tomllib.loads(text.decode())
    expected = json.loads(json.dumps(original))
    expected["users"]["bob"] = {"isAdmin": False, "ssh_key": bob_key, "shell": "bash"} \
        if "isAdmin" in merged["users"]["bob"] else {"ssh_key": bob_key, "shell": "bash"}
    expected["network"]["dns_servers"] = ["9.9.9.9"]
    expected.setdefault("containers", {}).setdefault("volume", {})["cache"] = {"Volume": {"Label": "app=cache"}}
    assert merged == expected
    # Canonical: the example's comments are gone, and an edit that changes
    # nothing (deleting an absent user) leaves the text byte for byte.
    assert not text.startswith(b"#")
    status, _, data = client.signed(keys["ed25519"], "DELETE", "/api/config/users/nobody")
    assert status == 202 and wait_job(client, json.loads(data)["job_id"])["state"] == "succeeded"
    assert exported(client, keys) == text
    # And the removal works too.
    status, _, data = client.signed(keys["ed25519"], "DELETE", "/api/config/users/bob")
    assert status == 202 and wait_job(client, json.loads(data)["job_id"])["state"] == "succeeded"
    assert "bob" not in tomllib.loads(exported(client, keys).decode())["users"]


def test_partial_edit_malformed_400_and_invalid_422_change_nothing(device, keys):
    daemon, client = device
    before = snapshot(daemon, client)
    status, _, data = client.signed(keys["ed25519"], "PUT", "/api/config/users/carol", b"{not json")
    assert status == 400, data
    status, headers, data = client.signed(keys["ed25519"], "PUT", "/api/config/containers/web",
                                          json.dumps({"privileged": False, "Containr": {}}).encode())
    assert status == 422 and headers["Content-Type"] == "application/problem+json"
    pointers = [d["pointer"] for d in json.loads(data)["diagnostics"]]
    assert "/containers/container/web/Containr" in pointers, pointers
    status, _, data = client.signed(keys["ed25519"], "PUT", "/api/config/users/carol",
                                    json.dumps({"isAdmin": True, "shell": 7}).encode())
    assert status == 422, data
    assert any(d["pointer"].startswith("/users/carol") for d in json.loads(data)["diagnostics"])
    assert snapshot(daemon, client) == before


# --- item 3: every refusal over HTTP ----------------------------------------------------------


def test_every_refusal_over_http_changes_nothing(device, keys):
    daemon, client = device
    key = keys["ed25519"]
    path = "/api/config/users/eve"
    body = json.dumps({"isAdmin": True, "ssh_key": public_key(keys["outsider"])}).encode()
    before = snapshot(daemon, client)

    refused(401, "provide X-AtomixOS-Nonce and X-AtomixOS-Signature",
            client.call("PUT", path, body, source="127.0.0.11"))
    headers = sign(key, "PUT", path, body, client.nonce("127.0.0.12"))
    del headers["X-AtomixOS-Signature"]
    refused(401, "X-AtomixOS-Signature is missing", client.call("PUT", path, body, headers, "127.0.0.12"))

    unknown = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    refused(401, "invalid or expired nonce",
            client.call("PUT", path, body, sign(key, "PUT", path, body, unknown), "127.0.0.13"))

    stale = client.nonce("127.0.0.14")
    time.sleep(4)  # the daemon's nonce TTL is 3 s
    refused(401, "invalid or expired nonce",
            client.call("PUT", path, body, sign(key, "PUT", path, body, stale), "127.0.0.14"))

    headers = sign(key, "PUT", path, body, client.nonce("127.0.0.15"))
    headers["X-AtomixOS-Signature"] = "!!not base64!!"
    refused(401, "invalid signature encoding", client.call("PUT", path, body, headers, "127.0.0.15"))

    headers = sign(key, "PUT", path, body, client.nonce("127.0.0.16"), claim=True)
    refused(401, "the body is not the one that was signed", client.call("PUT", path, body.replace(b"true", b"false"), headers, "127.0.0.16"))

    headers = sign(key, "PUT", path, body, client.nonce("127.0.0.17"), claim=True)
    refused(401, f"the signature is for path '{path}', not '/api/config/users/mallory'", client.call("PUT", "/api/config/users/mallory", body, headers, "127.0.0.17"))

    headers = sign(key, "PUT", path, b"", client.nonce("127.0.0.18"), bind_method=True)
    refused(401, "the signature is for PUT, not DELETE", client.call("DELETE", path, b"", headers, "127.0.0.18"))

    headers = sign(keys["outsider"], "PUT", path, body, client.nonce("127.0.0.19"))
    refused(401, "not in admin-signers", client.call("PUT", path, body, headers, "127.0.0.19"))

    # Reused: the first use succeeds (export changes nothing), the second is refused.
    headers = sign(key, "GET", "/api/config/export", b"", client.nonce("127.0.0.20"))
    assert client.call("GET", "/api/config/export", b"", headers, "127.0.0.20")[0] == 200
    refused(401, "invalid or expired nonce", client.call("GET", "/api/config/export", b"", headers, "127.0.0.20"))

    assert snapshot(daemon, client) == before


def test_failed_attempts_are_rate_limited_429_with_retry_after(device, keys):
    daemon, client = device
    before = snapshot(daemon, client)
    source = "127.0.0.30"
    statuses = []
    for _ in range(12):
        status, headers, _ = client.call("GET", "/api/config/export", b"",
                                         {"X-AtomixOS-Nonce": "x" * 43, "X-AtomixOS-Signature": "AAAA"}, source)
        statuses.append(status)
    assert statuses[0] == 401 and statuses[-1] == 429
    assert int(headers["Retry-After"]) > 0
    # Even a good signature waits; other addresses are served.
    assert client.signed(keys["ed25519"], "GET", "/api/config/export", source=source)[0] == 429
    assert client.signed(keys["ed25519"], "GET", "/api/config/export", source="127.0.0.31")[0] == 200
    assert snapshot(daemon, client) == before


# --- item 6: attacks --------------------------------------------------------------------------


def test_replayed_signed_edit_is_refused(device, keys):
    daemon, client = device
    path = "/api/config/users/dave"
    body = json.dumps({"isAdmin": False, "ssh_key": public_key(keys["outsider"])}).encode()
    headers = sign(keys["ecdsa256"], "PUT", path, body, client.nonce("127.0.0.40"))
    headers["Content-Type"] = "application/json"
    status, _, data = client.call("PUT", path, body, headers, "127.0.0.40")
    assert status == 202
    assert wait_job(client, json.loads(data)["job_id"])["state"] == "succeeded"
    before = snapshot(daemon, client)
    refused(401, "invalid or expired nonce", client.call("PUT", path, body, headers, "127.0.0.41"))
    # The same signature on another path or with another body, with a fresh nonce, is no better.
    headers["X-AtomixOS-Nonce"] = client.nonce("127.0.0.42")
    refused(401, "signature", client.call("PUT", "/api/config/users/root2", body, headers, "127.0.0.42"))
    assert snapshot(daemon, client) == before


def test_signature_for_one_path_replayed_on_another_and_body_swapped(device, keys):
    daemon, client = device
    before = snapshot(daemon, client)
    body = json.dumps({"Volume": {"Label": "a=b"}}).encode()
    headers = sign(keys["rsa"], "PUT", "/api/config/container-volumes/one", body, client.nonce("127.0.0.43"))
    refused(401, "does not match this request's nonce, path and body",
            client.call("PUT", "/api/config/container-volumes/two", body, headers, "127.0.0.43"))
    headers = sign(keys["rsa"], "PUT", "/api/config/container-volumes/one", body, client.nonce("127.0.0.44"))
    swapped = json.dumps({"Volume": {"Label": "evil=1"}}).encode()
    refused(401, "does not match this request's nonce, path and body",
            client.call("PUT", "/api/config/container-volumes/one", swapped, headers, "127.0.0.44"))
    assert snapshot(daemon, client) == before


def test_nonce_flood_from_one_address_cap_holds_others_served(device, keys):
    daemon, client = device
    before = snapshot(daemon, client)
    victim_nonce = client.nonce("127.0.0.51")
    connection = http.client.HTTPConnection(client.host, client.port, timeout=30, source_address=("127.0.0.50", 0))
    first = None
    for i in range(2000):  # keep-alive: one connection, many nonces
        connection.request("GET", "/api/nonce")
        response = connection.getresponse()
        assert response.status == 200
        nonce = json.loads(response.read())["nonce"]
        first = first or nonce
    connection.close()
    # The flooder's oldest nonces were evicted (per-address cap 16)...
    headers = sign(keys["ed25519"], "GET", "/api/config/export", b"", first)
    assert client.call("GET", "/api/config/export", b"", headers, "127.0.0.50")[0] == 401
    # ...while another client's nonce still works.
    headers = sign(keys["ed25519"], "GET", "/api/config/export", b"", victim_nonce)
    assert client.call("GET", "/api/config/export", b"", headers, "127.0.0.51")[0] == 200
    assert snapshot(daemon, client) == before


def test_slow_loris_times_out_while_others_are_served(device):
    daemon, client = device
    before = snapshot(daemon, client)
    with socket.create_connection((client.host, client.port), timeout=30) as loris:
        loris.sendall(b"POST /api/config HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        started = time.monotonic()
        assert client.call("GET", "/api/health")[0] == 200
        loris.settimeout(20)
        assert loris.recv(65536) == b""  # closed by the server (connection timeout 2 s)
        assert time.monotonic() - started < 15
    assert snapshot(daemon, client) == before


def raw(client, data, read_timeout=20):
    with socket.create_connection((client.host, client.port), timeout=read_timeout) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        reply = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                reply += chunk
                if b"\r\n\r\n" in reply:
                    break
        except ConnectionResetError:
            pass
        return reply


def test_ten_thousand_headers_refused(device):
    daemon, client = device
    before = snapshot(daemon, client)
    head = b"PUT /api/config/users/eve HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    head += b"".join(b"X-Header-%d: %d\r\n" % (i, i) for i in range(10000))
    reply = raw(client, head + b"Content-Length: 2\r\n\r\n{}")
    # libmicrohttpd answers 431 when the head outgrows its memory limit.
    assert reply.startswith(b"HTTP/1.1 431 "), reply[:200]
    assert client.call("GET", "/api/health")[0] == 200
    assert snapshot(daemon, client) == before


@pytest.mark.parametrize("length,expected", [("99999999999999999999999999", b"413"),
                                             ("1000000000000000", b"413"), ("-5", b"400")])
def test_absurd_content_length_refused(device, length, expected):
    daemon, client = device
    before = snapshot(daemon, client)
    # With (made-up) signature headers, so admission gets as far as the size.
    reply = raw(client, f"POST /api/config HTTP/1.1\r\nHost: 127.0.0.1\r\nX-AtomixOS-Nonce: n\r\n"
                f"X-AtomixOS-Signature: s\r\nContent-Length: {length}\r\n\r\n".encode())
    status = reply.split(b"\r\n")[0].split(b" ")[1] if reply else b""
    assert status == expected, reply[:200]
    assert client.call("GET", "/api/health")[0] == 200
    assert snapshot(daemon, client) == before


# --- item 2: first boot, the origin policy ---------------------------------------------------


def test_first_boot_origin_policy_cross_site_refused_curl_accepted(atomixd, openapi, tmp_path, example_config_bytes):
    daemon = Daemon(atomixd, tmp_path, [f"127.0.0.1:{free_port()}"]).start()
    try:
        client = Client(daemon, openapi)
        host = daemon.listen[0]
        for headers, message in (
                ({"Origin": "http://evil.example"}, "bootstrap origin is not allowed"),
                ({"Origin": "null"}, "bootstrap origin is not allowed"),
                ({"Referer": "http://evil.example/page"}, "bootstrap referer is not allowed"),
                ({"Host": "evil.example"}, "bootstrap host is not allowed")):
            refused(401, message, client.call("POST", "/api/config", example_config_bytes, headers))
        assert not (tmp_path / "config" / "config.toml").exists()
        assert json.loads(client.call("GET", "/api/jobs")[2]) == {"jobs": []}
        # A same-origin browser POST would pass; so does curl, which sends no Origin.
        config = tmp_path / "upload.toml"
        config.write_bytes(example_config_bytes)
        out = subprocess.run(["curl", "-sS", "--max-time", "30", "--data-binary", f"@{config}",
                              f"http://{host}/api/config"], capture_output=True, text=True,
                             timeout=COMMAND_TIMEOUT)
        job = json.loads(out.stdout)
        assert job["state"] == "submitted", out.stdout
        assert wait_job(client, job["job_id"])["state"] == "succeeded"
    finally:
        daemon.stop()


def test_every_atomixctl_edit_subcommand_signs_with_key(device, keys, atomixctl, tmp_path):
    """atomixctl's edit verbs and validate --url over the real daemon, each with
    --key (v1 and v2), each ending in the merged config exported."""
    daemon, client = device
    url = f"http://{daemon.listen[0]}"
    (tmp_path / "c.json").write_text(json.dumps({"privileged": False,
                                                 "Container": {"Image": "docker.io/library/db:1"}}))
    (tmp_path / "n.toml").write_text('[Network]\nSubnet = "10.89.7.0/24"\n')
    (tmp_path / "v.toml").write_text('[Volume]\nLabel = ["app=db"]\n')
    (tmp_path / "p.json").write_text(json.dumps({"dns_search_domains": ["lan.example"]}))
    steps = [
        (["container", "set", "db", str(tmp_path / "c.json")], "ecdsa521", []),
        (["container-network", "set", "backend", str(tmp_path / "n.toml")], "ecdsa256", ["--bind-method"]),
        (["container-volume", "set", "dbdata", str(tmp_path / "v.toml")], "rsa", []),
        (["network", "patch", str(tmp_path / "p.json")], "ed25519", ["--bind-method"]),
    ]
    for args, key_type, extra in steps:
        out = subprocess.run([str(atomixctl)] + args + ["--url", url, "--key", str(keys[key_type])] + extra,
                             capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
        assert out.returncode == 0, (args, out.stdout + out.stderr)
    merged = tomllib.loads(exported(client, keys).decode())
    assert merged["containers"]["container"]["db"]["Container"]["Image"] == "docker.io/library/db:1"
    assert merged["containers"]["network"]["backend"] == {"Network": {"Subnet": "10.89.7.0/24"}}
    assert merged["containers"]["volume"]["dbdata"] == {"Volume": {"Label": ["app=db"]}}
    assert merged["network"]["dns_search_domains"] == ["lan.example"]
    config = tmp_path / "active.toml"
    config.write_bytes(exported(client, keys))
    out = subprocess.run([str(atomixctl), "validate", str(config), "--url", url, "--key", str(keys["ecdsa384"])],
                         capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
    assert out.returncode == 0, out.stdout + out.stderr
    for args in (["container", "rm", "db"], ["container-network", "rm", "backend"],
                 ["container-volume", "rm", "dbdata"]):
        out = subprocess.run([str(atomixctl)] + args + ["--url", url, "--key", str(keys["ed25519"])],
                             capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
        assert out.returncode == 0, (args, out.stdout + out.stderr)
    merged = tomllib.loads(exported(client, keys).decode())
    assert "db" not in merged["containers"]["container"]
    assert "backend" not in merged["containers"].get("network", {})
    assert "dbdata" not in merged["containers"].get("volume", {})
