"""atomixd apply-firewall against real nftables in a device namespace: probes
from a WAN and a LAN namespace prove what the ruleset lets through (TCP and
UDP), the LAN allowlist, the bootstrap port before provisioning, the SSH-on-WAN
toggle, that forwarding is dropped, and that only the table inet atomix is
replaced. Needs root (namespaces); skipped otherwise."""

import json
import os
import shutil

import pytest

from netns_tools import WAN_DEVICE, WAN_PEER, Topology, run

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("nft") or not shutil.which("ip"),
                                reason="needs root, iproute2 and nftables")

GATEWAY = "192.168.50.1"


@pytest.fixture
def topo():
    with Topology(f"{GATEWAY}/24") as t:
        t.exec(t.lan, "ip", "addr", "add", "192.168.50.20/24", "dev", "eth0")
        yield t


def apply(topo, atomixd, root):
    result = topo.exec(topo.dev, atomixd, "apply-firewall", "--root", root, check=False)
    assert result.returncode == 0, result.stderr


def write_config(root, inbound, provisioned=True):
    config = root / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "firewall-inbound.json").write_text(json.dumps(inbound))
    if provisioned:
        (config / "config.toml").write_text("version = 1\n")


def test_wan_lan_and_bootstrap(topo, atomixd, tmp_path):
    topo.listen(topo.dev, tcp=[22, 443, 8080, 9000], udp=[1194, 9001])
    write_config(tmp_path, {}, provisioned=False)
    apply(topo, atomixd, tmp_path)
    wan = topo.probe(topo.wan, WAN_DEVICE, "tcp:8080", "tcp:443", "tcp:22", "udp:1194")
    assert wan == {"tcp:8080": True, "tcp:443": False, "tcp:22": False, "udp:1194": False}

    write_config(tmp_path, {"wan": {"tcp": [443], "udp": [1194]}})
    apply(topo, atomixd, tmp_path)
    wan = topo.probe(topo.wan, WAN_DEVICE, "tcp:8080", "tcp:443", "tcp:9000", "udp:1194", "udp:9001", "tcp:22")
    assert wan == {"tcp:8080": False, "tcp:443": True, "tcp:9000": False, "udp:1194": True, "udp:9001": False,
                   "tcp:22": False}
    lan = topo.probe(topo.lan, GATEWAY, "tcp:9000", "udp:9001", "tcp:8080", "tcp:443")
    assert all(lan.values()), lan  # LAN open without a lan scope
    assert topo.ping(topo.lan, GATEWAY)
    assert not topo.ping(topo.wan, WAN_DEVICE)


def test_lan_allowlist_keeps_platform_ports_and_ping(topo, atomixd, tmp_path):
    topo.listen(topo.dev, tcp=[22, 443, 8080, 9000], udp=[123, 9001])
    write_config(tmp_path, {"lan": {"tcp": [443]}})
    apply(topo, atomixd, tmp_path)
    lan = topo.probe(topo.lan, GATEWAY, "tcp:443", "tcp:22", "tcp:8080", "udp:123", "tcp:9000", "udp:9001")
    assert lan == {"tcp:443": True, "tcp:22": True, "tcp:8080": True, "udp:123": True, "tcp:9000": False,
                   "udp:9001": False}
    assert topo.ping(topo.lan, GATEWAY)


def test_ssh_on_wan_follows_toggle_file(topo, atomixd, tmp_path):
    topo.listen(topo.dev, tcp=[22])
    write_config(tmp_path, {})
    apply(topo, atomixd, tmp_path)
    assert topo.probe(topo.wan, WAN_DEVICE, "tcp:22") == {"tcp:22": False}
    (tmp_path / "config" / "ssh-wan-enabled").write_text("")
    apply(topo, atomixd, tmp_path)
    assert topo.probe(topo.wan, WAN_DEVICE, "tcp:22") == {"tcp:22": True}
    (tmp_path / "config" / "ssh-wan-enabled").unlink()
    apply(topo, atomixd, tmp_path)
    assert topo.probe(topo.wan, WAN_DEVICE, "tcp:22") == {"tcp:22": False}


def test_forwarding_dropped(topo, atomixd, tmp_path):
    topo.exec(topo.dev, "sysctl", "-qw", "net.ipv4.ip_forward=1")
    topo.exec(topo.lan, "ip", "route", "add", "default", "via", GATEWAY)
    topo.exec(topo.wan, "ip", "route", "add", "192.168.50.0/24", "via", WAN_DEVICE)
    topo.listen(topo.wan, tcp=[9000])
    # Control: with no ruleset the device routes LAN -> WAN, so a drop below is the firewall's.
    assert topo.probe(topo.lan, WAN_PEER, "tcp:9000") == {"tcp:9000": True}
    write_config(tmp_path, {"wan": {"tcp": [443]}})
    apply(topo, atomixd, tmp_path)
    assert topo.probe(topo.lan, WAN_PEER, "tcp:9000") == {"tcp:9000": False}


