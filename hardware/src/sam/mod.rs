//! The resident ID card reader (SAM module, GA 467 frames): frame codec, status words, the card's
//! text block, ID number rules, and the driver that polls the reader.

pub mod date;
pub mod frame;
pub mod id_card;
pub mod id_number;
pub mod nation;
pub mod other_cards;
pub mod reader;
pub mod status_word;

pub use frame::{Digest, SamFrameDecoder, SamFrameError};
pub use id_card::{CardKind, IdCard, IdCardError};
pub use id_number::IdNumber;
pub use reader::SamReader;
pub use status_word::SamStatus;
