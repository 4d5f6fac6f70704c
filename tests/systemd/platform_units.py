#!/usr/bin/env python3
"""The dependency wiring of data/systemd/ on a real systemd manager.

Runs under tests/systemd/user-manager (a private `systemd --user`). The
shipped units are installed with their [Unit], [Path] and [Install] sections
as written (paths under /data/config moved into a scratch directory) and
their [Service] reduced to Type/RemainAfterExit plus an ExecStart that only
records that it ran: the programs themselves are tested elsewhere, this is
about when systemd runs them. Checks:

  1. atomix-apply-firewall.service is PartOf= nftables.service: restarting the
     platform's nftables service (which flushes the ruleset) runs the applier
     again, so provisioned rules cannot stay missing;
  2. atomix-ssh-wan.path runs the firewall re-apply when the toggle file is
     created and again when it is removed;
  3. atomix-openvpn-recovery.service does not run without
     /data/config/openvpn/client.conf, and atomix-openvpn-recovery.path starts
     it as soon as the file appears;
  4. `atomixd apply-lan --service-manager systemd` restarts dnsmasq, chronyd
     and systemd-networkd (stand-in units) on the first run, nothing on a
     second identical run, and only chronyd when only the NTP servers change;
  5. `atomixd sync-quadlet --service-manager systemd` restarts the units of
     the synced files and exits 1 naming the one that failed.

usage: platform_units.py SOURCE_DIR ATOMIXD [--tap]    (prints TAP)
"""
import json
import os
import shutil
import subprocess
import sys
import time

from private_manager import occurrences, run_tap

SHIPPED = ["atomix-apply-firewall.service", "atomix-ssh-wan.path", "atomix-ssh-wan.service",
           "atomix-openvpn-recovery.service", "atomix-openvpn-recovery.path"]
KEEP_SERVICE_KEYS = ("RemainAfterExit=",)


def adapt(text, config_dir, log):
    """The unit with /data/config moved and [Service] reduced to a recorder."""
    out, section = [], None
    for line in text.replace("/data/config", config_dir).splitlines():
        if line.startswith("["):
            section = line
            out.append(line)
            if section == "[Service]":
                out.append(f"ExecStart=/bin/sh -c 'echo run >> {log}; exec sleep 600'"
                           if "openvpn" in log else f"ExecStart=/bin/sh -c 'echo run >> {log}'")
                out.append("Type=simple" if "openvpn" in log else "Type=oneshot")
            continue
        if section == "[Service]" and not line.startswith(KEEP_SERVICE_KEYS):
            continue
        if line.startswith("RequiresMountsFor="):
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def runs(log):
    return occurrences(log, "run")


