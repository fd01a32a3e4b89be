//! Vulnerability ids (`CVE-2023-4911`, `GHSA-…`, `PYSEC-…`, `GO-…`, `DSA-…`),
//! each knowing its kind from its prefix, for alias clustering, ordering and
//! links. The text is kept exactly as the advisory wrote it.
//!
//! Prefixes: <https://ossf.github.io/osv-schema/#id-modified-fields>.

use std::fmt;

use serde::{Serialize, Serializer};

/// Which database an id comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IdKind {
    Cve,
    Ghsa,
    Pysec,
    Rustsec,
    Go,
    Dsa,
    Dla,
    Usn,
    Alsa,
    /// Any other prefix (`x_DEBIAN-CVE-…`, `ALPINE-…`, `CGA-…`).
    Other,
}

/// A vulnerability or advisory id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VulnId(String);

impl VulnId {
    /// An id as a record wrote it.
    pub fn new(text: &str) -> VulnId {
        VulnId(text.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn kind(&self) -> IdKind {
        let prefixes = [
            ("CVE-", IdKind::Cve),
            ("GHSA-", IdKind::Ghsa),
            ("PYSEC-", IdKind::Pysec),
            ("RUSTSEC-", IdKind::Rustsec),
            ("GO-", IdKind::Go),
            ("DSA-", IdKind::Dsa),
            ("DLA-", IdKind::Dla),
            ("USN-", IdKind::Usn),
            ("ALSA-", IdKind::Alsa),
        ];
        prefixes
            .iter()
            .find(|(prefix, _)| self.0.starts_with(prefix))
            .map_or(IdKind::Other, |(_, kind)| *kind)
    }

    pub fn is_cve(&self) -> bool {
        self.kind() == IdKind::Cve
    }

    /// The order ids lead a cluster in: CVE, then GHSA, then the rest, each by text.
    pub fn rank(&self) -> (u8, &str) {
        let rank = match self.kind() {
            IdKind::Cve => 0,
            IdKind::Ghsa => 1,
            IdKind::Pysec
            | IdKind::Rustsec
            | IdKind::Go
            | IdKind::Dsa
            | IdKind::Dla
            | IdKind::Usn
            | IdKind::Alsa
            | IdKind::Other => 2,
        };
        (rank, &self.0)
    }
}

impl fmt::Display for VulnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for VulnId {
    fn from(text: &str) -> VulnId {
        VulnId::new(text)
    }
}

impl PartialEq<str> for VulnId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl Serialize for VulnId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_know_their_kind_and_cves_lead() {
        assert_eq!(VulnId::new("CVE-2020-1747").kind(), IdKind::Cve);
        assert_eq!(VulnId::new("GHSA-8q59-q68h-6hv4").kind(), IdKind::Ghsa);
        assert_eq!(VulnId::new("x_DEBIAN-CVE-2023-4911").kind(), IdKind::Other);
        let mut ids: Vec<VulnId> = ["PYSEC-2020-96", "GHSA-8q59-q68h-6hv4", "CVE-2020-1747"]
            .into_iter()
            .map(VulnId::new)
            .collect();
        ids.sort_by(|a, b| a.rank().cmp(&b.rank()));
        let texts: Vec<&str> = ids.iter().map(VulnId::as_str).collect();
        assert_eq!(
            texts,
            ["CVE-2020-1747", "GHSA-8q59-q68h-6hv4", "PYSEC-2020-96"]
        );
    }
}
