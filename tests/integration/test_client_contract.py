"""atomixctl's HTTP commands against a CONTRACT FIXTURE: a tiny Python http.server
that answers GET /api/config/export as reference provisioning-service.md §1 says
(200 application/toml when provisioned, 404 before). It stands in until the real
`atomixd serve` lands; it is not the device."""

import http.server
import threading

import pytest

CONFIG = b'version = 1\n[users]\n'


class ContractHandler(http.server.BaseHTTPRequestHandler):
    provisioned = False

    def do_GET(self):
        if self.path == "/api/config/export" and self.server.provisioned:
            self.send_response(200)
            self.send_header("Content-Type", "application/toml")
            self.send_header("Content-Length", str(len(CONFIG)))
            self.end_headers()
            self.wfile.write(CONFIG)
            return
        body = b'{"error": "device is not provisioned"}'
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def contract_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ContractHandler)
    server.provisioned = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def url_of(server):
    return f"http://127.0.0.1:{server.server_address[1]}"


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
