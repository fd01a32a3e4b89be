//! Which files dpkg owns, from `var/lib/dpkg/info/*.list`: a language
//! package proved only by owned files is the distro package's business and is
//! reported once, as the distro package (as Trivy does). rpm and apk name
//! their files in their databases (see `rpm/` and `apk.rs`).

use portcullis_layer::{KeptFile, Want};

use crate::cataloger::{Cataloger, Context, Family, Found, ParseError};

/// dpkg file lists of the largest packages (kernels, TeX) stay below 16 MiB.
const MAX_LIST_BYTES: u64 = 16 << 20;

const WANTS: [Want; 1] = [Want::whole("var/lib/dpkg/info/*.list", MAX_LIST_BYTES)];

/// dpkg's per-package file lists.
pub(crate) struct DpkgFiles;

impl Cataloger for DpkgFiles {
    fn name(&self) -> &'static str {
        "dpkg-files"
    }

    fn family(&self) -> Family {
        Family::Distro
    }

    fn wants(&self) -> &'static [Want] {
        &WANTS
    }

    fn parse(&self, file: &KeptFile<'_>, _context: &Context<'_>) -> Result<Found, ParseError> {
        let text = String::from_utf8_lossy(file.bytes);
        Ok(Found {
            packages: Vec::new(),
            owned_files: text
                .lines()
                .filter(|l| l.starts_with('/'))
                .map(str::to_owned)
                .collect(),
            ..Found::default()
        })
    }
}
