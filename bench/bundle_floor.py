#!/usr/bin/python3
"""bench/bundle_floor.py: why the bundle row of bench/validate cannot reach 50x.

bench/validate compares C validate+render of the example bundle with the
Python baseline (tarfile + tomllib + jsonschema). 50x that baseline is a time
budget for the whole C pipeline. This script measures, side by side in one
run, that budget and the cost of only gunzipping the bundle:

  Python validate     bench/python_baseline.py --ops validate on the bundle
  C zlib-gunzip       build-bench/bench/bench-inflate: zlib inflate of the
                      gzip stream into memory (what core/bundle's decompressor calls)
  C libdeflate-gunzip the same with libdeflate, when the build found it
  C validate+render   build-bench/bench/bench-validate on the bundle
  Python zlib/tarfile zlib.decompress and a tarfile read of the same bytes

The harness rounds interleave as in bench/validate (benchlib.interleaved_rounds);
medians of process CPU time.

usage: bench/bundle_floor.py [--quick] [--build-dir DIR]
"""
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import zlib

sys.dont_write_bytecode = True  # keep bench/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

TARGET = 50.0


def python_seconds(call, iterations, rounds):
    times = []
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(iterations):
            call()
        times.append((time.process_time() - start) / iterations)
    return bl.median(times)


def python_inflate_and_tarfile(data, scale, rounds):
    def inflate():
        zlib.decompress(data, 16 + zlib.MAX_WBITS)

    def read_tar():
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in archive.getmembers():
                if member.isfile():
                    archive.extractfile(member).read()

    return (python_seconds(inflate, 20000 // scale, rounds), python_seconds(read_tar, 3000 // scale, rounds))


def main(argv):
    if "--help" in argv or "-h" in argv:
        print(__doc__)
        return 0
    quick = "--quick" in argv
    build_dir = argv[argv.index("--build-dir") + 1] if "--build-dir" in argv else bl.DEFAULT_BUILD_DIR
    scale, rounds, target = (10, 3, 0.05) if quick else (1, 7, 0.5)
    bl.check_python()
    bl.ensure_build(build_dir, quiet=True)
    print(f"# {bl.machine_summary()}")
    with tempfile.TemporaryDirectory() as scratch:
        bundle = os.path.join(scratch, "bundle.tar.gz")
        subprocess.run([os.path.join(bl.ROOT, "scripts", "make-bundle"), os.path.join(bl.ROOT, "examples", "bundle"),
                        bundle], check=True)
        data = open(bundle, "rb").read()
        inflate_cmd = [os.path.join(build_dir, "bench", "bench-inflate")]
        ops = [op.split()[0] for op in subprocess.run(inflate_cmd + ["--list-ops"], capture_output=True, text=True,
                                                      check=True).stdout.splitlines() if op.strip()]
        series = [("Python validate (tarfile + tomllib + jsonschema)",
                   [bl.PYTHON, os.path.join(bl.BENCH, "python_baseline.py")], "validate"),
                  ("C validate+render", [os.path.join(build_dir, "bench", "bench-validate")], "validate+render")]
        series += [(f"C {op} only", inflate_cmd, op) for op in ops]
        per = bl.interleaved_rounds({label: (cmd, op) for label, cmd, op in series}, bundle, rounds, target)
        results = {label: bl.median([line["cpu_seconds_per_op"] for line in lines]) for label, lines in per.items()}
    py_inflate, py_tarfile = python_inflate_and_tarfile(data, scale, rounds)
    budget = results[series[0][0]] / TARGET
    print(f"example bundle: {len(data)} bytes gzip, {len(zlib.decompress(data, 16 + zlib.MAX_WBITS))} bytes tar")
    rows = [(label, bl.fmt_time(seconds)) for label, seconds in results.items()]
    rows += [("Python zlib.decompress only", bl.fmt_time(py_inflate)),
             ("Python tarfile read only", bl.fmt_time(py_tarfile)),
             (f"budget: Python validate / {TARGET:g}", bl.fmt_time(budget))]
    print(bl.table(["what (median process CPU per op)", "time"], rows))
    for label, seconds in results.items():
        if label.endswith(" only"):
            print(f"{label}: {100 * seconds / budget:.0f}% of the {TARGET:g}x budget")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
