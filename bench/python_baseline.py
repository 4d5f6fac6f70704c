#!/usr/bin/python3
"""Python baseline for the AtomixOS benchmarks: tomllib + jsonschema.

The same operations as build-bench/bench/bench-parse and bench-validate, done
the obvious Python way, with the same JSON-line output (impl "python"):

  parse           tomllib.loads(bytes.decode())
  parse+validate  parse + every error of Draft202012Validator(schema).iter_errors
                  (the validator is built once, outside the loop)
  validate        like parse+validate; for a bundle (.tar.gz/.tgz/.tar.zst is
                  refused: tarfile has no zstd) every member is read first and
                  config.toml is validated. Python does no semantic checks and
                  no rendering, so it does less work than the C side.

  python_baseline.py --validate-file FILE
      Whole-process baseline for `atomixctl validate FILE`: loads the schema
      from schemas/config.schema.json, parses and validates FILE, prints one
      line per error on stderr, exits 0 valid, 1 invalid, 2 unreadable.

Run it with Debian's /usr/bin/python3 (3.11, python3-jsonschema).
"""

import sys

if sys.version_info < (3, 11):
    sys.exit("python_baseline.py: needs Python 3.11+ (tomllib); use /usr/bin/python3")

import io
import json
import os
import tarfile
import time
import tomllib

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SCHEMA = os.path.join(HERE, "..", "schemas", "config.schema.json")

# Same bounds as bench/bench-common.c.
MAX_ITERATIONS = 1 << 32
MAX_ROUNDS = 1000
CALIBRATION_FRACTION = 0.1
CONFIG_SIZED_MAX_BYTES = 256 * 1024
OPS = ("parse", "parse+validate", "validate")


def load_validator(schema_path):
    with open(schema_path, "rb") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def validate_file(path, schema_path):
    """The whole-process baseline: exit status like atomixctl validate."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
        validator = load_validator(schema_path)
    except OSError as e:
        print(f"python_baseline.py: {e}", file=sys.stderr)
        return 2
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        print(f"{path}: {e}", file=sys.stderr)
        return 1
    errors = list(validator.iter_errors(doc))
    for e in errors:
        pointer = "".join("/" + str(p) for p in e.absolute_path) or "(root)"
        print(f"{path}: {pointer}: {e.message}", file=sys.stderr)
    if errors:
        return 1
    print(f"Valid: {path}")
    return 0


def bundle_config(raw):
    """Reads every member of a bundle (as the C bundle reader does) and returns
    the config.toml bytes."""
    config = None
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:*") as tar:
        for member in tar:
            if member.isfile():
                data = tar.extractfile(member).read()
                if member.name.lstrip("./") == "config.toml":
                    config = data
    if config is None:
        raise ValueError("bundle has no config.toml")
    return config


def is_bundle(path):
    return path.endswith((".tar.gz", ".tgz", ".tar.zst", ".tar.zstd", ".tzst"))


def make_op(op, path, raw, validator):
    """Returns (function, valid) for one op on one input; function returns the
    validity (or None)."""
    if op == "parse":
        def run():
            tomllib.loads(raw.decode("utf-8"))
        return run, None
    if not is_bundle(path):
        def run():
            doc = tomllib.loads(raw.decode("utf-8"))
            return not list(validator.iter_errors(doc))
    else:
        def run():
            doc = tomllib.loads(bundle_config(raw).decode("utf-8"))
            return not list(validator.iter_errors(doc))
    return run, run()


def run_iterations(func, n):
    start = time.perf_counter()
    for _ in range(n):
        func()
    return time.perf_counter() - start


def calibrate(func, target):
    """Doubles until a run lasts a tenth of a round, then scales to a round.
    The first run doubles as the warm-up."""
    n = 1
    elapsed = run_iterations(func, n)
    while elapsed < target * CALIBRATION_FRACTION and n < MAX_ITERATIONS // 2:
        n *= 2
        elapsed = run_iterations(func, n)
    per_op = elapsed / n
    if per_op <= 0:
        return MAX_ITERATIONS
    return max(1, min(MAX_ITERATIONS, int(target / per_op)))


def median(values):
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def measure(args, path, raw, op, validator):
    func, valid = make_op(op, path, raw, validator)
    if args.iterations:
        n = args.iterations
        func()  # warm-up
    else:
        n = calibrate(func, args.target_seconds)
    rounds, cpu = [], []
    for _ in range(args.rounds):
        cpu_start = time.process_time()
        rounds.append(run_iterations(func, n))
        cpu.append(time.process_time() - cpu_start)
    per_op = median(rounds) / n
    line = {
        "impl": "python",
        "input": path,
        "bytes": len(raw),
        "op": op,
        "iterations": n,
        "rounds": args.rounds,
        "round_seconds": [round(r, 6) for r in rounds],
        "seconds_per_op": per_op,
        "cpu_seconds_per_op": median(cpu) / n,
        "mb_per_s": len(raw) / 1e6 / per_op if per_op > 0 else 0.0,
        "docs_per_s": 1.0 / per_op if per_op > 0 else 0.0,
    }
    if valid is not None:
        line["valid"] = bool(valid)
    print(json.dumps(line, separators=(",", ":")), flush=True)


def main(argv):
    if len(argv) >= 1 and argv[0] == "--validate-file":
        # Kept free of argparse: this path is timed as a whole process.
        if len(argv) != 2:
            print("usage: python_baseline.py --validate-file FILE", file=sys.stderr)
            return 2
        return validate_file(argv[1], DEFAULT_SCHEMA)

    import argparse

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="*", metavar="FILE")
    parser.add_argument("-t", "--target-seconds", type=float, default=0.5,
                        help="length of one calibrated round (default 0.5)")
    parser.add_argument("-r", "--rounds", type=int, default=5,
                        help="rounds per measurement; the median is reported (default 5)")
    parser.add_argument("-n", "--iterations", type=int, default=0,
                        help="fixed iterations per round (skips calibration)")
    parser.add_argument("-o", "--ops", default=",".join(OPS[:2]),
                        help="comma-separated ops: parse, parse+validate, validate "
                             "(default parse,parse+validate)")
    parser.add_argument("-q", "--quick", action="store_true",
                        help="smoke check: 1 round of ~0.02 s")
    parser.add_argument("--schema", default=DEFAULT_SCHEMA,
                        help="JSON Schema file (default schemas/config.schema.json)")
    parser.add_argument("--validate-file", metavar="FILE",
                        help="whole-process mode (fastest as the first argument)")
    args = parser.parse_args(argv)
    if args.validate_file:
        return validate_file(args.validate_file, args.schema)
    if not args.inputs:
        parser.error("no input files")
    if args.quick:
        args.target_seconds, args.rounds = 0.02, 1
    ops = [o for o in args.ops.split(",") if o]
    bad = [o for o in ops if o not in OPS]
    if bad or not 0 < args.target_seconds <= 60 or not 1 <= args.rounds <= MAX_ROUNDS \
            or not 0 <= args.iterations <= MAX_ITERATIONS:
        parser.error(f"bad --ops {bad} or out-of-range --target-seconds/--rounds/--iterations")
    validator = load_validator(args.schema)
    for path in args.inputs:
        with open(path, "rb") as f:
            raw = f.read()
        for op in ops:
            if op != "parse" and len(raw) > CONFIG_SIZED_MAX_BYTES:
                continue  # a big generated document is not a config
            if op != "validate" and is_bundle(path):
                continue  # only the submission op unpacks bundles
            measure(args, path, raw, op, validator)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
