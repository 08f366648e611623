//! The receipt printer's driver, which owns the printer's port. Model profiles (data files under
//! hardware/profiles) live in `crate::escpos::profile`, below the encoder that reads them; they are
//! re-exported here so callers find everything about the printer in one place.

pub mod driver;

pub use crate::escpos::profile::{PrinterProfile, ProfileError};
pub use driver::{PrintFault, PrintOutcome, PrinterDriver, PrinterError};
