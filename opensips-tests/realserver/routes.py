"""Script snippets more than one scenario file uses: the documented dialog route,
the release-dependent routes, the bye-on-timeout and on-timeout variants, and the
pkg-memory scenarios' shared bits."""
from .infra import Script


# documented usage: flag the INVITE, then create the dialog (sst hooks dialog creation)
DIALOG_ROUTE = """\
	if (is_method("INVITE")) {
		setflag("SST_FLAG");
		create_dialog();
	}"""


def release_routes(server):
    """Script routes whose text depends on the server release, for the global
    section (core functions only: the dialog module is not loaded there yet):
    route(sst_test_fork) adds the branch named in X-Fork (append_branch() until
    3.4, append_msg_branch() from 3.6 on); route(sst_test_bye) sets
    $var(bye_flag) to the dialog module's bye-on-timeout flag ("B" on 3.x,
    "bye-on-timeout" on 4.0) for create_dialog("$var(bye_flag)")."""
    rel = server.release()
    return ("route[sst_test_fork] {\n\tif (is_present_hf(\"X-Fork\"))\n\t\t%s(\"$hdr(X-Fork)\");\n}\n"
            "route[sst_test_bye] {\n\t$var(bye_flag) = \"%s\";\n}\n"
            % ("append_branch" if rel < (3, 6) else "append_msg_branch",
               "B" if rel < (4, 0) else "bye-on-timeout"))


EXTEND_BY = 5  # what the on-timeout route adds, once

TIMEOUT_ROUTE = """
route[sst_test_timeout] {
	if ($dlg_val(sst_test_extended) != "1") {
		$dlg_val(sst_test_extended) = "1";
		$DLG_timeout = %d;
		xlog("L_NOTICE", "sst-test: on-timeout route extended the dialog\\n");
	} else {
		xlog("L_NOTICE", "sst-test: on-timeout route let the dialog end\\n");
	}
}
""" % EXTEND_BY


def expiry_globals(server):
    return release_routes(server) + 'loadmodule "event_flatstore.so"\n'


def create_dialog(bye):
    """create_dialog(), or with the release's bye-on-timeout flag (release_routes)."""
    return 'route(sst_test_bye);\n\t\tcreate_dialog("$var(bye_flag)");' if bye else "create_dialog();"


def expiry_route(bye, on_timeout=False):
    """create_dialog() or create_dialog(<bye-on-timeout>), optionally with an
    on-timeout route (dlg_on_timeout) that extends the dialog once."""
    arm = '\n\t\tdlg_on_timeout("sst_test_timeout");' if on_timeout else ""
    return Script('\tif (is_method("INVITE")) {\n\t\tsetflag("SST_FLAG");\n\t\t%s%s\n\t}'
                  % (create_dialog(bye), arm),
                  globals=expiry_globals, routes=TIMEOUT_ROUTE if on_timeout else "")


# The pkg-memory scenarios: cfgutils for $shv (shared memory), so that only the
# first copy of an INVITE eats and its retransmission finds memory again; the
# core's own words for a failed pkg allocation (mk_proxy logs it as CRITICAL).
def cfgutils_globals(server):
    return 'loadmodule "cfgutils.so"'


PKG_LOG = r"CRITICAL:core:mk_proxy: pkg memory allocation failure"
