"""E_SST_EXPIRED when a session timer runs out: to an event subscriber (the flatstore
backend) and in the script's own event_route."""
import os
import time

from .common import checking, wait_dialog
from .infra import Script, expect
from .registry import scenario
from .routes import DIALOG_ROUTE


def flatstore_globals(server):
    return 'loadmodule "event_flatstore.so"'


EVENT_ROUTE = Script(DIALOG_ROUTE, globals=flatstore_globals)


@scenario("event-expired-flatstore", route=EVENT_ROUTE, sst={"min_se": 5})
def s_event_expired(t):
    # E_SST_EXPIRED reaches a subscriber (the flatstore backend writes one line per
    # event): Call-ID, interval, refresher, requester and the dialog's hash ids
    path = os.path.join(t.work, "events.log")
    t.server.mi("event_subscribe", {"event": "E_SST_EXPIRED", "socket": "flatstore:" + path})
    se, seen = 6, {}

    def during(t):
        d = wait_dialog(t)
        seen["ids"] = (d.get("h_entry"), d.get("h_id"), d.get("callid"))
        deadline = time.time() + se + 6
        while time.time() < deadline and not (os.path.exists(path) and os.path.getsize(path)):
            time.sleep(0.25)

    c = t.call("uac_call.xml", ["Session-Expires: %d" % se, "Supported: timer"],
               answer_hdr="Session-Expires: %d;refresher=uac" % se,
               hold_ms=(se + 6) * 1000, during=during)
    text = open(path).read() if os.path.exists(path) else ""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    expect(len(lines) == 1, "want one E_SST_EXPIRED line, got %r" % lines)
    callid = seen.get("ids", (None, None, None))[2]
    fields = lines[0].split(",")
    with checking() as p:
        for want in (callid, str(se), "uac"):
            if want not in fields:
                p.append("event line %r lacks %r" % (lines[0], want))
    t.note = "event: %s" % lines[0]


def event_route_globals(server):
    # event_route[] is core from 3.6 on; 3.4 needs the event_route module for it
    return 'loadmodule "event_route.so"' if server.release() < (3, 6) else ""


SCRIPT_EVENT_ROUTE = Script(
    DIALOG_ROUTE, globals=event_route_globals,
    routes='event_route[E_SST_EXPIRED] {\n\txlog("L_NOTICE", "sst-event: callid=[$param(callid)] '
           'interval=[$param(interval)] refresher=[$param(refresher)] '
           'requester=[$param(requester)]\\n");\n}\n')


@scenario("event-expired-event-route", route=SCRIPT_EVENT_ROUTE, sst={"min_se": 5})
def s_event_route(t):
    # the same event in the script's own event_route, as the README shows it
    se, seen = 6, {}

    def during(t):
        seen["callid"] = wait_dialog(t).get("callid")
        deadline = time.time() + se + 6
        while time.time() < deadline and not t.server.tagged("sst-event"):
            time.sleep(0.25)

    t.call("uac_call.xml", ["Session-Expires: %d" % se, "Supported: timer"],
           answer_hdr="Session-Expires: %d;refresher=uas" % se,
           hold_ms=(se + 6) * 1000, during=during)
    got = t.server.tagged("sst-event")
    expect(len(got) == 1, "want one event_route run, got %r" % got)
    want = "callid=[%s] interval=[%d] refresher=[uas] requester=[uac]" % (seen.get("callid"), se)
    expect(got[0] == want, "event_route saw %r, want %r" % (got[0], want))
    t.note = got[0]
