//! A worker thread that runs until its owner drops it: the owner sets the stop flag and waits for
//! the thread to finish what it has in hand. Every kiosk worker (reader, recording, online desk)
//! is one.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

pub struct StoppableThread {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StoppableThread {
    /// Starts `work` on a thread named `name`; `work` looks at the flag it is given between jobs
    /// and returns once it is set.
    pub fn spawn(name: &str, work: impl FnOnce(&AtomicBool) + Send + 'static) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new().name(name.into()).spawn(move || work(&flag))?;
        Ok(Self { stop, thread: Some(thread) })
    }

    /// Whether the owner asked the thread to stop.
    pub fn stopping(flag: &AtomicBool) -> bool {
        flag.load(Ordering::Relaxed)
    }
}

impl Drop for StoppableThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dropping_stops_the_thread_and_waits_for_it() {
        let finished = Arc::new(AtomicBool::new(false));
        let seen = finished.clone();
        let thread = StoppableThread::spawn("test", move |stop| {
            while !StoppableThread::stopping(stop) {
                std::thread::sleep(Duration::from_millis(5));
            }
            seen.store(true, Ordering::Relaxed);
        })
        .unwrap();
        drop(thread);
        assert!(finished.load(Ordering::Relaxed), "the thread ran to its end before drop returned");
    }
}
