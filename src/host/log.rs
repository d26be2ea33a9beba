//! Logging through OpenSIPS's own logger (`dprint`), so `log_level`,
//! `log_stderror`, syslog and xlog-style prefixes behave as for every other
//! module. Lines look exactly like the C module's: `ERROR:sst:func: text`.

use crate::sys;
use core::ffi::{c_char, c_int, CStr};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Err,
    Warn,
    Notice,
    Info,
    Dbg,
}

impl Level {
    fn value(self) -> c_int {
        match self {
            Level::Err => sys::L_ERR,
            Level::Warn => sys::L_WARN as c_int,
            Level::Notice => sys::L_NOTICE as c_int,
            Level::Info => sys::L_INFO as c_int,
            Level::Dbg => sys::L_DBG as c_int,
        }
    }
    fn formats(self) -> (&'static CStr, &'static CStr) {
        match self {
            Level::Err => (c"%s [%d] %sERROR:sst:%s: %s", c"%sERROR:sst:%s: %s"),
            Level::Warn => (c"%s [%d] %sWARNING:sst:%s: %s", c"%sWARNING:sst:%s: %s"),
            Level::Notice => (c"%s [%d] %sNOTICE:sst:%s: %s", c"%sNOTICE:sst:%s: %s"),
            Level::Info => (c"%s [%d] %sINFO:sst:%s: %s", c"%sINFO:sst:%s: %s"),
            Level::Dbg => (c"%s [%d] %sDBG:sst:%s: %s", c"%sDBG:sst:%s: %s"),
        }
    }
}

/// Whether the server currently logs at `level` (read on every call: the
/// level can change at run time).
pub fn enabled(level: Level) -> bool {
    // SAFETY: `log_level` is a core global pointing at this process's level;
    // it is set before any module code runs. A NULL pointer means no logger.
    unsafe {
        let p = sys::log_level;
        !p.is_null() && *p >= level.value()
    }
}

pub fn write(level: Level, func: &str, args: fmt::Arguments<'_>) {
    if !enabled(level) {
        return;
    }
    let func = std::ffi::CString::new(func).unwrap_or_else(|_| c"sst".into());
    let mut text = fmt::format(args).into_bytes();
    text.retain(|&b| b != 0); // a NUL would cut the C string short
    text.extend_from_slice(b"\n\0");
    let mut time_buf = [0 as c_char; 32];
    // SAFETY: time/ctime_r write at most 26 bytes into our 32-byte buffer;
    // dprint gets NUL-terminated strings that outlive the call and arguments
    // matching the "%s %d %s %s %s" formats; log_prefix may be NULL before
    // the core sets it, so it is replaced with "".
    unsafe {
        let now = libc::time(core::ptr::null_mut());
        let mut tm_str: *const c_char = c"".as_ptr();
        if !libc::ctime_r(&now, time_buf.as_mut_ptr()).is_null() {
            time_buf[19] = 0; // "Mon dd hh:mm:ss", like the core's dp_time()
            tm_str = time_buf.as_ptr().add(4);
        }
        let prefix = if sys::log_prefix.is_null() { c"".as_ptr() } else { sys::log_prefix as *const c_char };
        let (stderr_fmt, syslog_fmt) = level.formats();
        sys::dprint(
            level.value(),
            sys::log_facility,
            c"sst".as_ptr(),
            func.as_ptr(),
            stderr_fmt.as_ptr() as *mut c_char,
            syslog_fmt.as_ptr() as *mut c_char,
            c"%s".as_ptr() as *mut c_char,
            tm_str,
            sys::dp_my_pid(),
            prefix,
            func.as_ptr(),
            text.as_ptr() as *const c_char,
        );
    }
}

/// `sst_log!(WARN, "fmt", args)`: logs with the calling function's name;
/// `sst_log!(WARN as "name", "fmt", args)` with the name given.
#[macro_export]
macro_rules! sst_log {
    (ERR $($a:tt)*) => { $crate::sst_log!(@ $crate::host::log::Level::Err, $($a)*) };
    (WARN $($a:tt)*) => { $crate::sst_log!(@ $crate::host::log::Level::Warn, $($a)*) };
    (NOTICE $($a:tt)*) => { $crate::sst_log!(@ $crate::host::log::Level::Notice, $($a)*) };
    (INFO $($a:tt)*) => { $crate::sst_log!(@ $crate::host::log::Level::Info, $($a)*) };
    (DBG $($a:tt)*) => { $crate::sst_log!(@ $crate::host::log::Level::Dbg, $($a)*) };
    (@ $lvl:expr, as $func:expr, $($a:tt)*) => {{
        let lvl = $lvl;
        if $crate::host::log::enabled(lvl) {
            $crate::host::log::write(lvl, $func, format_args!($($a)*));
        }
    }};
    (@ $lvl:expr, , $($a:tt)*) => { $crate::sst_log!(@ $lvl, as $crate::host::log::func_name!(), $($a)*) };
}

/// The enclosing function's name from a `type_name` like
/// `sst::module::created_cb::f` or `...::created_cb::{{closure}}::f`.
pub fn short_fn_name(full: &str) -> &str {
    let mut parts = full.rsplit("::").skip(1).filter(|p| !p.starts_with('{'));
    parts.next().unwrap_or("sst")
}

#[macro_export]
#[doc(hidden)]
macro_rules! __sst_func_name {
    () => {{
        fn f() {}
        $crate::host::log::short_fn_name(::core::any::type_name_of_val(&f))
    }};
}
pub use crate::__sst_func_name as func_name;

/// Names the message in log lines ("initial INVITE of <call-id>"), formatted
/// only when a line is actually written: nothing is built per message.
#[derive(Clone, Copy)]
pub(crate) struct What<'a> {
    pub kind: &'a dyn core::fmt::Display,
    pub callid: &'a [u8],
}

impl core::fmt::Display for What<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.callid.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{} of {}", self.kind, String::from_utf8_lossy(self.callid))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn function_names_are_the_enclosing_function() {
        assert_eq!(super::short_fn_name("sst::module::created_cb::f"), "created_cb");
        assert_eq!(super::short_fn_name("sst::module::created_cb::{{closure}}::f"), "created_cb");
        assert_eq!(super::short_fn_name("f"), "sst");
    }
}
