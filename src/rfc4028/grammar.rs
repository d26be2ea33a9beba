//! Header grammar of RFC 4028 §4 and §5 and the RFC 3261 rules they use:
//!
//! ```text
//! Session-Expires = ( "Session-Expires" / "x" ) HCOLON delta-seconds *( SEMI se-params )
//! se-params       = refresher-param / generic-param
//! refresher-param = "refresher" EQUAL ("uas" / "uac")
//! Min-SE          = "Min-SE" HCOLON delta-seconds *( SEMI generic-param )
//! delta-seconds   = 1*DIGIT
//! generic-param   = token [ EQUAL gen-value ];  gen-value = token / host / quoted-string
//! Supported / Require = name HCOLON [ option-tag *( COMMA option-tag ) ]
//! ```
//!
//! Input is a header body as the OpenSIPS parser delimits it (after the colon;
//! folded continuation lines may remain). Every malformed form gets a typed
//! error; nothing here panics on any input.

use core::fmt;

/// Who refreshes the session (`refresher=` parameter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refresher {
    Uac,
    Uas,
}

impl Refresher {
    pub fn as_str(self) -> &'static str {
        match self {
            Refresher::Uac => "uac",
            Refresher::Uas => "uas",
        }
    }
}

/// A parsed Session-Expires body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionExpires {
    pub interval: u32,
    pub refresher: Option<Refresher>,
    /// Byte range of the delta-seconds inside the body, so the value can be
    /// rewritten in place while the parameters stay as they are.
    pub delta_start: usize,
    pub delta_end: usize,
}

/// Why a header body was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderError {
    /// No value at all.
    Empty,
    /// The value starts with '-'.
    Negative,
    /// The value is not a run of digits.
    NotANumber,
    /// More than 2^32 - 1 seconds.
    Overflow,
    /// `refresher=` with something other than `uac` / `uas`.
    BadRefresher,
    /// `refresher=` given twice.
    DuplicateRefresher,
    /// A parameter that is not `token [= value]`.
    BadParameter,
    /// Something after the value that is not a parameter.
    TrailingGarbage,
    /// The header appears more than once (RFC 4028 allows one).
    Duplicate,
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HeaderError::Empty => "empty value",
            HeaderError::Negative => "negative value",
            HeaderError::NotANumber => "value is not a number",
            HeaderError::Overflow => "value exceeds 4294967295 seconds",
            HeaderError::BadRefresher => "refresher is neither uac nor uas",
            HeaderError::DuplicateRefresher => "refresher given twice",
            HeaderError::BadParameter => "malformed parameter",
            HeaderError::TrailingGarbage => "unexpected text after the value",
            HeaderError::Duplicate => "header appears more than once",
        })
    }
}

/// The headers this module reads, by name (case-insensitive, compact forms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderName {
    SessionExpires,
    MinSe,
    Supported,
    Require,
    CSeq,
    Other,
}

pub fn classify_name(name: &[u8]) -> HeaderName {
    let n = trim(name);
    if n.eq_ignore_ascii_case(b"session-expires") || n.eq_ignore_ascii_case(b"x") {
        HeaderName::SessionExpires
    } else if n.eq_ignore_ascii_case(b"min-se") {
        HeaderName::MinSe
    } else if n.eq_ignore_ascii_case(b"supported") || n.eq_ignore_ascii_case(b"k") {
        HeaderName::Supported
    } else if n.eq_ignore_ascii_case(b"require") {
        HeaderName::Require
    } else if n.eq_ignore_ascii_case(b"cseq") {
        HeaderName::CSeq
    } else {
        HeaderName::Other
    }
}

fn is_ws(b: u8) -> bool {
    // SP / HTAB, and CR / LF of a folded line (LWS).
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn trim(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| !is_ws(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|&b| !is_ws(b)).map_or(start, |e| e + 1);
    &s[start..end]
}

/// RFC 3261 token characters.
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(b, b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~')
}

struct Cursor<'a> {
    s: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn skip_ws(&mut self) {
        while self.pos < self.s.len() && is_ws(self.s[self.pos]) {
            self.pos += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }
    fn take_while(&mut self, f: impl Fn(u8) -> bool) -> &'a [u8] {
        let start = self.pos;
        while self.pos < self.s.len() && f(self.s[self.pos]) {
            self.pos += 1;
        }
        &self.s[start..self.pos]
    }
}

