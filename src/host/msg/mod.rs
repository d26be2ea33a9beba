//! A SIP message owned by OpenSIPS: its first line, its headers as byte
//! slices, edits through lumps (deleted and inserted text applied when
//! the message is forwarded), and the per-message int slots of its
//! processing context; `reply`: headers for a reply the server sends.

use crate::sys;
use core::ffi::c_int;
use core::marker::PhantomData;
use core::ptr::NonNull;

mod reply;
pub use reply::ReplyHeader;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FirstLine {
    Request { method: u32 },
    Reply { status: u32 },
    Unknown,
}

/// One header line: name and body as the core delimited them, and where the
/// whole line sits in the message buffer.
#[derive(Clone, Copy, Debug)]
pub struct Header<'m> {
    pub name: &'m [u8],
    pub body: &'m [u8],
    /// Offset of the header line (its name) in the message buffer.
    pub offset: u32,
    /// Length of the whole line, CRLF included.
    pub len: u32,
    /// Offset of the body in the message buffer.
    pub body_offset: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditError {
    /// The position is outside the message buffer.
    OutOfRange,
    /// pkg memory ran out (the core logs nothing for us).
    NoMemory,
}

/// Copies `text` to pkg memory and gives it to a core function that inserts
/// it as a lump. The text must come from the core's own allocator: on
/// success the core owns the copy (freed with the message); on failure it
/// is freed here.
fn hand_over(
    text: &[u8],
    insert: impl FnOnce(*mut core::ffi::c_char, u32) -> *mut sys::lump,
) -> Result<(), EditError> {
    let len = u32::try_from(text.len()).map_err(|_| EditError::OutOfRange)?;
    if len == 0 {
        return Err(EditError::OutOfRange);
    }
    // SAFETY: gen_pkg_malloc/mem_block are set by the core before module
    // code runs; a NULL function pointer is treated as out of memory.
    let raw = unsafe {
        let alloc = sys::gen_pkg_malloc.ok_or(EditError::NoMemory)?;
        alloc(sys::mem_block, len as _, c"sst".as_ptr(), c"hand_over".as_ptr(), line!())
    } as *mut core::ffi::c_char;
    if raw.is_null() {
        return Err(EditError::NoMemory);
    }
    // SAFETY: `raw` is a fresh allocation of `len` bytes.
    unsafe { core::ptr::copy_nonoverlapping(text.as_ptr(), raw as *mut u8, text.len()) };
    if insert(raw, len).is_null() {
        // SAFETY: the core refused the buffer, so it is still ours to free.
        unsafe {
            if let Some(free) = sys::gen_pkg_free {
                free(sys::mem_block, raw as *mut core::ffi::c_void, c"sst".as_ptr(), c"hand_over".as_ptr(), line!());
            }
        }
        return Err(EditError::NoMemory);
    }
    Ok(())
}

/// A script function's optional int parameter (CMD_PARAM_INT | CMD_PARAM_OPT):
/// the core passes NULL when it is omitted.
///
/// # Safety
/// `p` must be the parameter the core passed to the current call.
pub unsafe fn optional_int(p: *mut core::ffi::c_void) -> Option<c_int> {
    // SAFETY: NULL or a temporary int* valid for the call (the caller's promise).
    unsafe { (p as *const c_int).as_ref().copied() }
}

/// A message the core handed to the current call, borrowed for `'call`.
pub struct SipMsg<'call> {
    raw: NonNull<sys::sip_msg>,
    _call: PhantomData<&'call mut sys::sip_msg>,
}

