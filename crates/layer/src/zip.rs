//! Zip files (a Lambda function package, its layers) read as layers: each
//! zip is one layer, its entries wanted by the same patterns and limits as a
//! tar's. Only wanted entries are inflated, so a zip bomb costs nothing
//! unless it hides inside a wanted file, which the byte limits stop.
//!
//! Format: <https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT>.

use std::io::Read;
use std::path::Path;

use super::walk::{collect_file, normalise, Entry, LayerContents};
use super::{Error, Selection};

/// Unix file-type bits of a zip entry's external attributes.
const S_IFMT: u32 = 0o170_000;
const S_IFLNK: u32 = 0o120_000;
/// A symlink target is a path; 4 KiB is PATH_MAX.
const MAX_LINK_BYTES: u64 = 4096;

pub(crate) fn read_zip(path: &Path, selection: &Selection) -> Result<LayerContents, Error> {
    let zip_error = |source: std::io::Error| Error::Directory {
        path: path.to_owned(),
        source,
    };
    let file = fs_err::File::open(path).map_err(zip_error)?;
    let mut archive =
        zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| zip_error(e.into()))?;
    let mut contents = LayerContents::default();
    let mut matches = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|e| zip_error(e.into()))?;
        let raw_name = entry.name().to_owned();
        let name = match normalise(&raw_name) {
            Ok(name) if name.is_empty() => continue,
            Ok(name) => name,
            Err(why) => {
                return Err(Error::UnsafePath {
                    layer: super::LayerName::zip(path),
                    path: raw_name,
                    why,
                })
            }
        };
        if entry.is_dir() {
            continue;
        }
        let mode = entry.unix_mode().unwrap_or(0o644);
        if mode & S_IFMT == S_IFLNK {
            let mut target = String::new();
            (&mut entry)
                .take(MAX_LINK_BYTES)
                .read_to_string(&mut target)
                .map_err(zip_error)?;
            contents.entries.insert(name, Entry::Symlink(target));
            continue;
        }
        collect_file(
            name,
            &mut entry,
            mode & 0o111 != 0,
            selection,
            &mut matches,
            &mut contents,
        )
        .map_err(zip_error)?;
    }
    Ok(contents)
}
