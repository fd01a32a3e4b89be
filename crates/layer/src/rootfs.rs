//! A root filesystem or project folder read as one layer: the same patterns,
//! the same byte limits, symlinks recorded (never followed while walking),
//! named folders (`.git`, `--skip-dir`) never entered.

use std::path::Path;

use super::walk::{collect_file, Entry, LayerContents};
use super::{Error, Selection};

pub(crate) fn read_directory(
    root: &Path,
    skip_dirs: &[String],
    selection: &Selection,
) -> Result<LayerContents, Error> {
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
    let walk = walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0
                || !entry.file_type().is_dir()
                || !skip_dirs
                    .iter()
                    .any(|skip| entry.file_name() == skip.as_str())
        });
    for item in walk {
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
            let executable = item.metadata().is_ok_and(|m| {
                std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o111 != 0
            });
            if selection.want_for(&path, &mut matches).is_none()
                && selection.sniff_bytes(executable) == 0
            {
                continue;
            }
            let file =
                fs_err::File::open(item.path()).map_err(|e| directory_error(item.path(), e))?;
            collect_file(
                path,
                file,
                executable,
                selection,
                &mut matches,
                &mut contents,
            )
            .map_err(|e| directory_error(item.path(), e))?;
        }
    }
    Ok(contents)
}
