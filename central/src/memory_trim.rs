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

/// glibc heaps ("arenas") the process's threads share, set before any thread starts. glibc makes up
/// to eight per core as threads contend, and a kiosk's connection, its TLS handshake done on an
/// intake thread and its requests served on a main one, leaves freed pieces in several of them. At
/// the peak of a 1,000-kiosk burst (docs/BENCHMARKS.md, issue 10): glibc's default 49–52 KB per
/// kiosk, eight 48.6 KB, four 45.4 KB but a burst p99 of 306 ms (contention on the heaps' locks).
const ARENAS: i32 = 8;

/// Bounds glibc's heaps; call it first thing in `main`, before any thread starts.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn limit_arenas() {
    // SAFETY: called before any other thread exists; mallopt only sets a limit glibc reads when it
    // next creates a heap.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, ARENAS);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn limit_arenas() {}
