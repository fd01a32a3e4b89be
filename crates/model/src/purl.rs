//! Package URLs: `pkg:type/namespace/name@version?qualifiers#subpath`.
//!
//! Built once from typed parts and rendered by one canonical `Display`, as the
//! purl specification says: <https://github.com/package-url/purl-spec/blob/master/PURL-SPECIFICATION.rst>.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Serialize, Serializer};

/// A package URL. Qualifiers are kept sorted by key, as the canonical form requires.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Purl {
    kind: String,
    namespace: Option<String>,
    name: String,
    version: Option<String>,
    qualifiers: BTreeMap<String, String>,
}

impl Purl {
    /// A purl of `kind` (`deb`, `rpm`, `apk`, …) for `name`; the type is lowercased.
    pub fn new(kind: &str, name: &str) -> Purl {
        Purl {
            kind: kind.to_ascii_lowercase(),
            namespace: None,
            name: name.to_owned(),
            version: None,
            qualifiers: BTreeMap::new(),
        }
    }

    pub fn with_namespace(mut self, namespace: &str) -> Purl {
        if !namespace.is_empty() {
            self.namespace = Some(namespace.to_owned());
        }
        self
    }

    pub fn with_version(mut self, version: &str) -> Purl {
        if !version.is_empty() {
            self.version = Some(version.to_owned());
        }
        self
    }

    /// Adds a qualifier; empty values are dropped, as the spec says.
    pub fn with_qualifier(mut self, key: &str, value: &str) -> Purl {
        if !value.is_empty() {
            self.qualifiers
                .insert(key.to_ascii_lowercase(), value.to_owned());
        }
        self
    }
}

/// Percent-encodes everything but the unreserved characters of RFC 3986.
fn encode(text: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_' | b'~') {
            write!(f, "{}", char::from(byte))?;
        } else {
            write!(f, "%{byte:02X}")?;
        }
    }
    Ok(())
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pkg:{}/", self.kind)?;
        if let Some(namespace) = &self.namespace {
            for segment in namespace.split('/').filter(|s| !s.is_empty()) {
                encode(segment, f)?;
                f.write_str("/")?;
            }
        }
        encode(&self.name, f)?;
        if let Some(version) = &self.version {
            f.write_str("@")?;
            encode(version, f)?;
        }
        for (index, (key, value)) in self.qualifiers.iter().enumerate() {
            f.write_str(if index == 0 { "?" } else { "&" })?;
            f.write_str(key)?;
            f.write_str("=")?;
            encode(value, f)?;
        }
        Ok(())
    }
}

/// Why a purl could not be read: the text and the rule of the spec it breaks.
#[derive(Debug, thiserror::Error)]
#[error("`{text}` is not a package URL (`pkg:type/namespace/name@version?qualifiers`): {why}")]
pub struct PurlError {
    text: String,
    why: &'static str,
}

impl PurlError {
    /// The rule of the purl spec the text breaks.
    pub fn why(&self) -> &'static str {
        self.why
    }
}

