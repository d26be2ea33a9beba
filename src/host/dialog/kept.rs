//! What this node keeps per dialog in the parameter of the dialog's callback
//! registration: a pointer-sized number the dialog module stores with the
//! registration and hands every callback of it, and never saves, replicates
//! or frees (no free function is given). Reading it costs nothing, unlike a
//! dialog value (a locked lookup); it is lost with the node's memory, so
//! what must survive a restart is kept in a dialog value as well and put
//! back here when the dialog is loaded.

use core::ffi::c_void;

/// Bit 0: the mark (the `active_sst` gauge counts this dialog); bits 32 and
/// up: the call's own maximum duration plus one (0: none set for the call).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Kept {
    pub marked: bool,
    /// Below i32::MAX (what `$sst(max_duration)` accepts).
    pub max_duration: Option<u32>,
}

impl Kept {
    pub fn to_param(self) -> *mut c_void {
        let max = self.max_duration.map_or(0, |m| u64::from(m.min(i32::MAX as u32 - 1)) + 1);
        core::ptr::without_provenance_mut((max << 32 | u64::from(self.marked)) as usize)
    }

    pub fn from_param(p: *mut c_void) -> Kept {
        let bits = p as usize as u64;
        let max = (bits >> 32) as u32;
        Kept { marked: bits & 1 != 0, max_duration: max.checked_sub(1) }
    }
}

#[cfg(test)]
mod tests {
    use super::Kept;

    #[test]
    fn kept_round_trips_and_null_is_nothing_kept() {
        assert_eq!(Kept::from_param(core::ptr::null_mut()), Kept::default());
        for marked in [false, true] {
            for max_duration in [None, Some(0), Some(1), Some(14_400), Some(i32::MAX as u32 - 1)] {
                let k = Kept { marked, max_duration };
                assert_eq!(Kept::from_param(k.to_param()), k);
            }
        }
    }
}
