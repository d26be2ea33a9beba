"""The sst statistics group as an operator reads it: over MI (get_statistics sst:)
and scraped over HTTP by the prometheus module.

stats-call-gauge-and-refresh
    One call answered with SE 1800, refreshed once (re-INVITE answered 200), ended
    by BYE: active_sst (the gauge of dialogs whose session timer runs) is 0 before
    the answer, 1 while the call lasts, 0 once it ended; refreshed_sst 1, and
    nothing else counted (no refusal, no expiry, nothing raised or lowered);
    dlg_list_ctx's sst object shows last_refresh, the Unix time of that 200.

stats-raised-lowered
    min_se 1800, max_se 3600, reject_to_small 0: an INVITE with SE 100 from a UAC
    without timer support is raised to 1800 (flow 4), one with SE 7200 lowered to
    3600 (RFC 4028 section 8.1), one with SE 2400 left alone: raised_sst 1,
    lowered_sst 1.

stats-prometheus-scrape
    The group scraped through the real prometheus module (httpd on 127.0.0.1,
    `statistics "sst:"`) while a call lasts and after it: every statistic of the
    group present, active_sst typed `gauge` (registered STAT_NO_RESET) and every
    other one `counter`, the gauge's value 1 during the call and 0 after. Skipped
    on a server built without httpd and prometheus (they need libmicrohttpd).
"""
import os
import re
import time
import urllib.request

from .common import checking, completed, live_dialogs, sst_of, stats_differ, wait_live, wait_stats
from .infra import Script, Skip, free_tcp_port
from .registry import scenario
from .routes import DIALOG_ROUTE

COUNTERS = ("expired_sst", "refreshed_sst", "refresh_refused_sst", "rejected_sst",
            "raised_sst", "lowered_sst", "capped_sst", "lost_sst")
ZERO = dict({k: 0 for k in COUNTERS}, active_sst=0)


# ---------------------------------------------------------------- 1. one call, over MI

@scenario("stats-call-gauge-and-refresh", route=DIALOG_ROUTE, sst={"min_se": 90})
def s_call_gauge(t):
    seen = {"before": wait_stats(t.server, ZERO, secs=0)}

    def during(t):
        wait_live(t.server)
        seen["answered"] = wait_stats(t.server, {"active_sst": 1})
        # the UAC re-INVITEs after its hold: wait for the 200's count
        seen["refreshed"] = wait_stats(t.server, {"refreshed_sst": 1}, secs=8)
        seen["at"], ds = time.time(), live_dialogs(t.server)
        seen["last_refresh"] = (sst_of(ds[0]) or {}).get("last_refresh") if ds else None

    c = t.call("uac_refresh_hold.xml", ["Session-Expires: 1800", "Supported: timer"],
               uas_xml="uas_refresh.xml", answer_hdr="Session-Expires: 1800;refresher=uac",
               refresh_answer_hdr="Session-Expires: 1800;refresher=uac", hold_ms=2000,
               during=during, timeout=14)
    after = wait_stats(t.server, dict(ZERO, refreshed_sst=1))
    with checking() as p:
        completed(t, c, p, None)
        for when, got, want in (("before the call", seen["before"], ZERO),
                                ("once answered", seen.get("answered", {}), dict(ZERO, active_sst=1)),
                                ("after the refresh", seen.get("refreshed", {}),
                                 dict(ZERO, active_sst=1, refreshed_sst=1)),
                                ("after the BYE", after, dict(ZERO, refreshed_sst=1))):
            bad = stats_differ(got, want)
            p.want(not bad, "%s: %s", when, bad)
        # dlg_list_ctx shows when the refresh was accepted
        last = seen.get("last_refresh")
        p.want(last is not None and abs(last - seen.get("at", 0)) <= 3, "dlg_list_ctx last_refresh %s "
               "right after the refresh (now %.0f)", last, seen.get("at", 0))
    t.note = "active_sst 0 -> %s -> %s; refreshed_sst %s" % (
        seen.get("answered", {}).get("active_sst"), after.get("active_sst"), after.get("refreshed_sst"))


