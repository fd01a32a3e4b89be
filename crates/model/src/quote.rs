//! Input bytes in messages: escaped (no control characters, so a log line
//! stays one line and a terminal cannot be driven) and capped, so an error
//! can never echo a whole file it was handed (`/proc/self/environ`, a key).

/// The most input bytes an error message quotes.
pub const QUOTE_LIMIT: usize = 80;

/// `bytes` as text fit for a message: lossily decoded, control characters
/// and backslashes escaped as Rust does, and cut after [`QUOTE_LIMIT`] bytes
/// of input with `…`.
pub fn quote_bytes(bytes: &[u8]) -> String {
    let cut = bytes.len() > QUOTE_LIMIT;
    let head = &bytes[..bytes.len().min(QUOTE_LIMIT)];
    let mut out: String = String::from_utf8_lossy(head)
        .chars()
        .flat_map(|c| {
            let escaped: String = if c.is_control() || c == '\\' {
                c.escape_default().collect()
            } else {
                c.to_string()
            };
            escaped.chars().collect::<Vec<_>>()
        })
        .collect();
    if cut {
        out.push('…');
    }
    out
}

/// [`quote_bytes`] of a string.
pub fn quote(text: &str) -> String {
    quote_bytes(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_long_input_is_cut() {
        assert_eq!(quote("a\nb\x1b[31m"), "a\\nb\\u{1b}[31m");
        let long = "x".repeat(200);
        assert_eq!(quote(&long).chars().count(), QUOTE_LIMIT + 1);
        assert_eq!(quote_bytes(b"\xff\xfeok"), "\u{fffd}\u{fffd}ok");
    }
}
