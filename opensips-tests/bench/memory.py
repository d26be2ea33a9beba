"""Memory measures of a running server: shared memory per held dialog, the
per-process pkg figures, and waiting until shm has settled; with the
tolerances for "memory is back at its baseline"."""
import re
import time
from typing import NamedTuple

from realserver.infra import Fail

from bench.server import BenchServer, Load, run_calls

# Tolerances for "memory is back at its baseline", and why. The smallest leak
# there can be is one allocation per call (or per message): F_MALLOC rounds a
# request up to 8 bytes and puts a fragment header in front of it, so every
# leaked allocation costs at least 24 bytes of real_used_size. Over the
# default 200,000 calls that is >= 4.8 MB of shm, or >= 2.4 MB of pkg in each
# of two workers -- two orders of magnitude above the tolerances. The
# tolerances themselves are above what can move without a leak: the dialog
# and tm hash tables and the per-process buffers are sized at start-up or by
# the warm-up, so the observed deltas are 0 or a few hundred bytes.
SOAK_SHM_TOLERANCE = 64 * 1024
SOAK_PKG_TOLERANCE = 16 * 1024
LEAK_UNIT = 24  # bytes: the smallest leaked allocation, see above


class ShmPerDialog(NamedTuple):
    """shmem:real_used_size idle, with the held calls up, and after their BYEs."""
    idle: int
    held: int
    after: int
    per_dialog: float   # (held - idle) / held calls
    errors: list        # error lines of the server's log
    fragments: int      # shmem:fragments with the calls held


def measure_shm_per_dialog(env, sst_so, set_flag, work, held, held_rate, workers, shm_mb,
                           allocator):
    """`held` concurrent calls held up, with the sst flag set or not."""
    server = BenchServer(work, env.server, env.mpath, sst_so, set_flag=set_flag,
                         workers=workers, min_se=90, shm_mb=shm_mb, allocator=allocator)
    try:
        server.start()
        run_calls(work, "warmup", server, 50, rate=50, limit=50)
        idle = server.quiesce()["shmem:real_used_size"]
        hold_ms = int((held / held_rate + 25) * 1000)
        load = Load(work, "held", server, held, held_rate, held, hold_ms, 1800)
        load.start()
        try:
            up = server.quiesce(want_dialogs=held, timeout=hold_ms / 1000.0 - 5)
            time.sleep(1)
            if server.stats()["shmem:real_used_size"] != up["shmem:real_used_size"]:
                up = server.quiesce(want_dialogs=held, timeout=10)
            load.wait(hold_ms / 1000.0 + 60)
        finally:
            load.kill()
        after = server.quiesce(timeout=60)["shmem:real_used_size"]
        errors = server.error_lines()
    finally:
        server.stop()
    used = up["shmem:real_used_size"]
    return ShmPerDialog(idle=idle, held=used, after=after, per_dialog=(used - idle) / held,
                        errors=errors, fragments=up.get("shmem:fragments"))


class PkgUsage(NamedTuple):
    used: dict    # process number -> pkmem:<process>-real_used_size
    names: dict   # process number -> its type, as the `ps` MI command says


def pkg_stats(server, tries=4):
    """pkmem:<process>-real_used_size for every process, with its description.

    The figures are not read on the spot: get_statistics asks each process over
    IPC to store its pkg status (at most every ~2 s, core_stats.c) and returns
    what is stored, so a process that has not answered yet reads 0. Ask until
    every process reports a size (and two readings 2.5 s apart agree)."""
    used, prev = {}, None
    for _ in range(tries):
        res = server.mi("get_statistics", {"statistics": ["pkmem:"]}, timeout=10) or {}
        used = {}
        for k, v in res.items():
            m = re.match(r"pkmem:(\d+)-real_used_size$", k)
            if m:
                used[int(m.group(1))] = int(v)
        if used and all(used.values()) and used == prev:
            break
        prev = used
        time.sleep(2.5)
    names = {}
    try:
        for p in (server.mi("ps") or {}).get("Processes", []):
            names[int(p.get("ID", -1))] = p.get("Type", "?")
    except Fail:
        pass
    return PkgUsage(used, names)


def settle(server, timeout=120):
    """No transaction, no dialog, and shm real_used_size the same twice 2 s apart."""
    prev = None
    deadline = time.time() + timeout
    while True:
        s = server.quiesce(timeout=max(10, deadline - time.time()))
        if prev is not None and s["shmem:real_used_size"] == prev["shmem:real_used_size"]:
            return s
        if time.time() > deadline:
            return s
        prev = s
        time.sleep(2)
