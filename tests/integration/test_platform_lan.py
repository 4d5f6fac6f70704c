"""atomixd apply-lan and apply-firewall on real networking: dnsmasq and chronyd
in the device namespace run on the files apply-lan wrote; a DHCP client
(busybox udhcpc) in the LAN namespace gets a lease in the range with the
domain, router, DNS and NTP options, resolves the gateway's {mac} name and its
aliases, and gets time from the gateway (chronyd -Q). Re-applies go through
`atomixd import --service-manager sim`: a changed DHCP range is honoured by the
next lease; a change whose required container fails rolls back and the
firewall and DHCP behave exactly as before. Needs root; skipped otherwise."""

import json
import os
import re
import shutil
import subprocess
import time

import pytest

from netns_tools import WAN_DEVICE, Topology

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not all(shutil.which(t) for t in ("ip", "nft", "dnsmasq", "busybox", "chronyd")),
    reason="needs root, iproute2, nftables, dnsmasq, busybox and chrony")

GATEWAY = "10.44.0.1"

CONFIG = """version = 1

[users.admin]
isAdmin = true
ssh_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR admin@example"

[network.firewall.inbound.wan]
tcp = [443]

[network.dnsmasq]
gateway_cidr = "10.44.0.1/24"
dhcp_start = "{start}"
dhcp_end = "{end}"
domain = "lab"
gateway_aliases = ["atomixos", "portal"]
hostname_pattern = "gw-{{mac}}"

[network.ntp]
servers = ["198.51.100.1"]

[activation]
required = ["myapp"]
timeout_seconds = 2

[containers.container.myapp]
privileged = true

[containers.container.myapp.Container]
Image = "localhost/myapp:1"
"""

UDHCPC_SCRIPT = """#!/bin/sh
# Writes nothing under /etc: only this namespace's eth0 and the result file.
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    printf '{"ip": "%s", "domain": "%s", "router": "%s", "dns": "%s", "ntpsrv": "%s"}\\n' \\
      "$ip" "$domain" "$router" "$dns" "$ntpsrv" > "$RESULT"
    ;;
esac
exit 0
"""


class Gateway:
    """dnsmasq and chronyd in the device namespace on apply-lan's files."""

    def __init__(self, topo, atomixd, work):
        self.topo, self.atomixd, self.work = topo, atomixd, work
        self.root, self.etc = work / "data", work / "etc"
        self.etc.mkdir()
        (self.etc / "hosts").write_text("127.0.0.1 localhost\n")
        self.dnsmasq = None
        self.leases = 0

    def atomixd_run(self, *args, check=True):
        result = self.topo.exec(self.topo.dev, self.atomixd, *args, check=False, timeout=60)
        assert not check or result.returncode == 0, result.stdout + result.stderr
        return result

    def import_config(self, start, end, *extra):
        path = self.work / "config.toml"
        path.write_text(CONFIG.format(start=start, end=end))
        return self.atomixd_run("import", path, "--root", self.root, "--service-manager", "sim",
                                "--poll-interval-ms", "100", *extra, check=False)

    def apply(self):
        """What the applier units do after activation; restarts dnsmasq when apply-lan did."""
        self.atomixd_run("apply-firewall", "--root", self.root)
        out = self.atomixd_run("apply-lan", "--root", self.root, "--etc", self.etc, "--service-manager", "sim").stdout
        if "restarted dnsmasq.service" in out or self.dnsmasq is None:
            self.restart_dnsmasq()
        return out

    def restart_dnsmasq(self):
        if self.dnsmasq:
            self.topo.stop(self.dnsmasq)
        main = self.work / "dnsmasq.conf"
        main.write_text(f"interface=eth1\nbind-interfaces\nno-resolv\nno-hosts\nno-ping\ndhcp-authoritative\n"
                        f"dhcp-leasefile={self.work}/leases\nconf-file={self.etc}/dnsmasq.d/atomix-lan.conf\n")
        self.dnsmasq = self.topo.spawn(self.topo.dev, "dnsmasq", "-k", "-C", main, "--user=root",
                                       f"--pid-file={self.work}/dnsmasq.pid", f"--log-facility={self.work}/dnsmasq.log")
        for _ in range(50):
            if self.topo.exec(self.topo.dev, "ss", "-lun", "sport", "= :67").stdout.count("\n") > 1:
                return
            time.sleep(0.1)
        raise AssertionError("dnsmasq did not start: " + (self.work / "dnsmasq.log").read_text())

    def lease(self):
        """A fresh client (new MAC each time) asks for a lease; returns what udhcpc got."""
        self.leases += 1
        self.topo.exec(self.topo.lan, "ip", "link", "set", "eth0", "address", f"02:00:00:00:00:{self.leases:02x}")
        script = self.work / "udhcpc.sh"
        script.write_text(UDHCPC_SCRIPT)
        script.chmod(0o755)
        result_file = self.work / f"lease{self.leases}.json"
        run = subprocess.run(["ip", "netns", "exec", self.topo.lan, "busybox", "udhcpc", "-i", "eth0", "-n", "-q",
                              "-f", "-t", "5", "-T", "1", "-O", "ntpsrv", "-O", "domain", "-s", str(script)],
                             capture_output=True, text=True, timeout=30, env={**os.environ, "RESULT": str(result_file)})
        if run.returncode != 0:
            return None
        return json.loads(result_file.read_text())


