//! Composer (Packagist) versions, read and ordered as Composer's solver
//! does: `VersionParser::normalize` turns the text into a normalized
//! version (`v6.0.0+ea2` is `6.0.0.0`, `2.1-b3` is `2.1.0.0-beta3`,
//! `1.x-dev` is `1.9999999.9999999.9999999-dev`), and two normalized
//! versions compare as PHP's `version_compare` compares them (what
//! `Composer\Semver\Comparator` calls). On the raw strings
//! `version_compare` answers differently (`v3.0 < v3.0.0-beta`); the
//! normalized order is the one that decides which version a range holds.
//!
//! Branch names (`dev-main`, `master`) are no versions a range can hold:
//! they are refused here, where Composer gives them a `dev-` name.
//!
//! Reference: composer/semver's `VersionParser.php` (Debian's `composer`
//! package; `crates/version/tests/composer.rs` runs it as the answer key)
//! and PHP's `php_version_compare`.

use std::cmp::Ordering;
use std::sync::OnceLock;

use regex::Regex;

use super::ParseError;

/// A parsed Composer version: the text it came from, its normalized form
/// and that form's parts as `version_compare` reads them.
#[derive(Debug, Clone)]
pub struct ComposerVersion {
    text: String,
    normalized: String,
    parts: Vec<Part>,
}

/// One part of a canonicalized version: a number (its digits without
/// leading zeros) or a special form's rank.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Number(String),
    Special(i8),
}

/// The rank `version_compare` gives a number when it meets a special form.
const NUMBER_RANK: i8 = 4;

/// `version_compare`'s special forms, matched by prefix in this order:
/// `dev` < `alpha` = `a` < `beta` = `b` < `RC` = `rc` < a number <
/// `pl` = `p`; any other text ranks below them all.
fn special_rank(form: &str) -> i8 {
    const FORMS: [(&str, i8); 10] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", NUMBER_RANK),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS
        .iter()
        .find(|(name, _)| form.starts_with(name))
        .map_or(-6, |(_, rank)| *rank)
}

struct Patterns {
    alias: Regex,
    stability_flag: Regex,
    build_metadata: Regex,
    classical: Regex,
    date: Regex,
    dev_suffix: Regex,
    branch: Regex,
}

/// Composer's `modifierRegex`: a stability with its numbers, then `-dev`.
const MODIFIER: &str =
    r"[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*)?)?([.-]?dev)?";

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let compile = |pattern: &str| {
            Regex::new(pattern).unwrap_or_else(|e| panic!("built-in pattern {pattern}: {e}"))
        };
        Patterns {
            alias: compile(r"^([^,\s]+) +as +([^,\s]+)$"),
            stability_flag: compile(r"(?i)@(?:stable|RC|beta|alpha|dev)$"),
            build_metadata: compile(r"^([^,\s+]+)\+[^\s]+$"),
            classical: compile(&format!(
                r"(?i)^v?(\d{{1,5}})(\.\d+)?(\.\d+)?(\.\d+)?{MODIFIER}$"
            )),
            date: compile(&format!(
                r"(?i)^v?(\d{{4}}(?:[.:-]?\d{{2}}){{1,6}}(?:[.:-]?\d{{1,3}})?){MODIFIER}$"
            )),
            dev_suffix: compile(r"(?i)^(.*?)[.-]?dev$"),
            branch: compile(r"(?i)^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$"),
        }
    })
}

/// Composer's `expandStability`.
fn expand_stability(stability: &str) -> String {
    let lower = stability.to_ascii_lowercase();
    match lower.as_str() {
        "a" => "alpha".to_owned(),
        "b" => "beta".to_owned(),
        "p" | "pl" => "patch".to_owned(),
        "rc" => "RC".to_owned(),
        _ => lower,
    }
}

/// A group's text, empty when it did not take part.
fn group<'t>(found: &regex::Captures<'t>, i: usize) -> &'t str {
    found.get(i).map_or("", |m| m.as_str())
}

