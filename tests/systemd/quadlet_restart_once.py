#!/usr/bin/env python3
"""One container change restarts its unit once during an activation.

Runs under tests/systemd/user-manager (a private `systemd --user`). Activation
(`atomixd import --service-manager systemd`) restarts
atomix-sync-quadlet.service when container files change and then restarts
the changed container units itself. Here that unit runs the real
`atomixd sync-quadlet` with the ExecStart of the shipped
data/systemd/atomix-sync-quadlet.service (paths moved into a scratch
directory, the test's bus added), so both restart paths are real; web.service
is a stand-in that counts its starts. Checks:

  1. initial provisioning starts web.service exactly once;
  2. a re-apply changing web's container file restarts it exactly once more;
  3. a re-apply changing nothing of web's restarts it not at all;
  4. the shipped boot unit's command (atomix-sync-quadlet-boot.service, no
     activation around it) restarts a unit whose file changed, once: the
     control that restarts in sync-quadlet are counted too.

usage: quadlet_restart_once.py SOURCE_DIR ATOMIXD [--tap]    (prints TAP)
"""
import os
import shlex
import subprocess
import sys
import time

from private_manager import ADMIN_KEY, occurrences, run_tap

COMMAND_TIMEOUT = 120


def config(image_tag, extra_setting=""):
    return "\n".join([
        "version = 1", "[users.admin]", "isAdmin = true", f'ssh_key = "{ADMIN_KEY}"', extra_setting,
        "[activation]", 'required = ["web"]', "timeout_seconds = 20",
        "[containers.container.web]", "privileged = false",
        "[containers.container.web.Container]", f'Image = "docker.io/library/web:{image_tag}"']) + "\n"


def shipped_command(source, unit, atomixd, root, extra):
    """ExecStart of a shipped unit with the binary, /data and the test's manager swapped in."""
    with open(os.path.join(source, "data", "systemd", unit), encoding="utf-8") as f:
        line = next(l for l in f if l.startswith("ExecStart="))
    argv = shlex.split(line[len("ExecStart="):])
    assert argv[0] == "/usr/bin/atomixd", argv
    return [atomixd] + [root if a == "/data" else a for a in argv[1:]] + extra


def starts(log):
    return occurrences(log, "start")


def starts_settled(log, expected, seconds=10):
    """The count once it reached @expected (a simple service's shell may write
    just after the restart returned), or after @seconds."""
    deadline = time.monotonic() + seconds
    while starts(log) < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # a second, unwanted start would show up here
    return starts(log)


def scenarios(source, atomixd, manager, tap, work):
    root = os.path.join(work, "root")
    web_log = os.path.join(work, "web.log")
    options = manager.atomixd_args("--app-user", "root")
    sync_extra = ["--rootful-dir", os.path.join(work, "rootful"), "--rootless-dir", os.path.join(work, "rootless"),
                  *options]
    sync = shipped_command(source, "atomix-sync-quadlet.service", atomixd, root, sync_extra)
    manager.install_units({
        "atomix-apply-users.service": "[Service]\nType=oneshot\nExecStart=/bin/true\n",
        "atomix-apply-lan.service": "[Service]\nType=oneshot\nExecStart=/bin/true\n",
        "atomix-apply-firewall.service": "[Service]\nType=oneshot\nExecStart=/bin/true\n",
        "atomix-sync-quadlet.service": "[Service]\nType=oneshot\nExecStart=" + shlex.join(sync) + "\n",
        "web.service": f"[Service]\nType=simple\nExecStart=/bin/sh -c 'echo start >> {web_log}; exec sleep 600'\n",
    })

    def apply(name, text):
        path = os.path.join(work, name)
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
        return subprocess.run([atomixd, "import", path, "--root", root, *options, "--poll-interval-ms", "200"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=COMMAND_TIMEOUT)

    tap.check("--no-restart" in sync, "the unit activation restarts syncs with --no-restart", sync)
    first = apply("a.toml", config("1"))
    tap.check(first.returncode == 0 and starts_settled(web_log, 1) == 1,
              f"initial provisioning starts web.service once (started {starts(web_log)}x)", first.stdout)
    second = apply("b.toml", config("2"))
    tap.check(second.returncode == 0 and starts_settled(web_log, 2) == 2,
              f"a changed container file restarts web.service once (started {starts(web_log)}x in all)",
              second.stdout)
    third = apply("c.toml", config("2", "[network.firewall.inbound.wan]\ntcp = [443]"))
    tap.check(third.returncode == 0 and starts_settled(web_log, 3, seconds=1) == 2,
              f"a re-apply not touching web restarts it not at all (started {starts(web_log)}x in all)",
              third.stdout)

    rootless = os.path.join(work, "rootless", "web.container")
    with open(rootless, "a", encoding="utf-8") as f:
        f.write("# a file the last sync did not leave\n")
    boot = subprocess.run(shipped_command(source, "atomix-sync-quadlet-boot.service", atomixd, root, sync_extra),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=COMMAND_TIMEOUT)
    tap.check(boot.returncode == 0 and starts_settled(web_log, 3) == 3 and "restarted web.service" in boot.stdout,
              f"the boot unit's sync restarts a changed unit itself, once (started {starts(web_log)}x in all)",
              boot.stdout)


def main(argv):
    source, atomixd = argv[1], os.path.abspath(argv[2])
    return run_tap("atomix-restart-once-", lambda manager, tap, work: scenarios(source, atomixd, manager, tap, work))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
