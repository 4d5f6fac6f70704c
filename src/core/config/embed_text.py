#!/usr/bin/env python3
"""Writes a C file defining `const char SYMBOL[]` with the bytes of INPUT.

Used to compile schemas/config.schema.json into the binaries, so the schema the
device enforces is exactly the committed file and never looked up at run time."""
import sys


def main() -> int:
    if len(sys.argv) != 4:
        print("usage: embed_text.py INPUT OUTPUT SYMBOL", file=sys.stderr)
        return 2
    source, output, symbol = sys.argv[1:]
    data = open(source, "rb").read()
    with open(output, "w", encoding="ascii") as out:
        out.write("/* Generated from %s by embed_text.py; do not edit. */\n" % source.split("/")[-1])
        out.write("const char %s[] =\n" % symbol)
        for start in range(0, len(data), 64):
            chunk = data[start:start + 64]
            out.write('  "' + "".join("\\x%02x" % b for b in chunk) + '"\n')
        out.write(";\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
