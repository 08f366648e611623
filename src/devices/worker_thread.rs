//! A device worker's thread, stopped by its owner: dropping the [`WorkerThread`] closes the
//! thread's stop channel, which wakes the thread at once in whatever wait it is in (it waits on
//! the stop channel together with its work, never polls a flag), then waits for it to finish the
//! job in hand.

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

pub struct WorkerThread {
    /// Never sent on: dropping it is the stop.
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// The thread's side of the stop: a channel that closes when the owner stops the thread.
#[derive(Clone)]
pub struct StopSignal(Receiver<()>);

impl WorkerThread {
    /// Starts `work` on a thread named `name`; `work` waits on the [`StopSignal`] it is given
    /// and returns once it fires.
    pub fn spawn(name: &str, work: impl FnOnce(StopSignal) + Send + 'static) -> std::io::Result<Self> {
        let (stop, signal) = crossbeam_channel::bounded(0);
        let thread = std::thread::Builder::new().name(name.into()).spawn(move || work(StopSignal(signal)))?;
        Ok(Self { stop: Some(stop), thread: Some(thread) })
    }
}

impl StopSignal {
    /// Waits up to `timeout`; true as soon as the owner stops the thread (the rest of the wait
    /// is not served).
    pub fn wait(&self, timeout: Duration) -> bool {
        matches!(self.0.recv_timeout(timeout), Err(RecvTimeoutError::Disconnected))
    }

    /// The channel to wait on beside others (`crossbeam_channel::select!`): it becomes ready,
    /// disconnected, when the owner stops the thread.
    pub fn channel(&self) -> &Receiver<()> {
        &self.0
    }
}

impl Drop for WorkerThread {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Instant;

    #[test]
    fn dropping_wakes_the_thread_at_once_and_waits_for_it() {
        let finished = Arc::new(AtomicBool::new(false));
        let seen = finished.clone();
        let thread = WorkerThread::spawn("test", move |stop| {
            // A wait far longer than the test: only the stop can end it.
            while !stop.wait(Duration::from_secs(3600)) {}
            seen.store(true, Ordering::Relaxed);
        })
        .unwrap();
        let asked = Instant::now();
        drop(thread);
        assert!(finished.load(Ordering::Relaxed), "the thread ran to its end before drop returned");
        assert!(asked.elapsed() < Duration::from_secs(3600), "the stop ended the hour-long wait");
    }

    #[test]
    fn a_wait_that_runs_out_is_not_a_stop() {
        let (_stop, signal) = crossbeam_channel::bounded::<()>(0);
        assert!(!StopSignal(signal).wait(Duration::from_millis(1)));
    }
}
