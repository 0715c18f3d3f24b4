//! Text for people: instants in ISO 8601 with the reader's local time, and
//! how long until (or since) they fall.
//!
//! The chain keeps times as milliseconds since the Unix epoch (block time);
//! JSON output keeps those numbers and adds the ISO 8601 form beside them.

use jiff::{tz::TimeZone, Timestamp};

/// `2027-12-01T10:00:00Z`; a time the calendar cannot hold is shown as milliseconds.
pub fn iso(ms: u64) -> String {
    match timestamp(ms) {
        Some(t) => t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        None => format!("{ms} ms since 1970"),
    }
}

/// ISO 8601 in UTC, then the same instant in the time zone `tz`, e.g.
/// `2027-12-01T10:00:00Z (11:00 CET on 2027-12-01)`; UTC alone when `tz` is UTC.
pub fn when_in(ms: u64, tz: &TimeZone) -> String {
    let Some(t) = timestamp(ms) else {
        return iso(ms);
    };
    let local = t.to_zoned(tz.clone());
    if local.offset().seconds() == 0 && tz.iana_name().is_none_or(|n| n == "UTC") {
        return iso(ms);
    }
    format!("{} ({})", iso(ms), local.strftime("%H:%M %Z on %Y-%m-%d"))
}

/// [`when_in`] the system's time zone (`TZ`, else `/etc/localtime`).
pub fn when(ms: u64) -> String {
    when_in(ms, &TimeZone::system())
}

fn timestamp(ms: u64) -> Option<Timestamp> {
    Timestamp::from_millisecond(i64::try_from(ms).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_read_in_utc_and_in_local_time() {
        // 2027-12-01T10:00:00Z
        let ms = 1_827_655_200_000;
        assert_eq!(iso(ms), "2027-12-01T10:00:00Z");
        assert_eq!(when_in(ms, &TimeZone::UTC), "2027-12-01T10:00:00Z");
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        assert_eq!(
            when_in(ms, &berlin),
            "2027-12-01T10:00:00Z (11:00 CET on 2027-12-01)"
        );
        let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
        assert_eq!(
            when_in(ms, &tokyo),
            "2027-12-01T10:00:00Z (19:00 JST on 2027-12-01)"
        );
        assert_eq!(iso(u64::MAX), format!("{} ms since 1970", u64::MAX));
    }
}
