//! A root filesystem directory read as one layer: the same patterns, the same
//! byte limits, symlinks recorded (never followed while walking).

use std::io::Read;
use std::path::Path;

use super::walk::{Entry, LayerContents};
use super::{Error, Selection};

pub(crate) fn read_directory(root: &Path, selection: &Selection) -> Result<LayerContents, Error> {
    let directory_error = |path: &Path, source: std::io::Error| Error::Directory {
        path: path.to_owned(),
        source,
    };
    if !root.is_dir() {
        return Err(directory_error(
            root,
            std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
        ));
    }
    let mut contents = LayerContents::default();
    let mut matches = Vec::new();
    for item in walkdir::WalkDir::new(root).follow_links(false) {
        let item = item.map_err(|e| {
            let path = e.path().unwrap_or(root).to_owned();
            directory_error(&path, e.into())
        })?;
        let Ok(relative) = item.path().strip_prefix(root) else {
            continue;
        };
        let path = relative.to_string_lossy().into_owned();
        if path.is_empty() {
            continue;
        }
        let kind = item.file_type();
        if kind.is_symlink() {
            let target = fs_err::read_link(item.path())
                .map_err(|e| directory_error(item.path(), e))?
                .to_string_lossy()
                .into_owned();
            contents.entries.insert(path, Entry::Symlink(target));
        } else if kind.is_file() {
            let Some(limit) = selection.limit_for(&path, &mut matches) else {
                continue;
            };
            let file =
                fs_err::File::open(item.path()).map_err(|e| directory_error(item.path(), e))?;
            let mut bytes = Vec::new();
            file.take(limit + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| directory_error(item.path(), e))?;
            if bytes.len() as u64 > limit {
                contents.skipped.push((
                    path,
                    format!("larger than the {limit}-byte limit for its kind"),
                ));
            } else {
                contents.entries.insert(path, Entry::File(bytes));
            }
        }
    }
    Ok(contents)
}