def wait_for(predicate, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def recorder(manager, name, log, command="true"):
    manager.install_units({name: f"[Service]\nType=oneshot\nExecStart=/bin/sh -c 'echo run >> {log}; {command}'\n"})


def check_apply_lan(tap, source, atomixd, manager, work):
    units = {"dnsmasq.service": None, "chronyd.service": None, "systemd-networkd.service": None}
    for name in units:
        units[name] = os.path.join(work, name + ".log")
        recorder(manager, name, units[name])
    manager.systemctl("daemon-reload")
    root, etc = os.path.join(work, "lan-root"), os.path.join(work, "etc")
    os.makedirs(os.path.join(root, "config"))
    os.makedirs(etc)
    settings = os.path.join(root, "config", "lan-settings.json")
    shutil.copy(os.path.join(source, "tests", "golden", "full", "tree", "lan-settings.json"), settings)

    def apply():
        return subprocess.run([atomixd, "apply-lan", "--root", root, "--etc", etc, "--sys", work,
                               *manager.atomixd_args()],
                              capture_output=True, text=True, timeout=120)

    def counts():
        return {name: runs(log) for name, log in units.items()}

    first = apply()
    tap.check(first.returncode == 0 and counts() == dict.fromkeys(units, 1),
              "apply-lan restarts dnsmasq, chronyd and networkd through systemd", first.stdout + first.stderr)
    second = apply()
    tap.check(second.returncode == 0 and counts() == dict.fromkeys(units, 1),
              "an identical second apply-lan restarts nothing", second.stdout + str(counts()))
    with open(settings, encoding="utf-8") as f:
        text = f.read()
    with open(settings, "w", encoding="utf-8") as f:
        f.write(text.replace('"time.cloudflare.com"', '"ntp.example.org"'))
    third = apply()
    tap.check(third.returncode == 0 and counts() == {"dnsmasq.service": 1, "chronyd.service": 2,
                                                     "systemd-networkd.service": 1},
              "changing only the NTP servers restarts only chronyd", third.stdout + str(counts()))


def check_sync_quadlet(tap, atomixd, manager, work):
    good, bad = os.path.join(work, "good.log"), os.path.join(work, "bad.log")
    recorder(manager, "good.service", good)
    recorder(manager, "bad.service", bad, "exit 1")
    root = os.path.join(work, "quadlet-root")
    os.makedirs(os.path.join(root, "config", "quadlet"))
    units = []
    for name in ("good", "bad"):
        with open(os.path.join(root, "config", "quadlet", name + ".container"), "w", encoding="utf-8") as f:
            f.write(f"[Container]\nImage=localhost/{name}:1\n")
        units.append({"name": name, "filename": name + ".container", "service": name + ".service",
                      "mode": "rootful"})
    with open(os.path.join(root, "config", "quadlet-runtime.json"), "w", encoding="utf-8") as f:
        json.dump({"app_user": "root", "rootless_network": "pasta", "units": units}, f)
    result = subprocess.run([atomixd, "sync-quadlet", "--root", root, "--rootful-dir", os.path.join(work, "rootful"),
                             "--rootless-dir", os.path.join(work, "rootless"), *manager.atomixd_args()],
                            capture_output=True, text=True, timeout=120)
    tap.check(result.returncode == 1 and "bad.service (rootful)" in result.stderr and "good.service" not in
              result.stderr and runs(good) == 1 and runs(bad) == 1,
              "sync-quadlet restarts the synced units and exits 1 naming the failed one",
              result.stdout + result.stderr)


def scenarios(source, atomixd, manager, tap, work):
    config = os.path.join(work, "config")
    os.makedirs(config)
    logs = {"atomix-apply-firewall.service": os.path.join(work, "firewall.log"),
            "atomix-ssh-wan.service": os.path.join(work, "ssh-wan.log"),
            "atomix-openvpn-recovery.service": os.path.join(work, "openvpn.log")}
    units = {"nftables.service": "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n"}
    for name in SHIPPED:
        with open(os.path.join(source, "data", "systemd", name), encoding="utf-8") as f:
            units[name] = adapt(f.read(), config, logs.get(name, os.devnull))
    manager.install_units(units)
    systemctl = manager.systemctl

    def active(unit):
        return systemctl("is-active", unit).stdout.strip() == "active"

    systemctl("daemon-reload")
    systemctl("start", "nftables.service")
    started = systemctl("start", "atomix-apply-firewall.service")
    fw = logs["atomix-apply-firewall.service"]
    tap.check(started.returncode == 0 and runs(fw) == 1, "the firewall applier runs", started.stderr)
    systemctl("restart", "nftables.service")
    tap.check(wait_for(lambda: runs(fw) == 2), "restarting nftables.service runs the firewall applier again",
              f"runs={runs(fw)}")

    systemctl("start", "atomix-ssh-wan.path")
    toggle = os.path.join(config, "ssh-wan-enabled")
    ssh = logs["atomix-ssh-wan.service"]
    open(toggle, "w").close()
    tap.check(wait_for(lambda: runs(ssh) == 1), "creating ssh-wan-enabled re-applies the firewall",
              f"runs={runs(ssh)}")
    time.sleep(0.5)
    os.unlink(toggle)
    tap.check(wait_for(lambda: runs(ssh) == 2), "removing ssh-wan-enabled re-applies the firewall",
              f"runs={runs(ssh)}")

    vpn = logs["atomix-openvpn-recovery.service"]
    systemctl("start", "atomix-openvpn-recovery.service")
    condition = systemctl("show", "-P", "ConditionResult", "atomix-openvpn-recovery.service").stdout.strip()
    tap.check(runs(vpn) == 0 and not active("atomix-openvpn-recovery.service") and condition == "no",
              "the recovery VPN does not run without client.conf", f"runs={runs(vpn)} condition={condition}")
    systemctl("start", "atomix-openvpn-recovery.path")
    os.makedirs(os.path.join(config, "openvpn"))
    with open(os.path.join(config, "openvpn", "client.conf"), "w", encoding="utf-8") as f:
        f.write("client\n")
    tap.check(wait_for(lambda: runs(vpn) == 1 and active("atomix-openvpn-recovery.service")),
              "placing client.conf starts the recovery VPN", f"runs={runs(vpn)}")
    systemctl("stop", "atomix-openvpn-recovery.path", "atomix-openvpn-recovery.service", "atomix-ssh-wan.path")
    check_apply_lan(tap, source, atomixd, manager, work)
    check_sync_quadlet(tap, atomixd, manager, work)


def main(argv):
    source, atomixd = argv[1], argv[2]
    return run_tap("atomix-units-", lambda manager, tap, work: scenarios(source, atomixd, manager, tap, work))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
