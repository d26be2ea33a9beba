//! Pseudo-variable plumbing: the name slot a `parse_name` callback fills,
//! the value a getter returns (built by the core's own helpers, so buffers
//! live as long as the core expects) and the value a setter receives.

use crate::sys;
use core::ffi::c_int;
use core::ptr::NonNull;

/// The `pv_param_t` the core hands a getter or setter.
pub struct PvParam(NonNull<sys::pv_param_t>);

impl PvParam {
    /// # Safety
    /// `p` must be NULL or the pv_param_t passed to the current callback.
    pub unsafe fn from_ptr(p: *mut sys::pv_param_t) -> Option<PvParam> {
        NonNull::new(p).map(PvParam)
    }

    /// The integer `parse_name` stored for this `$sst(name)`.
    pub fn int_name(&self) -> Option<i32> {
        // SAFETY: the head of pv_param_t (pvn) is the same in every version.
        let pvn = unsafe { &(*self.0.as_ptr()).pvn };
        // SAFETY: with type PV_NAME_INTSTR and isname.type 0 the name is the int n.
        (pvn.type_ == sys::PV_NAME_INTSTR as c_int).then(|| unsafe { pvn.u.isname.name.n })
    }
}

/// Stores an integer name in the `pv_spec_t` being parsed.
///
/// # Safety
/// `sp` must be the non-NULL pv_spec_t passed to the current parse_name.
pub unsafe fn set_int_name(sp: *mut sys::pv_spec_t, n: i32) {
    let pvn = &mut (*sp).pvp.pvn;
    pvn.type_ = sys::PV_NAME_INTSTR as c_int;
    pvn.u.isname.type_ = 0; // an int name, not AVP_NAME_STR
    pvn.u.isname.name.n = n;
}

/// Reads the text of a `const str *` the core passes (the name in `$sst(name)`).
///
/// # Safety
/// `s` must be NULL or a str valid for the current call.
pub unsafe fn str_bytes<'a>(s: *const sys::str_) -> Option<&'a [u8]> {
    let s = s.as_ref()?;
    if s.len < 0 || (s.len > 0 && s.s.is_null()) {
        return None;
    }
    if s.len == 0 {
        return Some(&[]);
    }
    Some(core::slice::from_raw_parts(s.s as *const u8, s.len as usize))
}

/// What a getter hands back.
pub enum Out {
    Null,
    Uint(u32),
    Word(&'static str),
}

/// Fills `res` the way the core's own getters do: `$null`, an integer (with
/// its decimal text in the core's rotating buffer) or a static word.
///
/// # Safety
/// All three pointers must be the ones passed to the current getter.
pub unsafe fn answer(msg: *mut sys::sip_msg, param: *mut sys::pv_param_t, res: *mut sys::pv_value_t, out: Out) -> c_int {
    match out {
        Out::Null => sys::pv_get_null(msg, param, res),
        Out::Uint(n) => sys::pv_get_uintval(msg, param, res, n),
        Out::Word(w) => {
            // pv_get_strval copies the str itself; the text is static.
            let mut s = sys::str_ { s: w.as_ptr() as *mut _, len: w.len() as c_int };
            sys::pv_get_strval(msg, param, res, &mut s)
        }
    }
}

/// A value the script assigns (`$sst(x) = value`), borrowed for the call.
pub enum In<'a> {
    Null,
    Int(i64),
    Str(&'a [u8]),
    /// Neither an int nor a string (nothing the core produces today).
    Other,
}

/// # Safety
/// `v` must be NULL (an assigned `$null`) or the value passed to the setter.
pub unsafe fn assigned<'a>(v: *const sys::pv_value_t) -> In<'a> {
    let Some(v) = v.as_ref() else { return In::Null };
    let f = v.flags as u32;
    if f & sys::PV_VAL_NULL != 0 {
        return In::Null;
    }
    // pvv_is_int() of pvar.h: an int that is not just the text of a string
    let is_int = f & (sys::PV_VAL_INT | sys::PV_TYPE_INT) != 0 && (f & sys::PV_TYPE_INT != 0 || f & sys::PV_VAL_STR == 0);
    if is_int {
        return In::Int(v.ri.into());
    }
    if f & sys::PV_VAL_STR != 0 {
        return str_bytes(&v.rs).map_or(In::Other, In::Str);
    }
    In::Other
}
