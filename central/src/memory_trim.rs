//! Gives freed heap memory back to the system once a second. After a burst from the whole fleet,
//! glibc keeps the freed pages of its heaps mapped (it only returns the top of a heap), so a server
//! that once served a burst would go on holding the burst's memory; `malloc_trim` releases the
//! free pages wherever they are.

use std::sync::Once;
use std::time::Duration;

const TRIM_INTERVAL: Duration = Duration::from_secs(1);

/// Starts the trimming thread, once per process however many servers it runs.
pub fn start() {
    static STARTED: Once = Once::new();
    STARTED.call_once(|| {
        let spawned = std::thread::Builder::new().name("memory-trim".into()).spawn(|| {
            loop {
                std::thread::sleep(TRIM_INTERVAL);
                trim();
            }
        });
        if let Err(e) = spawned {
            tracing::warn!("freed memory will not be given back to the system: cannot start a thread: {e}");
        }
    });
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    // SAFETY: malloc_trim only returns free pages of glibc's own heaps to the kernel; it never
    // touches memory that is in use, and it is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}