/// Decodes `%XX` escapes; `None` when a `%` is not followed by two hex
/// digits or the bytes are not UTF-8, as the spec allows neither.
fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        if byte == b'%' {
            let hex = bytes.get(index + 1..index + 3)?;
            let value = u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
            out.push(value);
            index += 3;
        } else {
            out.push(byte);
            index += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The spec's type: ASCII letters, digits, `.`, `+` and `-`, not starting
/// with a digit, never percent-encoded.
fn is_type(text: &str) -> bool {
    text.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-'))
}

/// The spec's qualifier key: ASCII letters, digits, `.`, `-` and `_`, not
/// starting with a digit.
fn is_qualifier_key(text: &str) -> bool {
    text.bytes().next().is_some_and(|b| !b.is_ascii_digit())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

impl std::str::FromStr for Purl {
    type Err = PurlError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = |why| PurlError {
            text: text.to_owned(),
            why,
        };
        let rest = text
            .strip_prefix("pkg:")
            .ok_or_else(|| bad("it does not start with `pkg:`"))?;
        let rest = rest.split('#').next().unwrap_or(rest);
        let (rest, qualifiers) = match rest.split_once('?') {
            Some((rest, qualifiers)) => (rest, Some(qualifiers)),
            None => (rest, None),
        };
        let (kind, path) = rest
            .trim_start_matches('/')
            .split_once('/')
            .ok_or_else(|| bad("it has no `/` between the type and the name"))?;
        if !is_type(kind) {
            return Err(bad(
                "its type is not ASCII letters, digits, `.`, `+` or `-` starting with a letter",
            ));
        }
        let escapes = || bad("it has a `%` that is not followed by two hex digits of UTF-8");
        let (path, version) = match path.rsplit_once('@') {
            Some((path, version)) => (path, Some(decode(version).ok_or_else(escapes)?)),
            None => (path, None),
        };
        let (namespace, name) = match path.rsplit_once('/') {
            Some((namespace, name)) => (Some(namespace), name),
            None => (None, path),
        };
        let name = decode(name).ok_or_else(escapes)?;
        if name.is_empty() {
            return Err(bad("it has no name"));
        }
        let mut purl = Purl::new(kind, &name);
        if let Some(namespace) = namespace {
            let segments = namespace
                .split('/')
                .map(decode)
                .collect::<Option<Vec<String>>>()
                .ok_or_else(escapes)?;
            purl = purl.with_namespace(&segments.join("/"));
        }
        if let Some(version) = version {
            purl = purl.with_version(&version);
        }
        for pair in qualifiers
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| bad("a qualifier has no `=`"))?;
            if !is_qualifier_key(key) {
                return Err(bad(
                    "a qualifier key is not ASCII letters, digits, `.`, `-` or `_`",
                ));
            }
            purl = purl.with_qualifier(key, &decode(value).ok_or_else(escapes)?);
        }
        Ok(purl)
    }
}

impl Purl {
    pub fn kind(&self) -> &str {
        &self.kind
    }

    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers.get(key).map(String::as_str)
    }
}

impl Serialize for Purl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deb_purl_is_canonical_with_sorted_qualifiers() {
        let purl = Purl::new("deb", "libc6")
            .with_namespace("debian")
            .with_version("2.36-9+deb12u4")
            .with_qualifier("distro", "debian-12")
            .with_qualifier("arch", "amd64");
        assert_eq!(
            purl.to_string(),
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12"
        );
    }

    #[test]
    fn purls_round_trip_through_parse_and_display() {
        for text in [
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12",
            "pkg:npm/%40types/node@18.18.14",
            "pkg:golang/golang.org/x/net@v0.7.0",
            "pkg:maven/org.yaml/snakeyaml@1.33",
            "pkg:rpm/almalinux/openssl-libs@3.0.1-41.el9_0?arch=x86_64&epoch=1",
        ] {
            let purl: Purl = text.parse().unwrap();
            assert_eq!(purl.to_string(), text);
        }
        let scoped: Purl = "pkg:npm/%40types/node@18.18.14".parse().unwrap();
        assert_eq!(
            (scoped.namespace(), scoped.name()),
            (Some("@types"), "node")
        );
        assert!("not-a-purl".parse::<Purl>().is_err());
    }

    /// Issue 33: a purl whose type, escapes or qualifier keys break the spec
    /// is refused, not read as a package of an unknown type.
    #[test]
    fn purls_that_break_the_spec_are_refused_with_the_rule() {
        for (text, why) in [
            ("pkg:%%%/::@@@/%%%", "type"),
            ("pkg:1npm/x@1", "type"),
            ("pkg:n%70m/x@1", "type"),
            ("pkg:npm/x@1%zz", "`%`"),
            ("pkg:npm/%ff%fe@1", "`%`"),
            ("pkg:npm/x@1?1a=b", "qualifier key"),
            ("pkg:npm/@1", "no name"),
            ("pkg:npm", "no `/`"),
        ] {
            let error = text.parse::<Purl>().unwrap_err();
            assert!(error.why().contains(why), "{text}: {error}");
        }
        // What the spec allows: `+` and `.` in the type, `_` in a qualifier key.
        assert!("pkg:c++.x/lib@1?build_id=7".parse::<Purl>().is_ok());
    }

    #[test]
    fn rpm_epoch_is_a_qualifier_and_empty_values_are_dropped() {
        let purl = Purl::new("RPM", "openssl-libs")
            .with_namespace("almalinux")
            .with_version("3.0.1-41.el9_0")
            .with_qualifier("epoch", "1")
            .with_qualifier("upstream", "");
        assert_eq!(
            purl.to_string(),
            "pkg:rpm/almalinux/openssl-libs@3.0.1-41.el9_0?epoch=1"
        );
    }
}
