//! The time people read: the forum meets in Ecuador (mainland, UTC−05:00 all
//! year, no daylight saving), and records that speak UTC made readers
//! convert every hour of an acta by hand.

use chrono::{DateTime, FixedOffset, Utc};

/// Mainland Ecuador's offset from UTC.
pub const ECUADOR_OFFSET_SECONDS: i32 = -5 * 3600;

/// `at` in Ecuador's time, as `2026-12-06 05:00 -05:00`: the offset is
/// written so the instant stays unambiguous outside Ecuador.
pub fn in_ecuador(at: DateTime<Utc>) -> String {
    match FixedOffset::east_opt(ECUADOR_OFFSET_SECONDS) {
        Some(offset) => at.with_timezone(&offset).format("%Y-%m-%d %H:%M %:z").to_string(),
        None => at.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instant_reads_in_ecuador_with_its_offset() {
        let at: DateTime<Utc> = "2026-12-06T03:30:00Z".parse().unwrap();
        assert_eq!(in_ecuador(at), "2026-12-05 22:30 -05:00");
    }
}
