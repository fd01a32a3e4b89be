//! Which files the distro's package manager owns, from dpkg's
//! `var/lib/dpkg/info/*.list`, rpm headers' file lists and apk's `F:`/`R:`
//! lines; a language package proved only by owned files is the distro
//! package's business and is reported once, as the distro package (as Trivy does).

use std::collections::BTreeSet;

use crate::layer::{View, Want};

/// dpkg file lists of the largest packages (kernels, TeX) stay below 16 MiB.
const MAX_LIST_BYTES: u64 = 16 << 20;

pub(super) const WANTS: [Want; 1] = [Want::whole("var/lib/dpkg/info/*.list", MAX_LIST_BYTES)];

/// Absolute paths owned by dpkg packages.
pub(super) fn dpkg_owned(view: &View, owned: &mut BTreeSet<String>) {
    for file in view.files_in("var/lib/dpkg/info") {
        if file.path.ends_with(".list") {
            let text = String::from_utf8_lossy(file.bytes);
            owned.extend(
                text.lines()
                    .filter(|l| l.starts_with('/'))
                    .map(str::to_owned),
            );
        }
    }
}

/// Absolute paths apk's database lists (`F:` a folder, `R:` a file in it).
pub(super) fn apk_owned(installed: &str, owned: &mut BTreeSet<String>) {
    let mut folder = String::new();
    for line in installed.lines() {
        if let Some(dir) = line.strip_prefix("F:") {
            folder = dir.to_owned();
        } else if let Some(file) = line.strip_prefix("R:") {
            owned.insert(format!("/{folder}/{file}"));
        }
    }
}
