//! The proxy policy (RFC 4028 §8 and the module documentation) as pure
//! functions: facts of a message + configuration + dialog state -> decision.
//!
//! - `facts`: what a message says about session timers, and where;
//! - `edits`: the changes to a forwarded message, placed and written out;
//! - `initial`: `sstCheckMin()` and the initial INVITE (flows 1-5);
//! - `reply`: replies in a tracked dialog (flows 7-11);
//! - `within`: in-dialog requests (refreshes, flow 12).

mod edits;
mod facts;
mod initial;
mod reply;
mod within;

pub use edits::{Edit, EditText, Edits, Place, PlacedEdit};
pub use facts::{gather, lay_out, CseqMethod, FactsError, HeaderLine, MessageFacts, Method, RequireEnd, Span};
pub use initial::{check_min, initial_invite, initial_invite_for_call, CallOptions, CheckMin, InitialDecision};
pub use reply::{reply, RefresherUpdate, ReplyContext, ReplyDecision};
pub use within::{refit, request_within, RequestDecision, WithinRequest};

/// RFC 4028 §4: no Session-Expires or Min-SE may be below 90 seconds, and a
/// request without Min-SE is treated as Min-SE: 90 (§5).
pub const RFC_MIN_SE: u32 = 90;

/// Module configuration, fixed after mod_init.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    pub min_se: u32,
    pub sst_interval: u32,
    pub reject_to_small: bool,
    /// The dialog module's default_timeout: the lifetime of a dialog without
    /// a session timer.
    pub default_timeout: u32,
    /// The longest Session-Expires this proxy lets a request carry, and so
    /// the longest session it arms; 0: no cap.
    pub max_se: u32,
}

impl Config {
    /// The smallest session interval the proxy lets through: min_se, but
    /// never 0 (min_se = 0 is accepted at start-up with a warning; a zero
    /// interval would mean `Session-Expires: 0` and a call ended at once).
    pub fn floor(&self) -> u32 {
        self.min_se.max(1)
    }

    /// The interval this proxy asks for when it requests session timers.
    pub fn proxy_interval(&self) -> u32 {
        self.sst_interval.max(self.floor())
    }

    /// The longest Session-Expires a request with Min-SE `request_min_se`
    /// may carry on: max_se, but never below that Min-SE (RFC 4028 §8.1: a
    /// proxy may lower Session-Expires, never below Min-SE). None: no cap.
    pub fn request_cap(&self, request_min_se: Option<u32>) -> Option<u32> {
        (self.max_se > 0).then(|| self.max_se.max(request_min_se.unwrap_or(0)))
    }
}

#[cfg(test)]
mod tests;
