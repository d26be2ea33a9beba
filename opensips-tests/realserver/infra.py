"""Plumbing for the real-server tests: find the server, render its config, start and
stop it, talk MI over mi_fifo, run sipp, and parse what sipp saw."""
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # opensips-tests/
REPO = os.path.dirname(HERE)
CFG_TEMPLATE = os.path.join(HERE, "cfg", "proxy.cfg.in")
SCEN = os.path.join(HERE, "scenarios")
# log lines that mean the server (or a worker) hit something fatal
BAD_LOG = re.compile(r"CRITICAL|segfault|Segmentation|signal 11|signal 6|core dump", re.I)


class Fail(Exception):
    """A check failed; the message is the one-line reason."""


class Skip(Exception):
    """The scenario cannot run on this server; the message says why (reported as
    `skipped - name: why`)."""


# ---------------------------------------------------------------- environment

def find_server():
    """OPENSIPS, else `opensips` on PATH; None when there is none at all.

    An OPENSIPS that names no executable is a mistake, not a reason to skip: Fail."""
    path = os.environ.get("OPENSIPS")
    if path:
        if not os.access(path, os.X_OK):
            raise Fail("OPENSIPS=%s is not an executable" % path)
        return path
    return shutil.which("opensips")


FIND_DIR = os.path.join(REPO, "scripts", "find-opensips-dir.sh")


def find_server_dir(kind, server, override):
    """The server's `kind` folder ("modules" or "dbtext"): the environment variable
    `override` when set, else what scripts/find-opensips-dir.sh finds (the same search
    `make install` uses). Returns (folder, None) or (None, why: every place tried)."""
    if os.environ.get(override):
        return os.environ[override], None
    r = subprocess.run([FIND_DIR, kind, server], capture_output=True, text=True)
    if r.returncode == 0:
        return r.stdout.strip(), None
    return None, "%s\n(set %s=/path to give it)" % (r.stderr.strip(), override)


def find_modules(server):
    return find_server_dir("modules", server, "OPENSIPS_MODULES")


def find_dbtext_schema(server):
    """The server's own db_text table files (installed under <prefix>/share): the restart
    scenario copies `dialog` and `version` from there at run time, never from the repo."""
    return find_server_dir("dbtext", server, "OPENSIPS_DBTEXT")


