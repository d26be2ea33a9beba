"""Session timing with pkg memory used up mid-edit.

timing-pkg-raise-se
    With pkg memory used up while the proxy raises a Session-Expires below min_se
    (RFC 4028 section 8.1), the UAS never gets an SE without a number: each edit
    of a header happens whole or not at all.
"""
from .common import checking, se_value
from .infra import Script
from .registry import scenario
from .routes import PKG_LOG, cfgutils_globals


def var_eater(levels=(65536, 16384, 4096, 1024, 256, 64, 16, 4, 1),
              per_level=(72,) + (32,) * 7 + (96,)):
    """Script text that uses up this process's pkg memory in script variables,
    so that it can be given back *before* the relay (pkg_eater() in faults.py
    eats with header lumps, which go out with the message). Returns (build,
    eat, free_some, release): `build` makes one chunk per size (before eating);
    `eat` copies chunks into variables, per size until one copy fails (a failed
    assignment leaves its variable NULL), largest first; `free_some` gives back
    the first $var(free) 64-byte variables (a little memory: the sweep over it
    finds the point where one edit fits and the next does not); `release`
    gives back everything."""
    build = ['$var(c1) = "x";']
    for size in (4, 16, 64, 256, 1024):
        build.append('$var(c%d) = "%s";' % (size, "x" * size))
    for size in (4096, 16384, 65536):
        q = "$var(c%d)" % (size // 4)
        build.append("$var(c%d) = %s;" % (size, " + ".join([q] * 4)))
    eat, names = [], []
    for size, n in zip(levels, per_level):
        eat.append("$var(stop) = 0;")
        for i in range(n):
            v = "e%d_%d" % (size, i)
            names.append(v)
            eat.append('if ($var(stop) == 0) { $var(%s) = $var(c%d); '
                       'if ($var(%s) == NULL) $var(stop) = 1; }' % (v, size, v))
    # the 64-byte pieces (72 with the allocator's header): the edits' lumps are
    # about that size, so the sweep steps through "none fits" to "all fit"
    some = [v for v in names if v.startswith("e64_")]
    free_some = ["if ($var(free) > %d) $var(%s) = 0;" % (i, v) for i, v in enumerate(some)]
    release = ["$var(%s) = 0;" % v for v in names] + \
        ["$var(c%d) = 0;" % size for size in (1, 4, 16, 64, 256, 1024, 4096, 16384, 65536)]
    indent = lambda lines: "\n".join("\t\t\t" + ln for ln in lines)
    return indent(build), indent(eat), indent(free_some), indent(release)


def pkg_raise_route():
    build, eat, free_some, release = var_eater()
    return Script("""\
	if (is_method("INVITE")) {
		setflag("SST_FLAG");
		create_dialog();
		if (is_present_hf("X-Free") && $shv(eaten) != $ci) {
			$shv(eaten) = $ci;
			record_route();
			$var(free) = $(hdr(X-Free){s.int});
%s
%s
%s
			$var(ok) = t_newtran();
%s
			xlog("L_NOTICE", "sst-test: t_newtran with $var(free) 64-byte pieces free: $var(ok)\\n");
			if (!t_relay())
				t_reply(500, "No Memory");
			exit;
		}
	}""" % (build, eat, free_some, release), globals=cfgutils_globals,
                  server_args=("-M", "4"),
                  expected_log=PKG_LOG)


PKG_SWEEP = (0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12)


@scenario("timing-pkg-raise-se", route=pkg_raise_route(), sst={"min_se": 1800})
def s_pkg_raise_se(t):
    # flow 4 (SE 100 < min_se 1800, no Min-SE, no timer support: SE raised to
    # 1800 keeping its parameters, Min-SE 1800 added) with pkg memory used up
    # when the module edits the INVITE, a little more free in each call of the sweep
    got = []
    with checking() as p:
        for n in PKG_SWEEP:
            c = t.call("uac_any.xml", ["Session-Expires: 100;refresher=uac", "X-Free: %d" % n],
                       timeout=8)
            inv = c.uas_invite()
            if inv is None:
                got.append("%d:-" % n)
                continue
            ses, mses = inv.all("session-expires"), inv.all("min-se")
            got.append("%d:%s/%s" % (n, ",".join(se_num(x) for x in ses), ",".join(mses)))
            ok = ((100, "refresher=uac"), (1800, "refresher=uac"))
            p.want(len(ses) == 1 and se_value(ses[0]) in ok, "with %d 64-byte pieces free the "
                   "UAS got Session-Expires %s, want one, 100 or 1800 with ;refresher=uac", n, ses)
            p.want(mses in ([], ["1800"]), "with %d 64-byte pieces free the UAS got Min-SE %s, want "
                   "none (as sent) or ['1800']", n, mses)
            # edits stop at the first that fails: never a Min-SE above the
            # Session-Expires it goes with (RFC 4028 section 5)
            p.want(not (mses == ["1800"] and ses and se_num(ses[0]) == "100"),
                   "with %d 64-byte pieces free the UAS got Min-SE 1800 with Session-Expires %s", n, ses)
            p.want(t.server.alive(), "server died with pkg memory used up")
        log = t.server.log_text()
        # the module's own lines about an allocation it could not make
        failed = len([ln for ln in log.splitlines() if ":sst:" in ln and "memory" in ln.lower()])
        p.want(failed, "no sst edit ever ran out of memory: the sweep tested nothing")
        p.want(any(not g.endswith(":-") for g in got), "no INVITE reached the UAS")
        t.note = "free pieces:SE/Min-SE at the UAS %s; %d sst out-of-memory line(s)" % (
            " ".join(got), failed)


def se_num(hdr):
    """The number of a Session-Expires value as text ('' when there is none)."""
    return hdr.split(";", 1)[0].strip()
