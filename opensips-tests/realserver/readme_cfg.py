"""Real-server checks of the README's configs (opensips-tests/cfg/readme-*.cfg, shown
verbatim in the README; scripts/check-install.sh checks that they are the same text).

Each config is checked by `opensips -C` with only what differs per machine replaced:
the mpath line (this server's modules folder), `loadmodule "sst.so"` (the module under
test, by absolute path), the SIP port, and logging to stderr. The minimal one then runs:
an INVITE below min_se gets the 422, one without Session-Expires goes through with the
proxy's."""
import os
import re
import socket
import subprocess
import time

from .infra import HERE, Fail, Server, T, expect, expect_completed, expect_rejected
from .registry import scenario

CFG_DIR = os.path.join(HERE, "cfg")


class ReadmeServer(Server):
    """The README's config as a server: no MI (the config has none), just SIP.
    Checking the config, stopping and reading the log are Server's."""

    def __init__(self, work, base, name):
        self._init_files(work, base.binary)
        self.initial = ""
        self.cfg = os.path.join(work, name)
        self.log = self.cfg + ".log"
        with open(os.path.join(CFG_DIR, name)) as f:
            text = f.read()
        text, n_mpath = re.subn(r'^mpath=".*"$', 'mpath="%s/"' % base.mpath, text, flags=re.M)
        text, n_sst = re.subn(r'^loadmodule "sst\.so"$', 'loadmodule "%s"' % base.sst_so,
                              text, flags=re.M)
        text, n_sock = re.subn(r"^socket=udp:127\.0\.0\.1:5060$",
                               "socket=udp:127.0.0.1:%d" % self.port, text, flags=re.M)
        expect(n_mpath == n_sst == n_sock == 1,
               "%s: want one mpath, one sst.so and one socket line to fill in" % name)
        text = text.replace("stderror_enabled=no", "stderror_enabled=yes") \
                   .replace("syslog_enabled=yes", "syslog_enabled=no")
        if base.release() < (3, 6):  # what the config's own comment says for 3.4
            text = text.replace('#loadmodule "event_route.so"', 'loadmodule "event_route.so"')
        with open(self.cfg, "w") as f:
            f.write(text)

    def start(self, timeout=10):
        logf = open(self.log, "w")
        self.proc = subprocess.Popen([self.binary, "-F", "-f", self.cfg], stdout=logf,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     cwd=os.path.dirname(self.cfg))
        logf.close()
        deadline = time.time() + timeout
        while time.time() < deadline:  # bound means ready: requests queue until workers run
            expect(self.proc.poll() is None, "%s: server exited at start-up (code %s)"
                   % (os.path.basename(self.cfg), self.proc.returncode))
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                try:
                    s.bind(("127.0.0.1", self.port))
                except OSError:
                    time.sleep(0.5)  # let the workers come up
                    return
            time.sleep(0.1)
        raise Fail("%s: server did not bind its port" % os.path.basename(self.cfg))


# the README's configs, as an operator would copy them (the scenario's own server,
# with an empty script, only lends its binary, modules and sst.so)
@scenario("readme-configs", route="")
def s_readme_configs(t):
    servers = [ReadmeServer(t.work, t.server, name)
               for name in ("readme-minimal.cfg", "readme-script.cfg")]
    for s in servers:
        try:
            s.check_config()
        except Fail as e:
            raise Fail("%s: %s" % (os.path.basename(s.cfg), e))
    rs = servers[0]
    rs.start()
    try:
        rt = T(t.args, t.work, rs)
        fin = expect_rejected(rt, rt.call("uac_rejected.xml", ["Session-Expires: 100"],
                                          uas_xml=None), 422)
        expect((fin.get("min-se") or "").strip() == "1800",
               "the 422 carries Min-SE %r, want 1800" % fin.get("min-se"))
        # no Session-Expires: relayed, and the proxy asks for min_se (flow 5)
        c = rt.call("uac_call.xml", ["Supported: timer"],
                    answer_hdr="Session-Expires: 1800;refresher=uac")
        expect_completed(rt, c)
        inv = c.uas_invite()
        expect(inv is not None and inv.get("session-expires") == "1800",
               "the UAS got Session-Expires %r, want 1800" % (inv and inv.get("session-expires")))
    finally:
        rs.stop()
    bad = [ln for ln in rs.log_text().splitlines() if "ERROR" in ln or "CRITICAL" in ln]
    expect(not bad, "readme-minimal.cfg logged: %s" % (bad[:1] and bad[0].strip()[:200]))
    t.note = "both pass opensips -C; the minimal one answered 422 (Min-SE 1800) and " \
        "relayed a call with the Session-Expires it asked for"
