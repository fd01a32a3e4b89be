//! Where the sealing secret comes from: `PORTCULLIS_CACHE_KEY` (a CI secret,
//! the same on every runner that shares a cache), else a random key in a file
//! of the user's config dir, made on first use with mode 0600 (entries from
//! other machines are then misses), else a key for this process only (no
//! entry outlives the run).
//!
//! The key file is never in the cache dir: whoever can write the cache must
//! not be able to read or replace the key.

use std::path::{Path, PathBuf};

use sha2::Digest as _;

/// The key file's name in the config dir.
pub const KEY_FILE_NAME: &str = "cache.key";
/// The shortest secret accepted from the environment.
pub const MIN_SECRET_CHARS: usize = 16;
const KEY_BYTES: usize = 32;

/// Why no key could be had.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the cache key is {chars} characters long; it must have at least {MIN_SECRET_CHARS} (a CI secret, e.g. `openssl rand -hex 32`)")]
    ShortSecret { chars: usize },
    #[error("`{}`: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{}`: not a cache key (want {} hex digits); delete it to make a new one", path.display(), KEY_BYTES * 2)]
    BadKeyFile { path: PathBuf },
    #[error("no randomness from the OS for a cache key: {0}")]
    Random(getrandom::Error),
}

/// The secret cache entries are sealed with.
#[derive(Clone)]
pub struct SealKey {
    bytes: [u8; KEY_BYTES],
    origin: &'static str,
}

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SealKey({})", self.origin)
    }
}

impl SealKey {
    /// A key from a secret string (`PORTCULLIS_CACHE_KEY`).
    pub fn from_secret(secret: &str) -> Result<SealKey, Error> {
        let chars = secret.trim().chars().count();
        if chars < MIN_SECRET_CHARS {
            return Err(Error::ShortSecret { chars });
        }
        let mut hasher = sha2::Sha256::new();
        hasher.update(b"portcullis cache key v1\0");
        hasher.update(secret.trim().as_bytes());
        Ok(SealKey {
            bytes: hasher.finalize().into(),
            origin: "the environment",
        })
    }

    /// The key in `path`, made (random, mode 0600) when there is none.
    pub fn load_or_create(path: &Path) -> Result<SealKey, Error> {
        let io = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        match fs_err::read_to_string(path) {
            Ok(text) => return parse_key_file(path, &text),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(io(error)),
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        fs_err::create_dir_all(dir).map_err(io)?;
        let fresh = random_bytes()?;
        let file = tempfile::Builder::new()
            .prefix(".cache-key")
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .tempfile_in(dir)
            .map_err(io)?;
        fs_err::write(file.path(), hex::encode(fresh)).map_err(io)?;
        // Two first runs at once: the first key in place wins, the other reads it.
        match file.persist_noclobber(path) {
            Ok(_) => {}
            Err(error) if error.error.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(error) => return Err(io(error.error)),
        }
        let text = fs_err::read_to_string(path).map_err(io)?;
        parse_key_file(path, &text)
    }

    /// A key for this process only: nothing it seals outlives the run.
    pub fn ephemeral() -> Result<SealKey, Error> {
        Ok(SealKey {
            bytes: random_bytes()?,
            origin: "this run only",
        })
    }

    /// Where the key came from, for logs.
    pub fn origin(&self) -> &'static str {
        self.origin
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

fn random_bytes() -> Result<[u8; KEY_BYTES], Error> {
    let mut bytes = [0; KEY_BYTES];
    getrandom::fill(&mut bytes).map_err(Error::Random)?;
    Ok(bytes)
}

fn parse_key_file(path: &Path, text: &str) -> Result<SealKey, Error> {
    let bad = || Error::BadKeyFile {
        path: path.to_owned(),
    };
    let bytes = hex::decode(text.trim()).map_err(|_| bad())?;
    Ok(SealKey {
        bytes: bytes.try_into().map_err(|_| bad())?,
        origin: "the key file",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_secrets_are_refused() {
        assert!(matches!(
            SealKey::from_secret("short"),
            Err(Error::ShortSecret { chars: 5 })
        ));
        assert!(SealKey::from_secret("sixteen chars ok").is_ok());
    }

    #[test]
    fn the_key_file_is_made_once_private_and_then_reused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portcullis").join(KEY_FILE_NAME);
        let first = SealKey::load_or_create(&path).unwrap();
        let mode = fs_err::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let second = SealKey::load_or_create(&path).unwrap();
        assert_eq!(first.bytes(), second.bytes());
        fs_err::write(&path, "not hex").unwrap();
        assert!(matches!(
            SealKey::load_or_create(&path),
            Err(Error::BadKeyFile { .. })
        ));
    }
}
