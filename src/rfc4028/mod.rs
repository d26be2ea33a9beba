//! Pure RFC 4028 logic: the header grammar and the proxy's negotiation rules
//! (RFC 4028 §8) as functions from facts to decisions. Nothing here touches
//! a pointer or OpenSIPS; which dialog event asks which rule is decided in
//! `session::events`.

pub mod grammar;
pub mod policy;

#[cfg(test)]
mod fuzz_regressions;

pub use grammar::{HeaderError, Refresher, SessionExpires};
pub use policy::{Config, Edit, Edits, MessageFacts};
