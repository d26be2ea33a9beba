//! `sstCheckMin([send_reply])` and the 422 it answers with.

use super::entry::Context;
use super::reads::{read_facts, request_method};
use super::statistics::REJECTED_SST;
use crate::host::log::What;
use crate::host::msg::SipMsg;
use crate::host::sig::SigApi;
use crate::rfc4028::policy::{self, CheckMin, Method};
use crate::sst_log;
use core::ffi::c_int;

const REASON_422: &str = "Session Timer Too Small";

/// sstCheckMin's value when the 422 it was asked to send could not be sent.
const CHECK_MIN_REPLY_FAILED: c_int = -3;

entry!(
    /// `sstCheckMin([send_reply])`: 1 when our min_se is larger than what the
    /// INVITE/UPDATE offers (and a 422 was sent if send_reply is non-zero), -1
    /// otherwise, -2 for a malformed Session-Expires or Min-SE, -3 when the 422
    /// was asked for but could not be sent (so `if (sstCheckMin(1)) exit;` goes
    /// on and the script answers the caller). Never 0, which would silently end
    /// the script.
    cmd fn sstCheckMin(ctx, msg, send_reply), panic: "the message is left as it was", {
        Ok(check_min(ctx, &mut msg, send_reply.unwrap_or(0) != 0))
    }
);

fn check_min(ctx: Context, msg: &mut SipMsg, send_reply: bool) -> c_int {
    let method = request_method(msg).unwrap_or(Method::Other);
    let facts = || read_facts(msg, What { kind: &"sstCheckMin", callid: &[] });
    match policy::check_min(method, facts, ctx.s.policy.min_se) {
        CheckMin::NotApplicable | CheckMin::LargeEnough => -1,
        CheckMin::Unreadable => -2,
        CheckMin::TooSmall { min_se } => {
            if send_reply && !send_422(msg, min_se) {
                return CHECK_MIN_REPLY_FAILED;
            }
            1
        }
    }
}

fn send_422(msg: &mut SipMsg, min_se: u32) -> bool {
    let line = format!("Min-SE: {min_se}\r\n");
    let header = match msg.add_reply_header(line.as_bytes()) {
        Ok(h) => h,
        Err(e) => {
            sst_log!(ERR, "cannot add Min-SE to the 422 reply ({:?})", e);
            return false;
        }
    };
    let sent = SigApi::get().is_some_and(|sig| sig.reply(msg, 422, REASON_422));
    if sent {
        REJECTED_SST.increment();
    } else {
        // Whatever the script answers instead must not carry our Min-SE.
        msg.withdraw_reply_header(header);
        sst_log!(ERR, "cannot send the 422 reply");
    }
    sent
}
