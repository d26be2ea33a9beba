//! A message's session-timer headers: what they say and where they sit
//! (`gather`), and the changes the policy makes to a message being
//! forwarded, each placed on the bytes it changes with the text it puts
//! there (`Edits`), so the module only hands them to the core's lumps
//! without walking the headers again.

use super::super::grammar::{self, HeaderError, HeaderName, Refresher, SessionExpires};
use core::fmt;


/// A run of bytes in the message buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    pub at: u32,
    pub len: u32,
}

/// One header line as the SIP parser delimited it, with its place in the
/// message buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeaderLine<'a> {
    pub name: &'a [u8],
    pub body: &'a [u8],
    /// The whole line, from its name to its CRLF included.
    pub line: Span,
    /// Where the body starts.
    pub body_at: u32,
}

/// A request's method, as far as session timers tell them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Invite,
    Update,
    Ack,
    Prack,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CseqMethod {
    Invite,
    Update,
    Other,
}

/// The end of the first Require header's body: where `timer` is added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequireEnd {
    pub at: u32,
    /// The body is empty (or blank): `timer` needs no separating comma.
    pub empty: bool,
}

/// What one message says about session timers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MessageFacts {
    /// The Session-Expires header, and where its delta-seconds sit.
    pub session_expires: Option<(SessionExpires, Span)>,
    pub min_se: Option<u32>,
    /// The whole Min-SE line, replaced as one.
    pub min_se_line: Option<Span>,
    /// `Supported: timer`
    pub supports_timer: bool,
    /// A Require header names `timer`.
    pub requires_timer: bool,
    /// The first Require header, if there is one.
    pub first_require: Option<RequireEnd>,
    pub cseq_method: Option<CseqMethod>,
}

impl MessageFacts {
    pub fn se(&self) -> Option<SessionExpires> {
        self.session_expires.map(|(se, _)| se)
    }
}

/// A header the module could not accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FactsError {
    pub header: &'static str,
    pub error: HeaderError,
}

/// Reads the facts from a message's header lines, in message order.
/// Session-Expires and Min-SE may appear once each.
pub fn gather<'a, I>(headers: I) -> Result<MessageFacts, FactsError>
where
    I: IntoIterator<Item = HeaderLine<'a>>,
{
    let mut f = MessageFacts::default();
    for h in headers {
        match grammar::classify_name(h.name) {
            HeaderName::SessionExpires => {
                let err = |error| FactsError { header: "Session-Expires", error };
                if f.session_expires.is_some() {
                    return Err(err(HeaderError::Duplicate));
                }
                let se = grammar::parse_session_expires(h.body).map_err(err)?;
                let delta = Span {
                    at: h.body_at.saturating_add(se.delta_start as u32),
                    len: (se.delta_end - se.delta_start) as u32,
                };
                f.session_expires = Some((se, delta));
            }
            HeaderName::MinSe => {
                let err = |error| FactsError { header: "Min-SE", error };
                if f.min_se.is_some() {
                    return Err(err(HeaderError::Duplicate));
                }
                f.min_se = Some(grammar::parse_min_se(h.body).map_err(err)?);
                f.min_se_line = Some(h.line);
            }
            HeaderName::Supported => f.supports_timer |= grammar::has_option_tag(h.body, b"timer"),
            HeaderName::Require => {
                f.requires_timer |= grammar::has_option_tag(h.body, b"timer");
                f.first_require.get_or_insert(RequireEnd {
                    at: h.body_at.saturating_add(h.body.len() as u32),
                    empty: h.body.iter().all(u8::is_ascii_whitespace),
                });
            }
            HeaderName::CSeq => {
                f.cseq_method = grammar::cseq_method(h.body).map(|m| match m {
                    b"INVITE" => CseqMethod::Invite,
                    b"UPDATE" => CseqMethod::Update,
                    _ => CseqMethod::Other,
                })
            }
            HeaderName::Other => {}
        }
    }
    Ok(f)
}

/// A change to the message being forwarded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Replace the Min-SE line (or add one) with `Min-SE: value`.
    ReplaceMinSe(u32),
    /// Rewrite the Session-Expires delta-seconds in place (parameters kept):
    /// raised to the proxy's minimum, or lowered to max_se.
    SetSessionExpires(u32),
    /// Add a Session-Expires header.
    AddSessionExpires { interval: u32, refresher: Option<Refresher> },
    /// Add `timer` to Require (append to the first Require, or add one).
    AddRequireTimer,
}

/// Where an edit goes, in offsets of the message buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Replace `len` bytes at `at`.
    Replace { at: u32, len: u32 },
    /// Insert before the byte at `at`.
    Insert { at: u32 },
    /// A new header line after the last one.
    EndOfHeaders,
}

