//! A message of the model: its headers, edited the way the core edits it.

use crate::rfc4028::grammar::{self, HeaderName};
use crate::rfc4028::policy::*;

/// A message as headers (name, body).
#[derive(Clone, Debug, Default)]
pub(super) struct Msg(pub(super) Vec<(String, String)>);

impl Msg {
    pub(super) fn facts(&self) -> Option<MessageFacts> {
        gather(lay_out(self.0.iter().map(|(n, b)| (n.as_bytes(), b.as_bytes())))).ok()
    }
    fn count(&self, which: HeaderName) -> usize {
        self.0.iter().filter(|(n, _)| grammar::classify_name(n.as_bytes()) == which).count()
    }
    /// The session interval this message tells its receiver, if usable.
    pub(super) fn session_expires(&self) -> Option<u32> {
        let f = self.facts()?;
        f.se().map(|se| se.interval).filter(|i| *i > 0)
    }
    /// Makes the policy's edits where they were placed, on the message as
    /// `lay_out` writes it, and reads the headers back.
    pub(super) fn apply(&mut self, edits: &Edits) {
        let text: String = self.0.iter().map(|(n, b)| format!("{n}: {b}\r\n")).collect();
        let edited = String::from_utf8(edits.applied_to(text.as_bytes())).expect("edits write ASCII");
        self.0 = edited
            .split_terminator("\r\n")
            .map(|line| {
                let (n, b) = line.split_once(": ").unwrap_or_else(|| panic!("a header line: {line:?} in {edited:?}"));
                (n.to_string(), b.to_string())
            })
            .collect();
        // (d): never two of either in what goes on
        assert!(self.count(HeaderName::SessionExpires) <= 1, "two Session-Expires forwarded: {self:?}");
        assert!(self.count(HeaderName::MinSe) <= 1, "two Min-SE forwarded: {self:?}");
    }
}
