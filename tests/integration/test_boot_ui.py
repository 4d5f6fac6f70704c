"""The Boot UI of `atomixd serve` (reference §7.3, §7.4, §8): over plain HTTP
for each rule, then in real headless Chromium (Debian's chromium driven by
playwright-core from npm, installed once into the build directory) for what
an operator does: paste, upload, read the diagnostics, be protected from a
cross-site form. Screenshots land in BUILD/boot-ui-screenshots/."""

import json
import os
import re
import subprocess
import time

import pytest
import requests

from atomixd_server import Daemon, free_port

COMMAND_TIMEOUT = 120
PLAYWRIGHT = "playwright-core@1"
CHROMIUM = "/usr/bin/chromium"
INVALID_CONFIG = """version = 1

[users.admin]
isAdmin = "yes"
ssh_key = "ssh-ed25519 AAAA"

[network.ntp]
servers = ["time.example"]
colour = "blue"
"""
UNTERMINATED = 'version = 1\n[network.ntp]\nservers = [\n'



@pytest.fixture
def start_daemon(atomixd, tmp_path):
    started = []

    def start(name="root", extra=()):
        root = tmp_path / name
        root.mkdir()
        daemon = Daemon(atomixd, root, [f"127.0.0.1:{free_port()}"], extra)
        started.append(daemon)
        return daemon.start()

    yield start
    # A clean exit (under ASan also: no leak, no sanitizer report).
    statuses = [daemon.stop() for daemon in started if daemon.proc is not None]
    assert statuses == [0] * len(statuses), [daemon.log_text()[-2000:] for daemon in started]


@pytest.fixture
def daemon(start_daemon):
    return start_daemon()


@pytest.fixture(scope="session")
def example_config(source_dir):
    return (source_dir / "examples" / "config.toml").read_text()


@pytest.fixture(scope="session")
def config_with_warning(example_config):
    """The example with a network a rootless container cannot have: valid,
    with one warning (reference §3.6)."""
    assert example_config.rstrip().endswith('PublishPort = ["10080:8080"]')
    return example_config.rstrip() + '\nNetwork = "bridge"\n'


def token_of(page):
    match = re.search(r'name="bootstrap_token" value="([A-Za-z0-9_-]{43})"', page)
    assert match, page[:500]
    return match.group(1)


def apply(url, token, config=None, file=None, headers=None):
    files = {"bootstrap_token": (None, token)}
    if config is not None:
        files["config"] = (None, config)
    if file is not None:
        files["config_file"] = file
    return requests.post(url + "/apply", files=files, headers=headers or {}, timeout=COMMAND_TIMEOUT)


