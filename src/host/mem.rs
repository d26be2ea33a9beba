//! OpenSIPS private (pkg) memory. Text handed to the core for lumps must come
//! from its own allocator: the core frees it with the message.

use crate::sys;
use core::ffi::{c_char, c_void};
use core::ptr::NonNull;

/// A pkg-allocated copy of some bytes; freed on drop unless handed over.
pub struct PkgBuf {
    ptr: NonNull<u8>,
    len: usize,
}

impl PkgBuf {
    /// None when pkg memory is exhausted (or for empty input).
    pub fn copy_of(bytes: &[u8]) -> Option<PkgBuf> {
        if bytes.is_empty() {
            return None;
        }
        // SAFETY: gen_pkg_malloc/mem_block are set by the core before module
        // code runs; a NULL function pointer is treated as out of memory.
        let raw = unsafe {
            let alloc = sys::gen_pkg_malloc?;
            alloc(sys::mem_block, bytes.len() as _, c"sst".as_ptr(), c"PkgBuf::copy_of".as_ptr(), line!())
        };
        let ptr = NonNull::new(raw as *mut u8)?;
        // SAFETY: `ptr` is a fresh allocation of bytes.len() bytes.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), ptr.as_ptr(), bytes.len()) };
        Some(PkgBuf { ptr, len: bytes.len() })
    }

    /// Takes back a buffer the core refused.
    ///
    /// # Safety
    /// `p` must come from `into_raw` of a buffer of `len` bytes that the core
    /// did not take.
    pub unsafe fn from_raw_parts(p: *mut c_char, len: usize) -> PkgBuf {
        // SAFETY: into_raw never yields NULL (the caller's promise).
        PkgBuf { ptr: unsafe { NonNull::new_unchecked(p as *mut u8) }, len }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Gives the buffer to OpenSIPS (which will pkg_free it).
    pub fn into_raw(self) -> *mut c_char {
        let p = self.ptr.as_ptr() as *mut c_char;
        core::mem::forget(self);
        p
    }
}

impl Drop for PkgBuf {
    fn drop(&mut self) {
        // SAFETY: the buffer came from gen_pkg_malloc and was not handed over.
        unsafe {
            if let Some(free) = sys::gen_pkg_free {
                free(sys::mem_block, self.ptr.as_ptr() as *mut c_void, c"sst".as_ptr(), c"PkgBuf::drop".as_ptr(), line!());
            }
        }
    }
}
