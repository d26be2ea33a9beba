//! Thin safe wrappers over the OpenSIPS ABI. Nothing here decides anything:
//! these types read facts out of OpenSIPS structures and carry out edits.

pub mod context;
pub mod dialog;
pub mod event;
pub mod log;
pub mod mem;
pub mod mi;
pub mod msg;
pub mod pv;
pub mod sig;
pub mod stats;

/// Runs an FFI entry point, turning a panic into a log line and `on_panic`:
/// no unwinding ever crosses into OpenSIPS.
pub fn guard<R>(entry: &'static str, on_panic: R, f: impl FnOnce() -> R) -> R {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(cause) => {
            let what = cause
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| cause.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            crate::sst_log!(ERR, "internal error in {}: {}; the message is left as it was", entry, what);
            on_panic
        }
    }
}
