//! Events through OpenSIPS's event interface (evi): published once in
//! mod_init, raised with a parameter list the core frees.

use crate::sys;
use core::ffi::{c_int, c_void};

#[derive(Clone, Copy, Debug)]
pub struct Event(sys::event_id_t);

/// Parameters one raise can carry (E_SST_EXPIRED has six).
const MAX_PARAMS: usize = 8;

/// One parameter of a raised event.
pub enum Param<'a> {
    Int(&'static str, i32),
    Str(&'static str, &'a [u8]),
}

fn c_str(b: &[u8]) -> sys::str_ {
    sys::str_ { s: b.as_ptr() as *mut _, len: b.len() as c_int }
}

impl Event {
    /// mod_init only: the core keeps the name's pointer (hence 'static) in a
    /// table each process inherits at fork.
    /// A script with `event_route[name]` has the core publish the name before
    /// mod_init; publishing again would work but log a warning, so an
    /// existing id is taken as it is.
    pub fn publish(name: &'static str) -> Option<Event> {
        let mut s = c_str(name.as_bytes());
        // SAFETY: core functions; the name outlives the server.
        let id = unsafe {
            match sys::evi_get_id(&mut s) {
                sys::EVI_ERROR => sys::evi_publish_event(s),
                id => id,
            }
        };
        (id != sys::EVI_ERROR).then_some(Event(id))
    }

    /// Whether any subscriber (event_route, a datagram/flatstore socket...)
    /// listens: building the parameters is skipped when nobody does.
    pub fn has_subscribers(self) -> bool {
        // SAFETY: core function on an id it returned.
        unsafe { sys::evi_probe_event(self.0) > 0 }
    }

    /// Raises the event; false (nothing raised) when memory runs out.
    pub fn raise(self, params: &[Param<'_>]) -> bool {
        // SAFETY: the list is the core's (pkg); evi_param_add keeps pointers to
        // names and values without copying, and all of ours live until
        // evi_raise_event returns, which frees the list (EVI_FREE_LIST).
        unsafe {
            let list = sys::evi_get_params();
            if list.is_null() {
                return false;
            }
            const NONE: sys::str_ = sys::str_ { s: core::ptr::null_mut(), len: 0 };
            debug_assert!(params.len() <= MAX_PARAMS, "raise with more than {MAX_PARAMS} parameters");
            // Backing store for what evi_param_add points at, alive until the raise.
            let (mut names, mut strs, mut ints) = ([NONE; MAX_PARAMS], [NONE; MAX_PARAMS], [0 as c_int; MAX_PARAMS]);
            for (i, p) in params.iter().take(MAX_PARAMS).enumerate() {
                let (name, value, flags) = match p {
                    Param::Int(n, v) => {
                        ints[i] = *v;
                        (n, &ints[i] as *const c_int as *const c_void, sys::EVI_INT_VAL)
                    }
                    Param::Str(n, v) => {
                        strs[i] = c_str(v);
                        (n, &strs[i] as *const sys::str_ as *const c_void, sys::EVI_STR_VAL)
                    }
                };
                names[i] = c_str(name.as_bytes());
                if sys::evi_param_add(list, &names[i], value, flags as c_int) < 0 {
                    sys::evi_free_params(list);
                    return false;
                }
            }
            sys::evi_raise_event(self.0, list) >= 0
        }
    }
}
