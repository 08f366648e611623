//! ESC/POS: printer model profiles, the command bytes, text encoding, receipt layout and encoding,
//! raster images and status replies. Everything here is pure (bytes in or out, no port, no clock),
//! except that a profile may be loaded from a file the technician names.

pub mod command;
pub mod encoder;
pub mod layout;
pub mod profile;
pub mod raster;
pub mod receipt;
pub mod status;
pub mod text_encoding;

pub use encoder::{EncodeError, ReceiptEncoder};
pub use profile::{PrinterProfile, ProfileError};
pub use receipt::{Alignment, Block, QrErrorCorrection, Receipt, TextSize, TextStyle};
pub use status::{PrinterStatus, StatusQuery};
pub use text_encoding::TextEncoding;
