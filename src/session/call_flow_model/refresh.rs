//! A refresh in the model: the in-dialog re-INVITE or UPDATE through the
//! proxy, its final answer (accepted, refused, lost, or none: tm's own 408)
//! and, for a re-INVITE,
//! the ACK; with the reference of the session in force it leaves.

use super::msg::Msg;
use super::sim::Sim;
use super::steps::{Outcome, Step};
use crate::rfc4028::policy::Method;
use crate::session::events::Decision;

impl Sim {
    pub(super) fn refresh(&mut self, s: &Step, invite: bool, se: Option<u32>, min_se: Option<u32>, outcome: Outcome) {
        let cseq = if invite { "5 INVITE" } else { "5 UPDATE" };
        let mut req = Msg(vec![("CSeq".into(), cseq.into())]);
        if let Some(v) = se {
            req.0.push(("Session-Expires".into(), v.to_string()));
        }
        if let Some(m) = min_se {
            req.0.push(("Min-SE".into(), m.to_string()));
        }
        let method = if invite { Method::Invite } else { Method::Update };
        let watched = self.request_within(method, &mut req).watch_own_reply;
        // a new refresh is armed as every refresh: its answer decides again
        self.lost_end = None;
        let forwarded = req.facts().and_then(|f| f.se()).map(|se| se.interval);
        if forwarded.is_some_and(|i| i > 0) {
            self.own_timeout = None; // a session was proposed
        }
        // (h): a final reply to a refresh of a running session timer is
        // counted, as accepted (2xx) or refused.
        let timed = self.record.timer_active();
        match outcome {
            Outcome::Ok { se, retransmitted } => {
                let mut ok = Msg::answer(se, forwarded, false, cseq);
                let d = self.reply(200, &mut ok, false, true);
                // (one whose timer headers cannot be read does not say what it answers)
                let readable = ok.facts().is_some();
                assert_eq!((d.counts.refreshed, d.counts.refresh_refused), (timed && readable, false), "2xx to a refresh, timer running {timed}");
                if timed && readable {
                    self.lost_end = None; // answered again: not lost after all
                }
                match (ok.facts(), ok.session_expires()) {
                    (Some(_), Some(i)) => {
                        self.session = Some(self.expiry_of(i));
                        self.own_timeout = None;
                    }
                    // a refresh answered without Session-Expires: no timer from now on
                    (Some(f), None) if f.se().is_none() => self.session = None,
                    // 0 or unreadable: the session in force stays
                    _ => {}
                }
                if retransmitted {
                    let mut again = Msg::answer(se, forwarded, false, cseq);
                    self.reply(200, &mut again, false, true);
                }
            }
            Outcome::Refused(_) | Outcome::Unanswered => {
                let (code, d) = match outcome {
                    Outcome::Refused(code) => {
                        let mut m = Msg(vec![("CSeq".into(), cseq.into())]);
                        if code == 422 {
                            m.0.push(("Min-SE".into(), "7200".into()));
                        }
                        (code, self.reply(code, &mut m, false, true))
                    }
                    // tm's own 408 reaches the module only through the
                    // transaction it watches: every refresh of a running
                    // timer must be watched
                    _ => {
                        assert_eq!(watched, timed, "refresh with a timer running {timed} watched {watched}");
                        (408, if watched { self.own_reply(408, method) } else { Decision::default() })
                    }
                };
                assert_eq!((d.counts.refreshed, d.counts.refresh_refused), (false, timed), "{code} to a refresh, timer running {timed}");
                // reference: a 408 or 481 says the far end lost the
                // dialog; the call has the grace at most, no session
                if timed && matches!(code, 408 | 481) && self.cfg.dead_call_grace > 0 {
                    self.session = None;
                    let end = self.t + u64::from(self.cfg.dead_call_grace);
                    self.lost_end = Some(self.lost_end.map_or(end, |e| e.min(end)));
                }
            }
        }
        if invite {
            // the ACK of the final reply comes through the proxy too
            self.check(s);
            self.request_within(Method::Ack, &mut Msg::default());
        }
    }
}
