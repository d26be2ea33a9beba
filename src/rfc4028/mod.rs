//! Pure RFC 4028 logic: header grammar, the per-dialog record, and the proxy
//! policy as functions from facts to decisions. Nothing here touches a
//! pointer or OpenSIPS; the module layer gathers facts and applies decisions.

pub mod grammar;
pub mod policy;
pub mod script;
pub mod state;
pub mod timing;

#[cfg(test)]
mod fuzz_regressions;

pub use grammar::{HeaderError, Refresher, SessionExpires};
pub use policy::{Config, Edit, Edits, MessageFacts};
pub use state::SstState;

#[cfg(test)]
mod call_flow_model;
