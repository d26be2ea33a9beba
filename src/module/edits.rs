//! Carrying out the policy's edits on the message being forwarded, as
//! lumps (deleted and inserted text applied when it is sent on).

use super::What;
use crate::host::msg::{EditError, SipMsg};
use crate::rfc4028::grammar::{self, HeaderName};
use crate::rfc4028::policy::{Edit, Edits, MessageFacts};
use crate::sst_log;

/// Carries out the policy's edits on the message being forwarded, in order;
/// one that cannot be made (each is whole or not at all) leaves out those
/// after it, which may rely on it (e.g. Min-SE raised only with the
/// Session-Expires it must not exceed).
pub(super) fn apply_edits(msg: &mut SipMsg, facts: &MessageFacts, edits: &Edits, what: What<'_>) {
    for edit in edits.iter() {
        if let Err(e) = apply_edit(msg, facts, edit) {
            sst_log!(ERR, "{}: could not apply {:?} ({:?}); the message goes on without it and what follows", what, edit, e);
            return;
        }
    }
}

fn apply_edit(msg: &mut SipMsg, facts: &MessageFacts, edit: Edit) -> Result<(), EditError> {
    match edit {
        Edit::ReplaceMinSe(value) => {
            // gather() refused the message if Min-SE appeared twice: at most
            // one line, replaced whole or not at all (never none, never two).
            let old = msg
                .headers()
                .find(|h| grammar::classify_name(h.name) == HeaderName::MinSe)
                .map(|h| (h.offset, h.len));
            let line = format!("Min-SE: {value}\r\n");
            match old {
                Some((off, len)) => msg.replace(off, len, line.as_bytes()),
                None => msg.append_header(line.as_bytes()),
            }
        }
        Edit::SetSessionExpires(value) => {
            let Some((se, index)) = facts.session_expires else { return Ok(()) };
            let Some(h) = msg.headers().nth(index) else { return Err(EditError::OutOfRange) };
            let at = h.body_offset + se.delta_start as u32;
            let len = (se.delta_end - se.delta_start) as u32;
            msg.replace(at, len, value.to_string().as_bytes())
        }
        Edit::AddSessionExpires { interval, refresher } => {
            let line = match refresher {
                Some(r) => format!("Session-Expires: {interval};refresher={}\r\n", r.as_str()),
                None => format!("Session-Expires: {interval}\r\n"),
            };
            msg.append_header(line.as_bytes())
        }
        Edit::AddRequireTimer => {
            let first_require = msg
                .headers()
                .find(|h| grammar::classify_name(h.name) == HeaderName::Require)
                .map(|h| (h.body_offset + h.body.len() as u32, h.body.iter().all(u8::is_ascii_whitespace)));
            match first_require {
                Some((end, true)) => msg.insert(end, b"timer"),
                Some((end, false)) => msg.insert(end, b", timer"),
                None => msg.append_header(b"Require: timer\r\n"),
            }
        }
    }
}
