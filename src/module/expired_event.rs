//! E_SST_EXPIRED: raised when a dialog ends because its session timer ran
//! out (published in mod_init).

use super::reads::load_refresher;
use crate::host::dialog::{Dialog, DlgApi};
use crate::host::event::{Event, Param};
use crate::session::script::requester_word;
use crate::session::dialog_state::SstState;
use crate::sst_log;

pub(super) const EXPIRED_EVENT: &str = "E_SST_EXPIRED";

/// E_SST_EXPIRED for a dialog whose session timer ran out: which call, the
/// interval, and who should have refreshed it (so the dead end is known).
/// Not raised for a tracked call without a running session timer, whose
/// expiry is the dialog module's own timeout.
pub(super) fn raise_expired(ev: Event, api: &DlgApi, dlg: &Dialog, state: &SstState) {
    let refresher = load_refresher(api, dlg).map_or("", |r| r.as_str());
    let (h_entry, h_id) = dlg.hash_ids();
    let params = [
        Param::Str("callid", dlg.callid()),
        Param::Int("interval", i32::try_from(state.interval).unwrap_or(i32::MAX)),
        Param::Str("refresher", refresher.as_bytes()),
        Param::Str("requester", requester_word(state.requester).as_bytes()),
        Param::Int("hash_entry", h_entry as i32),
        Param::Int("hash_id", h_id as i32),
    ];
    if !ev.raise(&params) {
        sst_log!(ERR, "dialog {}: cannot raise {}", String::from_utf8_lossy(dlg.callid()), EXPIRED_EVENT);
    }
}
