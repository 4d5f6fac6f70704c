#!/usr/bin/env python3
"""End-to-end activation against a real systemd manager.

Runs under tests/systemd/user-manager, which provides a private `systemd --user`
manager ($ATOMIX_TEST_BUS_ADDRESS, unit dir $ATOMIX_TEST_UNIT_DIR). The
platform appliers and the containers' services are stand-in units with the
names activation uses (Podman is not on these machines; the Quadlet files are
checked by the generator elsewhere). Scenarios, each through `atomixd import
--service-manager systemd`:

  1. initial provisioning of a healthy container: succeeds;
  2. a re-apply adding a container that exits 1: rolls back, rollback_status
     "completed", the old tree is active again and its unit still runs;
  3. a re-apply adding a container that keeps crashing and being restarted by
     systemd: health polling until the deadline, then the same rollback;
  4. a re-apply adding a container whose start job never finishes (a notify
     service that never reports ready): the restart gives up at the deadline,
     then the same rollback.

usage: activation_e2e.py ATOMIXD [--tap]    (prints TAP)
"""
import glob
import json
import os
import subprocess
import sys

from private_manager import ADMIN_KEY, run_tap

UNITS = {
    # Appliers: the device's real ones rewrite /etc; here they only succeed.
    "atomix-apply-users.service": "[Service]\nType=oneshot\nExecStart=/bin/true\n",
    "atomix-sync-quadlet.service": "[Service]\nType=oneshot\nExecStart=/bin/true\n",
    "atomix-apply-lan.service": "[Service]\nType=oneshot\nExecStart=/bin/true\n",
    "atomix-apply-firewall.service": "[Service]\nType=oneshot\nExecStart=/bin/true\n",
    "web.service": "[Service]\nType=simple\nExecStart=/bin/sleep 600\n",
    "broken.service": "[Service]\nType=simple\nExecStart=/bin/sh -c 'exit 1'\n",
    # Starts, crashes, is restarted by systemd: "activating (auto-restart)".
    "flap.service": "[Service]\nType=simple\nExecStart=/bin/sh -c 'sleep 0.05; exit 1'\nRestart=always\nRestartSec=1\n",
    # Never sends READY=1: its start job never finishes.
    "hang.service": "[Service]\nType=notify\nExecStart=/bin/sleep 600\nTimeoutStartSec=infinity\n",
}


def config(apps, timeout=30):
    lines = ["version = 1", "[users.admin]", "isAdmin = true", f'ssh_key = "{ADMIN_KEY}"',
             "[activation]", "required = [%s]" % ", ".join(f'"{a}"' for a in apps),
             f"timeout_seconds = {timeout}"]
    for app in apps:
        lines += [f"[containers.container.{app}]", "privileged = false",
                  f"[containers.container.{app}.Container]", f'Image = "docker.io/library/{app}:1"']
    return "\n".join(lines) + "\n"


def latest_job(root):
    records = sorted(glob.glob(os.path.join(root, "jobs", "*.json")), key=os.path.getmtime)
    with open(records[-1], encoding="utf-8") as record:
        return json.load(record)


def scenarios(atomixd, manager, tap, work):
    manager.install_units(UNITS)
    root = os.path.join(work, "root")
    options = manager.atomixd_args("--app-user", "root", "--poll-interval-ms", "200")

    def run(*args):
        return subprocess.run([atomixd, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=120)

    def apply(name, apps, timeout=30):
        path = os.path.join(work, name)
        with open(path, "w", encoding="utf-8") as out:
            out.write(config(apps, timeout))
        return run("import", path, "--root", root, *options)

    first = apply("a.toml", ["web"])
    tap.check(first.returncode == 0, "initial provisioning on systemd succeeds", first.stdout)
    health = run("check-health", "--root", root, *options)
    tap.check(health.returncode == 0, "web.service is active afterwards", health.stdout)
    with open(os.path.join(root, "config", "config.toml"), encoding="utf-8") as active:
        tree_a = active.read()

    broken = apply("b.toml", ["web", "broken"])
    job = latest_job(root)
    tap.check(broken.returncode == 1 and job.get("rollback_status") == "completed",
              "a container that exits 1 is rolled back (rollback_status completed)", broken.stdout)
    tap.check("broken.service (rootless)" in job.get("error", "") and "exit-code" in job.get("error", ""),
              "the job error names the unit and why", job.get("error"))
    steps = [event["step"] for event in job.get("events", [])]
    tap.check("rollback" in steps and steps.index("rollback") < len(steps) - 1,
              "rollback is followed by the re-activation of the old tree", steps)
    with open(os.path.join(root, "config", "config.toml"), encoding="utf-8") as active:
        tap.check(active.read() == tree_a, "the previous config.toml is active again")
    health = run("check-health", "--root", root, *options)
    tap.check(health.returncode == 0, "the old tree's unit still runs after the rollback", health.stdout)

    flap = apply("c.toml", ["web", "flap"], timeout=4)
    job = latest_job(root)
    probes = [e for e in job.get("events", []) if e["step"] == "health-check" and e.get("service") == "flap.service"]
    tap.check(flap.returncode == 1 and job.get("rollback_status") == "completed",
              "a container that keeps crashing is rolled back after the deadline", flap.stdout)
    tap.check(len(probes) >= 2, f"the unit was probed repeatedly ({len(probes)} probes recorded)", probes)
    error = job.get("error", "")
    tap.check("flap.service (rootless): not active within 4s" in error or "(unstable)" in error,
              "the error says it never stayed active", error)

    hang = apply("d.toml", ["web", "hang"], timeout=3)
    job = latest_job(root)
    tap.check(hang.returncode == 1 and job.get("rollback_status") == "completed",
              "a container that never reports ready is rolled back", hang.stdout)
    tap.check("hang.service (rootless): restart did not finish within the deadline" in job.get("error", ""),
              "the error says its start job did not finish", job.get("error"))
    health = run("check-health", "--root", root, *options)
    tap.check(health.returncode == 0, "after three rollbacks the first config still runs", health.stdout)


def main(argv):
    atomixd = os.path.abspath(argv[1])
    return run_tap("atomix-e2e-", lambda manager, tap, work: scenarios(atomixd, manager, tap, work))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
