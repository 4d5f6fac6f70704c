"""Shared helpers for bench/parse, bench/validate and bench/apply (stdlib only)."""

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
PYTHON = "/usr/bin/python3"  # Debian's: has tomllib and python3-jsonschema
DEFAULT_BUILD_DIR = os.environ.get("ATOMIX_BENCH_BUILD_DIR", os.path.join(ROOT, "build-bench"))
TARGETS = ("bench/bench-parse", "bench/bench-validate", "bench/bench-inflate", "bench/bench-mhd-floor",
           "src/atomixctl/atomixctl", "src/atomixd/atomixd")


def die(message):
    print(f"{os.path.basename(sys.argv[0])}: {message}", file=sys.stderr)
    sys.exit(2)


def ensure_build(build_dir, quiet=False):
    """Configures build_dir as a release build when it does not exist, then
    brings the benchmark targets up to date. Refuses any other build type."""
    if not os.path.exists(os.path.join(build_dir, "build.ninja")):
        run_checked(["meson", "setup", build_dir, "-Dbuildtype=release"], quiet)
    out = subprocess.run(["meson", "introspect", build_dir, "--buildoptions"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    options = {o["name"]: o["value"] for o in json.loads(out)}
    if options.get("buildtype") != "release" or options.get("fuzzing") or options.get("failpoints"):
        die(f"{build_dir} is not a plain release build (buildtype={options.get('buildtype')}); "
            "use a fresh dir: meson setup build-bench -Dbuildtype=release")
    run_checked(["ninja", "-C", build_dir] + list(TARGETS), quiet)
    return options


def run_checked(cmd, quiet=False):
    result = subprocess.run(cmd, cwd=ROOT, capture_output=quiet, text=True)
    if result.returncode != 0:
        if quiet:
            sys.stderr.write(result.stdout + result.stderr)
        die(f"failed: {' '.join(cmd)}")


def check_python():
    if not os.access(PYTHON, os.X_OK):
        die(f"{PYTHON} not found (scripts/install-deps bench)")
    probe = subprocess.run([PYTHON, "-c", "import tomllib, jsonschema"], capture_output=True, text=True)
    if probe.returncode != 0:
        die(f"{PYTHON} lacks tomllib or jsonschema (scripts/install-deps bench): {probe.stderr.strip()}")


def json_lines(cmd):
    """Runs a harness and returns its JSON lines; dies on failure."""
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        die(f"failed ({result.returncode}): {' '.join(cmd)}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def one_round(cmd, op, path, extra):
    """Runs one round of one harness op in a process of its own; returns its
    JSON line. Dies unless the harness printed exactly one line for @op and
    that line does not report the input invalid."""
    lines = [line for line in json_lines(cmd + ["--ops", op, "--rounds", "1"] + extra + [path]) if line["op"] == op]
    if len(lines) != 1 or lines[0].get("valid") is False:
        die(f"{' '.join(cmd)} --ops {op} {path}: expected one valid result line, got {lines}")
    return lines[0]


def interleaved_rounds(series, path, rounds, target_seconds):
    """Measures every series on @path side by side. @series maps a key to
    (harness command, op). Each series is calibrated once to rounds of about
    @target_seconds (discarded); then @rounds rounds run, one process each,
    forward on even rounds and reversed on odd ones, so a change in machine
    load touches every series alike. Returns {key: [JSON line per round]}."""
    iterations = {key: one_round(cmd, op, path, ["--target-seconds", str(target_seconds)])["iterations"]
                  for key, (cmd, op) in series.items()}
    keys = list(series)
    per = {key: [] for key in keys}
    for r in range(rounds):
        for key in keys if r % 2 == 0 else reversed(keys):
            cmd, op = series[key]
            per[key].append(one_round(cmd, op, path, ["--iterations", str(iterations[key])]))
    return per


def median(values):
    return statistics.median(values)


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100)."""
    s = sorted(values)
    if not s:
        return float("nan")
    rank = max(1, -(-len(s) * p // 100))
    return s[int(rank) - 1]


def fmt_time(seconds):
    if seconds >= 1:
        return f"{seconds:.3f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds * 1e6:.2f} µs"


def fmt_rate(per_second):
    return f"{per_second:,.0f}" if per_second >= 100 else f"{per_second:.2f}"


def table(headers, rows):
    """A Markdown table (also readable in a terminal)."""
    cells = [list(map(str, headers))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(cells[0], widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in cells[1:]]
    return "\n".join(lines)


def machine_summary():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open("/proc/loadavg") as f:
            load = " ".join(f.read().split()[:3])
    except OSError:
        load = "?"
    return f"cpu={cpu} cores={os.cpu_count()} kernel={platform.release()} loadavg={load}"


def which(name):
    return shutil.which(name)
