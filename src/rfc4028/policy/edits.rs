//! The changes the policy makes to a message being forwarded, each with the
//! bytes it changes and the text it puts there, so the module only hands
//! them to the core's lumps.

use super::super::grammar::Refresher;
use super::facts::MessageFacts;
use core::fmt;

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

    /// What the core's lumps make of `text`, the message these edits were
    /// placed in: every place is an offset of the original text, and edits
    /// at the same offset come out in the order they were made. Not used on
    /// the message path (the core does this); tests, the call-flow model and
    /// the fuzzers check the edits on the text with it.
    pub fn applied_to(&self, text: &[u8]) -> Vec<u8> {
        let end = text.len() as u32;
        let mut placed: Vec<(u32, usize, &PlacedEdit)> = self
            .placed()
            .enumerate()
            .map(|(i, p)| match p.place {
                Place::Replace { at, .. } | Place::Insert { at } => (at, i, p),
                Place::EndOfHeaders => (end, i, p),
            })
            .collect();
        // from the end backwards, so earlier offsets stay valid
        placed.sort_by_key(|&(at, i, _)| core::cmp::Reverse((at, i)));
        let mut out = text.to_vec();
        for (at, _, p) in placed {
            let len = match p.place {
                Place::Replace { len, .. } => len,
                _ => 0,
            };
            let start = (at as usize).min(out.len());
            let stop = start.saturating_add(len as usize).min(out.len());
            out.splice(start..stop, p.text.as_bytes().iter().copied());
        }
        out
    }
}
