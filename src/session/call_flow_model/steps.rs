//! The events a generated call flow is made of, and their strategies.

use crate::rfc4028::policy::*;
use proptest::prelude::*;

#[derive(Clone, Copy, Debug)]
pub(super) enum SeAnswer {
    Same,
    Lower(u32),
    Absent,
    Zero,
    Unreadable,
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Outcome {
    Ok { se: SeAnswer, retransmitted: bool },
    Refused(u32),
    /// The far end never answers: the proxy's tm answers the UAC 408 itself.
    Unanswered,
}

#[derive(Clone, Debug)]
pub(super) enum Step {
    Provisional,
    Prack,
    EarlyUpdate { se: u32 },
    Answer { leg: u8, se: SeAnswer, refresher_uas: bool },
    Reject(u32),
    Ack,
    /// The script sets `$DLG_timeout` while routing the ACK, before the
    /// dialog module runs the request callbacks.
    AckAfterScriptTimeout(u32),
    Refresh { invite: bool, se: Option<u32>, min_se: Option<u32>, outcome: Outcome },
    Other,
    Wait(u32),
}

#[derive(Clone, Debug)]
pub(super) struct Invite {
    pub(super) se: Option<u32>,
    pub(super) min_se: Option<u32>,
    pub(super) supported: bool,
    pub(super) call: CallOptions,
}

pub(super) fn interval() -> impl Strategy<Value = u32> {
    prop_oneof![
        Just(0u32), Just(1), Just(89), Just(90), Just(91), Just(1800), Just(3600), Just(7200),
        Just(i32::MAX as u32), Just(1u32 << 31), Just(u32::MAX), 0u32..100_000,
    ]
}

pub(super) fn se_answer() -> impl Strategy<Value = SeAnswer> {
    prop_oneof![
        4 => Just(SeAnswer::Same),
        2 => (1u32..5000).prop_map(SeAnswer::Lower),
        1 => Just(SeAnswer::Absent),
        1 => Just(SeAnswer::Zero),
        1 => Just(SeAnswer::Unreadable),
    ]
}

pub(super) fn step() -> impl Strategy<Value = Step> {
    let refused = prop_oneof![Just(408u32), Just(422), Just(481), Just(487), Just(488), Just(491), Just(500), Just(503), Just(603)];
    let outcome = prop_oneof![
        (se_answer(), any::<bool>()).prop_map(|(se, retransmitted)| Outcome::Ok { se, retransmitted }),
        refused.prop_map(Outcome::Refused),
        Just(Outcome::Unanswered),
    ];
    prop_oneof![
        Just(Step::Provisional),
        Just(Step::Prack),
        interval().prop_map(|se| Step::EarlyUpdate { se }),
        (1u8..4, se_answer(), any::<bool>()).prop_map(|(leg, se, refresher_uas)| Step::Answer { leg, se, refresher_uas }),
        prop_oneof![Just(422u32), Just(486), Just(500)].prop_map(Step::Reject),
        Just(Step::Ack),
        (1u32..600).prop_map(Step::AckAfterScriptTimeout),
        (any::<bool>(), proptest::option::of(interval()), proptest::option::of(interval()), outcome)
            .prop_map(|(invite, se, min_se, outcome)| Step::Refresh { invite, se, min_se, outcome }),
        Just(Step::Other),
        prop_oneof![0u32..5, 0u32..2000, 0u32..50_000].prop_map(Step::Wait),
    ]
}

pub(super) fn config() -> impl Strategy<Value = Config> {
    (
        prop_oneof![Just(0u32), Just(90), Just(1800)],
        prop_oneof![Just(0u32), Just(600), Just(2400)],
        any::<bool>(),
        prop_oneof![Just(600u32), Just(7200), Just(43200)],
        prop_oneof![Just(0u32), Just(1800), Just(3600), Just(100_000)],
        prop_oneof![4 => Just(0u32), 1 => Just(1), 1 => Just(600), 1 => Just(5000), 1 => Just(14_400)],
        prop_oneof![Just(0u32), Just(5), Just(32)],
    )
        .prop_map(|(min_se, sst, reject, dt, max_se, max_duration, dead_call_grace)| {
            // mod_init refuses max_se below min_se or sst_interval: raise it
            // to the smallest value it would accept
            let max_se = if max_se == 0 { 0 } else { max_se.max(min_se).max(sst) };
            Config { min_se, sst_interval: sst, reject_to_small: reject, default_timeout: dt, max_se, max_duration, dead_call_grace }
        })
}

pub(super) fn invite() -> impl Strategy<Value = Invite> {
    (
        proptest::option::of(interval()),
        proptest::option::of(interval()),
        any::<bool>(),
        proptest::option::of(interval()),
        any::<bool>(),
        prop_oneof![4 => Just(None), 1 => Just(Some(0u32)), 1 => Just(Some(300)), 1 => Just(Some(20_000))],
    )
        .prop_map(|(se, min_se, supported, per_call, insert, max_duration)| Invite {
            se,
            min_se,
            supported,
            call: CallOptions { interval: per_call.filter(|i| *i > 0), insert, max_duration },
        })
}
