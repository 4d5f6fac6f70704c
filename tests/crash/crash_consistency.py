#!/usr/bin/env python3
"""Crash consistency of ROOT/config, proven by exhaustion.

Needs an atomixd built with -Dfailpoints=true: ATOMIX_FAILPOINT=N ends the
process (exit 99) right before its N-th durable filesystem step, as a power cut
would. For each scenario (initial provisioning, re-apply, re-apply that rolls
back, re-apply of a bundle with files/) the test

  1. counts the steps of an uninterrupted run,
  2. for every N: copies the starting state, runs the import cut at step N,
     then `atomixd recover`, and checks ROOT/config equals, byte for byte (paths,
     types, modes, contents), exactly one of the old tree and the new tree; that
     no job is left running; and that the next import succeeds,
  3. for every N, also cuts the recovery itself at each of its steps M and
     recovers again, with the same checks.

A second test kills `atomixd import` with SIGKILL at random instants (bounded
loop, fixed seed) and checks the same. Output is TAP; the totals of injection
points covered are printed at the end.

The cut points of a scenario are independent of each other, so they run on
ATOMIX_CRASH_JOBS worker threads (default: one per CPU), each cut in its own
directories; the results are reported in step order whatever the order they
finish in.

usage: crash_consistency.py ATOMIXD [--quick]
"""
import concurrent.futures
import io
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tarfile
import tempfile
import time

ADMIN_KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR "
             "admin@example")
FAILPOINT_EXIT = 99
RUN_TIMEOUT = 60


def config(apps, extra_firewall=""):
    lines = ["version = 1", "[users.admin]", "isAdmin = true", f'ssh_key = "{ADMIN_KEY}"',
             "[activation]", "required = [%s]" % ", ".join(f'"{a}"' for a in apps), "timeout_seconds = 30"]
    if extra_firewall:
        lines += ["[network.firewall.inbound.wan]", extra_firewall]
    for index, app in enumerate(apps):
        lines += [f"[containers.container.{app}]", "privileged = false",
                  f"[containers.container.{app}.Container]", f'Image = "docker.io/library/{app}:1"',
                  'PublishPort = ["%d:80"]' % (10000 + index)]
    return "\n".join(lines) + "\n"


