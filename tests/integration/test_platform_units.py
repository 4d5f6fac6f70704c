"""data/systemd/: every unit passes `systemd-analyze verify` (silent, exit 0)
under a root holding the host's system units and stub binaries for atomixd and
openvpn, and no unit's `systemd-analyze security` exposure is above the value
docs/platform.md reports for it (a loosened unit must update the docs)."""

import re
import shutil
import subprocess

import pytest

from conftest import COMMAND_TIMEOUT

pytestmark = pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")


@pytest.fixture(scope="module")
def unit_root(tmp_path_factory, source_dir):
    root = tmp_path_factory.mktemp("unit-root")
    for stub in ("usr/bin/atomixd", "usr/sbin/openvpn"):
        path = root / stub
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/bin/sh\nexit 0\n")
        path.chmod(0o755)
    shutil.copytree("/usr/lib/systemd/system", root / "usr" / "lib" / "systemd" / "system", symlinks=True)
    (root / "etc" / "systemd" / "system").mkdir(parents=True)
    for unit in (source_dir / "data" / "systemd").iterdir():
        shutil.copy(unit, root / "etc" / "systemd" / "system" / unit.name)
    return root


def units(source_dir):
    return sorted(p.name for p in (source_dir / "data" / "systemd").iterdir())


def verify(root, name):
    result = subprocess.run(["systemd-analyze", "verify", f"--root={root}", f"/etc/systemd/system/{name}"],
                            capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False)
    return result.returncode, (result.stdout + result.stderr).strip()


def test_every_unit_verifies(unit_root, source_dir):
    names = units(source_dir)
    assert {"atomixd.service", "atomix-recover.service", "atomix-apply-firewall.service",
            "atomix-apply-lan.service", "atomix-apply-users.service", "atomix-sync-quadlet.service",
            "atomix-ssh-wan.path", "atomix-openvpn-recovery.service", "atomix-confirm-health.service"} <= set(names)
    problems = [(name, *verify(unit_root, name)) for name in names]
    assert [p for p in problems if p[1] != 0 or p[2]] == []


def test_api_binds_its_own_listeners(source_dir):
    """No socket unit may hold the bootstrap port: it would keep 0.0.0.0:8080 open
    after the daemon narrowed to the LAN gateway and block that bind
    (test_platform_bootstrap_api.py shows the narrowing in namespaces)."""
    assert not [n for n in units(source_dir) if n.endswith(".socket")]
    service = (source_dir / "data" / "systemd" / "atomixd.service").read_text()
    assert "Type=notify" in service and ".socket" not in service.split("[Service]")[0].split("\n[Unit]")[-1]


def test_verify_catches_a_broken_unit(unit_root):
    (unit_root / "etc" / "systemd" / "system" / "broken.service").write_text(
        "[Service]\nType=bogus\nExecStart=/usr/bin/nonexistent\n")
    rc, output = verify(unit_root, "broken.service")
    assert rc != 0 and "nonexistent" in output


def test_appliers_match_the_names_activation_restarts(source_dir):
    header = (source_dir / "src" / "core" / "render" / "rendered_files.h").read_text()
    for unit in re.findall(r'#define ATX_APPLIER_\w+ "([^"]+)"', header):
        assert (source_dir / "data" / "systemd" / unit).exists(), unit


def test_openvpn_recovery_is_conditional_on_the_operator_file(source_dir):
    text = (source_dir / "data" / "systemd" / "atomix-openvpn-recovery.service").read_text()
    assert "ConditionPathExists=/data/config/openvpn/client.conf" in text
    # The tunnel and the firewall's VPN rule use the same configured interface name.
    assert "--dev ${ATOMIX_VPN_INTERFACE}" in text
    firewall = (source_dir / "data" / "systemd" / "atomix-apply-firewall.service").read_text()
    assert "--vpn-interface ${ATOMIX_VPN_INTERFACE}" in firewall
    for unit in (text, firewall):
        assert "ATOMIX_VPN_INTERFACE=tun0" in unit and "EnvironmentFile=-/etc/atomix/interfaces.env" in unit


def test_exposure_not_above_documented(unit_root, source_dir):
    documented = dict(re.findall(r"^\| `([\w@.-]+\.service)` \| ([\d.]+) \|", (source_dir / "docs" / "platform.md")
                                 .read_text(), re.M))
    for name in units(source_dir):
        if not name.endswith(".service"):
            continue
        result = subprocess.run(["systemd-analyze", "security", "--offline=yes", f"--root={unit_root}", name],
                                capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False)
        match = re.search(r"Overall exposure level for \S+: ([\d.]+)", result.stdout)
        assert match, result.stdout + result.stderr
        assert name in documented, f"{name} has no exposure row in docs/platform.md"
        assert float(match.group(1)) <= float(documented[name]), (name, match.group(1), documented[name])
