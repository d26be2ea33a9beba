//! The `extern "C"` trampolines of the entry points, written once. Each
//! one catches panics (`guard`, under the entry point's own name), turns
//! the raw arguments into `host` types, hands the body the module's
//! `Context`, and logs the error a body returns as an ERROR line under the
//! entry point's name. Bodies are plain safe Rust.
//!
//! ```text
//! entry!(dialog fn dialog_loaded(ctx, call), panic: "the dialog is left as it was", {
//!     ... Ok(())
//! });
//! ```

use crate::host::event::Event;
use crate::rfc4028::policy::Config;
use std::sync::OnceLock;

/// Configuration after mod_init (each process inherits it through fork).
pub(super) struct Settings {
    pub(super) policy: Config,
    /// The sst_flag bit in msg->flags.
    pub(super) flag_mask: u32,
    /// Where `$sst(interval)` / `$sst(insert)` written before create_dialog()
    /// wait for the dialog-created callback.
    pub(super) call_slots: super::reads::CallSlots,
    /// E_SST_EXPIRED; None if the core would not publish it (logged).
    pub(super) expired_event: Option<Event>,
    /// `$DLG_timeout`, parsed: how a reply re-arms the dialog timer now.
    pub(super) dlg_timeout: Option<crate::host::pv::ScriptVar>,
}

pub(super) static SETTINGS: OnceLock<Settings> = OnceLock::new();

/// What every entry point after mod_init works with: the configuration and
/// the dialog module's API.
#[derive(Clone, Copy)]
pub(crate) struct Context {
    pub(super) s: &'static Settings,
    pub(super) api: &'static crate::host::dialog::DlgApi,
}

impl Context {
    /// None until mod_init has set both up.
    pub(crate) fn get() -> Option<Context> {
        Some(Context { s: SETTINGS.get()?, api: crate::host::dialog::DlgApi::get()? })
    }
}

/// Runs an FFI entry point, turning a panic into a log line and `on_panic`:
/// no unwinding ever crosses into OpenSIPS. `then` says what that value
/// means for the caller (e.g. "the message is left as it was").
pub(crate) fn guard<R>(entry: &'static str, on_panic: R, then: &'static str, f: impl FnOnce() -> R) -> R {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(cause) => {
            let what = cause
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| cause.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            crate::sst_log!(ERR, "internal error in {}: {}; {}", entry, what, then);
            on_panic
        }
    }
}

/// Why an entry point stopped before the end.
pub(crate) enum Stop {
    /// Nothing to say: not ours, nothing to do, or already logged.
    Quiet,
    /// Logged by the trampoline.
    Error(String),
}

impl From<String> for Stop {
    fn from(why: String) -> Stop {
        Stop::Error(why)
    }
}

impl From<&str> for Stop {
    fn from(why: &str) -> Stop {
        Stop::Error(why.into())
    }
}

/// What an entry point's body returns.
pub(crate) type Outcome<T = ()> = Result<T, Stop>;

/// The caller's value for what a body returned (`failed` when it stopped),
/// logging the error it gave.
pub(crate) fn finish<R>(entry: &'static str, outcome: Outcome<R>, failed: R) -> R {
    match outcome {
        Ok(r) => r,
        Err(Stop::Quiet) => failed,
        Err(Stop::Error(why)) => {
            crate::sst_log!(ERR as entry, "{}", why);
            failed
        }
    }
}

