//! What one message says about session timers, and where in the message it
//! says it: the positions let an edit name the bytes it changes, so the
//! module applies it without walking the headers again.

use super::super::grammar::{self, HeaderError, HeaderName, SessionExpires};

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
