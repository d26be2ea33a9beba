//! The proxy policy (RFC 4028 §8 and the module documentation) as pure
//! functions: facts of a message + configuration + dialog state -> decision.
//!
//! - `headers`: what a message says about session timers, and where; the
//!   changes to a forwarded message, placed and written out;
//! - `as_text`: a message as text, for tests, the model and the fuzzers;
//! - `initial`: the module's configuration, `sstCheckMin()` and the
//!   initial INVITE (flows 1-5);
//! - `reply`: replies in a tracked dialog (flows 7-11);
//! - `within`: in-dialog requests (refreshes, flow 12).

mod as_text;
mod headers;
mod initial;
mod reply;
mod within;

pub use as_text::lay_out;
pub use headers::{gather, CseqMethod, Edit, EditText, Edits, FactsError, HeaderLine, MessageFacts, Method, Moved, Place, PlacedEdit, RequireEnd, Span};
pub use initial::{Config, RFC_MIN_SE, check_min, initial_invite, initial_invite_for_call, CallOptions, CheckMin, InitialDecision};
pub use reply::{facts_of_own_reply, reply, RefreshAnswer, RefresherUpdate, ReplyContext, ReplyDecision};
pub use within::{refit, request_within, RequestDecision, WithinRequest};

#[cfg(test)]
mod tests;
