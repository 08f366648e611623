//! The receipt printer: model profiles (data files under hardware/profiles) and the driver that
//! owns the printer's port.

pub mod driver;
pub mod profile;

pub use driver::{PrintFault, PrintOutcome, PrinterDriver, PrinterError};
pub use profile::{PrinterProfile, ProfileError};
