//! One dialog's session timer as this module keeps it, apart from the RFC
//! 4028 rules in `rfc4028`: `events`, the one decision each dialog event
//! gets (the C module's sst_handlers.c); `sst_info`, the 16-byte record
//! value shared with the C module; `dialog_timer`, what the dialog module's
//! timer can hold and tells us; `script`, the `$sst()` view. Pure Rust, as
//! `rfc4028`: the module layer reads, asks `events`, and applies.

pub mod dialog_timer;
pub mod events;
pub mod sst_info;
pub mod script;

#[cfg(test)]
mod call_flow_model;