def free_udp_port():
    # bind to port 0 and let the kernel choose; the tiny reuse race is acceptable here
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_tcp_port():
    """For proto_bin (clusterer links run over TCP)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Script(str):
    """A scenario's initial-INVITE snippet (its @scenario route=), optionally with
    more of the config: `within` goes into the in-dialog branch before loose_route(),
    `socket_params` after the SIP socket (e.g. a tag), `globals(server)` returns text
    for the global section (sockets, loadmodule and modparam lines), rendered per
    server so two nodes can differ (see Server.peer); `routes` is appended after
    the main route (e.g. an onreply_route), `server_args` go to opensips on start
    (e.g. -M for a small pkg pool), `expected_log` is a regex of fatal-looking log
    lines the scenario provokes on purpose (Server.bad_log_lines leaves them out)."""

    def __new__(cls, initial, within="", globals=None, socket_params="", routes="",
                server_args=(), expected_log=None):
        s = str.__new__(cls, initial)
        s.within, s.globals, s.socket_params = within, globals, socket_params
        s.routes, s.server_args = routes, tuple(server_args)
        s.expected_log = expected_log
        return s


# ---------------------------------------------------------------- SIP messages

COMPACT = {"x": "session-expires", "k": "supported", "i": "call-id", "v": "via"}


class Msg:
    """A SIP message from a sipp -trace_msg log (just enough parsing for the checks)."""

    def __init__(self, direction, text):
        self.direction = direction  # "sent" or "received"
        lines = text.replace("\r\n", "\n").split("\n")
        self.first = lines[0].strip()
        self.headers = []
        for ln in lines[1:]:
            if not ln.strip():
                break
            if ":" in ln:
                n, v = ln.split(":", 1)
                n = n.strip().lower()
                self.headers.append((COMPACT.get(n, n), v.strip()))
        self.text = text

    @property
    def code(self):
        m = re.match(r"SIP/2\.0 (\d{3})", self.first)
        return int(m.group(1)) if m else None

    @property
    def method(self):
        return None if self.code else self.first.split(" ", 1)[0]

    def all(self, name):
        return [v for n, v in self.headers if n == name.lower()]

    def get(self, name):
        vals = self.all(name)
        return vals[0] if vals else None


def read_trace(path):
    """Split a sipp message log into Msg objects (unexpected-message echoes dropped)."""
    if not os.path.exists(path):
        return []
    with open(path, errors="replace") as f:
        blocks = re.split(r"^-{20,}.*$", f.read(), flags=re.M)
    msgs = []
    for b in blocks:
        m = re.match(r"\s*UDP message (sent|received)[^\n]*\n\n(.*)", b, re.S)
        if m:
            msgs.append(Msg(m.group(1), m.group(2).lstrip("\n")))
    return msgs


def render_cfg(template, fill, out):
    """Write `template` to `out` with every @@NAME@@ replaced by fill[NAME]."""
    with open(template) as f:
        text = f.read()
    for k, v in fill.items():
        text = text.replace("@@%s@@" % k, v)
    with open(out, "w") as f:
        f.write(text)


# ---------------------------------------------------------------- server

class Server:
    def release(self):
        """(major, minor) of the server, from `opensips -V`."""
        out = subprocess.run([self.binary, "-V"], capture_output=True, text=True).stdout
        m = re.search(r"^version: opensips (\d+)\.(\d+)", out, re.M)
        return (int(m.group(1)), int(m.group(2))) if m else (0, 0)

    def _init_files(self, work, binary):
        """Port, work files and MI state every server instance needs."""
        self.work, self.binary = work, binary
        self.port = free_udp_port()
        self.fifo = os.path.join(work, "mi_fifo")
        self.cfg = os.path.join(work, "opensips.cfg")
        self.log = os.path.join(work, "opensips.log")
        self.pidfile = os.path.join(work, "opensips.pid")
        self.proc = None
        self.mi_seq = 0

    def __init__(self, work, binary, mpath, sst_so, sst_params="", dialog_params="",
                 initial="", log_level=3, pre_dialog="", peer_of=None):
        self._init_files(work, binary)
        self._setup = (mpath, sst_so, sst_params, dialog_params, initial, log_level, pre_dialog)
        self.mpath, self.sst_so = mpath, sst_so
        self.peer_of = peer_of  # the server this one was cloned from (Server.peer)
        self.initial = initial
        fill = {"LOG_LEVEL": str(log_level), "PORT": str(self.port), "MPATH": mpath,
                "SST_SO": sst_so, "FIFO": self.fifo, "REPLY_DIR": work + "/",
                "SST_PARAMS": sst_params, "DIALOG_PARAMS": dialog_params,
                "INITIAL": initial, "PRE_DIALOG": pre_dialog,
                "WITHIN": getattr(initial, "within", ""),
                "SOCKET_PARAMS": getattr(initial, "socket_params", ""),
                "ROUTES": getattr(initial, "routes", ""),
                "GLOBALS": initial.globals(self) if getattr(initial, "globals", None) else ""}
        render_cfg(CFG_TEMPLATE, fill, self.cfg)

    def peer(self, name):
        """A second server with the same modules, parameters and script, in the
        sub-folder `name` of this one's work folder (kept or removed with it). It gets
        its own SIP port and MI fifo; `globals(server)` sees `server.peer_of`. The
        caller starts and stops it, and checks its log (run.py only watches the first)."""
        work = os.path.join(self.work, name)
        os.mkdir(work)
        return Server(work, self.binary, *self._setup, peer_of=self)

    def check_config(self):
        r = subprocess.run([self.binary, "-C", "-f", self.cfg], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=30)
        if r.returncode != 0:
            bad = [ln for ln in r.stdout.splitlines() if "ERROR" in ln or "CRITICAL" in ln]
            raise Fail("opensips -C rejected the config: " + " | ".join(bad[-4:] or [r.stdout[-300:]]))

    def start(self, timeout=10, prefix=(), extra_args=()):
        """Start the server and wait until it answers MI. `prefix` wraps the
        command (e.g. valgrind), `extra_args` go to opensips (e.g. -m, -a)."""
        self.check_config()
        if not extra_args:
            extra_args = getattr(self.initial, "server_args", ())
        logf = open(self.log, "a")  # append: a restart keeps the first run's log
        # -F: daemon mode with the main process in the foreground, so we own its pid
        cmd = list(prefix) + [self.binary, "-F", "-P", self.pidfile, "-f", self.cfg] + list(extra_args)
        self.proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.work)
        logf.close()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise Fail("server exited at start-up (code %s): %s"
                           % (self.proc.returncode, self.log_tail()))
            if os.path.exists(self.fifo):
                try:
                    self.mi("uptime", timeout=2)
                    return
                except Fail:
                    pass
            time.sleep(0.1)
        raise Fail("server did not answer MI within %d s: %s" % (timeout, self.log_tail()))

    def restart(self):
        """Stop and start again on the same port and config (dialogs persist in the db)."""
        self.stop()
        if self.proc.returncode not in (0, -signal.SIGTERM):
            raise Fail("server exited with %s on stop" % self.proc.returncode)
        self.start()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if not self.proc:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_tail(self, n=3):
        lines = [ln for ln in self.log_text().splitlines() if ln.strip()]
        return " | ".join(lines[-n:])

    def bad_log_lines(self):
        expected = getattr(self.initial, "expected_log", None)
        return [ln for ln in self.log_text().splitlines()
                if BAD_LOG.search(ln) and not (expected and re.search(expected, ln))]

    def mi(self, method, params=None, timeout=5):
        """One JSON-RPC command over mi_fifo: ':<reply fifo>:<json>' (mi_fifo README)."""
        self.mi_seq += 1
        name = "reply%d" % self.mi_seq  # no dots or slashes: mi_fifo refuses them
        rpath = os.path.join(self.work, name)
        os.mkfifo(rpath, 0o600)
        req = {"jsonrpc": "2.0", "method": method, "id": self.mi_seq}
        if params is not None:
            req["params"] = params
        # open our read end first (non-blocking) so the server's open for writing succeeds
        rfd = os.open(rpath, os.O_RDONLY | os.O_NONBLOCK)
        try:
            try:
                wfd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as e:
                raise Fail("MI fifo not open: %s" % e)
            os.write(wfd, (":%s:%s\n" % (name, json.dumps(req))).encode())
            os.close(wfd)
            buf, p = b"", select.poll()
            p.register(rfd, select.POLLIN)
            deadline = time.time() + timeout
            while time.time() < deadline:
                ev = p.poll(100)
                if not ev:
                    continue
                data = os.read(rfd, 65536)
                if data:
                    buf += data
                elif ev[0][1] & select.POLLHUP:  # the server wrote and closed its end
                    break
        finally:
            os.close(rfd)
            os.unlink(rpath)
        if not buf:
            raise Fail("no MI reply to %s" % method)
        try:
            rep = json.loads(buf)
        except ValueError:
            raise Fail("MI %s: not JSON: %r" % (method, buf[:200]))
        if "error" in rep:
            raise Fail("MI %s error: %s" % (method, rep["error"]))
        return rep.get("result")

    def dialogs(self):
        return (self.mi("dlg_list_ctx") or {}).get("Dialogs", [])

    def stat(self, name):
        res = self.mi("get_statistics", {"statistics": [name]})
        for k, v in (res or {}).items():
            if k.split(":")[-1] == name:
                return v
        return None

    def tagged(self, tag):
        """Lines the test script logged as `<tag>: ...`, the text after the tag."""
        return re.findall(r"%s: (.*)" % re.escape(tag), self.log_text())

    def script_rc(self):
        """Return codes the test script logged after calling sstCheckMin."""
        return re.findall(r"sst-test: rc=(-?\d+)", self.log_text())


# ---------------------------------------------------------------- sipp

class Sipp:
    def __init__(self, work, role, xml, keys, remote=None, hold_ms=0, timeout=10):
        self.port = free_udp_port()
        self.trace = os.path.join(work, "%s.msg" % role)
        self.out = os.path.join(work, "%s.out" % role)
        cmd = ["sipp", "-sf", os.path.join(SCEN, xml), "-i", "127.0.0.1", "-p", str(self.port),
               "-m", "1", "-timeout", "%ds" % timeout, "-timeout_error", "-nostdin",
               "-d", str(hold_ms), "-trace_msg", "-message_file", self.trace,
               "-trace_err", "-error_file", os.path.join(work, "%s.err" % role)]
        for k, v in keys.items():
            cmd += ["-key", k, v]
        if remote:
            cmd.append(remote)
        self.cmd, self.timeout, self.role = cmd, timeout, role
        self.proc = None

    def start(self):
        with open(self.out, "w") as out:
            self.proc = subprocess.Popen(self.cmd, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)

    def wait(self, extra=5):
        try:
            return self.proc.wait(self.timeout + extra)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return "killed"

    def messages(self):
        return read_trace(self.trace)

    def received(self):
        return [m for m in self.messages() if m.direction == "received"]


class Sink:
    """A UDP socket standing in for the UAS where nothing should arrive."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]

    def drain(self):
        got = []
        while True:
            try:
                got.append(self.sock.recv(65535).decode(errors="replace"))
            except BlockingIOError:
                break
        self.sock.close()
        return got


