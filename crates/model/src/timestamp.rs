//! UTC timestamps in whole seconds, written and read as RFC 3339
//! (`2024-01-01T00:00:00Z`), for DB build times, ages and report dates.
//!
//! Date arithmetic is Howard Hinnant's `days_from_civil` / `civil_from_days`:
//! <https://howardhinnant.github.io/date_algorithms.html>.

use std::fmt;
use std::str::FromStr;

/// Seconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not an RFC 3339 UTC time like `2024-01-01T00:00:00Z`")]
pub struct TimestampError(String);

impl Timestamp {
    pub fn from_unix(seconds: i64) -> Timestamp {
        Timestamp(seconds)
    }

    /// The current time from the system clock.
    pub fn now() -> Timestamp {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Timestamp(seconds)
    }

    pub fn unix(self) -> i64 {
        self.0
    }
}

fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    /// Reads `YYYY-MM-DDTHH:MM:SS`, an optional fraction, then `Z` or `±HH:MM`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || TimestampError(text.to_owned());
        let number = |range: std::ops::Range<usize>| -> Result<i64, TimestampError> {
            let part = text.get(range).ok_or_else(bad)?;
            if part.bytes().all(|b| b.is_ascii_digit()) {
                part.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        let separators_ok = text.get(4..5) == Some("-")
            && text.get(7..8) == Some("-")
            && matches!(text.get(10..11), Some("T" | "t" | " "))
            && text.get(13..14) == Some(":")
            && text.get(16..17) == Some(":");
        if !separators_ok {
            return Err(bad());
        }
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
        if !(1..=12).contains(&month)
            || !(1..=31).contains(&day)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return Err(bad());
        }
        let mut rest = text.get(19..).ok_or_else(bad)?;
        if let Some(fraction) = rest.strip_prefix('.') {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            rest = fraction.get(digits..).ok_or_else(bad)?;
        }
        let offset = match rest {
            "Z" | "z" => 0,
            zone if zone.len() == 6 && (zone.starts_with('+') || zone.starts_with('-')) => {
                let hours: i64 = zone
                    .get(1..3)
                    .and_then(|h| h.parse().ok())
                    .ok_or_else(bad)?;
                let minutes: i64 = zone
                    .get(4..6)
                    .and_then(|m| m.parse().ok())
                    .ok_or_else(bad)?;
                let sign = if zone.starts_with('-') { -1 } else { 1 };
                sign * (hours * 3600 + minutes * 60)
            }
            _ => return Err(bad()),
        };
        let days = days_from_civil(year, month, day);
        Ok(Timestamp(
            days * 86_400 + hour * 3600 + minute * 60 + second - offset,
        ))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(86_400);
        let rest = self.0.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            rest / 3600,
            rest % 3600 / 60,
            rest % 60
        )
    }
}

/// Why a duration could not be read.
#[derive(Debug, thiserror::Error)]
#[error(
    "`{0}` is not a duration: expected a number and a unit (s, m, h, d, w), like `24h` or `7d`"
)]
pub struct DurationError(String);

/// Reads a duration such as `90m`, `24h`, `7d` or `1d12h` into seconds.
pub fn parse_duration(text: &str) -> Result<i64, DurationError> {
    let bad = || DurationError(text.to_owned());
    let mut total: i64 = 0;
    let mut number = String::new();
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(bad());
    }
    for c in trimmed.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => return Err(bad()),
        };
        let value: i64 = number.parse().map_err(|_| bad())?;
        total = value
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
        number.clear();
    }
    if !number.is_empty() {
        return Err(bad());
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_units() {
        assert_eq!(super::parse_duration("7d").unwrap(), 604_800);
        assert_eq!(super::parse_duration("1d12h").unwrap(), 129_600);
        assert!(super::parse_duration("7").is_err());
        assert!(super::parse_duration("soon").is_err());
    }

    use super::*;

    #[test]
    fn timestamps_round_trip_and_read_offsets() {
        for text in [
            "2024-01-01T00:00:00Z",
            "2000-02-29T23:59:59Z",
            "1970-01-01T00:00:00Z",
        ] {
            assert_eq!(text.parse::<Timestamp>().unwrap().to_string(), text);
        }
        assert_eq!(
            "2024-01-01T00:00:00Z".parse::<Timestamp>().unwrap().unix(),
            1_704_067_200
        );
        let offset: Timestamp = "2024-01-01T02:00:00.123+02:00".parse().unwrap();
        assert_eq!(offset.unix(), 1_704_067_200);
        assert!("2024-13-01T00:00:00Z".parse::<Timestamp>().is_err());
        assert!("yesterday".parse::<Timestamp>().is_err());
    }
}
