//! Freed memory goes back to the system when a session ends. A session's pages, texts and
//! glyphs are freed when it ends, but glibc keeps freed heap pages in its arenas; returned, the
//! kiosk's resident memory stays where it was at start, session after session, for months.

/// Returns the heap's free pages to the system (glibc's `malloc_trim`); elsewhere nothing.
pub fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists, under its own locks.
    unsafe {
        libc::malloc_trim(0);
    }
}
