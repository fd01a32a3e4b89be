//! Image platforms, `os/arch[/variant]`, as the OCI image index describes them.
//!
//! See <https://github.com/opencontainers/image-spec/blob/main/image-index.md>.

use std::fmt;
use std::str::FromStr;

/// A platform such as `linux/amd64` or `linux/arm64/v8`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Platform {
    os: String,
    architecture: String,
    variant: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a platform: expected `os/arch` or `os/arch/variant`, like `linux/amd64`")]
pub struct PlatformError(String);

impl Platform {
    pub fn new(os: &str, architecture: &str, variant: Option<&str>) -> Platform {
        Platform {
            os: os.to_ascii_lowercase(),
            architecture: normalise_architecture(architecture),
            variant: variant
                .filter(|v| !v.is_empty())
                .map(str::to_ascii_lowercase),
        }
    }

    /// The platform this binary runs on, in Go's (and so the image spec's) names.
    pub fn host() -> Platform {
        Platform::new(std::env::consts::OS, std::env::consts::ARCH, None)
    }

    /// Whether an image built for `other` runs here: same os and arch, and the
    /// same variant when this platform names one.
    pub fn accepts(&self, other: &Platform) -> bool {
        self.os == other.os
            && self.architecture == other.architecture
            && match (&self.variant, &other.variant) {
                (Some(wanted), Some(offered)) => wanted == offered,
                (Some(_), None) | (None, _) => true,
            }
    }
}

/// Maps Rust's and uname's architecture names to the image spec's (Go's).
fn normalise_architecture(architecture: &str) -> String {
    match architecture.to_ascii_lowercase().as_str() {
        "x86_64" | "x86-64" => "amd64".to_owned(),
        "aarch64" => "arm64".to_owned(),
        "i386" | "i686" | "x86" => "386".to_owned(),
        "powerpc64le" => "ppc64le".to_owned(),
        other => other.to_owned(),
    }
}

impl FromStr for Platform {
    type Err = PlatformError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = text.split('/').collect();
        match parts.as_slice() {
            [os, arch] if !os.is_empty() && !arch.is_empty() => Ok(Platform::new(os, arch, None)),
            [os, arch, variant] if !os.is_empty() && !arch.is_empty() => {
                Ok(Platform::new(os, arch, Some(variant)))
            }
            _ => Err(PlatformError(text.to_owned())),
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_parses_variant_and_normalises_arch() {
        let platform: Platform = "linux/aarch64/v8".parse().unwrap();
        assert_eq!(platform.to_string(), "linux/arm64/v8");
        assert!("linux".parse::<Platform>().is_err());
    }

    #[test]
    fn platform_without_variant_accepts_any_variant() {
        let wanted: Platform = "linux/arm64".parse().unwrap();
        assert!(wanted.accepts(&"linux/arm64/v8".parse().unwrap()));
        assert!(!wanted.accepts(&"linux/amd64".parse().unwrap()));
    }
}
