"""Helpers the scenarios share: polling the dialog over MI, reading what sipp saw,
and collecting problems.

"Lifetime" is the dialog's MI `timeout` minus now (lifetime()); "the session in
force" is the interval the last *successful* refresh (or the answer) settled,
counted from that moment.

A check collects what it finds wrong and fails once with all of it:

    with checking() as p:
        check_sst(sst, p, interval=1800)
        p.want(1790 <= life <= 1800, "dialog lifetime %d s, want ~1800", life)

fails with "sst interval = 90; dialog lifetime 90 s, want ~1800"."""
import contextlib
import json
import os
import time

from .infra import Fail, expect, expect_completed


# ---------------------------------------------------------------- problems

class Problems(list):
    """What a scenario found wrong, one reason per entry (a list: the check_* helpers
    append to it)."""

    def want(self, cond, reason, *args):
        if not cond:
            self.append(reason % args if args else reason)
        return cond


@contextlib.contextmanager
def checking(p=None):
    """`with checking() as p:` collect problems in p; at the end one Fail with all
    of them (a Fail raised inside is kept as the last one). `p`: problems found
    before the block, kept first."""
    p = Problems() if p is None else p
    try:
        yield p
    except Fail as e:
        p.append(str(e))
    expect(not p, "; ".join(p))


def completed(t, c, p, what="call"):
    """expect_completed(), its reason collected in p as "<what>: <reason>" (what=None:
    the reason alone)."""
    try:
        expect_completed(t, c)
    except Fail as e:
        p.append("%s: %s" % (what, e) if what else str(e))


# ---------------------------------------------------------------- the dialog over MI

def wait_dialog(t, state=4, secs=5):
    """Poll dlg_list_ctx until one dialog reaches `state` (4 = confirmed by ACK)."""
    deadline = time.time() + secs
    while time.time() < deadline:
        ds = t.server.dialogs()
        if ds and ds[0].get("state", 0) >= state:
            return ds[0]
        time.sleep(0.1)
    raise Fail("no confirmed dialog over MI within %d s" % secs)


def lifetime(d):
    """Seconds left before the dialog expires; MI shows timeout 0 when no timer is set."""
    return round(d["timeout"] - time.time()) if d.get("timeout") else 0


def live_dialogs(server):
    """Dialogs not deleted yet: a deleted one (state 5) stays listed while tm still
    holds a reference to it (a few seconds after a BYE or a failed INVITE)."""
    return [d for d in server.dialogs() if d.get("state", 0) < 5]


def wait_live(server, secs=5, state=4):
    """The first live dialog that reached `state` (4 = confirmed by ACK)."""
    deadline = time.time() + secs
    while time.time() < deadline:
        for d in live_dialogs(server):
            if d.get("state", 0) >= state:
                return d
        time.sleep(0.1)
    raise Fail("no live dialog in state %d over MI within %d s" % (state, secs))


def caller_cseq(d):
    """The CSeq of the caller's last in-dialog request, as the dialog module saw it."""
    callees = d.get("CALLEES") or [{}]
    try:
        return int(callees[0].get("caller_cseq") or 0)
    except ValueError:
        return 0


def wait_cseq(server, cseq, secs):
    """Wait until the caller's request with `cseq` went through the live dialog."""
    deadline = time.time() + secs
    while time.time() < deadline:
        ds = live_dialogs(server)
        if ds and caller_cseq(ds[0]) >= cseq:
            return ds[0]
        time.sleep(0.1)
    raise Fail("the caller's CSeq %d request never reached the dialog within %d s" % (cseq, secs))


def snap(server):
    """The first live dialog, with its lifetime left *now* under "_life" (lifetime()
    reads the clock, so it must be taken when the sample is, not at the checks)."""
    ds = live_dialogs(server)
    if not ds:
        return None
    ds[0]["_life"] = lifetime(ds[0])
    return ds[0]


def sst_of(d):
    return (d.get("context") or {}).get("sst") if d else None


def dialog_json(d):
    """The fields of a dialog worth printing when a check fails."""
    keys = ("state", "timestart", "timeout")
    out = {k: d.get(k) for k in keys}
    out["sst"] = sst_of(d)
    return json.dumps(out)


def leg_cseq(d, side):
    """The CSeq of the last in-dialog request from the "caller" or the "callee" as
    dlg_list shows it (the callee's at the top level, the caller's per callee leg)."""
    where = d if side == "callee" else (d.get("CALLEES") or [{}])[0]
    try:
        return int(where.get(side + "_cseq") or 0)
    except ValueError:
        return 0


def watch(server, secs, stop=None, period=0.15):
    """Sample the first live dialog every `period` s for at most `secs` s (or until
    stop(sample) is true, or no live dialog is left once one was seen). Each
    sample: the dialog with "_at" (wall clock) and "_life" (lifetime then)."""
    samples, seen = [], False
    deadline = time.time() + secs
    while time.time() < deadline:
        ds = live_dialogs(server)
        now = time.time()
        if ds:
            seen = True
            d = ds[0]
            d["_at"], d["_life"] = now, lifetime(d)
            samples.append(d)
            if stop and stop(d):
                break
        elif seen:
            break
        time.sleep(period)
    return samples


