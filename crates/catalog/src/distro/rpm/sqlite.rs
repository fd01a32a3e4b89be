//! rpm's SQLite database (`rpmdb.sqlite`, rpm ≥ 4.16): the `Packages` table
//! holds one header blob per package. Read from memory, never from the image's
//! own path, through SQLite's deserialize interface.

use rusqlite::{Connection, MAIN_DB};

/// Byte offsets of the write and read format versions in the SQLite header;
/// 2 means WAL, which an in-memory database cannot use.
const FORMAT_VERSION_OFFSETS: [usize; 2] = [18, 19];
const LEGACY_FORMAT: u8 = 1;

/// The header blobs of every package row.
pub(super) fn header_blobs(bytes: &[u8]) -> Result<Vec<Vec<u8>>, rusqlite::Error> {
    let mut image = bytes.to_vec();
    for offset in FORMAT_VERSION_OFFSETS {
        if let Some(byte) = image.get_mut(offset) {
            if *byte == 2 {
                *byte = LEGACY_FORMAT;
            }
        }
    }
    let mut connection = Connection::open_in_memory()?;
    connection.deserialize_read_exact(MAIN_DB, image.as_slice(), image.len(), true)?;
    let mut statement = connection.prepare("SELECT blob FROM Packages ORDER BY hnum")?;
    let rows = statement.query_map([], |row| row.get::<_, Vec<u8>>(0))?;
    rows.collect()
}
