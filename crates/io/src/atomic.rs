//! Writes that readers see whole or not at all: the bytes go to a temp file
//! beside the target (same filesystem) and are renamed over it. A failed or
//! killed writer leaves the old file; concurrent writers of the same path both
//! succeed, the last rename winning. A path that is no regular file (`/dev/null`,
//! `/dev/stdout`, a FIFO) is written into, never renamed over: replacing a
//! device with a file would break every program on the machine that uses it.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A file being written; it appears at its path only on [`AtomicFile::commit`].
#[derive(Debug)]
pub struct AtomicFile {
    temp: Target,
    path: PathBuf,
    mode: Option<u32>,
    durable: bool,
}

/// Where the bytes go until the commit.
#[derive(Debug)]
enum Target {
    Temp(tempfile::NamedTempFile),
    /// A device or a FIFO, written as the bytes come.
    Special(std::fs::File),
}

/// Whether `path` exists and is something other than a regular file.
fn is_special(path: &Path) -> bool {
    fs_err::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
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
        let temp = if is_special(path) {
            Target::Special(fs_err::OpenOptions::new().write(true).open(path)?.into())
        } else {
            Target::Temp(
                tempfile::Builder::new()
                    .prefix(&temp_prefix(path))
                    .suffix(".tmp")
                    .tempfile_in(parent_of(path))?,
            )
        };
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

    /// The temp file's path, for readers that check it before it is
    /// committed (the target itself when it is a device or a FIFO).
    pub fn temp_path(&self) -> &Path {
        match &self.temp {
            Target::Temp(temp) => temp.path(),
            Target::Special(_) => &self.path,
        }
    }

    /// Flushes and renames the file into place.
    pub fn commit(self) -> io::Result<()> {
        let mut temp = match self.temp {
            Target::Temp(temp) => temp,
            Target::Special(mut file) => return file.flush(),
        };
        temp.flush()?;
        #[cfg(unix)]
        if let Some(mode) = self.mode {
            use std::os::unix::fs::PermissionsExt as _;
            temp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(mode))?;
        }
        if self.durable {
            temp.as_file().sync_all()?;
        }
        temp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.temp {
            Target::Temp(temp) => temp.write(buf),
            Target::Special(file) => file.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.temp {
            Target::Temp(temp) => temp.flush(),
            Target::Special(file) => file.flush(),
        }
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
    /// A FIFO (as `/dev/null` or `/dev/stdout` are devices) is written into,
    /// never renamed over: renaming over `-o /dev/null` once turned this
    /// machine's `/dev/null` into a regular file. Tested on a FIFO of its
    /// own, so a regression cannot break the machine running the test.
    #[cfg(unix)]
    #[test]
    fn a_fifo_is_written_into_not_replaced() {
        use std::io::Read as _;
        use std::os::unix::fs::FileTypeExt as _;
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = dir.path().join("report.fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo (coreutils)");
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut text = String::new();
                fs_err::File::open(&fifo)
                    .expect("opened")
                    .read_to_string(&mut text)
                    .expect("read");
                text
            })
        };
        write_atomic(&fifo, b"report", 0o644).expect("written");
        // Before the reader is joined: were it renamed over, nothing would
        // ever write the FIFO the reader waits on.
        let kind = fs_err::metadata(&fifo).expect("metadata").file_type();
        assert!(kind.is_fifo(), "still a FIFO");
        assert_eq!(reader.join().expect("reader"), "report");
        let names: Vec<_> = fs_err::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temp file beside it");
    }

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
        let Target::Temp(temp) = killed.temp else {
            panic!("a new path gets a temp file");
        };
        let left = temp.into_temp_path().keep().expect("kept");
        let other = dir.path().join(".report.json.portcullis-x.tmp");
        fs_err::write(&other, b"{}").expect("written");
        assert!(left.exists());
        assert_eq!(remove_leftovers(&path).expect("cleaned"), 1);
        assert!(!left.exists());
        assert!(other.exists(), "another file's temp is not touched");
    }
}