impl<'call> SipMsg<'call> {
    /// # Safety
    /// `p` must be NULL or a message the core handed to this call, valid for
    /// all of `'call`.
    pub unsafe fn from_ptr(p: *mut sys::sip_msg) -> Option<SipMsg<'call>> {
        NonNull::new(p).map(|raw| SipMsg { raw, _call: PhantomData })
    }

    pub fn as_ptr(&self) -> *mut sys::sip_msg {
        self.raw.as_ptr()
    }

    fn get(&self) -> &sys::sip_msg {
        // SAFETY: valid for the call (see from_ptr); we only read plain fields.
        unsafe { self.raw.as_ref() }
    }

    pub fn first_line(&self) -> FirstLine {
        let m = self.get();
        // SAFETY: the union member read matches first_line.type.
        unsafe {
            match m.first_line.type_ as u32 {
                sys::SIP_REQUEST => FirstLine::Request { method: m.first_line.u.request.method_value as u32 },
                sys::SIP_REPLY => FirstLine::Reply { status: m.first_line.u.reply.statuscode },
                _ => FirstLine::Unknown,
            }
        }
    }

    /// The script's message flags.
    pub fn flags(&self) -> u32 {
        self.get().flags
    }

    /// Parses every header line (the core stops at the end of headers).
    pub fn parse_all_headers(&mut self) -> bool {
        const HDR_EOH_F: sys::hdr_flags_t = !0;
        // SAFETY: a valid message; the core parses into its own pkg memory.
        let rc = unsafe {
            // a function up to 3.4, a macro over parse_headers_aux since 3.6
            #[cfg(osips_sym = "parse_headers")]
            {
                sys::parse_headers(self.as_ptr(), HDR_EOH_F, 0)
            }
            #[cfg(osips_sym = "parse_headers_aux")]
            {
                sys::parse_headers_aux(self.as_ptr(), HDR_EOH_F, 0, 1)
            }
        };
        rc >= 0
    }

    fn buffer(&self) -> &[u8] {
        let m = self.get();
        if m.buf.is_null() {
            return &[];
        }
        // SAFETY: buf/len describe the received message, alive for the call.
        unsafe { core::slice::from_raw_parts(m.buf as *const u8, m.len as usize) }
    }

    /// Offset of `s[..len]` inside the message buffer, if it lies inside.
    fn offset_in_buf(&self, s: *const core::ffi::c_char, len: c_int) -> Option<u32> {
        let buf = self.buffer();
        let start = buf.as_ptr() as usize;
        let p = s as usize;
        if s.is_null() || len < 0 || p < start {
            return None;
        }
        let off = p - start;
        (off.checked_add(len as usize)? <= buf.len()).then_some(off as u32)
    }

    /// The parsed headers in message order. Headers whose text does not lie
    /// in the message buffer (never the case for a received message) are
    /// skipped rather than trusted.
    pub fn headers(&self) -> impl Iterator<Item = Header<'_>> + '_ {
        let buf = self.buffer();
        let mut cur = self.get().headers as *const sys::hdr_field;
        core::iter::from_fn(move || loop {
            // SAFETY: the header list is owned by the message and only grows
            // while we hold it; each node is valid until the message is freed.
            let h = unsafe { cur.as_ref()? };
            cur = h.next;
            let (Some(no), Some(bo)) =
                (self.offset_in_buf(h.name.s, h.name.len), self.offset_in_buf(h.body.s, h.body.len))
            else {
                continue;
            };
            if h.len < 0 || (no as usize).saturating_add(h.len as usize) > buf.len() {
                continue;
            }
            return Some(Header {
                name: &buf[no as usize..no as usize + h.name.len as usize],
                body: &buf[bo as usize..bo as usize + h.body.len as usize],
                offset: no,
                len: h.len as u32,
                body_offset: bo,
            });
        })
    }

    /// Where the header section ends (after the last header line).
    pub fn end_of_headers(&self) -> Option<u32> {
        let m = self.get();
        self.offset_in_buf(m.unparsed, 0)
    }

    fn check_range(&self, offset: u32, len: u32) -> Result<(), EditError> {
        // anchor_lump/del_lump abort() the process past msg->len: check first.
        match offset.checked_add(len) {
            Some(end) if end <= self.get().len => Ok(()),
            _ => Err(EditError::OutOfRange),
        }
    }

    /// Inserts `text` before the byte at `offset`.
    pub fn insert(&mut self, offset: u32, text: &[u8]) -> Result<(), EditError> {
        self.check_range(offset, 0)?;
        // SAFETY: offset checked against msg->len; the anchor belongs to the message.
        let anchor = unsafe { sys::anchor_lump(self.as_ptr(), offset, sys::HDR_OTHER_T as c_int) };
        if anchor.is_null() {
            return Err(EditError::NoMemory);
        }
        // SAFETY: a fresh anchor of this message.
        hand_over(text, |s, len| unsafe { sys::insert_new_lump_before(anchor, s, len, sys::HDR_OTHER_T as c_int) })
    }

    /// Replaces `len` bytes at `offset` with `text`, wholly or not at all:
    /// if the new text cannot be queued, the deletion is withdrawn, so a
    /// header never goes out with its value cut away.
    pub fn replace(&mut self, offset: u32, len: u32, text: &[u8]) -> Result<(), EditError> {
        self.check_range(offset, len)?;
        // SAFETY: range checked against msg->len; the lump belongs to the message.
        let deleted = unsafe { sys::del_lump(self.as_ptr(), offset, len, sys::HDR_OTHER_T as c_int) };
        if deleted.is_null() {
            return Err(EditError::NoMemory);
        }
        // SAFETY: a fresh lump of this message.
        hand_over(text, |s, len| unsafe { sys::insert_new_lump_after(deleted, s, len, sys::HDR_OTHER_T as c_int) })
            .inspect_err(|_| {
                // SAFETY: the deletion we just queued is ours; a LUMP_NOP is
                // skipped when the message is built (and freed with it).
                unsafe { (*deleted).op = sys::LUMP_NOP as c_int };
            })
    }

    /// Adds a header line (text carries its CRLF) at the end of the headers.
    pub fn append_header(&mut self, line: &[u8]) -> Result<(), EditError> {
        let at = self.end_of_headers().ok_or(EditError::OutOfRange)?;
        self.insert(at, line)
    }
}

/// A per-message integer slot in OpenSIPS's processing context (context.h),
/// the mechanism the dialog module uses for a `$DLG_timeout` set before
/// `create_dialog()`. The core zeroes every slot for each new message and
/// carries the context across async resumption, so 0 means "not set".
#[derive(Clone, Copy, Debug)]
pub struct IntSlot(c_int);

impl IntSlot {
    /// Registers a slot in the global (per-message) context; mod_init only,
    /// before any message allocates a context.
    pub fn register() -> Option<IntSlot> {
        // SAFETY: core function, called from mod_init as it requires.
        let pos = unsafe { sys::context_register_int(sys::CONTEXT_GLOBAL, None) };
        (pos >= 0).then_some(IntSlot(pos))
    }

    fn slot(self) -> Option<*mut c_int> {
        // SAFETY: reading the core's exported pointer to the current message's context.
        let ctx = unsafe { sys::current_processing_ctx };
        // The int area starts the context block (context_get_int in C).
        (!ctx.is_null()).then(|| (ctx as *mut c_int).wrapping_add(self.0 as usize))
    }

    /// The value for the message being processed; None without a context.
    pub fn get(self) -> Option<c_int> {
        // SAFETY: a registered int slot lies inside every global context block.
        self.slot().map(|p| unsafe { p.read() })
    }

    /// false when no message is being processed (no context).
    pub fn put(self, v: c_int) -> bool {
        // SAFETY: as get; the context belongs to this process's current message.
        self.slot().map(|p| unsafe { p.write(v) }).is_some()
    }
}
