//! One dialog's session timer as this module keeps it, apart from the RFC
//! 4028 rules in `rfc4028`: `events`, the one decision each dialog event
//! gets (the C module's sst_handlers.c); `dialog_state`, the 16-byte
//! `sst_info` record shared with the C module and what the dialog module's
//! timer can hold and tells us; `script`, the `$sst()` view. Pure Rust, as
//! `rfc4028`: the module layer reads, asks `events`, and applies.

pub mod dialog_state;
pub mod events;
pub mod script;

#[cfg(test)]
mod call_flow_model;
