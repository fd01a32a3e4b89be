//! Where rendered reports go: stdout, or a file replaced atomically so a
//! reader never sees half a report and a failed run leaves no partial file.

use std::io::Write;
use std::path::Path;

use portcullis_io::AtomicFile;
use portcullis_model::Timestamp;

/// Writes `text` to `path` through a temp file in the same directory and a
/// rename, synced first. Mode 0644: CI agents and archivers read reports.
pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = AtomicFile::create(path)?.mode(0o644).durable();
    file.write_all(text.as_bytes())?;
    file.commit()
}

/// Like [`write_atomic`], the file's bytes written by `write` through a
/// buffer as it makes them: a report of tens of MB is never held whole.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut file = AtomicFile::create(path)?.mode(0o644).durable();
    {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 20, &mut file);
        write(&mut buffered)?;
        buffered.flush()?;
    }
    file.commit()
}

/// Writes `text` to stdout; a closed pipe is reported as an error for `main` to ignore.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

/// RFC 3339 UTC time from `SOURCE_DATE_EPOCH` (seconds) when given, else now.
pub fn creation_time(source_date_epoch: Option<&str>) -> String {
    source_date_epoch
        .and_then(|text| text.trim().parse::<i64>().ok())
        .map_or_else(Timestamp::now, Timestamp::from_unix)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn reports_are_readable_by_others() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("gate.sarif");
        write_atomic(&path, "{}").expect("written");
        let mode = fs_err::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644);
    }

    #[test]
    fn creation_time_formats_source_date_epoch() {
        assert_eq!(creation_time(Some("1704067200")), "2024-01-01T00:00:00Z");
        assert_eq!(creation_time(Some("951782400")), "2000-02-29T00:00:00Z");
    }
}