/// One arm per signature the core or the dialog module calls. `panic:`
/// says what the value returned after a panic means for the caller.
macro_rules! entry {
    // exports.init_f: 0, or -1 (the server does not start). No context yet.
    ($(#[$m:meta])* init fn $name:ident(), panic: $then:literal, { $($body:tt)* }) => {
        $(#[$m])*
        pub(crate) extern "C" fn $name() -> core::ffi::c_int {
            entry!(@run $name, $then, -1, (), |()| 0, {}, { $($body)* })
        }
    };
    // exports.init_child_f: 0, or -1 (the process does not start). `$rank`:
    // the process's rank (1 for the first worker forked, once per start).
    ($(#[$m:meta])* child_init fn $name:ident($rank:ident), panic: $then:literal, { $($body:tt)* }) => {
        $(#[$m])*
        pub(crate) extern "C" fn $name($rank: core::ffi::c_int) -> core::ffi::c_int {
            entry!(@run $name, $then, -1, (), |()| 0, {}, { $($body)* })
        }
    };
    // A script function (cmd_export_t) with one optional int parameter.
    ($(#[$m:meta])* cmd fn $name:ident($ctx:ident, $msg:ident, $p1:ident), panic: $then:literal, { $($body:tt)* }) => {
        $(#[$m])*
        #[allow(non_snake_case)]
        pub(crate) unsafe extern "C" fn $name(
            msg: *mut $crate::sys::sip_msg,
            p1: *mut core::ffi::c_void,
            _p2: *mut core::ffi::c_void,
            _p3: *mut core::ffi::c_void,
            _p4: *mut core::ffi::c_void,
            _p5: *mut core::ffi::c_void,
            _p6: *mut core::ffi::c_void,
            _p7: *mut core::ffi::c_void,
            _p8: *mut core::ffi::c_void,
        ) -> core::ffi::c_int {
            entry!(@run $name, $then, -1, core::ffi::c_int, |r| r, {
                // SAFETY: the core passes the message being routed, and for
                // the optional int parameter NULL (omitted) or a temporary int*.
                let (msg, $p1) = unsafe { ($crate::host::msg::SipMsg::from_ptr(msg), $crate::host::msg::optional_int(p1)) };
                let Some(mut $msg) = msg else { return -1 };
                let Some($ctx) = $crate::module::entry::Context::get() else { return -1 };
            }, { $($body)* })
        }
    };
    // A dialog callback (register_dlgcb).
    ($(#[$m:meta])* dialog fn $name:ident($ctx:ident, $call:ident), panic: $then:literal, { $($body:tt)* }) => {
        $(#[$m])*
        pub(crate) unsafe extern "C" fn $name(
            dlg: *mut $crate::sys::dlg_cell,
            ty: core::ffi::c_int,
            params: *mut $crate::sys::dlg_cb_params,
        ) {
            entry!(@run $name, $then, (), (), |()| (), {
                // `$call` borrows this local, so nothing of it outlives the callback.
                let callback = ();
                // SAFETY: the dialog module's arguments to this callback,
                // valid for its duration.
                let Some($call) = (unsafe { $crate::host::dialog::DlgCall::from_raw(&callback, dlg, ty, params) }) else { return };
                let Some($ctx) = $crate::module::entry::Context::get() else { return };
            }, { $($body)* })
        }
    };
    // A tm callback (register_tmcb), maybe in tm's timer process.
    ($(#[$m:meta])* tm fn $name:ident($ctx:ident, $reply:ident), panic: $then:literal, { $($body:tt)* }) => {
        $(#[$m])*
        pub(crate) unsafe extern "C" fn $name(
            _t: *mut $crate::sys::cell,
            _ty: core::ffi::c_int,
            params: *mut $crate::sys::tmcb_params,
        ) {
            entry!(@run $name, $then, (), (), |()| (), {
                // `$reply` borrows this local, so nothing of it outlives the callback.
                let callback = ();
                // SAFETY: tm's params to this callback, valid for its duration.
                let Some($reply) = (unsafe { $crate::host::tm::TmReply::from_raw(&callback, params) }) else { return };
                let Some($ctx) = $crate::module::entry::Context::get() else { return };
            }, { $($body)* })
        }
    };
    // pv_export_t.parse_name: runs while the script is parsed, before
    // mod_init, so without a context. 0, or -1 (the config is refused).
    ($(#[$m:meta])* pv_name fn $name:ident($spec:ident), panic: $then:literal, { $($body:tt)* }) => {
        $(#[$m])*
        pub(crate) unsafe extern "C" fn $name(sp: *mut $crate::sys::pv_spec_t, name: *const $crate::sys::str_) -> core::ffi::c_int {
            entry!(@run $name, $then, -1, (), |()| 0, {
                // SAFETY: the core passes the spec being built and the text in $sst(...).
                let mut $spec = unsafe { $crate::host::pv::NameParse::from_raw(sp, name) };
            }, { $($body)* })
        }
    };
    // pv_export_t.getf: the body fills the value and returns its result.
    ($(#[$m:meta])* pv_get fn $name:ident($ctx:ident, $get:ident), panic: $then:literal, { $($body:tt)* }) => {
        $(#[$m])*
        pub(crate) unsafe extern "C" fn $name(
            msg: *mut $crate::sys::sip_msg,
            param: *mut $crate::sys::pv_param_t,
            res: *mut $crate::sys::pv_value_t,
        ) -> core::ffi::c_int {
            entry!(@run $name, $then, -1, core::ffi::c_int, |r| r, {
                // SAFETY: the getter's own three arguments.
                let Some($get) = (unsafe { $crate::host::pv::Get::from_raw(msg, param, res) }) else { return -1 };
                let Some($ctx) = $crate::module::entry::Context::get() else { return -1 };
            }, { $($body)* })
        }
    };
    // pv_export_t.setf: 0, or -1 (the assignment fails).
    ($(#[$m:meta])* pv_set fn $name:ident($ctx:ident, $set:ident), panic: $then:literal, { $($body:tt)* }) => {
        $(#[$m])*
        pub(crate) unsafe extern "C" fn $name(
            _msg: *mut $crate::sys::sip_msg,
            param: *mut $crate::sys::pv_param_t,
            _op: core::ffi::c_int,
            val: *mut $crate::sys::pv_value_t,
        ) -> core::ffi::c_int {
            entry!(@run $name, $then, -1, (), |()| 0, {
                // SAFETY: the setter's param, and NULL ($null) or the value assigned.
                let $set = unsafe { $crate::host::pv::Set::from_raw(param, val) };
                let Some($ctx) = $crate::module::entry::Context::get() else { return -1 };
            }, { $($body)* })
        }
    };
    // Every trampoline: under `guard`, `$prep` turns the raw arguments into
    // the body's (returning `$fail` when it cannot), then the body runs and
    // `finish` maps its outcome (`$ok` for a success) and logs its error.
    (@run $name:ident, $then:literal, $fail:expr, $out:ty, $ok:expr, { $($prep:tt)* }, { $($body:tt)* }) => {
        $crate::module::entry::guard(stringify!($name), $fail, $then, || {
            $($prep)*
            // A closure, so that `return` and `?` in the body end the body.
            #[allow(clippy::redundant_closure_call)]
            let outcome = (|| -> $crate::module::entry::Outcome<$out> { $($body)* })();
            $crate::module::entry::finish(stringify!($name), outcome.map($ok), $fail)
        })
    };
}