/// The text an edit writes. The longest is
/// `Session-Expires: 4294967295;refresher=uac\r\n` (43 bytes); it is built
/// on the stack, nothing is allocated per message.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EditText {
    bytes: [u8; 48],
    len: u8,
}

impl EditText {
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }
}

impl fmt::Write for EditText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let start = self.len as usize;
        let end = start.checked_add(s.len()).filter(|&e| e <= self.bytes.len()).ok_or(fmt::Error)?;
        self.bytes[start..end].copy_from_slice(s.as_bytes());
        self.len = end as u8;
        Ok(())
    }
}

impl fmt::Debug for EditText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

fn text(args: fmt::Arguments<'_>) -> EditText {
    let mut t = EditText { bytes: [0; 48], len: 0 };
    let written = fmt::write(&mut t, args);
    debug_assert!(written.is_ok(), "every edit's text fits in EditText");
    t
}

/// An edit with where it goes and what it writes there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlacedEdit {
    pub edit: Edit,
    pub place: Place,
    pub text: EditText,
}

impl Edit {
    /// Where the edit goes in the message `facts` were gathered from, and
    /// its text; None for a rewrite of a Session-Expires the message lacks.
    pub fn place_in(self, facts: &MessageFacts) -> Option<PlacedEdit> {
        let (place, text) = match self {
            // gather() refused the message if Min-SE appeared twice: at most
            // one line, replaced whole or not at all (never none, never two).
            Edit::ReplaceMinSe(value) => {
                let place = facts.min_se_line.map_or(Place::EndOfHeaders, |l| Place::Replace { at: l.at, len: l.len });
                (place, text(format_args!("Min-SE: {value}\r\n")))
            }
            Edit::SetSessionExpires(value) => {
                let (_, delta) = facts.session_expires?;
                (Place::Replace { at: delta.at, len: delta.len }, text(format_args!("{value}")))
            }
            Edit::AddSessionExpires { interval, refresher: Some(r) } => {
                (Place::EndOfHeaders, text(format_args!("Session-Expires: {interval};refresher={}\r\n", r.as_str())))
            }
            Edit::AddSessionExpires { interval, refresher: None } => {
                (Place::EndOfHeaders, text(format_args!("Session-Expires: {interval}\r\n")))
            }
            Edit::AddRequireTimer => match facts.first_require {
                Some(r) if r.empty => (Place::Insert { at: r.at }, text(format_args!("timer"))),
                Some(r) => (Place::Insert { at: r.at }, text(format_args!(", timer"))),
                None => (Place::EndOfHeaders, text(format_args!("Require: timer\r\n"))),
            },
        };
        Some(PlacedEdit { edit: self, place, text })
    }
}

/// Up to three edits, without allocating on the per-message path, in the
/// order they are made: each one may rely on those before it, so when one
/// cannot be made the rest are left out and the message stays consistent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Edits {
    items: [Option<PlacedEdit>; 3],
}

impl Edits {
    /// Adds `edit`, placed in the message `facts` were gathered from.
    pub fn push(&mut self, edit: Edit, facts: &MessageFacts) {
        let Some(placed) = edit.place_in(facts) else {
            debug_assert!(false, "{edit:?} has no place in {facts:?}");
            return;
        };
        if let Some(slot) = self.items.iter_mut().find(|s| s.is_none()) {
            *slot = Some(placed);
        } else {
            debug_assert!(false, "more than three edits");
        }
    }
    pub fn iter(&self) -> impl Iterator<Item = Edit> + '_ {
        self.placed().map(|p| p.edit)
    }
    /// The edits with their places and texts, in the order to make them.
    pub fn placed(&self) -> impl Iterator<Item = &PlacedEdit> + '_ {
        self.items.iter().flatten()
    }
    pub fn is_empty(&self) -> bool {
        self.items[0].is_none()
    }

    /// Whether these edits raise the session interval of the message
    /// `facts` were gathered from (its Session-Expires, or its Min-SE,
    /// to the proxy's minimum) and whether they lower it (to max_se).
    /// Adding a Session-Expires the message lacked is neither.
    pub fn moved(&self, facts: &MessageFacts) -> Moved {
        let asked = facts.se().map(|se| se.interval);
        let mut m = Moved::default();
        for e in self.iter() {
            match e {
                Edit::SetSessionExpires(v) if asked.is_some_and(|a| v > a) => m.raised = true,
                Edit::SetSessionExpires(v) if asked.is_some_and(|a| v < a) => m.lowered = true,
                Edit::ReplaceMinSe(v) if facts.min_se.is_none_or(|a| v > a) => m.raised = true,
                _ => {}
            }
        }
        m
    }
}

/// See `Edits::moved`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Moved {
    pub raised: bool,
    pub lowered: bool,
}
