//! Writes that readers see whole or not at all: the bytes go to a temp file
//! beside the target (same filesystem) and are renamed over it. A failed or
//! killed writer leaves the old file; concurrent writers of the same path both
//! succeed, the last rename winning.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A file being written; it appears at its path only on [`AtomicFile::commit`].
#[derive(Debug)]
pub struct AtomicFile {
    temp: tempfile::NamedTempFile,
    path: PathBuf,
    mode: Option<u32>,
    durable: bool,
}

/// The directory a path's temp file goes in.
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        Some(_) | None => Path::new("."),
    }
}

/// The start of every temp file name that [`AtomicFile::create`] makes for `path`.
fn temp_prefix(path: &Path) -> String {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    format!(".{name}.portcullis-")
}

/// Deletes the temp files that killed writers of `path` left beside it; the
/// caller must hold whatever lock keeps live writers of `path` out. Returns
/// how many it removed.
pub fn remove_leftovers(path: &Path) -> io::Result<usize> {
    let prefix = temp_prefix(path);
    let mut removed = 0;
    let entries = match fs_err::read_dir(parent_of(path)) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(error),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&prefix) && name.ends_with(".tmp") && entry.file_type()?.is_file() {
            fs_err::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

impl AtomicFile {
    /// Starts a file that will replace `path`; its temp file is named
    /// `.<name>.portcullis-*.tmp`, so a later run can tell (and
    /// [`remove_leftovers`]) what a killed writer of `path` left.
    pub fn create(path: &Path) -> io::Result<AtomicFile> {
        let temp = tempfile::Builder::new()
            .prefix(&temp_prefix(path))
            .suffix(".tmp")
            .tempfile_in(parent_of(path))?;
        Ok(AtomicFile {
            temp,
            path: path.to_owned(),
            mode: None,
            durable: false,
        })
    }

    /// Gives the file these permission bits (temp files are created 0600).
    pub fn mode(mut self, mode: u32) -> AtomicFile {
        self.mode = Some(mode);
        self
    }

    /// Syncs the bytes to disk before the rename.
    pub fn durable(mut self) -> AtomicFile {
        self.durable = true;
        self
    }

    /// The temp file's path, for readers that check it before it is committed.
    pub fn temp_path(&self) -> &Path {
        self.temp.path()
    }

    /// Flushes and renames the file into place.
    pub fn commit(mut self) -> io::Result<()> {
        self.temp.flush()?;
        #[cfg(unix)]
        if let Some(mode) = self.mode {
            use std::os::unix::fs::PermissionsExt as _;
            self.temp
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(mode))?;
        }
        if self.durable {
            self.temp.as_file().sync_all()?;
        }
        self.temp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.temp.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.temp.flush()
    }
}

/// Writes `bytes` to `path` atomically with permission bits `mode`.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let mut file = AtomicFile::create(path)?.mode(mode);
    file.write_all(bytes)?;
    file.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn written_file_has_its_mode_and_no_temp_is_left() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("gate.sarif");
        write_atomic(&path, b"{}", 0o644).expect("written");
        let mode = fs_err::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644);
        assert_eq!(fs_err::read(&path).expect("read"), b"{}");
        let names: Vec<_> = fs_err::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn an_uncommitted_file_never_appears() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("db");
        let mut file = AtomicFile::create(&path).expect("created");
        file.write_all(b"half").expect("written");
        drop(file);
        assert!(!path.exists());
    }

    #[test]
    fn leftovers_of_a_killed_writer_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("portcullis.db");
        let mut killed = AtomicFile::create(&path).expect("created");
        killed.write_all(b"half").expect("written");
        // What a SIGKILL leaves: the temp file, never renamed.
        let left = killed.temp.into_temp_path().keep().expect("kept");
        let other = dir.path().join(".report.json.portcullis-x.tmp");
        fs_err::write(&other, b"{}").expect("written");
        assert!(left.exists());
        assert_eq!(remove_leftovers(&path).expect("cleaned"), 1);
        assert!(!left.exists());
        assert!(other.exists(), "another file's temp is not touched");
    }
}
