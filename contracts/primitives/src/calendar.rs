//! Coarse majority dates: a year and a month, never a birth date.

use crate::Timestamp;

/// The month from which a subject may claim majority (UTC, coarse on purpose).
#[derive(scale::Encode, scale::Decode, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "std",
    derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout)
)]
pub struct YearMonth {
    pub year: u16,
    /// 1 = January … 12 = December.
    pub month: u8,
}

impl YearMonth {
    /// Whether this is a month the chain can represent (1970-01 … 9999-12).
    pub fn is_valid(self) -> bool {
        (1970..=9999).contains(&self.year) && (1..=12).contains(&self.month)
    }

    /// Milliseconds since the Unix epoch at 00:00 UTC on the first day of the month.
    pub fn start_millis(self) -> Timestamp {
        days_from_civil(i64::from(self.year), u32::from(self.month)) as u64 * 86_400_000
    }
}

/// Days since 1970-01-01 of the first day of `month` in `year` (proleptic Gregorian),
/// after Howard Hinnant's `days_from_civil`.
fn days_from_civil(year: i64, month: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5; // day 1 of the month
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_starts_match_known_unix_times() {
        // `date -u -d 2000-03-01 +%s` = 951868800, `date -u -d 2044-12-01 +%s` = 2364163200
        assert_eq!(
            YearMonth {
                year: 1970,
                month: 1
            }
            .start_millis(),
            0
        );
        assert_eq!(
            YearMonth {
                year: 2000,
                month: 3
            }
            .start_millis(),
            951_868_800_000
        );
        assert_eq!(
            YearMonth {
                year: 2044,
                month: 12
            }
            .start_millis(),
            2_364_163_200_000
        );
    }

    #[test]
    fn validity_bounds() {
        assert!(YearMonth {
            year: 2044,
            month: 1
        }
        .is_valid());
        assert!(!YearMonth {
            year: 2044,
            month: 0
        }
        .is_valid());
        assert!(!YearMonth {
            year: 2044,
            month: 13
        }
        .is_valid());
        assert!(!YearMonth {
            year: 1969,
            month: 12
        }
        .is_valid());
    }
}
