//! A message as text, the way the core lays out its header lines and
//! applies lumps: what tests, benchmarks, the call-flow model and the
//! fuzzers build their messages from and check the edits on. Not on the
//! message path.

use super::headers::{Edits, HeaderLine, Place, PlacedEdit, Span};

/// Header lines as they sit in a message written `name: body\r\n` one after
/// another from offset 0: what tests, benchmarks and fuzzers build their
/// messages from, so the positions of the edits can be checked on the text.
pub fn lay_out<'a, I>(headers: I) -> impl Iterator<Item = HeaderLine<'a>>
where
    I: IntoIterator<Item = (&'a [u8], &'a [u8])>,
{
    let mut at = 0u32;
    headers.into_iter().map(move |(name, body)| {
        let len = (name.len() + 2 + body.len() + 2) as u32;
        let line = HeaderLine { name, body, line: Span { at, len }, body_at: at + name.len() as u32 + 2 };
        at += len;
        line
    })
}

impl Edits {
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
