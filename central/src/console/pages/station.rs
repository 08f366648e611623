//! The appointments and tickets page: each window's slots of a day with their bookings and
//! capacity (editable), and the queue tickets issued per window over the last days.

use super::{Viewer, page};
use crate::storage::{BookingRow, TicketCount};
use citizen_window_protocol::services::AppointmentSlot;
use maud::html;
use std::collections::HashMap;

/// A window as the page names it: its id, the number on its sign, its name (Chinese, English).
pub struct WindowName {
    pub id: String,
    pub number: Option<u32>,
    pub name: (String, String),
}

/// One day's slots with what the page needs of each.
pub struct DaySlots<'a> {
    /// YYYY-MM-DD.
    pub day: &'a str,
    /// 今天 today, 明天 tomorrow, or empty.
    pub which: &'a str,
    pub slots: &'a [AppointmentSlot],
    pub capacities: &'a HashMap<String, u32>,
    pub bookings: &'a [BookingRow],
}

/// The windows of `slots`, in their order.
fn windows_in(slots: &[AppointmentSlot]) -> Vec<String> {
    let mut ids: Vec<String> = slots.iter().map(|s| s.window.to_string()).collect();
    ids.dedup();
    ids
}

/// The appointments of some days and the tickets of the last days.
pub fn appointments(viewer: &Viewer, windows: &[WindowName], days: &[DaySlots], tickets: &[TicketCount]) -> String {
    let name_of = |id: &str| -> String {
        windows.iter().find(|w| w.id == id).map_or(id.to_string(), |w| {
            let number = w.number.map_or(String::new(), |n| format!("{n} 号窗口 "));
            format!("{number}{} {}", w.name.0, w.name.1)
        })
    };
    page(
        "预约与取号 Appointments and tickets",
        Some((viewer.name, viewer.csrf)),
        html! {
            h1 { "预约与取号" br; small { "Appointments and tickets" } }
            form.filters method="get" action="/appointments" {
                label { "日期 Day " input type="date" name="day" style="width:auto"; }
                button type="submit" { "查看 Show" }
            }
            @for day in days {
                h2 { (day.which) " " (day.day) }
                @for window in &windows_in(day.slots) {
                    h3 { (name_of(window)) }
                    div.scroll { table {
                        thead { tr { th { "时段 Slot" } th { "已约 Booked" } th { "容量 Capacity" } th { "预约 Appointments (居民以匿名编号显示 residents as pseudonyms)" } } }
                        tbody { @for slot in day.slots.iter().filter(|s| s.window.to_string() == *window) {
                            @let booked: Vec<&BookingRow> = day.bookings.iter().filter(|b| b.slot_id == slot.slot_id).collect();
                            @let capacity = day.capacities[&slot.slot_id];
                            tr class=[(booked.len() as u32 >= capacity).then_some("overdue")] {
                                td { (slot.starts_at.rsplit(' ').next().unwrap_or_default()) }
                                td { (booked.len()) " / " (capacity) }
                                td {
                                    form.inline method="post" action="/appointments/capacity" {
                                        input type="hidden" name="csrf" value=(viewer.csrf);
                                        input type="hidden" name="slot_id" value=(slot.slot_id);
                                        input type="number" name="capacity" min="0" max=(super::super::station_routes::MAX_CAPACITY)
                                            value=(capacity) style="width:4.5rem" aria-label=(format!("{} 容量 capacity", slot.slot_id));
                                        " " button type="submit" { "改 Set" }
                                    }
                                }
                                td { @for b in &booked {
                                    small { (b.appointment_id) " · " (b.kiosk_id) " · 居民 " (b.resident.chars().take(8).collect::<String>()) } br;
                                } }
                            }
                        } }
                    } }
                }
            }
            h2 { "取号 Queue tickets" }
            @if tickets.is_empty() { p { "这几天没有取号。 No tickets in these days." } }
            @else { table {
                thead { tr { th { "日期 Day" } th { "窗口 Window" } th { "张数 Tickets" } th { "最后一号 Last number" } } }
                tbody { @for t in tickets { tr {
                    td { (t.day) } td { (name_of(&t.window)) } td { (t.tickets) } td { (t.last_number) }
                } } }
            } }
        },
    )
    .into_string()
}
