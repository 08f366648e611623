//! ESC/POS: the command bytes, text encoding, receipt layout and encoding, raster images and status
//! replies. Everything here is pure: bytes in or out, no port, no clock.

pub mod command;
pub mod encoder;
pub mod layout;
pub mod raster;
pub mod receipt;
pub mod status;
pub mod text_encoding;

pub use encoder::{EncodeError, ReceiptEncoder};
pub use receipt::{Alignment, Block, QrErrorCorrection, Receipt, TextSize, TextStyle};
pub use status::{PrinterStatus, StatusQuery};
pub use text_encoding::TextEncoding;