# ---------------------------------------------------------------- 2. raised and lowered

@scenario("stats-raised-lowered", route=DIALOG_ROUTE,
          sst={"min_se": 1800, "max_se": 3600, "reject_to_small": 0})
def s_raised_lowered(t):
    with checking() as p:
        for hdrs in (["Session-Expires: 100"], ["Session-Expires: 7200", "Supported: timer"],
                     ["Session-Expires: 2400", "Supported: timer"]):
            completed(t, t.call("uac_call.xml", hdrs), p, " ".join(hdrs))
        got = wait_stats(t.server, {"raised_sst": 1, "lowered_sst": 1, "active_sst": 0})
        bad = stats_differ(got, {"raised_sst": 1, "lowered_sst": 1, "active_sst": 0})
        p.want(not bad, "after three calls (SE 100 raised, 7200 lowered, 2400 kept): %s", bad)


# ---------------------------------------------------------------- 3. prometheus

def has_prometheus(server):
    return all(os.path.exists(os.path.join(server.mpath, m)) for m in ("httpd.so", "prometheus.so"))


def prometheus_globals(server):
    """httpd on a free local port and prometheus exporting the sst group, when
    the server has both modules (else nothing: the scenario says skipped)."""
    if not has_prometheus(server):
        return ""
    server.http_port = free_tcp_port()
    return "\n".join([
        'loadmodule "httpd.so"',
        'loadmodule "prometheus.so"',
        'modparam("httpd", "ip", "127.0.0.1")',
        'modparam("httpd", "port", %d)' % server.http_port,
        'modparam("prometheus", "statistics", "sst:")',
    ])


def scrape(server):
    """{name: (type, value)} of what /metrics shows, names without the prefix."""
    url = "http://127.0.0.1:%d/metrics" % server.http_port
    text = urllib.request.urlopen(url, timeout=5).read().decode()
    types = dict(re.findall(r"^# TYPE opensips_(\w+) (\w+)$", text, re.M))
    values = dict(re.findall(r"^opensips_(\w+) (\d+)$", text, re.M))
    return {k: (types.get(k), int(v)) for k, v in values.items()}


@scenario("stats-prometheus-scrape", route=Script(DIALOG_ROUTE, globals=prometheus_globals),
          sst={"min_se": 90})
def s_prometheus(t):
    if not has_prometheus(t.server):
        raise Skip("the server has no httpd.so and prometheus.so in %s (they need libmicrohttpd)"
                   % t.server.mpath)
    seen = {}

    def during(t):
        wait_live(t.server)
        wait_stats(t.server, {"active_sst": 1})
        seen["live"] = scrape(t.server)

    c = t.call("uac_call.xml", ["Session-Expires: 1800", "Supported: timer"],
               answer_hdr="Session-Expires: 1800;refresher=uac", hold_ms=2000, during=during)
    wait_stats(t.server, {"active_sst": 0})
    after = scrape(t.server)
    with checking() as p:
        completed(t, c, p, None)
        live = seen.get("live", {})
        for name in COUNTERS + ("active_sst",):
            want = "gauge" if name == "active_sst" else "counter"
            got = live.get(name)
            if p.want(got is not None, "%s not in the scrape (got %s)", name, sorted(live)):
                p.want(got[0] == want, "%s typed %s, want %s", name, got[0], want)
        p.want(live.get("active_sst", (0, None))[1] == 1, "active_sst %s during the call, want 1",
               live.get("active_sst"))
        p.want(after.get("active_sst", (0, None))[1] == 0, "active_sst %s after the call, want 0",
               after.get("active_sst"))
    t.note = "scraped %d sst statistics; active_sst %s -> %s" % (
        len(seen.get("live", {})), seen.get("live", {}).get("active_sst"), after.get("active_sst"))