def child_environment():
    """The environment of every atomixd this test starts, without failpoint
    settings. In a sanitizer build leak checking is off for them: it costs a
    third of this test's time over thousands of short processes, and the
    same commands are leak-checked by the unit and integration suites."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATOMIX_FAILPOINT")}
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "detect_leaks=0"]))
    return env


class Runner:
    def __init__(self, atomixd, work):
        self.atomixd = atomixd
        self.work = work
        self.configs = {}

    def write_config(self, name, text):
        path = os.path.join(self.work, name)
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
        self.configs[name] = path
        return path

    def write_bundle(self, name, config_text, files):
        """A .tar.gz bundle: config.toml plus files/ (relative path -> bytes)."""
        path = os.path.join(self.work, name)
        with tarfile.open(path, "w:gz") as bundle:
            for member, data in [("config.toml", config_text.encode())] + sorted(files.items()):
                info = tarfile.TarInfo(member)
                info.size = len(data)
                info.mode = 0o644
                bundle.addfile(info, io.BytesIO(data))
        self.configs[name] = path
        return path

    def run(self, args, failpoint=None, log=None):
        env = child_environment()
        if failpoint is not None:
            env["ATOMIX_FAILPOINT"] = str(failpoint)
        if log is not None:
            env["ATOMIX_FAILPOINT_LOG"] = log
        return subprocess.run([self.atomixd] + args, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=RUN_TIMEOUT)

    def import_args(self, root, config_name, fail_unit=None):
        args = ["import", self.configs[config_name], "--root", root, "--service-manager", "sim",
                "--app-user", "root", "--poll-interval-ms", "10"]
        if fail_unit:
            args += ["--sim-fail", fail_unit]
        return args

    def count_steps(self, args, label):
        log = os.path.join(self.work, label + ".steps.log")
        if os.path.exists(log):
            os.unlink(log)
        result = self.run(args, log=log)
        with open(log, encoding="utf-8") if os.path.exists(log) else open(os.devnull) as lines:
            steps = sum(1 for _ in lines)
        return result, steps


def snapshot(directory):
    """Every entry below directory: relative path -> (kind, mode, content)."""
    tree = {}
    for dirpath, dirnames, filenames in os.walk(directory):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            info = os.lstat(path)
            relative = os.path.relpath(path, directory)
            mode = stat.S_IMODE(info.st_mode)
            if stat.S_ISLNK(info.st_mode):
                tree[relative] = ("link", mode, os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                tree[relative] = ("dir", mode, None)
            else:
                with open(path, "rb") as data:
                    tree[relative] = ("file", mode, data.read())
    return tree


def describe_difference(actual, expected):
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    changed = sorted(k for k in set(actual) & set(expected) if actual[k] != expected[k])
    return f"missing {missing[:5]}, extra {extra[:5]}, changed {changed[:5]}"


class Tap:
    def __init__(self):
        self.count = 0
        self.failed = 0

    def result(self, ok, description, detail=""):
        self.count += 1
        if not ok:
            self.failed += 1
        print(f"{'ok' if ok else 'not ok'} {self.count} - {description}")
        if not ok and detail:
            for line in detail.splitlines():
                print(f"#   {line}")
        sys.stdout.flush()


def running_jobs(root):
    jobs_dir = os.path.join(root, "jobs")
    running = []
    for name in os.listdir(jobs_dir) if os.path.isdir(jobs_dir) else []:
        if name.endswith(".json"):
            with open(os.path.join(jobs_dir, name), encoding="utf-8") as record:
                job = json.load(record)
            if job.get("state") in ("submitted", "running"):
                running.append(name)
    return running


class Scenario:
    """Starting state template + the import that changes it."""

    def __init__(self, name, runner, template, config_name, fail_unit, old_tree, new_tree):
        self.name = name
        self.runner = runner
        self.template = template
        self.config_name = config_name
        self.fail_unit = fail_unit
        self.old_tree = old_tree
        self.new_tree = new_tree

    def fresh_root(self, label):
        root = os.path.join(self.runner.work, label)
        if os.path.exists(root):
            shutil.rmtree(root)
        shutil.copytree(self.template, root, symlinks=True)
        return root

    def check(self, root, what):
        """Returns None when the root is consistent, else why not."""
        tree = snapshot(os.path.join(root, "config"))
        if tree != self.old_tree and tree != self.new_tree:
            return (f"{what}: config is neither old nor new\n"
                    f"vs old: {describe_difference(tree, self.old_tree)}\n"
                    f"vs new: {describe_difference(tree, self.new_tree)}")
        for leftover in ("config-candidate", "config-rollback", "config.atomix-promotion"):
            if os.path.lexists(os.path.join(root, leftover)):
                return f"{what}: {leftover} left behind"
        if running_jobs(root):
            return f"{what}: jobs still running: {running_jobs(root)}"
        return None

    def check_next_import_succeeds(self, root):
        result = self.runner.run(self.runner.import_args(root, "next.toml"))
        return None if result.returncode == 0 else f"next import failed: {result.stderr[-500:]}"

    def import_args(self, root):
        return self.runner.import_args(root, self.config_name, self.fail_unit)


def build_scenarios(runner):
    runner.write_config("a.toml", config(["web"], "tcp = [443]"))
    runner.write_config("b.toml", config(["web", "api"], "tcp = [443, 8443]"))
    runner.write_config("next.toml", config(["next"]))
    runner.write_bundle("b-files.tar.gz", config(["web", "api"], "tcp = [443, 8443]"),
                        {"files/web/index.html": b"<h1>b</h1>\n", "files/web/nginx.conf": b"server { listen 80; }\n",
                         "files/api/settings.json": b"{}\n"})

    empty = os.path.join(runner.work, "template-empty")
    os.makedirs(os.path.join(empty, "config", "openvpn"))
    with open(os.path.join(empty, "config", "ssh-wan-enabled"), "w") as flag:
        flag.write("")
    with open(os.path.join(empty, "config", "openvpn", "client.conf"), "w") as vpn:
        vpn.write("remote vpn.example 1194\n")
    os.chmod(os.path.join(empty, "config", "openvpn", "client.conf"), 0o600)

    provisioned = os.path.join(runner.work, "template-a")
    shutil.copytree(empty, provisioned, symlinks=True)
    result = runner.run(runner.import_args(provisioned, "a.toml"))
    assert result.returncode == 0, result.stderr

    def tree_after(template, config_name):
        root = os.path.join(runner.work, "reference-" + os.path.basename(template) + "-" + config_name)
        shutil.copytree(template, root, symlinks=True)
        outcome = runner.run(runner.import_args(root, config_name))
        assert outcome.returncode == 0, outcome.stderr
        return snapshot(os.path.join(root, "config"))

    empty_tree = snapshot(os.path.join(empty, "config"))
    a_tree = snapshot(os.path.join(provisioned, "config"))
    b_tree = tree_after(provisioned, "b.toml")
    b_files_tree = tree_after(provisioned, "b-files.tar.gz")
    return [
        Scenario("initial provisioning", runner, empty, "a.toml", None, empty_tree, a_tree),
        Scenario("re-apply", runner, provisioned, "b.toml", None, a_tree, b_tree),
        Scenario("re-apply rolled back", runner, provisioned, "b.toml", "api", a_tree, b_tree),
        Scenario("re-apply of a bundle with files/", runner, provisioned, "b-files.tar.gz", None, a_tree,
                 b_files_tree),
    ]


def cut_import_at(scenario, n):
    """Cuts the import at step n, recovers, and cuts that recovery at each of
    its steps. Returns (import cut happened, recovery points, failures)."""
    runner = scenario.runner
    root = scenario.fresh_root(f"cut-{n}")
    cut = runner.run(scenario.import_args(root), failpoint=n)
    if cut.returncode != FAILPOINT_EXIT:
        return False, 0, [f"import cut at {n}: exit {cut.returncode} instead of {FAILPOINT_EXIT}"]
    crashed = scenario.fresh_root(f"crashed-{n}")
    shutil.rmtree(crashed)
    shutil.copytree(root, crashed, symlinks=True)
    _, recover_steps = runner.count_steps(["recover", "--root", root], f"recover-{n}")
    problem = scenario.check(root, f"import cut at step {n}, then recover")
    problem = problem or scenario.check_next_import_succeeds(root)
    if problem:
        return True, 0, [problem]
    failures = []
    recovery_points = 0
    for m in range(1, recover_steps + 1):
        twice = scenario.fresh_root(f"twice-{n}")
        shutil.rmtree(twice)
        shutil.copytree(crashed, twice, symlinks=True)
        cut_recovery = runner.run(["recover", "--root", twice], failpoint=m)
        again = runner.run(["recover", "--root", twice])
        recovery_points += 1
        problem = None
        if cut_recovery.returncode != FAILPOINT_EXIT or again.returncode != 0:
            problem = f"recover cut at {m} after import cut at {n}: exits {cut_recovery.returncode}, {again.returncode}"
        problem = problem or scenario.check(twice, f"import cut at {n}, recover cut at {m}, recover")
        if problem:
            failures.append(problem)
    for label in ("cut", "crashed", "twice"):
        shutil.rmtree(os.path.join(runner.work, f"{label}-{n}"), ignore_errors=True)
    return True, recovery_points, failures


def worker_count():
    text = os.environ.get("ATOMIX_CRASH_JOBS", "")
    if text:
        return max(1, min(int(text), 32))
    return max(1, min(os.cpu_count() or 1, 8))


def exhaust(scenario, tap, quick):
    """Cuts the import at every step, and each recovery at every step."""
    runner = scenario.runner
    probe_root = scenario.fresh_root("probe")
    result, steps = runner.count_steps(scenario.import_args(probe_root), "probe")
    expected_exit = 1 if scenario.fail_unit else 0
    problem = None if result.returncode == expected_exit else f"uninterrupted run exited {result.returncode}"
    problem = problem or scenario.check(probe_root, "uninterrupted run")
    tap.result(problem is None and steps > 0, f"{scenario.name}: uninterrupted run has {steps} steps", problem or "")
    points = range(1, steps + 1) if not quick else range(1, steps + 1, 7)
    import_points = recovery_points = 0
    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=worker_count()) as pool:
        for cut, recovered, problems in pool.map(lambda n: cut_import_at(scenario, n), points):
            import_points += int(cut)
            recovery_points += recovered
            failures += problems
    tap.result(not failures, f"{scenario.name}: every cut recovers to the old or the new tree "
               f"({import_points} import points, {recovery_points} recovery points)", "\n".join(failures[:10]))
    return import_points, recovery_points


def kill_loop(scenario, tap, iterations, seed):
    """SIGKILL at random instants of a run; the same checks."""
    runner = scenario.runner
    rng = random.Random(seed)
    failures = []
    kills = 0
    env = child_environment()
    # Slow the simulated units down a little so the run is long enough to hit.
    slow = ["--sim-delay-ms", "5"]
    started = time.monotonic()
    runner.run(scenario.import_args(scenario.fresh_root("kill")) + slow)
    duration = time.monotonic() - started
    for i in range(iterations):
        root = scenario.fresh_root("kill")
        process = subprocess.Popen([runner.atomixd] + scenario.import_args(root) + slow, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, duration))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=RUN_TIMEOUT)
        recovered = runner.run(["recover", "--root", root])
        problem = None if recovered.returncode == 0 else f"recover failed: {recovered.stderr}"
        problem = problem or scenario.check(root, f"kill #{i}") or scenario.check_next_import_succeeds(root)
        if problem:
            failures.append(problem)
    tap.result(not failures, f"{scenario.name}: {iterations} random SIGKILLs ({kills} landed mid-run) recover "
               "to the old or the new tree", "\n".join(failures[:10]))
    return kills


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) >= 2 else 2
    atomixd = os.path.abspath(argv[1])
    quick = "--quick" in argv
    tap = Tap()
    # Durability is not what a killed process can show (the page cache survives
    # it); a tmpfs makes the thousands of runs fast without changing what the
    # test sees.
    scratch = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    work = tempfile.mkdtemp(prefix="atomix-crash-", dir=scratch)
    try:
        runner = Runner(atomixd, work)
        scenarios = build_scenarios(runner)
        totals = [0, 0]
        for scenario in scenarios:
            points = exhaust(scenario, tap, quick)
            totals = [t + p for t, p in zip(totals, points)]
        kills = sum(kill_loop(s, tap, 8 if quick else 25, seed=1234 + i) for i, s in enumerate(scenarios))
        print(f"1..{tap.count}")
        print(f"# injection points covered: {totals[0]} import steps, {totals[1]} recovery steps, "
              f"{kills} SIGKILLs mid-run")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