@pytest.fixture
def gateway(atomixd, tmp_path):
    with Topology(f"{GATEWAY}/24") as topo:
        yield Gateway(topo, atomixd, tmp_path)


def in_range(ip, start, end):
    def key(a):
        return tuple(int(x) for x in a.split("."))
    return key(start) <= key(ip) <= key(end)


def resolve(topo, name):
    out = topo.exec(topo.lan, "busybox", "nslookup", name, GATEWAY, check=False).stdout
    return re.findall(r"Address:\s*(\d+\.\d+\.\d+\.\d+)(?!#|:53)", out.split(name, 1)[-1]) if name in out else []


def test_lease_names_and_time_from_gateway(gateway):
    result = gateway.import_config("10.44.0.100", "10.44.0.150")
    assert result.returncode == 0, result.stdout + result.stderr
    out = gateway.apply()
    assert "restarted dnsmasq.service" in out and "restarted chronyd.service" in out
    # the same inputs again: nothing written, nothing restarted
    assert gateway.atomixd_run("apply-lan", "--root", gateway.root, "--etc", gateway.etc,
                               "--service-manager", "sim").stdout.strip() == "LAN gateway files unchanged"

    lease = gateway.lease()
    assert lease is not None, (gateway.work / "dnsmasq.log").read_text()
    assert in_range(lease["ip"], "10.44.0.100", "10.44.0.150")
    assert lease["domain"] == "lab"
    assert lease["router"] == GATEWAY and lease["dns"] == GATEWAY and lease["ntpsrv"] == GATEWAY

    mac = gateway.topo.exec(gateway.topo.dev, "cat", "/sys/class/net/eth1/address").stdout.strip().replace(":", "")
    for name in (f"gw-{mac}.lab", f"gw-{mac}", "atomixos.lab", "portal.lab"):
        assert resolve(gateway.topo, name) == [GATEWAY], name

    assert ntp_query(gateway, "", 15), "LAN client got no time from the gateway"
    # Control: the upstream image's trailing 'deny all' (platform.md §10.1) does stop it.
    assert not ntp_query(gateway, "deny all\n", 4)


def ntp_query(gateway, extra, seconds):
    """chronyd serving on apply-lan's snippet (+ @extra) in the device; chronyd -Q asking from the LAN."""
    conf = gateway.work / "chrony.conf"
    conf.write_text(f"include {gateway.etc}/atomix/chrony-lan.conf\n{extra}local stratum 10\n"
                    f"pidfile {gateway.work}/chronyd.pid\ncmdport 0\nbindcmdaddress /\n")
    server = gateway.topo.spawn(gateway.topo.dev, "chronyd", "-x", "-d", "-u", "root", "-f", conf)
    try:
        time.sleep(0.5)
        client = gateway.topo.exec(gateway.topo.lan, "chronyd", "-Q", "-t", str(seconds), "-u", "root",
                                   f"server {GATEWAY} iburst maxsamples 1", f"pidfile {gateway.work}/client.pid",
                                   "cmdport 0", "bindcmdaddress /", check=False, timeout=seconds + 15)
        return client.returncode == 0 and "System clock wrong by" in client.stdout + client.stderr
    finally:
        gateway.topo.stop(server)