def test_replaces_only_its_table_and_is_idempotent(topo, atomixd, tmp_path):
    topo.exec(topo.dev, "nft", "add", "table", "ip", "other")
    write_config(tmp_path, {"wan": {"tcp": [443]}})
    apply(topo, atomixd, tmp_path)
    first = topo.exec(topo.dev, "nft", "list", "table", "inet", "atomix").stdout
    apply(topo, atomixd, tmp_path)
    assert topo.exec(topo.dev, "nft", "list", "table", "inet", "atomix").stdout == first
    assert "table ip other" in topo.exec(topo.dev, "nft", "list", "tables").stdout
    # A platform nftables reload flushes everything; applying again restores the table
    # (atomix-apply-firewall.service is PartOf= nftables.service for that).
    topo.exec(topo.dev, "nft", "flush", "ruleset")
    apply(topo, atomixd, tmp_path)
    assert topo.exec(topo.dev, "nft", "list", "table", "inet", "atomix").stdout == first


def test_bad_input_changes_nothing(topo, atomixd, tmp_path):
    write_config(tmp_path, {"wan": {"tcp": [443]}})
    apply(topo, atomixd, tmp_path)
    before = topo.exec(topo.dev, "nft", "list", "ruleset").stdout
    (tmp_path / "config" / "firewall-inbound.json").write_text('{"wan": {"tcp": [70000]}}')
    result = topo.exec(topo.dev, atomixd, "apply-firewall", "--root", tmp_path, check=False)
    assert result.returncode == 1
    assert "expected port integer in range 1..65535 at firewall-inbound.wan.tcp[0]" in result.stderr
    assert topo.exec(topo.dev, "nft", "list", "ruleset").stdout == before


def test_dry_run_prints_and_installs_nothing(topo, atomixd, tmp_path):
    write_config(tmp_path, {"wan": {"udp": [1194]}})
    result = topo.exec(topo.dev, atomixd, "apply-firewall", "--root", tmp_path, "--dry-run")
    assert 'iifname "eth0" udp dport 1194 accept' in result.stdout
    assert topo.exec(topo.dev, "nft", "list", "ruleset").stdout.strip() == ""


def test_vpn_interface_allows_ssh_only(topo, atomixd, tmp_path):
    # A veth end named tun0 stands in for OpenVPN's tunnel: the rules match by name.
    peer, end = f"v{topo.dev[4:]}"[:15], f"t{topo.dev[4:]}"[:15]
    run("ip", "link", "add", peer, "type", "veth", "peer", "name", end)
    run("ip", "link", "set", peer, "netns", topo.wan)
    run("ip", "link", "set", end, "netns", topo.dev)
    topo.exec(topo.dev, "ip", "link", "set", end, "name", "tun0")
    topo.exec(topo.dev, "ip", "addr", "add", "10.8.0.1/24", "dev", "tun0")
    topo.exec(topo.wan, "ip", "addr", "add", "10.8.0.2/24", "dev", peer)
    topo.exec(topo.dev, "ip", "link", "set", "tun0", "up")
    topo.exec(topo.wan, "ip", "link", "set", peer, "up")
    topo.listen(topo.dev, tcp=[22, 443, 8080])
    write_config(tmp_path, {"wan": {"tcp": [443]}})
    apply(topo, atomixd, tmp_path)
    assert topo.probe(topo.wan, "10.8.0.1", "tcp:22", "tcp:443", "tcp:8080") == {
        "tcp:22": True, "tcp:443": False, "tcp:8080": False}
    assert topo.probe(topo.wan, WAN_DEVICE, "tcp:22") == {"tcp:22": False}


def test_missing_libnftables_is_a_clear_error_naming_the_package(topo, atomixd, tmp_path):
    # libnftables is loaded on first use (nft_dl.h); still inside the namespace,
    # so a loader that ignored the override could not touch the host's ruleset.
    write_config(tmp_path, {"wan": {"tcp": [443]}})
    result = topo.exec(topo.dev, "env", "ATOMIX_TEST_LIBNFTABLES_SONAME=libnftables-absent.so.1", atomixd,
                       "apply-firewall", "--root", tmp_path, check=False)
    assert result.returncode == 1, result.stderr
    assert "libnftables-absent.so.1 is not available (" in result.stderr
    assert "; install the Debian package libnftables1 to apply the firewall" in result.stderr
    assert topo.exec(topo.dev, "nft", "list", "ruleset").stdout.strip() == ""
