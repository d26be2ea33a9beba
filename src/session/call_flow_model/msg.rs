//! A message of the model: its headers, edited the way the core edits it.

use crate::rfc4028::grammar::{self, HeaderName};
use super::steps::SeAnswer;
use crate::rfc4028::policy::*;

/// A message as headers (name, body).
#[derive(Clone, Debug, Default)]
pub(super) struct Msg(pub(super) Vec<(String, String)>);

impl Msg {
    /// A final answer with Session-Expires as `se` says, to a request that
    /// asked for `asked`.
    pub(super) fn answer(se: SeAnswer, asked: Option<u32>, refresher_uas: bool, cseq: &str) -> Msg {
        let mut m = Msg(vec![("CSeq".into(), cseq.into())]);
        let r = if refresher_uas { ";refresher=uas" } else { ";refresher=uac" };
        let v = match (se, asked) {
            (SeAnswer::Same, Some(a)) => Some(a.to_string()),
            (SeAnswer::Lower(by), Some(a)) => Some(a.saturating_sub(by).max(1).to_string()),
            // A request without Session-Expires gets none back here: the
            // UAS may only lower what was asked (RFC 4028 §9).
            (SeAnswer::Same | SeAnswer::Lower(_), None) => None,
            (SeAnswer::Absent, _) => None,
            (SeAnswer::Zero, _) => Some("0".into()),
            (SeAnswer::Unreadable, _) => Some("abc".into()),
        };
        if let Some(v) = v {
            m.0.push(("Session-Expires".into(), format!("{v}{r}")));
        }
        m
    }

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
