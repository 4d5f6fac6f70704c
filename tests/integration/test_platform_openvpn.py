"""The OpenVPN recovery path for real: the client runs with the arguments of
data/systemd/atomix-openvpn-recovery.service (config directory moved into a
scratch directory) in the device namespace, against an OpenVPN peer in the WAN
namespace (static-key point-to-point, test only). With the device's firewall
applied, the tunnel comes up through it, SSH answers over tun0, and nothing
else does; SSH on the WAN address stays closed. Needs root and openvpn."""

import os
import re
import shlex
import shutil
import subprocess
import time

import pytest

from netns_tools import WAN_DEVICE, WAN_PEER, Topology

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not all(shutil.which(t) for t in ("ip", "nft", "openvpn")) or
    not os.path.exists("/dev/net/tun"), reason="needs root, nftables, openvpn and /dev/net/tun")


def unit_command(source_dir, config_dir):
    text = (source_dir / "data" / "systemd" / "atomix-openvpn-recovery.service").read_text()
    command = re.search(r"^ExecStart=(.*)$", text, re.M).group(1)
    command = command.replace("${ATOMIX_VPN_INTERFACE}", "tun0").replace("/data/config/openvpn", str(config_dir))
    return shlex.split(command)


def test_ssh_over_the_recovery_vpn_only(source_dir, build_dir, tmp_path):
    vpn_dir = tmp_path / "openvpn"
    vpn_dir.mkdir()
    subprocess.run(["openvpn", "--genkey", "secret", str(vpn_dir / "peer.key")], check=True, capture_output=True,
                   timeout=30)
    shutil.copy(vpn_dir / "peer.key", vpn_dir / "static.key")
    (vpn_dir / "client.conf").write_text(f"remote {WAN_PEER} 1194\nifconfig 10.8.0.1 10.8.0.2\n"
                                         "secret static.key 1\ncipher AES-256-CBC\nverb 3\n")
    root = tmp_path / "data"
    (root / "config").mkdir(parents=True)
    (root / "config" / "config.toml").write_text("version = 1\n")
    (root / "config" / "firewall-inbound.json").write_text('{"wan": {"tcp": [443]}}')
    with Topology("10.44.0.1/24") as topo:
        applied = topo.exec(topo.dev, build_dir / "src" / "atomixd" / "atomixd", "apply-firewall", "--root", root,
                            check=False)
        assert applied.returncode == 0, applied.stderr
        topo.spawn(topo.wan, "openvpn", "--dev", "tun0", "--ifconfig", "10.8.0.2", "10.8.0.1", "--secret",
                   vpn_dir / "peer.key", "0", "--cipher", "AES-256-CBC", "--lport", "1194", "--verb", "3")
        client = topo.spawn(topo.dev, *unit_command(source_dir, vpn_dir))
        up = False
        for _ in range(100):
            if topo.exec(topo.dev, "busybox", "ping", "-c", "1", "-W", "1", "10.8.0.2", check=False).returncode == 0:
                up = True
                break
            time.sleep(0.1)
        assert up, client.poll()
        topo.listen(topo.dev, tcp=[22, 443, 8080])
        assert topo.probe(topo.wan, "10.8.0.1", "tcp:22", "tcp:443", "tcp:8080") == {
            "tcp:22": True, "tcp:443": False, "tcp:8080": False}
        assert topo.probe(topo.wan, WAN_DEVICE, "tcp:22", "tcp:443") == {"tcp:22": False, "tcp:443": True}
