//! Carrying out the policy's edits on the message being forwarded, as
//! lumps (deleted and inserted text applied when it is sent on). Each edit
//! already says which bytes it changes and what it writes there.

use super::What;
use crate::host::msg::SipMsg;
use crate::rfc4028::policy::{Edits, Place};
use crate::sst_log;

/// Carries out the policy's edits on the message being forwarded, in order;
/// one that cannot be made (each is whole or not at all) leaves out those
/// after it, which may rely on it (e.g. Min-SE raised only with the
/// Session-Expires it must not exceed).
pub(super) fn apply_edits(msg: &mut SipMsg, edits: &Edits, what: What<'_>) {
    for e in edits.placed() {
        let text = e.text.as_bytes();
        let made = match e.place {
            Place::Replace { at, len } => msg.replace(at, len, text),
            Place::Insert { at } => msg.insert(at, text),
            Place::EndOfHeaders => msg.append_header(text),
        };
        if let Err(err) = made {
            sst_log!(ERR, "{}: could not apply {:?} ({:?}); the message goes on without it and what follows", what, e.edit, err);
            return;
        }
    }
}
