#!/usr/bin/env python3
"""Runs the layout probe (abi/probe.c) against one OpenSIPS source tree.

    abi/probe.py /path/to/opensips-source-tree      -> the facts, one per line

The probe is compiled with the tree's own headers and exactly the flags the
tree compiles a module with (its Makefiles' MOD_CFLAGS and DEFS, plus
MOD_NAME), so the numbers are the ones the server and its modules were built
with. The tree need not be built: a fresh `git archive` of a release tag will
do (abi/regen.py probes every release that way).

A fact that does not compile against this tree (a field the release does not
have, a function that is a macro there) is printed as `<key> absent`; any
other compile error fails the probe with the compiler's own words.
Only the Python 3 standard library is used.
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROBE_C = os.path.join(HERE, "probe.c")

# What the tree's Makefiles compile a module with; $(info) prints the
# variables unquoted by any shell, so the quoting stays as make passes it.
PRINT_FLAGS_MK = "sst-rs-probe-flags:\n\t@:$(info $(MOD_CFLAGS) -DMOD_NAME='sst' $(DEFS))\n"

# An entry line of probe.c and the fact key it prints.
ENTRY = [
    (re.compile(r'^SIZE\([^,]+, "([^"]+)"\)'), lambda m: "size.%s" % m.group(1)),
    (re.compile(r'^OFF\([^,]+, "([^"]+)", ([^)]+)\)'),
     lambda m: "offset.%s.%s" % (m.group(1), m.group(2).strip())),
    (re.compile(r'^CONST\((\w+)\)'), lambda m: "const.%s" % m.group(1)),
    (re.compile(r'^SYMBOL\((\w+)\)'), lambda m: "symbol.%s" % m.group(1)),
]
# The compiler's words for "this release has no such name".
ABSENT_ERROR = re.compile(r"has no member named|undeclared|no member named")


class ProbeError(Exception):
    """The probe could not be built or run; the message says why."""


def entry_key(line):
    for pattern, key in ENTRY:
        m = pattern.match(line)
        if m:
            return key(m)
    return None


def tree_flags(src):
    """The flags the tree at `src` compiles modules with, as one shell string."""
    with tempfile.NamedTemporaryFile("w", suffix=".mk", delete=False) as mk:
        mk.write(PRINT_FLAGS_MK)
    try:
        # `depends=` keeps make from generating dependency files in the tree
        r = subprocess.run(["make", "-s", "--no-print-directory", "depends=", "-C", src,
                            "-f", "Makefile", "-f", mk.name, "sst-rs-probe-flags"],
                           capture_output=True, text=True)
    finally:
        os.unlink(mk.name)
    if r.returncode != 0 or not r.stdout.strip():
        raise ProbeError("could not read the compile flags of %s from its Makefiles:\n%s"
                         % (src, r.stderr.strip()))
    return r.stdout.strip().splitlines()[-1]


def compile_probe(src, flags, source, work):
    c = os.path.join(work, "probe.c")
    with open(c, "w") as f:
        f.write(source)
    exe = os.path.join(work, "probe")
    cmd = "cc %s -ftrack-macro-expansion=0 -w -I%s -o %s %s" % (
        flags, _sh(src), _sh(exe), _sh(c))
    r = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True)
    return r.returncode == 0, r.stderr, exe


def _sh(path):
    return "'" + path.replace("'", "'\\''") + "'"


def absent_lines(stderr, lines):
    """Line numbers (1-based) of entries the compiler says name nothing in this
    release; None when any error is of another kind or on another line."""
    found = set()
    for m in re.finditer(r"probe\.c:(\d+):\d+: error: (.*)", stderr):
        n, what = int(m.group(1)), m.group(2)
        if not ABSENT_ERROR.search(what) or entry_key(lines[n - 1]) is None:
            return None
        found.add(n)
    return found or None


def probe(src):
    """The facts of the tree at `src`, as a list of 'key value' lines."""
    src = os.path.abspath(src)
    if not os.path.isfile(os.path.join(src, "parser", "msg_parser.h")):
        raise ProbeError("%s is not an OpenSIPS source tree (no parser/msg_parser.h)" % src)
    flags = tree_flags(src)
    with open(PROBE_C) as f:
        lines = f.read().split("\n")
    with tempfile.TemporaryDirectory(prefix="sst-abi-probe-") as work:
        ok, err, exe = compile_probe(src, flags, "\n".join(lines), work)
        if not ok:
            gone = absent_lines(err, lines)
            if gone is None:
                raise ProbeError("the probe does not compile against %s:\n%s" % (src, err))
            for n in gone:
                lines[n - 1] = 'printf("%s absent\\n");' % entry_key(lines[n - 1])
            ok, err, exe = compile_probe(src, flags, "\n".join(lines), work)
            if not ok:
                raise ProbeError("the probe does not compile against %s:\n%s" % (src, err))
        r = subprocess.run([exe], capture_output=True, text=True)
        if r.returncode != 0:
            raise ProbeError("the probe built against %s failed:\n%s" % (src, r.stderr))
    return r.stdout.splitlines()


def main():
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        print("\n".join(probe(sys.argv[1])))
    except ProbeError as e:
        print("abi/probe.py: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