def clock_state(d):
    """'timeout T, timestart S, now N' for a failure line."""
    return "timeout %s, timestart %s, now %d" % (d.get("timeout"), d.get("timestart"), time.time())


# ---------------------------------------------------------------- calls

def held_call(t, invite_hdrs, answer_hdr=None, uas_xml="uas_call.xml"):
    """A call held for 3 s; returns (call, dialog lifetime left in s, sst context object)."""
    seen = {}

    def during(t):
        # live dialogs only: an earlier call's deleted dialog stays listed for a while
        wait_live(t.server)
        time.sleep(0.5)  # let the ACK handling settle (the dialog module resets timers on it)
        d = wait_live(t.server)
        seen["lifetime"] = lifetime(d)
        seen["sst"] = (d.get("context") or {}).get("sst")

    c = t.call("uac_call.xml", invite_hdrs, uas_xml=uas_xml, answer_hdr=answer_hdr,
               hold_ms=3000, during=during)
    expect_completed(t, c)
    return c, seen.get("lifetime"), seen.get("sst")


def good_call_afterwards(t, problems):
    """After a fault: an ordinary tracked call still completes."""
    c = t.call("uac_call.xml", ["Session-Expires: 3600", "Min-SE: 1800"])
    completed(t, c, problems, "good call afterwards")


def snap_answered(seen, key="answered"):
    """A `during` that snapshots the dialog into seen[key] once answered (after the
    ACK's handling)."""
    def during(t):
        wait_live(t.server)
        time.sleep(0.5)  # the ACK's handling
        seen[key] = snap(t.server)
    return during


def snap_answer_and_refresh(seen, refresh_cseq, hold):
    """A `during` that snapshots the dialog once answered (after the ACK's
    handling) into seen["answered"], and once the refresh re-INVITE (CSeq
    `refresh_cseq`) with its 200 and ACK went through into seen["refreshed"]."""
    def during(t):
        wait_live(t.server)
        time.sleep(0.5)  # the ACK's handling
        seen["answered"] = snap(t.server)
        wait_cseq(t.server, refresh_cseq, hold / 1000 + 3)  # the refresh re-INVITE
        time.sleep(0.7)  # its 200 and ACK
        seen["refreshed"] = snap(t.server)
    return during


def events_file(t, problems, server=None):
    """Subscribe a flatstore file to E_SST_EXPIRED on `server` (the scenario's by
    default); returns a reader of its lines. A server that has no such event
    (the C module) is one problem, and the scenario goes on without events."""
    server = server or t.server
    path = os.path.join(server.work, "events.log")
    try:
        server.mi("event_subscribe", {"event": "E_SST_EXPIRED", "socket": "flatstore:" + path})
    except Fail as e:
        problems.append("cannot subscribe to E_SST_EXPIRED: %s" % e)

    def lines():
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [ln for ln in f.read().splitlines() if ln.strip()]
    return lines


# ---------------------------------------------------------------- headers and sst context

# an INVITE asking for 1800 s, refreshed by the caller
SE_1800 = ["Session-Expires: 1800;refresher=uac", "Supported: timer"]


def check_sst(sst, problems, **want):
    """Compare the dlg_list_ctx `sst` object with `want`; a callable is a predicate."""
    if not isinstance(sst, dict):
        problems.append("no sst object in the dlg_list_ctx context")
        return
    for k, w in want.items():
        if k not in sst:
            problems.append("sst %s lacks %s" % (json.dumps(sst), k))
        elif not (w(sst[k]) if callable(w) else sst[k] == w):
            problems.append("sst %s = %s" % (k, sst[k]))


def se_value(hdr):
    """'1800;refresher=uac' -> (1800, 'refresher=uac'); (None, hdr) when not numeric."""
    if hdr is None:
        return None, None
    num, _, params = hdr.partition(";")
    num = num.strip()
    return (int(num) if num.isdigit() else None), params.replace(" ", "").lower()


def check_one_se(msg, who, problems, value, params=""):
    """`msg` carries exactly one Session-Expires, `value` with `params` ("" = none)."""
    ses = msg.all("session-expires") if msg else []
    if len(ses) != 1 or se_value(ses[0]) != (value, params):
        problems.append("%s got Session-Expires %s, want ['%d%s']"
                        % (who, ses, value, ";" + params if params else ""))


def check_min_se(inv, problems, value=1800):
    if inv.all("min-se") != [str(value)]:
        problems.append("UAS got Min-SE %s, want ['%d']" % (inv.all("min-se"), value))


# ---------------------------------------------------------------- statistics

def sst_stats(server):
    """The sst statistics group as `get_statistics sst:` shows it, by bare name."""
    res = server.mi("get_statistics", {"statistics": ["sst:"]}) or {}
    return {k.split(":")[-1]: v for k, v in res.items()}


def wait_stats(server, want, secs=3):
    """Poll the group until every name in `want` has its value (the callbacks of
    the last message may still be running); returns the group as last read."""
    deadline = time.time() + secs
    while True:
        got = sst_stats(server)
        if all(got.get(k) == v for k, v in want.items()) or time.time() > deadline:
            return got
        time.sleep(0.1)


def stats_differ(got, want):
    """'name = got, want W' for each statistic of `want` that differs."""
    return "; ".join("%s = %s, want %s" % (k, got.get(k), v)
                     for k, v in sorted(want.items()) if got.get(k) != v)
