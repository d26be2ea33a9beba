//! What the module keeps on a dialog: the C module's 16-byte `sst_info`
//! record, and beside it who refreshes (`sst_refresher`).

use super::What;
use crate::host::dialog::{Dialog, DlgApi, DlgCall, Fetched};
use crate::rfc4028::policy::RefresherUpdate;
use crate::session::sst_info::{self, BadRecord, SstState, STATE_LEN};
use crate::rfc4028::Refresher;
use crate::sst_log;

/// Name of the dialog value holding the 16-byte record (as the C module).
const STATE_VALUE: &str = "sst_info";
/// Name of the dialog value holding who refreshes (`uac`/`uas`), kept
/// beside the record so the record stays exactly the C module's.
const REFRESHER_VALUE: &str = "sst_refresher";

/// The dialog's record; None (with a log line) when missing or corrupt, in
/// which case the call simply continues without session timing.
pub(super) fn stored_state(api: &DlgApi, dlg: &Dialog) -> Option<SstState> {
    load_state(dlg, api.fetch_value(dlg, STATE_VALUE))
}

/// The record and the refresher, read for `dlg_list_ctx` from inside
/// DLGCB_MI_CONTEXT (see `DlgCall::mi_value`).
pub(super) fn mi_state(api: &DlgApi, call: &DlgCall<'_>) -> Option<(SstState, Option<Refresher>)> {
    let state = load_state(&call.dlg, call.mi_value(api, STATE_VALUE))?;
    Some((state, refresher_of(call.mi_value(api, REFRESHER_VALUE))))
}

/// `fetched`, the dialog's `sst_info`, as a record.
fn load_state(dlg: &Dialog, fetched: Result<Option<Fetched>, ()>) -> Option<SstState> {
    let callid = || String::from_utf8_lossy(dlg.callid()).into_owned();
    match fetched {
        Ok(Some(v)) if v.is_str && v.len == STATE_LEN => match SstState::from_bytes(v.bytes()) {
            Ok(state) => Some(state),
            Err(BadRecord::Flags { requester, supported }) => {
                sst_log!(WARN, "dialog {}: sst_info is corrupt (requester {}, supported {}: values no module writes); session timing off for this call", callid(), requester, supported);
                None
            }
            Err(BadRecord::Length(_)) => None, // 16 bytes, checked above
        },
        Ok(Some(v)) => {
            sst_log!(WARN, "dialog {}: sst_info is corrupt ({} bytes, expected {}); session timing off for this call", callid(), v.len, STATE_LEN);
            None
        }
        Ok(None) => {
            sst_log!(WARN, "dialog {}: sst_info is missing; session timing off for this call", callid());
            None
        }
        Err(()) => {
            sst_log!(ERR, "dialog {}: cannot read sst_info (out of memory?)", callid());
            None
        }
    }
}

/// Stores the record; false when the dialog module could not.
pub(super) fn store_state(api: &DlgApi, dlg: &Dialog, state: &SstState) -> bool {
    api.store_value(dlg, STATE_VALUE, &state.to_bytes())
}

fn refresher_of(fetched: Result<Option<Fetched>, ()>) -> Option<Refresher> {
    match fetched {
        Ok(Some(v)) if v.is_str => sst_info::refresher_from_bytes(v.bytes()),
        _ => None,
    }
}

/// Who refreshes, as the last settling 2xx said; None when unknown.
pub(super) fn load_refresher(api: &DlgApi, dlg: &Dialog) -> Option<Refresher> {
    refresher_of(api.fetch_value(dlg, REFRESHER_VALUE))
}

/// Records the refresher a reply settled, writing only on change (a write
/// is also a replication message in a cluster).
pub(super) fn apply_refresher(api: &DlgApi, dlg: &Dialog, update: RefresherUpdate, what: What<'_>) {
    let wanted = match update {
        RefresherUpdate::Keep => return,
        RefresherUpdate::Set(r) => Some(r),
        RefresherUpdate::Clear => None,
    };
    if load_refresher(api, dlg) == wanted {
        return;
    }
    let ok = match wanted {
        Some(r) => api.store_value(dlg, REFRESHER_VALUE, sst_info::refresher_to_bytes(r)),
        None => api.delete_value(dlg, REFRESHER_VALUE),
    };
    if !ok {
        sst_log!(ERR, "{}: cannot record the refresher", what);
    }
}
