#!/usr/bin/python3
"""bench/bundle_floor.py: what decompressing the example bundle costs by itself.

bench/validate compares C validate+render of the example bundle with Python's
tarfile + tomllib + jsonschema. This measures the floor no reader can go
below: inflating the bundle's gzip stream with zlib (the C library both
libarchive and Python's zlib module call), next to Python's tarfile read of
the same bytes. Median of 7 rounds of process CPU time.

usage: bench/bundle_floor.py [--quick]
"""
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import zlib

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def median_seconds(call, iterations, rounds=7):
    times = []
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(iterations):
            call()
        times.append((time.process_time() - start) / iterations)
    times.sort()
    return times[len(times) // 2]


def main(argv):
    if "--help" in argv or "-h" in argv:
        print(__doc__)
        return 0
    scale = 10 if "--quick" in argv else 1
    with tempfile.TemporaryDirectory() as scratch:
        bundle = os.path.join(scratch, "bundle.tar.gz")
        subprocess.run([os.path.join(TOP, "scripts", "make-bundle"), os.path.join(TOP, "examples", "bundle"), bundle],
                       check=True)
        data = open(bundle, "rb").read()
    tar_bytes = len(zlib.decompress(data, 16 + zlib.MAX_WBITS))

    def inflate():
        zlib.decompress(data, 16 + zlib.MAX_WBITS)

    def read_tar():
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in archive.getmembers():
                if member.isfile():
                    archive.extractfile(member).read()

    print(f"example bundle: {len(data)} bytes gzip, {tar_bytes} bytes tar")
    print(f"zlib inflate:         {median_seconds(inflate, 20000 // scale) * 1e6:8.2f} us")
    print(f"Python tarfile read:  {median_seconds(read_tar, 3000 // scale) * 1e6:8.2f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
