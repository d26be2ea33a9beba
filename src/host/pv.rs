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
unsafe fn set_int_name(sp: *mut sys::pv_spec_t, n: i32) {
    // SAFETY: sp is the spec being parsed (the caller's promise).
    let pvn = unsafe { &mut (*sp).pvp.pvn };
    pvn.type_ = sys::PV_NAME_INTSTR as c_int;
    pvn.u.isname.type_ = 0; // an int name, not AVP_NAME_STR
    pvn.u.isname.name.n = n;
}

/// Reads the text of a `const str *` the core passes (the name in `$sst(name)`).
///
/// # Safety
/// `s` must be NULL or a str valid for the current call.
unsafe fn str_bytes<'a>(s: *const sys::str_) -> Option<&'a [u8]> {
    // SAFETY: NULL or a valid str (the caller's promise).
    let s = unsafe { s.as_ref()? };
    if s.len < 0 || (s.len > 0 && s.s.is_null()) {
        return None;
    }
    if s.len == 0 {
        return Some(&[]);
    }
    // SAFETY: a non-NULL buffer of s.len bytes, checked above.
    Some(unsafe { core::slice::from_raw_parts(s.s as *const u8, s.len as usize) })
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
unsafe fn answer(msg: *mut sys::sip_msg, param: *mut sys::pv_param_t, res: *mut sys::pv_value_t, out: Out) -> c_int {
    // SAFETY: the core's own helpers on the getter's own arguments (the
    // caller's promise); pv_get_strval copies the str, and the text is static.
    unsafe {
        match out {
            Out::Null => sys::pv_get_null(msg, param, res),
            Out::Uint(n) => sys::pv_get_uintval(msg, param, res, n),
            Out::Word(w) => {
                let mut s = sys::str_ { s: w.as_ptr() as *mut _, len: w.len() as c_int };
                sys::pv_get_strval(msg, param, res, &mut s)
            }
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
unsafe fn assigned<'a>(v: *const sys::pv_value_t) -> In<'a> {
    // SAFETY: NULL or the setter's value (the caller's promise).
    let Some(v) = (unsafe { v.as_ref() }) else { return In::Null };
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
        // SAFETY: rs is the value's own str, valid for the call.
        return unsafe { str_bytes(&v.rs) }.map_or(In::Other, In::Str);
    }
    In::Other
}

/// The arguments of `parse_name`: the spec being built and the text
/// between the parentheses of `$sst(...)`.
pub struct NameParse<'a> {
    spec: *mut sys::pv_spec_t,
    text: Option<&'a [u8]>,
}

impl NameParse<'_> {
    /// # Safety
    /// The two arguments the core passed to the current `parse_name`.
    pub unsafe fn from_raw(spec: *mut sys::pv_spec_t, name: *const sys::str_) -> Self {
        // SAFETY: name is NULL or the str of this parse (the caller's promise).
        NameParse { spec, text: unsafe { str_bytes(name) } }
    }

    /// None for a NULL or malformed str.
    pub fn text(&self) -> Option<&[u8]> {
        self.text
    }

    /// Stores `n` as the spec's integer name; false when there is no spec.
    pub fn set_int_name(&mut self, n: i32) -> bool {
        if self.spec.is_null() {
            return false;
        }
        // SAFETY: the non-NULL spec of this parse (see from_raw).
        unsafe { set_int_name(self.spec, n) };
        true
    }
}

/// The arguments of a getter.
pub struct Get {
    msg: *mut sys::sip_msg,
    param: *mut sys::pv_param_t,
    res: NonNull<sys::pv_value_t>,
}

impl Get {
    /// None when there is no result to fill.
    ///
    /// # Safety
    /// The three arguments the core passed to the current getter.
    pub unsafe fn from_raw(msg: *mut sys::sip_msg, param: *mut sys::pv_param_t, res: *mut sys::pv_value_t) -> Option<Get> {
        Some(Get { msg, param, res: NonNull::new(res)? })
    }

    /// The integer `parse_name` stored for this `$sst(name)`.
    pub fn int_name(&self) -> Option<i32> {
        // SAFETY: NULL or the getter's param (see from_raw).
        unsafe { PvParam::from_ptr(self.param) }?.int_name()
    }

    /// Fills the result; the getter's return value.
    pub fn answer(self, out: Out) -> c_int {
        // SAFETY: the getter's own arguments (see from_raw).
        unsafe { answer(self.msg, self.param, self.res.as_ptr(), out) }
    }
}

/// The arguments of a setter: which item, and the value assigned.
pub struct Set<'a> {
    param: Option<PvParam>,
    pub value: In<'a>,
}

impl Set<'_> {
    /// # Safety
    /// The param and value the core passed to the current setter.
    pub unsafe fn from_raw(param: *mut sys::pv_param_t, val: *const sys::pv_value_t) -> Self {
        // SAFETY: NULL or the setter's own arguments (the caller's promise).
        unsafe { Set { param: PvParam::from_ptr(param), value: assigned(val) } }
    }

    /// The integer `parse_name` stored for this `$sst(name)`.
    pub fn int_name(&self) -> Option<i32> {
        self.param.as_ref()?.int_name()
    }
}

/// A pseudo-variable of the script (`$DLG_timeout`), parsed once in
/// mod_init into storage of our own, then set from a callback as a script
/// assignment would set it.
pub struct ScriptVar(Box<sys::pv_spec_t>);

// SAFETY: written once in mod_init, before the fork; afterwards only read
// (pv_set_value reads the spec), each process on its own copy.
unsafe impl Send for ScriptVar {}
// SAFETY: as above: nothing writes the spec after mod_init.
unsafe impl Sync for ScriptVar {}

impl ScriptVar {
    /// None when the core does not know `name` or cannot set it.
    pub fn parse(name: &'static str) -> Option<ScriptVar> {
        // SAFETY: pv_spec_t is plain data; all zero is the core's empty spec.
        let mut spec: Box<sys::pv_spec_t> = Box::new(unsafe { core::mem::zeroed() });
        let text = sys::str_ { s: name.as_ptr() as *mut _, len: name.len() as c_int };
        // SAFETY: the core parses `text` (static) into `spec`, which has the
        // release's size (ABI_SIZE_pv_spec_t, checked by the layout test).
        let end = unsafe { sys::pv_parse_spec(&text, &mut *spec) };
        (!end.is_null() && !spec.setf.is_null()).then_some(ScriptVar(spec))
    }

    /// `$var = n` while `msg` is processed; false when the setter refused.
    pub fn set_int(&self, msg: &mut crate::host::msg::SipMsg, n: i32) -> bool {
        let mut v = sys::pv_value_t {
            rs: sys::str_ { s: core::ptr::null_mut(), len: 0 },
            ri: n,
            flags: (sys::PV_VAL_INT | sys::PV_TYPE_INT) as c_int,
        };
        let spec = &*self.0 as *const sys::pv_spec_t as *mut sys::pv_spec_t;
        // SAFETY: a spec the core parsed, which pv_set_value only reads; the
        // callback's message; a value that lives for the call. The operator
        // (0) is ignored by the dialog module's $DLG_timeout setter in 3.4,
        // 3.6 and 4.0.
        unsafe { sys::pv_set_value(msg.as_ptr(), spec, 0, &mut v) == 0 }
    }
}
