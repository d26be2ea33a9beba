//! The C idioms of the module interface, on the raw types: the all-NULL
//! rows that end the loader's tables, and a `module_exports` stamped for
//! the server this build targets.

use super::*;
use core::ffi::{c_int, CStr};
use core::ptr::{null, null_mut};

/// A table of raw pointers (names, functions, storage) that is only read
/// after start-up, so it can be a `static`.
#[repr(transparent)]
pub struct Table<T>(pub T);
// SAFETY: read-only data: pointers to static strings, functions and storage.
unsafe impl<T> Sync for Table<T> {}

impl<E, const N: usize> Table<[E; N]> {
    /// The first row, as the loader takes a table.
    pub const fn rows(&'static self) -> *const E {
        self.0.as_ptr()
    }
}

impl cmd_param {
    /// A slot the function does not use (flags 0 ends the parameter list).
    pub const NONE: Self = cmd_param::new(0);

    pub const fn new(flags: u32) -> Self {
        cmd_param { flags: flags as c_int, fixup: None, free_fixup: None }
    }
}

impl cmd_export_t {
    /// NULL name: ends `exports.cmds`.
    pub const END: Self =
        cmd_export_t { name: null(), function: None, params: [cmd_param::NONE; MAX_CMD_PARAMS as usize + 1], flags: 0 };

    /// A script function taking parameters with these flags, callable
    /// from the routes in `routes`.
    pub const fn new(name: &'static CStr, function: cmd_function, params: &[u32], routes: u32) -> Self {
        let mut c = cmd_export_t { name: name.as_ptr(), flags: routes as c_int, function, ..Self::END };
        let mut i = 0;
        while i < params.len() && i < MAX_CMD_PARAMS as usize {
            c.params[i] = cmd_param::new(params[i]);
            i += 1;
        }
        c
    }
}

impl param_export_t {
    /// NULL name: ends `exports.params`.
    pub const END: Self = param_export_t { name: null(), type_: 0, param_pointer: null_mut() };
}

impl stat_export_t {
    /// NULL name: ends `exports.stats`.
    pub const END: Self = stat_export_t { name: null(), flags: 0, stat_pointer: null_mut() };
}

impl pv_export_t {
    /// NULL name.s: ends `exports.items`.
    pub const END: Self = pv_export_t {
        name: str_ { s: null_mut(), len: 0 },
        type_: 0,
        getf: None,
        setf: None,
        parse_name: None,
        parse_index: null_mut(),
        init_param: null_mut(),
        iparam: 0,
    };
}

impl module_dependency_t {
    /// MOD_TYPE_NULL: ends `md[]`.
    pub const END: Self = module_dependency_t { mod_type: MOD_TYPE_NULL, mod_name: null(), type_: 0 };

    /// A module of the default kind, with DEP_ABORT or DEP_SILENT.
    pub const fn on(name: &'static CStr, ty: u32) -> Self {
        module_dependency_t { mod_type: MOD_TYPE_DEFAULT, mod_name: name.as_ptr(), type_: ty }
    }
}

/// `exports.deps`: the module dependencies and, after `md[]` (a flexible
/// array in C), the modparam-dependency list, here just its terminator.
#[repr(C)]
pub struct Dependencies {
    deps: dep_export_t,
    mpd_end: modparam_dependency_t,
}

impl Dependencies {
    /// At most MAX_MOD_DEPS - 1 modules (the rest of `md[]` ends the list).
    pub const fn new(modules: &[module_dependency_t]) -> Self {
        let mut md = [module_dependency_t::END; MAX_MOD_DEPS as usize];
        let mut i = 0;
        while i < modules.len() && i + 1 < MAX_MOD_DEPS as usize {
            md[i] = modules[i];
            i += 1;
        }
        Dependencies {
            deps: dep_export_t { md, mpd: __IncompleteArrayField::new() },
            mpd_end: modparam_dependency_t { script_param: null(), get_deps_f: null_mut() },
        }
    }
}

impl Table<Dependencies> {
    pub const fn deps(&'static self) -> *const dep_export_t {
        &raw const self.0.deps
    }
}

/// `const fn field(self, value) -> Self` setters, for building a static.
macro_rules! with_fields {
    ($($field:ident: $ty:ty,)*) => {
        $(
            pub const fn $field(mut self, $field: $ty) -> Self {
                self.$field = $field;
                self
            }
        )*
    };
}

impl module_exports {
    /// A module named `name` for the target server: the version, flags and
    /// SCM type and revision the loader compares come from the build script
    /// (the server's own `-V`). The revision is the server's exact string:
    /// releases before 3.4.16 and 3.6.3 compare it byte for byte, so an
    /// empty one is refused there. Every table and function not set with
    /// the methods below is NULL.
    pub const fn for_target(name: &'static CStr) -> Self {
        module_exports {
            name: name.as_ptr(),
            type_: MOD_TYPE_DEFAULT,
            ver_info: module_exports__bindgen_ty_1 {
                version: target::VERSION.as_ptr(),
                compile_flags: target::COMPILE_FLAGS.as_ptr(),
                scm: scm_version { type_: target::SCM_TYPE.as_ptr(), rev: target::SCM_REV.as_ptr() },
            },
            dlflags: 0,
            load_f: null_mut(),
            deps: null(),
            cmds: null(),
            acmds: null(),
            params: null(),
            stats: null(),
            mi_cmds: null(),
            items: null(),
            trans: null(),
            procs: null(),
            preinit_f: null_mut(),
            init_f: None,
            response_f: null_mut(),
            destroy_f: None,
            init_child_f: None,
            reload_ack_f: null_mut(),
        }
    }

    with_fields! {
        deps: *const dep_export_t,
        cmds: *const cmd_export_t,
        params: *const param_export_t,
        stats: *const stat_export_t,
        items: *const pv_export_t,
        init_f: init_function,
        init_child_f: child_init_function,
    }
}
