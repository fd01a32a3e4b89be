//! An index of the members of an image tarball (docker-archive or OCI archive),
//! made by one pass over the tar headers, so any member can later be read by
//! seeking, without extracting the tarball.

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use fs_err::File;

use super::Error;

/// Where a member's data starts and how long it is.
#[derive(Debug, Clone, Copy)]
struct Member {
    offset: u64,
    size: u64,
}

/// The regular-file members of a tarball, by normalised name.
pub(crate) struct TarIndex {
    path: PathBuf,
    members: BTreeMap<String, Member>,
}

/// Drops `./` and leading `/` so `./manifest.json` and `manifest.json` agree.
fn normalise(name: &str) -> String {
    name.trim_start_matches("./")
        .trim_start_matches('/')
        .to_owned()
}

/// Resolves a link `target` written in the tar relative to the member `name`.
fn resolve_link(name: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        let mut parent: Vec<&str> = name.split('/').collect();
        parent.pop();
        parent
    };
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

impl TarIndex {
    pub(crate) fn open(path: &Path) -> Result<TarIndex, Error> {
        let io_error = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        let file = File::open(path).map_err(io_error)?;
        let mut archive = tar::Archive::new(file);
        let mut members = BTreeMap::new();
        let mut links = Vec::new();
        for entry in archive.entries_with_seek().map_err(io_error)? {
            let entry = entry.map_err(io_error)?;
            let name = normalise(&String::from_utf8_lossy(&entry.path_bytes()));
            let kind = entry.header().entry_type();
            if kind.is_file() {
                let size = entry.size();
                members.insert(
                    name,
                    Member {
                        offset: entry.raw_file_position(),
                        size,
                    },
                );
            } else if kind.is_symlink() || kind.is_hard_link() {
                if let Some(target) = entry.link_name_bytes() {
                    let target = String::from_utf8_lossy(&target).into_owned();
                    let resolved = if kind.is_symlink() {
                        resolve_link(&name, &target)
                    } else {
                        normalise(&target)
                    };
                    links.push((name, resolved));
                }
            }
        }
        // docker save links identical layer.tar files to one copy.
        for (name, target) in links {
            if let Some(member) = members.get(&target).copied() {
                members.insert(name, member);
            }
        }
        if members.is_empty() {
            return Err(Error::NotAnImage {
                path: path.to_owned(),
                why: "it is not a tar archive, or holds no files",
            });
        }
        Ok(TarIndex {
            path: path.to_owned(),
            members,
        })
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.members.contains_key(&normalise(name))
    }

    fn member(&self, name: &str) -> Result<Member, Error> {
        self.members
            .get(&normalise(name))
            .copied()
            .ok_or_else(|| Error::MissingMember {
                archive: self.path.clone(),
                member: name.to_owned(),
            })
    }

    /// Opens a member for streaming.
    pub(crate) fn open_member(&self, name: &str) -> Result<impl Read + Send + use<>, Error> {
        let member = self.member(name)?;
        let mut file = File::open(&self.path).map_err(|source| Error::Io {
            path: self.path.clone(),
            source,
        })?;
        file.seek(SeekFrom::Start(member.offset))
            .map_err(|source| Error::Io {
                path: self.path.clone(),
                source,
            })?;
        Ok(std::io::BufReader::with_capacity(256 << 10, file).take(member.size))
    }

    /// Reads a small member (a manifest or config) whole, refusing it past `limit` bytes.
    pub(crate) fn read_small(&self, name: &str, limit: u64, what: &str) -> Result<Vec<u8>, Error> {
        let member = self.member(name)?;
        if member.size > limit {
            return Err(Error::TooLarge {
                location: format!("{}:{name}", self.path.display()),
                what: what.to_owned(),
                limit,
            });
        }
        let mut bytes = Vec::new();
        self.open_member(name)?
            .read_to_end(&mut bytes)
            .map_err(|source| Error::Io {
                path: self.path.clone(),
                source,
            })?;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_resolve_against_the_member_directory() {
        assert_eq!(
            resolve_link("abc/layer.tar", "../def/layer.tar"),
            "def/layer.tar"
        );
        assert_eq!(resolve_link("a/b", "/c"), "c");
    }
}
