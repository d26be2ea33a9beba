//! The one declarative place that lists what the module exports, laid out as
//! the OpenSIPS loader reads it (struct module_exports and its tables).

use super::*;
use core::mem::zeroed;

/// A table of raw pointers that is never written after start-up.
#[repr(transparent)]
pub(crate) struct Table<T>(pub T);
// SAFETY: read-only data (pointers to static strings and functions).
unsafe impl<T> Sync for Table<T> {}

const fn cmd_param(flags: u32) -> sys::cmd_param {
    sys::cmd_param { flags: flags as c_int, fixup: None, free_fixup: None }
}

const NO_PARAM: sys::cmd_param = cmd_param(0);

static CMDS: Table<[sys::cmd_export_t; 2]> = Table([
    sys::cmd_export_t {
        name: c"sstCheckMin".as_ptr(),
        function: Some(sst_check_min),
        params: [
            cmd_param(sys::CMD_PARAM_INT | sys::CMD_PARAM_OPT),
            NO_PARAM, NO_PARAM, NO_PARAM, NO_PARAM, NO_PARAM, NO_PARAM, NO_PARAM, NO_PARAM,
        ],
        flags: (sys::REQUEST_ROUTE | sys::ONREPLY_ROUTE) as c_int,
    },
    // SAFETY: all-zero is the table terminator (NULL name).
    unsafe { zeroed() },
]);

const fn param(name: &'static CStr, ty: u32, ptr: *mut c_void) -> sys::param_export_t {
    sys::param_export_t { name: name.as_ptr(), type_: ty, param_pointer: ptr }
}

static PARAMS: Table<[sys::param_export_t; 7]> = Table([
    param(c"enable_stats", sys::INT_PARAM, &raw mut PARAM_ENABLE_STATS as *mut c_void),
    param(c"max_se", sys::INT_PARAM, &raw mut PARAM_MAX_SE as *mut c_void),
    param(c"min_se", sys::INT_PARAM, &raw mut PARAM_MIN_SE as *mut c_void),
    param(c"reject_to_small", sys::INT_PARAM, &raw mut PARAM_REJECT_TO_SMALL as *mut c_void),
    param(c"sst_flag", sys::STR_PARAM, &raw mut PARAM_SST_FLAG as *mut c_void),
    param(c"sst_interval", sys::INT_PARAM, &raw mut PARAM_SST_INTERVAL as *mut c_void),
    // NULL name ends the table.
    sys::param_export_t { name: null(), type_: 0, param_pointer: null_mut() },
]);

static STATS: Table<[sys::stat_export_t; 2]> = Table([
    sys::stat_export_t { name: c"expired_sst".as_ptr(), flags: 0, stat_pointer: EXPIRED_SST.0.as_ptr() },
    // SAFETY: all-zero is the table terminator.
    unsafe { zeroed() },
]);

/// `$sst(name)`; the dialog module's own entries use type 1000 too (any
/// non-zero type is accepted; the core offsets it past its own).
static ITEMS: Table<[sys::pv_export_t; 2]> = Table([
    sys::pv_export_t {
        name: sys::str_ { s: c"sst".as_ptr() as *mut c_char, len: 3 },
        type_: sys::PV_MODULE_TYPE as c_int,
        getf: Some(script_pv::pv_get),
        setf: Some(script_pv::pv_set),
        parse_name: Some(script_pv::pv_parse_name),
        parse_index: null_mut(),
        init_param: null_mut(),
        iparam: 0,
    },
    // SAFETY: all-zero (name.s NULL) ends the table.
    unsafe { zeroed() },
]);

/// Dependencies: the loader initialises signaling and dialog first (and
/// refuses to start without them); pua_dialoginfo only orders the load.
#[repr(C)]
pub(crate) struct Deps {
    deps: sys::dep_export_t,
    /// The modparam-dependency list that follows `md[]` (flexible array):
    /// just its NULL terminator.
    mpd_end: sys::modparam_dependency_t,
}

const fn dep(name: &'static CStr, ty: u32) -> sys::module_dependency_t {
    sys::module_dependency_t { mod_type: sys::module_type_MOD_TYPE_DEFAULT, mod_name: name.as_ptr(), type_: ty }
}

static DEPS: Table<Deps> = Table(Deps {
    deps: sys::dep_export_t {
        md: [
            dep(c"signaling", sys::DEP_ABORT),
            dep(c"dialog", sys::DEP_ABORT),
            dep(c"pua_dialoginfo", sys::DEP_SILENT),
            // SAFETY: all-zero entries terminate the list (MOD_TYPE_NULL).
            unsafe { zeroed() }, unsafe { zeroed() }, unsafe { zeroed() }, unsafe { zeroed() },
            unsafe { zeroed() }, unsafe { zeroed() }, unsafe { zeroed() },
        ],
        mpd: sys::__IncompleteArrayField::new(),
    },
    mpd_end: sys::modparam_dependency_t { script_param: null(), get_deps_f: null_mut() },
});

/// What the loader reads with dlsym("exports"). Writable: mod_init clears
/// `stats` when enable_stats = 0, as the core expects.
#[no_mangle]
#[allow(non_upper_case_globals)]
pub static mut exports: sys::module_exports = sys::module_exports {
    name: c"sst".as_ptr(),
    type_: sys::module_type_MOD_TYPE_DEFAULT,
    ver_info: sys::module_exports__bindgen_ty_1 {
        version: sys::target::VERSION.as_ptr(),
        compile_flags: sys::target::COMPILE_FLAGS.as_ptr(),
        // An empty revision always passes the loader's prefix comparison.
        scm: sys::scm_version { type_: sys::target::SCM_TYPE.as_ptr(), rev: c"".as_ptr() },
    },
    dlflags: 0,
    load_f: null_mut(),
    deps: &raw const DEPS.0.deps,
    cmds: &raw const CMDS.0 as *const sys::cmd_export_t,
    acmds: null(),
    params: &raw const PARAMS.0 as *const sys::param_export_t,
    stats: &raw const STATS.0 as *const sys::stat_export_t,
    mi_cmds: null(),
    items: &raw const ITEMS.0 as *const sys::pv_export_t,
    trans: null(),
    procs: null(),
    preinit_f: null_mut(),
    init_f: Some(mod_init_entry),
    response_f: null_mut(),
    destroy_f: None,
    init_child_f: None,
    reload_ack_f: null_mut(),
};