def test_reapply_changes_range_and_failed_reapply_rolls_back(gateway):
    assert gateway.import_config("10.44.0.100", "10.44.0.150").returncode == 0
    gateway.apply()
    first = gateway.lease()
    assert first and in_range(first["ip"], "10.44.0.100", "10.44.0.150")

    result = gateway.import_config("10.44.0.200", "10.44.0.220")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "restarted dnsmasq.service" in gateway.apply()
    second = gateway.lease()
    assert second and in_range(second["ip"], "10.44.0.200", "10.44.0.220")

    gateway.topo.listen(gateway.topo.dev, tcp=[443, 8443])
    ruleset = gateway.topo.exec(gateway.topo.dev, "nft", "list", "ruleset").stdout
    wan = gateway.topo.probe(gateway.topo.wan, WAN_DEVICE, "tcp:443", "tcp:8443")
    assert wan == {"tcp:443": True, "tcp:8443": False}

    # A change to another range and other WAN ports that adds a required container that fails.
    failing = (CONFIG.format(start="10.44.0.50", end="10.44.0.60").replace("tcp = [443]", "tcp = [8443]")
               .replace('required = ["myapp"]', 'required = ["myapp", "broken"]')
               + '\n[containers.container.broken]\nprivileged = true\n\n'
               '[containers.container.broken.Container]\nImage = "localhost/broken:1"\n')
    path = gateway.work / "failing.toml"
    path.write_text(failing)
    result = gateway.atomixd_run("import", path, "--root", gateway.root, "--service-manager", "sim",
                                 "--sim-fail", "broken", "--poll-interval-ms", "100", check=False)
    assert result.returncode == 1 and "rollback status: completed" in result.stderr, result
    out = gateway.apply()  # the appliers run again on the restored tree
    assert out.strip() == "LAN gateway files unchanged"
    assert gateway.topo.exec(gateway.topo.dev, "nft", "list", "ruleset").stdout == ruleset
    assert gateway.topo.probe(gateway.topo.wan, WAN_DEVICE, "tcp:443", "tcp:8443") == wan
    third = gateway.lease()
    assert third and in_range(third["ip"], "10.44.0.200", "10.44.0.220")


def test_lan_allowlist_keeps_dhcp_dns_and_ntp_working(gateway):
    """A restrictive LAN scope keeps the gateway's own services: the platform
    ports merged into the allowlist are enough for DHCP, DNS and NTP."""
    config = CONFIG.replace("[network.dnsmasq]", "[network.firewall.inbound.lan]\ntcp = [443]\n\n[network.dnsmasq]")
    path = gateway.work / "restrictive.toml"
    path.write_text(config.format(start="10.44.0.100", end="10.44.0.150"))
    result = gateway.atomixd_run("import", path, "--root", gateway.root, "--service-manager", "sim",
                                 "--poll-interval-ms", "100", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    gateway.apply()
    ruleset = gateway.topo.exec(gateway.topo.dev, "nft", "list", "ruleset").stdout
    assert "LAN default open" not in ruleset and "LAN allowlist" in ruleset
    lease = gateway.lease()
    assert lease and in_range(lease["ip"], "10.44.0.100", "10.44.0.150")
    assert resolve(gateway.topo, "atomixos.lab") == [GATEWAY]
    assert ntp_query(gateway, "", 15)
    gateway.topo.listen(gateway.topo.dev, tcp=[9000])
    assert gateway.topo.probe(gateway.topo.lan, GATEWAY, "tcp:9000") == {"tcp:9000": False}
