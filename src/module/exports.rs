//! The one declarative place that lists what the module exports, laid out as
//! the OpenSIPS loader reads it (struct module_exports and its tables). The
//! parameters are declared in `init.rs`, beside the checks mod_init makes.

use super::check_min::sstCheckMin;
use super::init::{mod_init, PARAMS};
use super::script_pv::{pv_get, pv_parse_name, pv_set};
use super::statistics::{child_init, STATS};
use crate::sys::{self, module_dependency_t as Dep, Dependencies, Table};
use core::ffi::c_int;

static CMDS: Table<[sys::cmd_export_t; 2]> = Table([
    sys::cmd_export_t::new(
        c"sstCheckMin",
        Some(sstCheckMin),
        &[sys::CMD_PARAM_INT | sys::CMD_PARAM_OPT],
        sys::REQUEST_ROUTE | sys::ONREPLY_ROUTE,
    ),
    sys::cmd_export_t::END,
]);

/// `$sst(name)`; the dialog module's own entries use type 1000 too (any
/// non-zero type is accepted; the core offsets it past its own).
static ITEMS: Table<[sys::pv_export_t; 2]> = Table([
    sys::pv_export_t {
        name: sys::str_ { s: c"sst".as_ptr() as *mut _, len: 3 },
        type_: sys::PV_MODULE_TYPE as c_int,
        getf: Some(pv_get),
        setf: Some(pv_set),
        parse_name: Some(pv_parse_name),
        ..sys::pv_export_t::END
    },
    sys::pv_export_t::END,
]);

/// The loader initialises signaling and dialog first (and refuses to start
/// without them); pua_dialoginfo only orders the load.
static DEPS: Table<Dependencies> = Table(Dependencies::new(&[
    Dep::on(c"signaling", sys::DEP_ABORT),
    Dep::on(c"dialog", sys::DEP_ABORT),
    Dep::on(c"pua_dialoginfo", sys::DEP_SILENT),
]));

/// What the loader reads with dlsym("exports"). Writable: mod_init clears
/// `stats` when enable_stats = 0, as the core expects.
#[no_mangle]
#[allow(non_upper_case_globals)]
pub static mut exports: sys::module_exports = sys::module_exports::for_target(c"sst")
    .deps(DEPS.deps())
    .cmds(CMDS.rows())
    .params(PARAMS.rows())
    .stats(STATS.rows())
    .items(ITEMS.rows())
    .init_f(Some(mod_init))
    .init_child_f(Some(child_init));

/// Leaves the `sst` group out of the statistics: the core registers
/// `exports.stats` only after mod_init returns.
pub(super) fn drop_statistics() {
    let e = &raw mut exports;
    // SAFETY: mod_init runs single-threaded, before the fork; `exports` is
    // our own data, read by the core only after mod_init returns.
    unsafe { (*e).stats = core::ptr::null() };
}