/// `VersionParser::normalize`, or why the text is no version.
fn normalize(text: &str) -> Result<String, &'static str> {
    let patterns = patterns();
    let mut version = text.trim();
    if let Some(found) = patterns.alias.captures(version) {
        version = found.get(1).map_or(version, |m| m.as_str());
    }
    if let Some(flag) = patterns.stability_flag.find(version) {
        version = &version[..flag.start()];
    }
    if matches!(version, "master" | "trunk" | "default")
        || version
            .get(..4)
            .is_some_and(|head| head.eq_ignore_ascii_case("dev-"))
    {
        return Err("it is a branch name, not a version");
    }
    if let Some(found) = patterns.build_metadata.captures(version) {
        version = found.get(1).map_or(version, |m| m.as_str());
    }
    let (mut normalized, found, index) = if let Some(found) = patterns.classical.captures(version) {
        let mut normalized = group(&found, 1).to_owned();
        for i in 2..=4 {
            normalized.push_str(match group(&found, i) {
                "" => ".0",
                part => part,
            });
        }
        (normalized, found, 5)
    } else if let Some(found) = patterns.date.captures(version) {
        let normalized = group(&found, 1)
            .chars()
            .map(|c| if c.is_ascii_digit() { c } else { '.' })
            .collect();
        (normalized, found, 2)
    } else {
        return normalize_branch(version);
    };
    let stability = group(&found, index);
    if !stability.is_empty() {
        // Composer's own quirk: only a lower-case `stable` ends the version.
        if stability == "stable" {
            return Ok(normalized);
        }
        normalized.push('-');
        normalized.push_str(&expand_stability(stability));
        normalized.push_str(group(&found, index + 1).trim_start_matches(['.', '-']));
    }
    if !group(&found, index + 2).is_empty() {
        normalized.push_str("-dev");
    }
    Ok(normalized)
}

/// A numeric branch with `-dev` (`1.x-dev`, `2.1.*-dev`), as `normalize`
/// reads it after the classical and date forms; anything else is no version.
fn normalize_branch(version: &str) -> Result<String, &'static str> {
    let patterns = patterns();
    let invalid = "it is no version Composer reads";
    let name = patterns
        .dev_suffix
        .captures(version)
        .and_then(|found| found.get(1))
        .ok_or(invalid)?
        .as_str()
        .trim();
    let found = patterns.branch.captures(name).ok_or(invalid)?;
    let mut normalized = String::new();
    for i in 1..5 {
        match found.get(i) {
            Some(part) => normalized.push_str(&part.as_str().replace(['*', 'X'], "x")),
            None => normalized.push_str(".x"),
        }
    }
    Ok(normalized.replace('x', "9999999") + "-dev")
}

/// `php_canonicalize_version` then the split on `.`: separators become
/// dots, and a dot goes between a digit and a non-digit.
fn parts(normalized: &str) -> Vec<Part> {
    let mut canonical = String::with_capacity(normalized.len() + 4);
    let mut previous: Option<char> = None;
    for c in normalized.chars() {
        let dot_last = canonical.ends_with('.');
        match previous {
            None => canonical.push(c),
            Some(_) if matches!(c, '-' | '_' | '+') => {
                if !dot_last {
                    canonical.push('.');
                }
            }
            Some(last)
                if (last != '.' && !last.is_ascii_digit() && c.is_ascii_digit())
                    || (last.is_ascii_digit() && c != '.' && !c.is_ascii_digit()) =>
            {
                if !dot_last {
                    canonical.push('.');
                }
                canonical.push(c);
            }
            Some(_) if !c.is_ascii_alphanumeric() => {
                if !dot_last {
                    canonical.push('.');
                }
            }
            Some(_) => canonical.push(c),
        }
        previous = Some(c);
    }
    canonical
        .split('.')
        .map(|part| {
            if part.starts_with(|c: char| c.is_ascii_digit()) {
                let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
                let digits = digits.trim_start_matches('0');
                Part::Number(if digits.is_empty() { "0" } else { digits }.to_owned())
            } else {
                Part::Special(special_rank(part))
            }
        })
        .collect()
}

