//! Maven versions, ordered as Maven's `ComparableVersion`: the text is split
//! into numbers and qualifiers at `.`, `-` and digit/letter changes, `-`
//! opening a sub-list; trailing zeros and empty qualifiers are dropped; known
//! qualifiers order `alpha` < `beta` < `milestone` < `rc` (= `cr`) <
//! `snapshot` < release (`""`, `ga`, `final`, `release`) < `sp`, unknown ones
//! after `sp`, lexically; a number beats a qualifier.
//!
//! Reference: `org.apache.maven.artifact.versioning.ComparableVersion`,
//! <https://maven.apache.org/ref/3.9.6/maven-artifact/apidocs/org/apache/maven/artifact/versioning/ComparableVersion.html>.

use std::cmp::Ordering;

use super::ParseError;

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Int(u128),
    Str(String),
    List(Vec<Item>),
}

/// The sortable key of a qualifier: its index, or `7-<text>` for unknown ones.
fn qualifier_key(text: &str) -> String {
    match QUALIFIERS.iter().position(|q| *q == text) {
        Some(index) => index.to_string(),
        None => format!("7-{text}"),
    }
}

fn string_item(text: &str, followed_by_digit: bool) -> Item {
    let text = match (text, followed_by_digit) {
        ("a", true) => "alpha",
        ("b", true) => "beta",
        ("m", true) => "milestone",
        ("ga" | "final" | "release", _) => "",
        ("cr", _) => "rc",
        (other, _) => other,
    };
    Item::Str(text.to_owned())
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Int(value) => *value == 0,
            Item::Str(text) => qualifier_key(text) == qualifier_key(""),
            Item::List(items) => items.is_empty(),
        }
    }

    /// Compares with a missing item.
    fn cmp_null(&self) -> Ordering {
        match self {
            Item::Int(value) => value.cmp(&0),
            Item::Str(text) => qualifier_key(text).cmp(&qualifier_key("")),
            Item::List(items) => items.first().map_or(Ordering::Equal, Item::cmp_null),
        }
    }

    fn compare(&self, other: &Item) -> Ordering {
        match (self, other) {
            (Item::Int(a), Item::Int(b)) => a.cmp(b),
            (Item::Int(_), Item::Str(_) | Item::List(_)) => Ordering::Greater,
            (Item::Str(_), Item::Int(_)) => Ordering::Less,
            (Item::Str(a), Item::Str(b)) => qualifier_key(a).cmp(&qualifier_key(b)),
            (Item::Str(_), Item::List(_)) => Ordering::Less,
            (Item::List(_), Item::Int(_)) => Ordering::Less,
            (Item::List(_), Item::Str(_)) => Ordering::Greater,
            (Item::List(a), Item::List(b)) => {
                let longest = a.len().max(b.len());
                (0..longest)
                    .map(|i| match (a.get(i), b.get(i)) {
                        (Some(left), Some(right)) => left.compare(right),
                        (Some(left), None) => left.cmp_null(),
                        (None, Some(right)) => right.cmp_null().reverse(),
                        (None, None) => Ordering::Equal,
                    })
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            }
        }
    }
}

/// Drops trailing null items, stopping at the first non-null non-list item.
fn normalize(items: &mut Vec<Item>) {
    let mut index = items.len();
    while index > 0 {
        index -= 1;
        let is_list = matches!(items.get(index), Some(Item::List(_)));
        if let Some(Item::List(inner)) = items.get_mut(index) {
            normalize(inner);
        }
        if items.get(index).is_some_and(Item::is_null) {
            items.remove(index);
        } else if !is_list {
            break;
        }
    }
}

/// A parsed Maven version; keeps the text it came from.
#[derive(Debug, Clone)]
pub struct MavenVersion {
    text: String,
    items: Item,
}

/// Nested lists are built as a stack of open lists; closing folds each into its parent.
struct Builder {
    stack: Vec<Vec<Item>>,
}

impl Builder {
    fn push(&mut self, item: Item) {
        if let Some(top) = self.stack.last_mut() {
            top.push(item);
        }
    }

    fn open(&mut self) {
        self.stack.push(Vec::new());
    }

    fn top_is_empty(&self) -> bool {
        self.stack.last().is_none_or(Vec::is_empty)
    }

    fn finish(mut self) -> Vec<Item> {
        while self.stack.len() > 1 {
            let list = self.stack.pop().unwrap_or_default();
            self.push(Item::List(list));
        }
        self.stack.pop().unwrap_or_default()
    }
}

fn parse_item(
    text: &str,
    digit: bool,
    followed_by_digit: bool,
    original: &str,
) -> Result<Item, ParseError> {
    if digit {
        text.parse::<u128>()
            .map(Item::Int)
            .map_err(|_| ParseError::new("maven", original, "a number part is too large"))
    } else {
        Ok(string_item(text, followed_by_digit))
    }
}

