"""The bootstrap API in the three-namespace topology (wan, device, lan).

`atomixd serve --service-manager sim` runs in the device namespace on every
address at the bootstrap port, with the real nftables ruleset of
`atomixd apply-firewall` in force. Before provisioning the API answers from
wan and from lan; a config whose LAN gateway is the device's eth1 address is
provisioned through the API from wan; the activation restarts
atomix-apply-firewall.service (the sim manager only records that, so the test
runs the applier as that unit would); afterwards the bootstrap port is closed
on WAN, the API answers on the gateway address from lan, and the daemon itself
no longer listens on the WAN address (a connection from inside the device,
where the firewall lets loopback traffic through, is refused).

Needs root, iproute2, nftables and curl; skipped otherwise. Every network
command runs in namespaces named with the test's PID, which are removed also
on failure (netns_tools.Topology)."""

import getpass
import json
import os
import shutil
import time

import pytest

from netns_tools import WAN_DEVICE, Topology

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not all(shutil.which(tool) for tool in ("nft", "ip", "curl")),
    reason="needs root, iproute2, nftables and curl")

GATEWAY = "192.168.50.1"
LAN_CLIENT = "192.168.50.20"
PORT = 8080  # ATX_BOOTSTRAP_PORT, core/base/defaults.h
START_TIMEOUT = 20
JOB_TIMEOUT = 60
NARROW_TIMEOUT = 20
CURL_EXIT_REFUSED = 7
CURL_EXIT_TIMEOUT = 28


@pytest.fixture
def topo():
    with Topology(f"{GATEWAY}/24") as t:
        t.exec(t.lan, "ip", "addr", "add", f"{LAN_CLIENT}/24", "dev", "eth0")
        yield t


def lan_config(source_dir):
    """examples/config.toml with its LAN on the device's eth1 subnet."""
    return (source_dir / "examples" / "config.toml").read_text() \
        .replace('gateway_cidr = "172.20.30.1/24"', f'gateway_cidr = "{GATEWAY}/24"') \
        .replace('dhcp_start = "172.20.30.10"', 'dhcp_start = "192.168.50.10"') \
        .replace('dhcp_end = "172.20.30.254"', 'dhcp_end = "192.168.50.254"')


def curl(topo, ns, url, *args, seconds=2):
    """(exit status, body) of curl run in namespace @ns, bounded by @seconds."""
    result = topo.exec(ns, "curl", "-sS", "--connect-timeout", str(seconds), "-m", str(seconds + 28), *args, url,
                       check=False, timeout=seconds + 40)
    return result.returncode, result.stdout


def health(topo, ns, host):
    code, body = curl(topo, ns, f"http://{host}:{PORT}/api/health")
    return code, (json.loads(body) if code == 0 else None)


def apply_firewall(topo, atomixd, root):
    result = topo.exec(topo.dev, atomixd, "apply-firewall", "--root", root, check=False)
    assert result.returncode == 0, result.stderr


def start_serve(topo, atomixd, root):
    proc = topo.spawn(topo.dev, atomixd, "serve", "--root", root, "--service-manager", "sim",
                      "--listen", f"0.0.0.0:{PORT}", "--heartbeat-seconds", "1", "--rebind-delay-seconds", "1",
                      "--app-user", getpass.getuser())
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        if health(topo, topo.dev, "127.0.0.1")[0] == 0:
            return proc
        time.sleep(0.1)
    raise AssertionError("atomixd serve did not answer in the device namespace")


def stop_and_log(topo, proc):
    topo.stop(proc)
    return proc.stderr.read()


def wait_job(topo, job_url):
    deadline = time.monotonic() + JOB_TIMEOUT
    job = None
    while time.monotonic() < deadline:
        code, body = curl(topo, topo.wan, f"http://{WAN_DEVICE}:{PORT}{job_url}")
        if code == CURL_EXIT_REFUSED:
            # Succeeded, and the rebind delay passed before this poll (a loaded
            # machine): the API has moved to the LAN gateway already.
            code, body = curl(topo, topo.lan, f"http://{GATEWAY}:{PORT}{job_url}")
        assert code == 0, f"curl exit {code} polling {job_url}"
        job = json.loads(body)
        if job["state"] in ("succeeded", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job did not finish: {job}")


def test_provisioning_from_wan_moves_the_api_to_the_lan_gateway(topo, atomixd, source_dir, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    apply_firewall(topo, atomixd, root)  # unprovisioned: bootstrap port open on WAN
    serve = start_serve(topo, atomixd, root)

    assert health(topo, topo.wan, WAN_DEVICE) == (0, {"status": "ok"})
    assert health(topo, topo.lan, GATEWAY) == (0, {"status": "ok"})

    config = tmp_path / "config.toml"
    config.write_text(lan_config(source_dir))
    code, body = curl(topo, topo.wan, f"http://{WAN_DEVICE}:{PORT}/api/config", "-X", "POST",
                      "--data-binary", f"@{config}", "-H", "Content-Type: application/toml")
    assert code == 0, body
    accepted = json.loads(body)
    assert accepted["job_url"] == f"/api/jobs/{accepted['job_id']}", accepted
    job = wait_job(topo, accepted["job_url"])
    assert job["state"] == "succeeded", job
    # The activation asked for the firewall applier (sim records, does not run it).
    restarted = [e for e in job["events"] if e.get("service") == "atomix-apply-firewall.service"
                 or "atomix-apply-firewall.service" in e.get("message", "")]
    assert restarted, [e.get("message") for e in job["events"]]
    assert json.loads((root / "config" / "lan-settings.json").read_text())["gateway_ip"] == GATEWAY

    apply_firewall(topo, atomixd, root)  # what atomix-apply-firewall.service runs

    deadline = time.monotonic() + NARROW_TIMEOUT
    while curl(topo, topo.dev, f"http://{WAN_DEVICE}:{PORT}/api/health")[0] != CURL_EXIT_REFUSED:
        assert time.monotonic() < deadline, "the daemon still listens on the WAN address: " + stop_and_log(topo, serve)
        assert serve.poll() is None, serve.stderr.read()
        time.sleep(0.2)

    # WAN: the port is dropped by the ruleset (and nothing listens there any more).
    assert health(topo, topo.wan, WAN_DEVICE)[0] in (CURL_EXIT_REFUSED, CURL_EXIT_TIMEOUT)
    assert f'iifname "eth0" tcp dport {PORT}' not in topo.exec(topo.dev, "nft", "list", "ruleset").stdout
    # LAN: the API answers on the gateway address, with the provisioning job.
    assert health(topo, topo.lan, GATEWAY) == (0, {"status": "ok"})
    code, body = curl(topo, topo.lan, f"http://{GATEWAY}:{PORT}{accepted['job_url']}")
    assert code == 0 and json.loads(body)["state"] == "succeeded"
    # The device's own view: only the gateway address listens on the port.
    listeners = topo.exec(topo.dev, "ss", "-Hltn", f"sport = :{PORT}").stdout.split()
    assert f"{GATEWAY}:{PORT}" in listeners and f"0.0.0.0:{PORT}" not in listeners, listeners

    topo.stop(serve)
    assert serve.returncode == 0, serve.stderr.read()
