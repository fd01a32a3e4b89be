//! The retry schedule network reads share (registry blobs, DB feeds): a
//! doubling backoff, and a server's `Retry-After` in either of its forms
//! (delay-seconds or an HTTP-date, RFC 9110 §10.2.3), each with a cap.

use std::time::{Duration, SystemTime};

/// The wait before attempt `attempt + 1`: `first` doubled per attempt, at most `cap`.
pub fn backoff(attempt: u32, first: Duration, cap: Duration) -> Duration {
    first.saturating_mul(2u32.saturating_pow(attempt)).min(cap)
}

/// The wait a `Retry-After` value asks for at `now`, at most `cap`; `None`
/// when it is neither a number of seconds nor an HTTP-date. A date in the
/// past asks for no wait.
pub fn retry_after(value: &str, now: SystemTime, cap: Duration) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => httpdate::parse_http_date(value)
            .ok()?
            .duration_since(now)
            .unwrap_or(Duration::ZERO),
    };
    Some(wait.min(cap))
}

/// An error and its causes on one line: an HTTP client's own message names
/// no cause ("error sending request"), the cause is what a user can act on
/// ("Connection refused").
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_dates_with_a_cap() {
        let now = httpdate::parse_http_date("Fri, 04 Dec 2026 06:00:00 GMT").unwrap();
        let cap = Duration::from_secs(30);
        assert_eq!(retry_after("2", now, cap), Some(Duration::from_secs(2)));
        assert_eq!(retry_after(" 120 ", now, cap), Some(cap));
        assert_eq!(
            retry_after("Fri, 04 Dec 2026 06:00:05 GMT", now, cap),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            retry_after("Fri, 04 Dec 2026 05:00:00 GMT", now, cap),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", now, cap), None);
        assert_eq!(retry_after("-1", now, cap), None);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let (first, cap) = (Duration::from_millis(250), Duration::from_secs(1));
        assert_eq!(backoff(0, first, cap), first);
        assert_eq!(backoff(1, first, cap), Duration::from_millis(500));
        assert_eq!(backoff(5, first, cap), cap);
        assert_eq!(backoff(u32::MAX, first, cap), cap);
    }
}