impl MavenVersion {
    pub fn parse(text: &str) -> Result<MavenVersion, ParseError> {
        let lower = text.trim().to_ascii_lowercase();
        if lower.is_empty() {
            return Err(ParseError::new("maven", text, "it is empty"));
        }
        let chars: Vec<char> = lower.chars().collect();
        let mut builder = Builder {
            stack: vec![Vec::new()],
        };
        let mut digit = false;
        let mut start = 0;
        let piece = |from: usize, to: usize| chars[from..to].iter().collect::<String>();
        for (i, c) in chars.iter().enumerate() {
            match c {
                '.' | '-' => {
                    if i == start {
                        builder.push(Item::Int(0));
                    } else {
                        builder.push(parse_item(&piece(start, i), digit, false, text)?);
                    }
                    start = i + 1;
                    if *c == '-' {
                        builder.open();
                    }
                }
                c if c.is_ascii_digit() => {
                    if !digit && i > start {
                        // `.X1` is read as `-X1` (Maven 3.8+): `4.1.0.M1` is `4.1-milestone-1`.
                        if !builder.top_is_empty() {
                            builder.open();
                        }
                        builder.push(string_item(&piece(start, i), true));
                        start = i;
                        builder.open();
                    }
                    digit = true;
                }
                _ => {
                    if digit && i > start {
                        builder.push(parse_item(&piece(start, i), true, false, text)?);
                        start = i;
                        builder.open();
                    }
                    digit = false;
                }
            }
        }
        if chars.len() > start {
            if !digit && !builder.top_is_empty() {
                builder.open();
            }
            builder.push(parse_item(&piece(start, chars.len()), digit, false, text)?);
        }
        let mut items = builder.finish();
        normalize(&mut items);
        Ok(MavenVersion {
            text: text.to_owned(),
            items: Item::List(items),
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

/// `ComparableVersion.compareTo`, item by item.
impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.items.compare(&other.items)
    }
}

order_from_ord!(MavenVersion);

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `version_order` fuzz target: Maven's order is not
    /// transitive here, and neither is maven-artifact 3.8.7's
    /// (`java -cp maven-artifact.jar …ComparableVersion 4.1.0.M1 '4.1.)-RC'
    /// 4.1.0.Final` prints `>` for each neighbour). Ours says what it says;
    /// `sort_versions` copes.
    #[test]
    fn the_reference_order_is_not_transitive_here() {
        let v = |t: &str| MavenVersion::parse(t).unwrap();
        let (m1, odd, fin) = (v("4.1.0.M1"), v("4.1.)-RC"), v("4.1.0.Final"));
        assert_eq!(m1.cmp(&odd), Ordering::Greater);
        assert_eq!(odd.cmp(&fin), Ordering::Greater);
        assert_eq!(fin.cmp(&m1), Ordering::Greater);
        let mut all = vec![fin.clone(), odd.clone(), m1.clone(), fin, odd, m1];
        crate::sort_versions(&mut all, |a, b| a.cmp(b));
        assert_eq!(all.len(), 6);
    }

    /// From Maven's `ComparableVersionTest` (`VERSIONS_QUALIFIER` and `testVersionsEqual`).
    #[test]
    fn comparable_version_reference_vectors() {
        let ascending = [
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ];
        for (i, a) in ascending.iter().enumerate() {
            for (j, b) in ascending.iter().enumerate() {
                let (va, vb) = (
                    MavenVersion::parse(a).unwrap(),
                    MavenVersion::parse(b).unwrap(),
                );
                assert_eq!(va.cmp(&vb), i.cmp(&j), "{a} vs {b}");
            }
        }
        let equal = [
            ("1", "1.0.0"),
            ("1", "1-0"),
            ("1.0", "1-ga"),
            ("1", "1-final"),
            ("1-cr1", "1-rc1"),
            ("1a1", "1-alpha-1"),
            ("1.0.0-RELEASE", "1"),
        ];
        for (a, b) in equal {
            assert_eq!(
                MavenVersion::parse(a).unwrap(),
                MavenVersion::parse(b).unwrap(),
                "{a} == {b}"
            );
        }
        assert!(MavenVersion::parse("2.14.0").unwrap() < MavenVersion::parse("2.14.1").unwrap());
        assert!(MavenVersion::parse("1.33").unwrap() < MavenVersion::parse("2.0").unwrap());
    }

    /// Checked against maven-artifact 3.8.7's `ComparableVersion` main
    /// (Debian 12's `maven3-artifact.jar`), which printed each order below.
    #[test]
    fn milestones_and_release_candidates_order_as_maven_does() {
        let parse = |text: &str| MavenVersion::parse(text).unwrap();
        assert!(parse("4.1.0.M1") < parse("4.1.0.RC"), "4.1.0.M1 < 4.1.0.RC");
        assert!(parse("1.0.M1") > parse("1.0-alpha1"), "1.0.M1 > 1.0-alpha1");
        for (a, b) in [
            ("4.1.0.CR1", "4.1.0.RC1"),
            ("1.0.milestone1", "1.0.m1"),
            ("1.0-cr1", "1.0-rc1"),
        ] {
            assert_eq!(parse(a), parse(b), "{a} == {b}");
        }
    }
}