class Call:
    """Outcome of one UAC/UAS exchange through the proxy."""

    def __init__(self, uac, uac_rc, uas, uas_rc, sink_got):
        self.uac, self.uac_rc, self.uas, self.uas_rc = uac, uac_rc, uas, uas_rc
        self.sink_got = sink_got

    def final(self):
        """The UAC's final response to its first INVITE (the first one is what counts)."""
        finals = [m for m in self.uac.received()
                  if m.code and m.code >= 200 and "INVITE" in (m.get("cseq") or "")]
        return finals[0] if finals else None

    def uas_invite(self):
        if self.uas is None:
            return None
        inv = [m for m in self.uas.received() if m.method == "INVITE"]
        return inv[0] if inv else None


# ---------------------------------------------------------------- test context

class T:
    def __init__(self, args, work, server):
        self.args, self.work, self.server = args, work, server
        self.ncalls = 0
        self.note = None  # a scenario may set a short observation for its ok line

    def call(self, uac_xml, invite_hdrs=(), uas_xml="uas_call.xml", answer_hdr=None,
             hold_ms=0, during=None, timeout=10, refresh_answer_hdr=None,
             uac_keys=None, uas_keys=None):
        """Run one call: a sipp UAS (or a sink when uas_xml is None) and a sipp UAC.

        `during(t)` runs while the UAC holds the call (its -d pause).
        `uac_keys` / `uas_keys`: more sipp -key values for scenarios that use them."""
        self.ncalls += 1
        n = self.ncalls
        # sipp keys cannot be empty (an empty line would end the headers), so unused
        # slots carry a harmless extension header
        hdrs = list(invite_hdrs) + ["X-Unused: %d" % i for i in range(2 - len(invite_hdrs))]
        uas = sink = None
        if uas_xml:
            uas = Sipp(self.work, "uas%d" % n, uas_xml,
                       dict({"hdr1": answer_hdr or "X-Unused: 0",
                             "hdr2": refresh_answer_hdr or answer_hdr or "X-Unused: 0"},
                            **(uas_keys or {})),
                       hold_ms=0, timeout=timeout + hold_ms // 1000 + 5)
            uas.start()
            uas_port = uas.port
            time.sleep(0.3)  # let sipp bind before the INVITE arrives
        else:
            sink = Sink()
            uas_port = sink.port
        uac = Sipp(self.work, "uac%d" % n, uac_xml,
                   dict({"uas_port": str(uas_port), "hdr1": hdrs[0], "hdr2": hdrs[1]},
                        **(uac_keys or {})),
                   remote="127.0.0.1:%d" % self.server.port, hold_ms=hold_ms,
                   timeout=timeout + hold_ms // 1000)
        uac.start()
        try:
            if during:
                during(self)
        finally:
            uac_rc = uac.wait()
            uas_rc = None
            if uas:
                # only an answered call has a UAS that will finish on its own; one the
                # call never reached would sit out its whole timeout
                fin = Call(uac, uac_rc, None, None, None).final()
                uas_rc = _stop(uas, grace=2 if fin and fin.code == 200 else 0)
            got = None
            if sink:
                time.sleep(0.3)  # anything forwarded would have arrived by now
                got = sink.drain()
        return Call(uac, uac_rc, uas, uas_rc, got)


def _stop(sipp, grace):
    """Give a sipp `grace` seconds to finish on its own, then stop it."""
    try:
        return sipp.proc.wait(grace)
    except subprocess.TimeoutExpired:
        sipp.proc.terminate()
        try:
            sipp.proc.wait(5)
        except subprocess.TimeoutExpired:
            sipp.proc.kill()
            sipp.proc.wait()
    return "stopped"


def expect(cond, reason):
    if not cond:
        raise Fail(reason)


def describe(msg):
    return msg.first if msg else "no final response"


def expect_completed(t, c):
    """A normal call: both sipp sides finished their scenario."""
    if c.uac_rc != 0:
        raise Fail("UAC sipp exit %s, got %s%s" % (c.uac_rc, describe(c.final()), rc_note(t)))
    expect(c.uas_rc == 0, "UAS sipp exit %s" % c.uas_rc)


def expect_rejected(t, c, code):
    fin = c.final()
    expect(fin is not None and fin.code == code,
           "UAC wanted %d, got %s%s" % (code, describe(fin), rc_note(t)))
    expect(c.uac_rc == 0, "UAC sipp exit %s" % c.uac_rc)
    expect(not c.sink_got, "the INVITE reached the UAS")
    return fin


def rc_note(t):
    if "sst-test" not in t.server.initial:
        return ""  # this scenario's script does not call sstCheckMin
    rcs = t.server.script_rc()
    return " (script saw sstCheckMin rc %s)" % ",".join(rcs) if rcs else \
        " (script logged no sstCheckMin rc: the call stopped the script)"


# ---------------------------------------------------------------- cfg snippets