fn compare_parts(a: &Part, b: &Part) -> Ordering {
    match (a, b) {
        (Part::Number(a), Part::Number(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        (Part::Number(_), Part::Special(b)) => NUMBER_RANK.cmp(b),
        (Part::Special(a), Part::Number(_)) => a.cmp(&NUMBER_RANK),
        (Part::Special(a), Part::Special(b)) => a.cmp(b),
    }
}

/// `php_version_compare` over canonicalized parts: part by part; when one
/// runs out, the longer is newer if its next part is a number, else its
/// next part is weighed against a number (`1.0 > 1.0-dev`, `1.0 < 1.0-p1`).
fn version_compare(a: &[Part], b: &[Part]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let order = compare_parts(x, y);
        if order != Ordering::Equal {
            return order;
        }
    }
    let rest = |longer: &[Part]| match longer.get(a.len().min(b.len())) {
        None => Ordering::Equal,
        Some(Part::Number(_)) => Ordering::Greater,
        Some(Part::Special(rank)) => rank.cmp(&NUMBER_RANK),
    };
    match a.len().cmp(&b.len()) {
        Ordering::Greater => rest(a),
        Ordering::Less => rest(b).reverse(),
        Ordering::Equal => Ordering::Equal,
    }
}

impl ComposerVersion {
    pub fn parse(text: &str) -> Result<ComposerVersion, ParseError> {
        let normalized = normalize(text).map_err(|why| ParseError::new("packagist", text, why))?;
        Ok(ComposerVersion {
            text: text.to_owned(),
            parts: parts(&normalized),
            normalized,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The version as `VersionParser::normalize` writes it.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }
}

impl Ord for ComposerVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        version_compare(&self.parts, &other.parts)
    }
}

order_from_ord!(ComposerVersion);

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ComposerVersion {
        ComposerVersion::parse(text).unwrap()
    }

    #[test]
    fn composer_stabilities_order() {
        let ascending = [
            "1.0.0-dev",
            "1.0.0-alpha1",
            "1.0.0-beta2",
            "1.0.0-RC1",
            "1.0.0",
            "v1.0.0-p1",
            "1.0.1",
            "2.9.1",
        ];
        for (i, a) in ascending.iter().enumerate() {
            for (j, b) in ascending.iter().enumerate() {
                assert_eq!(parse(a).cmp(&parse(b)), i.cmp(&j), "{a} vs {b}");
            }
        }
        assert!(ComposerVersion::parse("dev-master").is_err());
        assert!(ComposerVersion::parse("master").is_err());
        // Composer normalises both to four numbers: `v3.0` is 3.0.0.0, stable.
        assert!(parse("v3.0.0-beta") < parse("v3.0"));
        assert!(parse("v3.0-beta2") > parse("3.0.0.0-beta1"));
        assert_eq!(parse("v3.0"), parse("3.0.0.0"));
    }

    #[test]
    fn normalized_as_composer_writes_it() {
        for (text, normalized) in [
            ("v6.0.0+ea2", "6.0.0.0"),
            ("2.1-b3", "2.1.0.0-beta3"),
            ("1.0.0-pl1", "1.0.0.0-patch1"),
            ("1.0.0RC1-dev", "1.0.0.0-RC1-dev"),
            ("1.x-dev", "1.9999999.9999999.9999999-dev"),
            ("2010-01-02", "2010.01.02"),
            ("1.0.0-stable", "1.0.0.0"),
            ("1.0 as 2.0", "1.0.0.0"),
            ("1.0.0@beta", "1.0.0.0"),
        ] {
            assert_eq!(parse(text).normalized(), normalized, "{text}");
        }
        assert!(parse("1.0.0-beta1-dev") < parse("1.0.0-beta1"));
        assert!(parse("6.0.0+ea2") == parse("6.0.0"));
    }
}
