#!/usr/bin/env python3
"""Writes abi/facts/ anew: the layout probe run on every release tag of the
supported OpenSIPS series, one fact file per run of releases that share
every fact.

    abi/regen.py /path/to/opensips.git            (re)write abi/facts/
    abi/regen.py /path/to/opensips.git --check    compare only; exit 1 on any difference

The git directory is any clone of OpenSIPS/opensips that has the release tags
(a bare one will do). Each tag is unpacked with `git archive` into a
temporary folder and probed there (abi/probe.py); nothing is built.
To support a new release: fetch its tag into the clone and run this again.
To support a new series: add it to SERIES, then adapt include/sst_abi.h
until `make test` passes against a server of that series.
"""
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

from probe import ProbeError, probe

SERIES = ("3.4", "3.6", "4.0")
HERE = os.path.dirname(os.path.abspath(__file__))
FACTS = os.path.join(HERE, "facts")


def release_key(release):
    return tuple(int(p) for p in release.split("."))


def releases(git_dir):
    """Every final release tag (no -rc, no -beta) of the supported series, oldest first."""
    tags = subprocess.run(["git", "-C", git_dir, "tag"], capture_output=True, text=True,
                          check=True).stdout.split()
    want = re.compile(r"^(%s)\.\d+$" % "|".join(re.escape(s) for s in SERIES))
    return sorted((t for t in tags if want.match(t)), key=release_key)


def probe_tag(git_dir, tag):
    with tempfile.TemporaryDirectory(prefix="sst-abi-%s-" % tag) as work:
        archive = subprocess.Popen(["git", "-C", git_dir, "archive", tag], stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", work], stdin=archive.stdout, check=True)
        if archive.wait() != 0:
            raise ProbeError("git archive %s failed" % tag)
        return probe(work)


def group(results):
    """[(release, facts)] -> [(releases, facts)]: consecutive releases of one
    series with identical facts share one file."""
    groups = []
    for rel, facts in results:
        series = rel.rsplit(".", 1)[0]
        last = groups[-1] if groups else None
        if last and last[0][-1].rsplit(".", 1)[0] == series and last[1] == facts:
            last[0].append(rel)
        else:
            groups.append(([rel], facts))
    return groups


def render(rels, facts):
    head = ["# Layout facts of OpenSIPS %s to %s: what abi/probe.c printed when compiled"
            % (rels[0], rels[-1]),
            "# against each release tag's own headers and module flags. Written by",
            "# abi/regen.py; do not edit (run it again instead).",
            "releases " + " ".join(rels)]
    return "\n".join(head + facts) + "\n"


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    check = "--check" in sys.argv[1:]
    if len(args) != 1:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    git_dir = args[0]
    tags = releases(git_dir)
    if not tags:
        print("abi/regen.py: %s has no release tags of %s" % (git_dir, ", ".join(SERIES)),
              file=sys.stderr)
        return 1
    try:
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            results = list(zip(tags, pool.map(lambda t: probe_tag(git_dir, t), tags)))
    except ProbeError as e:
        print("abi/regen.py: %s" % e, file=sys.stderr)
        return 1
    files = {"%s-%s.txt" % (rels[0], rels[-1]): render(rels, facts)
             for rels, facts in group(results)}
    old = {f: open(os.path.join(FACTS, f)).read()
           for f in os.listdir(FACTS) if f.endswith(".txt")} if os.path.isdir(FACTS) else {}
    differ = sorted(f for f in set(files) | set(old) if files.get(f) != old.get(f))
    for name in sorted(files):
        print("%-22s %s" % (name, files[name].split("\n")[3][len("releases "):]))
    if check:
        print("abi/regen.py: %d releases probed; %s" % (
            len(tags), "facts differ: " + ", ".join(differ) if differ else "abi/facts/ is up to date"))
        return 1 if differ else 0
    os.makedirs(FACTS, exist_ok=True)
    for f in set(old) - set(files):
        os.unlink(os.path.join(FACTS, f))
    for f, text in files.items():
        with open(os.path.join(FACTS, f), "w") as out:
            out.write(text)
    print("abi/regen.py: %d releases probed, %d fact files written%s" % (
        len(tags), len(files), "; changed: " + ", ".join(differ) if differ else "; no change"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