/// delta-seconds, with its position. Leaves the cursor after the digits.
fn delta_seconds(c: &mut Cursor<'_>) -> Result<(u32, usize, usize), HeaderError> {
    c.skip_ws();
    let start = c.pos;
    match c.peek() {
        None => return Err(HeaderError::Empty),
        Some(b'-') => return Err(HeaderError::Negative),
        Some(b';') => return Err(HeaderError::Empty),
        Some(b) if !b.is_ascii_digit() => return Err(HeaderError::NotANumber),
        _ => {}
    }
    let digits = c.take_while(|b| b.is_ascii_digit());
    let mut value: u32 = 0;
    for &d in digits {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u32::from(d - b'0')))
            .ok_or(HeaderError::Overflow)?;
    }
    // "12abc" is not a number followed by garbage parameters: it is not a number.
    if let Some(b) = c.peek() {
        if !is_ws(b) && b != b';' {
            return Err(HeaderError::NotANumber);
        }
    }
    Ok((value, start, c.pos))
}

/// One `;name[=value]` parameter (the ';' already consumed).
fn parameter<'a>(c: &mut Cursor<'a>) -> Result<(&'a [u8], Option<&'a [u8]>), HeaderError> {
    c.skip_ws();
    let name = c.take_while(is_token);
    if name.is_empty() {
        return Err(HeaderError::BadParameter);
    }
    c.skip_ws();
    if c.peek() != Some(b'=') {
        return Ok((name, None));
    }
    c.pos += 1;
    c.skip_ws();
    let value = if c.peek() == Some(b'"') {
        // quoted-string with backslash escapes
        let start = c.pos;
        c.pos += 1;
        loop {
            match c.peek() {
                None => return Err(HeaderError::BadParameter),
                Some(b'\\') => c.pos += 2,
                Some(b'"') => {
                    c.pos += 1;
                    break;
                }
                Some(_) => c.pos += 1,
            }
        }
        &c.s[start..c.pos.min(c.s.len())]
    } else {
        // token or host (IPv6 references and ports included)
        c.take_while(|b| is_token(b) || matches!(b, b':' | b'[' | b']'))
    };
    if value.is_empty() {
        return Err(HeaderError::BadParameter);
    }
    Ok((name, Some(value)))
}

/// Walks `*( SEMI param )` to the end, calling `on_param` for each.
fn parameters<'a>(
    c: &mut Cursor<'a>,
    mut on_param: impl FnMut(&'a [u8], Option<&'a [u8]>) -> Result<(), HeaderError>,
) -> Result<(), HeaderError> {
    loop {
        c.skip_ws();
        match c.peek() {
            None => return Ok(()),
            Some(b';') => {
                c.pos += 1;
                let (name, value) = parameter(c)?;
                on_param(name, value)?;
            }
            Some(_) => return Err(HeaderError::TrailingGarbage),
        }
    }
}

pub fn parse_session_expires(body: &[u8]) -> Result<SessionExpires, HeaderError> {
    let mut c = Cursor { s: body, pos: 0 };
    let (interval, delta_start, delta_end) = delta_seconds(&mut c)?;
    let mut refresher = None;
    parameters(&mut c, |name, value| {
        if name.eq_ignore_ascii_case(b"refresher") {
            if refresher.is_some() {
                return Err(HeaderError::DuplicateRefresher);
            }
            refresher = Some(match value {
                Some(v) if v.eq_ignore_ascii_case(b"uac") => Refresher::Uac,
                Some(v) if v.eq_ignore_ascii_case(b"uas") => Refresher::Uas,
                _ => return Err(HeaderError::BadRefresher),
            });
        }
        Ok(())
    })?;
    Ok(SessionExpires { interval, refresher, delta_start, delta_end })
}

pub fn parse_min_se(body: &[u8]) -> Result<u32, HeaderError> {
    let mut c = Cursor { s: body, pos: 0 };
    let (value, _, _) = delta_seconds(&mut c)?;
    parameters(&mut c, |_, _| Ok(()))?;
    Ok(value)
}

/// Whether an option-tag list (Supported, Require) names `tag`.
/// Compared case-insensitively, as the OpenSIPS Supported parser does.
pub fn has_option_tag(body: &[u8], tag: &[u8]) -> bool {
    body.split(|&b| b == b',').any(|t| trim(t).eq_ignore_ascii_case(tag))
}

/// The method token of a CSeq body (`4711 INVITE`).
pub fn cseq_method(body: &[u8]) -> Option<&[u8]> {
    let mut parts = body.split(|&b| is_ws(b)).filter(|p| !p.is_empty());
    let number = parts.next()?;
    if !number.iter().all(u8::is_ascii_digit) {
        return None;
    }
    parts.next()
}

#[cfg(test)]
mod tests;
