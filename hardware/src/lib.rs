//! Citizen Window's device layer: sans-IO codecs for every device protocol, thin drivers that own a
//! serial port, and simulators that speak the same bytes. Codecs never do IO and never read the clock.

pub mod backoff;
pub mod card_reader;
pub mod device_state;
pub mod escpos;
pub mod magstripe;
pub mod port_list;
pub mod printer;
pub mod rfid;
pub mod sam;
pub mod scanner;
pub mod serial_link;
pub mod sim;