def wait_job(url, job_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = requests.get(f"{url}/api/jobs/{job_id}", timeout=10).json()
        if job["state"] in ("succeeded", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def jobs(url):
    return requests.get(url + "/api/jobs", timeout=10).json()["jobs"]


# --- over HTTP ------------------------------------------------------------------------------------


def test_page_is_self_contained_with_a_fresh_token_per_process(start_daemon):
    first = start_daemon("a")
    response = requests.get(first.url + "/", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    page = response.text
    assert "Load Configuration" in page and 'action="/apply"' in page and 'name="config_file"' in page
    assert "<textarea" in page and 'name="config"' in page
    # No external assets: nothing is loaded from anywhere but the page itself.
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "{{" not in page
    token = token_of(page)
    assert token_of(requests.get(first.url + "/", timeout=10).text) == token
    second = start_daemon("b")
    assert token_of(requests.get(second.url + "/", timeout=10).text) != token


@pytest.mark.parametrize("headers, detail", [
    ({"Origin": "http://evil.example"}, "bootstrap origin is not allowed"),
    ({"Origin": "null"}, "bootstrap origin is not allowed"),
    ({"Referer": "http://evil.example/page"}, "bootstrap referer is not allowed"),
    ({"Host": "evil.example"}, "bootstrap host is not allowed"),
])
def test_origin_policy_on_page_and_apply(daemon, example_config, headers, detail):
    token = token_of(requests.get(daemon.url + "/", timeout=10).text)
    page = requests.get(daemon.url + "/", headers=headers, timeout=10)
    assert page.status_code == 401 and page.json() == {"error": detail}
    response = apply(daemon.url, token, config=example_config, headers=headers)
    assert response.status_code == 401 and response.json() == {"error": detail}
    assert jobs(daemon.url) == []


def test_same_origin_browser_headers_pass(daemon):
    host = daemon.listen[0]
    response = requests.get(daemon.url + "/", headers={"Origin": f"http://{host}", "Referer": f"http://{host}/"},
                            timeout=10)
    assert response.status_code == 200


@pytest.mark.parametrize("token", ["", "x" * 43, None])
def test_wrong_or_missing_csrf_token_is_403_and_nothing_runs(daemon, example_config, token):
    real = token_of(requests.get(daemon.url + "/", timeout=10).text)
    assert token != real
    files = {"config": (None, example_config)}
    if token is not None:
        files["bootstrap_token"] = (None, token)
    response = requests.post(daemon.url + "/apply", files=files, timeout=COMMAND_TIMEOUT)
    assert response.status_code == 403
    assert "Invalid bootstrap token" in response.text
    assert jobs(daemon.url) == []


def test_not_a_form_or_no_config_is_400(daemon):
    token = token_of(requests.get(daemon.url + "/", timeout=10).text)
    raw = requests.post(daemon.url + "/apply", data=b"version = 1", timeout=10)
    assert raw.status_code == 400 and "multipart/form-data" in raw.text
    empty = apply(daemon.url, token, config="")
    assert empty.status_code == 400 and "No config provided" in empty.text
    assert jobs(daemon.url) == []


def test_invalid_paste_is_422_with_every_diagnostic_beside_the_text(daemon):
    token = token_of(requests.get(daemon.url + "/", timeout=10).text)
    response = apply(daemon.url, token, config=INVALID_CONFIG)
    assert response.status_code == 422
    # The same diagnostics POST /api/config gives (same validation).
    api = requests.post(daemon.url + "/api/config", data=INVALID_CONFIG.encode(), timeout=10).json()
    assert api["diagnostics"]
    html = response.text
    for diag in api["diagnostics"]:
        if "line" in diag:
            assert f'data-line="{diag["line"]}" data-column="{diag["column"]}"' in html
            assert f'line {diag["line"]}, column {diag["column"]}' in html
            assert f'class="line has-diag" data-line="{diag["line"]}"' in html
    assert html.count("<li class=\"diag-") == len(api["diagnostics"])
    # The pasted text is shown, escaped, line by line.
    assert 'ssh_key = &quot;ssh-ed25519 AAAA&quot;' in html
    assert jobs(daemon.url) == []
    assert not (daemon.root / "config" / "config.toml").exists()


def test_syntax_error_at_the_end_of_the_text_is_shown_there(daemon):
    token = token_of(requests.get(daemon.url + "/", timeout=10).text)
    response = apply(daemon.url, token, config=UNTERMINATED)
    assert response.status_code == 422
    assert 'class="line has-diag" data-line="4"' in response.text


def test_valid_paste_runs_the_pipeline_and_the_end_is_shown_once(daemon, config_with_warning):
    token = token_of(requests.get(daemon.url + "/", timeout=10).text)
    response = apply(daemon.url, token, config=config_with_warning)
    assert response.status_code == 202, response.text
    job_id = re.search(r'data-job-id="([^"]+)"', response.text).group(1)
    assert response.headers["Location"] == f"/ui/jobs/{job_id}"
    job = wait_job(daemon.url, job_id)
    assert job["state"] == "succeeded" and job["kind"] == "boot-ui"
    warnings = job["result"]["warnings"]
    assert warnings
    # Provisioned: the page and the form are gone ...
    assert requests.get(daemon.url + "/", timeout=10).status_code == 404
    assert apply(daemon.url, token, config=config_with_warning).status_code == 404
    # ... the job's progress can still be followed to its end ...
    events = requests.get(f"{daemon.url}/ui/jobs/{job_id}/events", timeout=30)
    assert events.status_code == 200 and '"step":"completed"' in events.text
    # ... and its end is shown once, with the warnings.
    end = requests.get(f"{daemon.url}/ui/jobs/{job_id}", timeout=10)
    assert end.status_code == 200
    assert 'data-state="succeeded"' in end.text and "Configuration applied." in end.text
    assert all(w.replace('"', "&quot;").replace("'", "&#39;") in end.text for w in warnings)
    assert requests.get(f"{daemon.url}/ui/jobs/{job_id}", timeout=10).status_code == 404
    assert requests.get(f"{daemon.url}/ui/jobs/{job_id}/events", timeout=10).status_code == 404


def test_failed_job_shows_error_and_rollback_and_the_page_stays(start_daemon, example_config):
    daemon = start_daemon(extra=["--sim-fail", "myapp.service"])
    token = token_of(requests.get(daemon.url + "/", timeout=10).text)
    response = apply(daemon.url, token, config=example_config)
    assert response.status_code == 202, response.text
    job_id = re.search(r'data-job-id="([^"]+)"', response.text).group(1)
    job = wait_job(daemon.url, job_id)
    assert job["state"] == "failed"
    end = requests.get(f"{daemon.url}/ui/jobs/{job_id}", timeout=10)
    assert end.status_code == 200 and 'data-state="failed"' in end.text
    assert "Configuration failed." in end.text
    assert f"<strong>Rollback status:</strong> {job['rollback_status']}" in end.text
    # Not provisioned: the page is still there and the job can be read again.
    assert requests.get(daemon.url + "/", timeout=10).status_code == 200
    assert requests.get(f"{daemon.url}/ui/jobs/{job_id}", timeout=10).status_code == 200


def test_busy_device_answers_409_fragment(start_daemon, example_config):
    daemon = start_daemon(extra=["--sim-delay-ms", "300"])
    token = token_of(requests.get(daemon.url + "/", timeout=10).text)
    first = apply(daemon.url, token, config=example_config)
    assert first.status_code == 202
    second = apply(daemon.url, token, config=example_config)
    assert second.status_code == 409 and 'data-state="failed"' in second.text
    job_id = re.search(r'data-job-id="([^"]+)"', first.text).group(1)
    assert wait_job(daemon.url, job_id, timeout=120)["state"] == "succeeded"


def test_after_provisioning_api_jobs_are_not_shown_by_the_ui(daemon, example_config):
    accepted = requests.post(daemon.url + "/api/config", data=example_config.encode(), timeout=30)
    assert accepted.status_code == 202
    job_id = accepted.json()["job_id"]
    # Before the end (first boot) the UI may show any job; once provisioned, not an API job.
    assert wait_job(daemon.url, job_id)["state"] == "succeeded"
    assert requests.get(daemon.url + "/", timeout=10).status_code == 404
    assert requests.get(f"{daemon.url}/ui/jobs/{job_id}", timeout=10).status_code == 404
    assert requests.get(f"{daemon.url}/ui/jobs/{job_id}/events", timeout=10).status_code == 404


def test_ui_routes_are_in_the_live_openapi_document(daemon):
    document = requests.get(daemon.url + "/schema/openapi.json", timeout=10).json()
    for path, method in [("/", "get"), ("/apply", "post"), ("/ui/jobs/{job_id}", "get"),
                         ("/ui/jobs/{job_id}/events", "get")]:
        assert document["paths"][path][method]["tags"] == ["ui"]
    body = document["paths"]["/apply"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["required"] == ["bootstrap_token"]


# --- in Chromium ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_runner(build_dir, source_dir):
    """Runs one scenario of tests/integration/browser/boot-ui.mjs; returns its JSON."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-deps test")
    prefix = build_dir / "npm-playwright"
    if not (prefix / "node_modules" / "playwright-core" / "package.json").exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(prefix), PLAYWRIGHT],
                       check=True, capture_output=True, timeout=300)
    shots = build_dir / "boot-ui-screenshots"
    shots.mkdir(exist_ok=True)
    script = source_dir / "tests" / "integration" / "browser" / "boot-ui.mjs"

    def run(scenario, url, file=None):
        args = ["node", str(script), scenario, url, str(shots)] + ([str(file)] if file else [])
        env = dict(os.environ, PLAYWRIGHT_PREFIX=str(prefix))
        result = subprocess.run(args, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, env=env)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    run.shots = shots
    return run


def test_browser_paste_valid_config_reaches_succeeded(browser_runner, daemon, config_with_warning, tmp_path):
    config = tmp_path / "pasted.toml"
    config.write_text(config_with_warning)
    result = browser_runner("paste-valid", daemon.url, config)
    assert result["state"] == "succeeded"
    assert result["button"] == "Applied"
    # Live progress: the log grew event by event up to the end.
    assert result["events"][0] == "running" and result["events"][-1] == "completed"
    assert "prepare: unpacking config.toml" in result["events"]
    job = requests.get(f"{daemon.url}/api/jobs/{result['jobId']}", timeout=10).json()
    assert job["state"] == "succeeded"
    assert result["warnings"] == job["result"]["warnings"] and result["warnings"]
    assert result["reloadStatus"] == 404
    for name in ("boot-ui-progress.png", "boot-ui-succeeded.png"):
        assert (browser_runner.shots / name).stat().st_size > 10000


def test_browser_upload_bundle(browser_runner, daemon, source_dir, tmp_path):
    bundle = tmp_path / "config.tar.gz"
    subprocess.run([str(source_dir / "scripts" / "make-bundle"), str(source_dir / "examples" / "bundle"),
                    str(bundle)], check=True, timeout=COMMAND_TIMEOUT)
    result = browser_runner("upload-bundle", daemon.url, bundle)
    assert result["state"] == "succeeded", result["text"]
    assert "prepare: unpacking config.tar.gz" in result["events"]
    assert (daemon.root / "config" / "files").is_dir()


def test_browser_paste_invalid_shows_diagnostics_with_line_and_column(browser_runner, daemon, tmp_path):
    config = tmp_path / "invalid.toml"
    config.write_text(INVALID_CONFIG)
    result = browser_runner("paste-invalid", daemon.url, config)
    api = requests.post(daemon.url + "/api/config", data=INVALID_CONFIG.encode(), timeout=10).json()
    assert result["state"] == "invalid"
    assert [(d["line"], d["column"]) for d in result["diagnostics"]] == \
        [(d.get("line", 0), d.get("column", 0)) for d in api["diagnostics"]]
    assert all(d["message"] in shown["text"] for d, shown in zip(api["diagnostics"], result["diagnostics"]))
    assert sorted(set(result["markedLines"])) == sorted({d["line"] for d in api["diagnostics"] if "line" in d})
    assert result["sourceLines"] == INVALID_CONFIG.count("\n")
    assert result["pastedStillThere"] and result["buttonEnabled"]
    assert jobs(daemon.url) == []
    assert (browser_runner.shots / "boot-ui-invalid.png").stat().st_size > 10000


def test_browser_forged_cross_origin_post_is_refused(browser_runner, daemon):
    result = browser_runner("forged-post", daemon.url)
    assert result["origin"] == "http://evil.example"
    assert result["status"] == 401
    assert json.loads(result["body"]) == {"error": "bootstrap origin is not allowed"}
    assert jobs(daemon.url) == []
    assert requests.get(daemon.url + "/", timeout=10).status_code == 200
