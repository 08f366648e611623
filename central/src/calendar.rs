//! Days of the calendar in China's time for the appointment rules: the protocol's one
//! China-time module (`citizen_window_protocol::china_time`), under the names the API uses.

pub use citizen_window_protocol::china_time::{day_number as china_today, parse_day};
