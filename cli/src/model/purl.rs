//! Package URLs: `pkg:type/namespace/name@version?qualifiers#subpath`.
//!
//! Built once from typed parts and rendered by one canonical `Display`, as the
//! purl specification says: <https://github.com/package-url/purl-spec/blob/master/PURL-SPECIFICATION.rst>.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Serialize, Serializer};

/// A package URL. Qualifiers are kept sorted by key, as the canonical form requires.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Purl {
    kind: String,
    namespace: Option<String>,
    name: String,
    version: Option<String>,
    qualifiers: BTreeMap<String, String>,
}

impl Purl {
    /// A purl of `kind` (`deb`, `rpm`, `apk`, …) for `name`; the type is lowercased.
    pub(crate) fn new(kind: &str, name: &str) -> Purl {
        Purl {
            kind: kind.to_ascii_lowercase(),
            namespace: None,
            name: name.to_owned(),
            version: None,
            qualifiers: BTreeMap::new(),
        }
    }

    pub(crate) fn with_namespace(mut self, namespace: &str) -> Purl {
        if !namespace.is_empty() {
            self.namespace = Some(namespace.to_owned());
        }
        self
    }

    pub(crate) fn with_version(mut self, version: &str) -> Purl {
        if !version.is_empty() {
            self.version = Some(version.to_owned());
        }
        self
    }

    /// Adds a qualifier; empty values are dropped, as the spec says.
    pub(crate) fn with_qualifier(mut self, key: &str, value: &str) -> Purl {
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
