//! The module's entry points as OpenSIPS sees them, laid out as the C
//! module's sources: `init` (parameters, mod_init; sst.c), `check_min`
//! (`sstCheckMin()` and its 422), `dialog_cb` (the dialog callbacks;
//! sst_handlers.c), `list_ctx` (dlg_list_ctx; sst_mi.c), `own_reply` (a
//! refresh's reply tm makes itself, through a tm callback), `expired_event`
//! (E_SST_EXPIRED), `statistics` (the `sst` group), `reads` (what the handlers read, and the sst_info and
//! sst_refresher values), `script_pv` (`$sst()`), `exports` (what the
//! loader reads), `entry` (the trampolines, the settings and the `Context`
//! they hand over). Each entry point (`entry!`) reads through `host`, asks
//! `session::events` or `rfc4028::policy`, and applies the decision; none
//! of them lets a panic reach OpenSIPS.

#[macro_use]
mod entry;
mod check_min;
mod dialog_cb;
mod expired_event;
mod exports;
mod init;
mod list_ctx;
mod own_reply;
mod reads;
mod script_pv;
mod statistics;
pub use exports::exports;
