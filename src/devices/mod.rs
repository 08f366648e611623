//! The kiosk's devices on their own threads: each worker owns its driver and sends what happened
//! as `kiosk::messages::KioskEvent`s; the kiosk runtime hands them to the controller, so the UI
//! thread never waits on a port. Each worker also keeps its line on the [`DeviceBoard`] for the
//! heartbeat.

pub mod device_board;
mod reader_worker;
pub mod receipt_copy;
mod recording_worker;
mod scanner_worker;
mod worker_thread;

pub use device_board::DeviceBoard;
pub use reader_worker::{ReaderWorker, today_in_china};
pub use recording_worker::{ReceiptSetup, RecorderWiring, RecordingWorker};
pub use scanner_worker::ScannerWorker;
pub use worker_thread::{StopSignal, WorkerThread};
