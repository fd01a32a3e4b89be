//! Where rendered reports go: stdout, or a file replaced atomically so a
//! reader never sees half a report and a failed run leaves no partial file.

use std::io::Write;
use std::path::Path;

use crate::model::Timestamp;

/// Writes `text` to `path` through a temp file in the same directory and a rename.
pub(crate) fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        Some(_) | None => Path::new("."),
    };
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    // Temp files are private (0600); a report is not: CI agents and archivers read it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    temp.write_all(text.as_bytes())?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes `text` to stdout; a closed pipe is reported as an error for `main` to ignore.
pub(crate) fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

/// RFC 3339 UTC time from `SOURCE_DATE_EPOCH` (seconds) when given, else now.
pub(crate) fn creation_time(source_date_epoch: Option<&str>) -> String {
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
