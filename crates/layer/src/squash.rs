//! Apply layers bottom-up with OCI whiteout rules into one view of the kept
//! files, each remembering the layer it came from; then look paths up in that
//! view, following symlinks as the image's own root would.

use std::collections::BTreeMap;

use super::walk::{Entry, LayerContents, Note};
use super::Error;

/// Symlink hops allowed in one lookup, as Linux's `MAXSYMLINKS`.
const MAX_SYMLINK_HOPS: usize = 40;

/// A file in the final view of the image.
#[derive(Debug, Clone, Copy)]
pub struct KeptFile<'a> {
    /// The path after following links, relative to the root.
    pub path: &'a str,
    pub bytes: &'a [u8],
    /// The index of the layer that wrote it; `None` for a root filesystem.
    pub layer: Option<usize>,
}

/// Whether a kept file holds the file's bytes or what an extractor derived from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeptKind {
    Whole,
    Extracted,
}

/// The squashed view: every kept entry that survives the upper layers.
#[derive(Debug, Default, Clone)]
pub struct View {
    entries: BTreeMap<String, (Entry, Option<usize>)>,
    /// Wanted files that were not kept, with their layer and why.
    pub skipped: Vec<(String, Option<usize>, String)>,
    /// Noted files that survive the upper layers, with their layer.
    notes: BTreeMap<String, (Note, Option<usize>)>,
    /// Every sticky note, in every layer: a file a later layer deletes still
    /// ships in its own layer.
    sticky: Vec<(Note, Option<usize>)>,
}

/// Removes `path` and everything below it.
fn remove_tree<V>(entries: &mut BTreeMap<String, V>, path: &str) {
    entries.remove(path);
    remove_below(entries, path);
}

/// Removes everything strictly below directory `dir` (`""` is the root).
fn remove_below<V>(entries: &mut BTreeMap<String, V>, dir: &str) {
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let doomed: Vec<String> = entries
        .range(prefix.clone()..)
        .take_while(|(key, _)| key.starts_with(&prefix))
        .map(|(key, _)| key.clone())
        .collect();
    for key in doomed {
        entries.remove(&key);
    }
}

impl View {
    /// Squashes `layers`, bottom first.
    pub fn squash(layers: Vec<LayerContents>) -> View {
        View::squash_split(layers, None).0
    }

    /// Squashes `layers`, bottom first, and when `at` is given also returns
    /// the view of the first `at` layers alone (taken before the rest apply).
    pub fn squash_split(layers: Vec<LayerContents>, at: Option<usize>) -> (View, Option<View>) {
        let mut view = View::default();
        let mut below = None;
        for (index, layer) in layers.into_iter().enumerate() {
            if Some(index) == at {
                below = Some(view.clone());
            }
            view.apply(layer, Some(index));
        }
        if below.is_none() && at.is_some_and(|at| at > 0) {
            below = Some(view.clone());
        }
        (view, below)
    }

    /// A view of one unlayered filesystem.
    pub fn flat(contents: LayerContents) -> View {
        let mut view = View::default();
        view.apply(contents, None);
        view
    }

    fn apply(&mut self, layer: LayerContents, index: Option<usize>) {
        // Whiteouts hide lower layers only, so they apply before this layer's own files.
        for dir in &layer.opaque_dirs {
            remove_below(&mut self.entries, dir);
            remove_below(&mut self.notes, dir);
        }
        for path in &layer.whiteouts {
            remove_tree(&mut self.entries, path);
            remove_tree(&mut self.notes, path);
        }
        for note in layer.notes {
            if note.note.sticky {
                self.sticky.push((note.clone(), index));
            }
            self.notes.insert(note.path.clone(), (note, index));
        }
        for (path, entry) in layer.entries {
            // A file or link replacing a directory hides what was under it.
            remove_below(&mut self.entries, &path);
            self.entries.insert(path, (entry, index));
        }
        self.skipped.extend(
            layer
                .skipped
                .into_iter()
                .map(|(path, why)| (path, index, why)),
        );
    }

    /// Noted files of the final image, by path, with the layer that wrote them.
    pub fn notes(&self) -> impl Iterator<Item = (&Note, Option<usize>)> {
        self.notes.values().map(|(n, layer)| (n, *layer))
    }

    /// Every sticky note in any layer, its file deleted later or not.
    pub fn sticky_notes(&self) -> &[(Note, Option<usize>)] {
        &self.sticky
    }

    /// Whether the final image still has `path` as `layer` wrote it.
    pub fn still_has(&self, path: &str, layer: Option<usize>) -> bool {
        self.notes.get(path).is_some_and(|(_, l)| *l == layer)
    }

    /// Follows symlinks in every component of `path`, within the image root.
    fn resolve(&self, path: &str) -> Result<String, Error> {
        let mut pending: Vec<String> = path.split('/').rev().map(str::to_owned).collect();
        let mut resolved: Vec<String> = Vec::new();
        let mut hops = 0;
        while let Some(part) = pending.pop() {
            match part.as_str() {
                "" | "." => continue,
                ".." => {
                    if resolved.pop().is_none() {
                        return Err(Error::LinkEscapes {
                            path: path.to_owned(),
                            target: resolved.join("/"),
                        });
                    }
                    continue;
                }
                _ => {}
            }
            resolved.push(part);
            let current = resolved.join("/");
            if let Some((Entry::Symlink(target), _)) = self.entries.get(&current) {
                hops += 1;
                if hops > MAX_SYMLINK_HOPS {
                    return Err(Error::LinkEscapes {
                        path: path.to_owned(),
                        target: target.clone(),
                    });
                }
                resolved.pop();
                if target.starts_with('/') {
                    resolved.clear();
                }
                pending.extend(target.split('/').rev().map(str::to_owned));
            }
        }
        Ok(resolved.join("/"))
    }

    /// The file at `path`, following links; `None` when there is none.
    pub fn file(&self, path: &str) -> Result<Option<KeptFile<'_>>, Error> {
        let resolved = self.resolve(path)?;
        Ok(match self.entries.get_key_value(&resolved) {
            Some((key, (Entry::File(bytes), layer))) => Some(KeptFile {
                path: key,
                bytes,
                layer: *layer,
            }),
            Some((_, (Entry::Symlink(_) | Entry::Extracted(_), _))) | None => None,
        })
    }

    /// Every kept file whose name (last path component) is one of `names`,
    /// or, for names starting with `*`, ends with the rest (no links followed).
    pub fn files_named(&self, names: &[&str]) -> Vec<KeptFile<'_>> {
        let wanted = |key: &str| {
            let file = key.rsplit('/').next().unwrap_or(key);
            names.iter().any(|name| match name.strip_prefix('*') {
                Some(suffix) => file.ends_with(suffix),
                None => file == *name,
            })
        };
        self.entries
            .iter()
            .filter_map(|(key, (entry, layer))| match entry {
                Entry::File(bytes) if wanted(key) => Some(KeptFile {
                    path: key,
                    bytes,
                    layer: *layer,
                }),
                Entry::File(_) | Entry::Symlink(_) | Entry::Extracted(_) => None,
            })
            .collect()
    }

    /// Every kept file and extractor summary, by path, and which of the two it is.
    pub fn kept_files(&self) -> impl Iterator<Item = (KeptFile<'_>, KeptKind)> {
        self.entries.iter().filter_map(|(key, (entry, layer))| {
            let (bytes, kind) = match entry {
                Entry::File(bytes) => (bytes, KeptKind::Whole),
                Entry::Extracted(bytes) => (bytes, KeptKind::Extracted),
                Entry::Symlink(_) => return None,
            };
            let file = KeptFile {
                path: key,
                bytes,
                layer: *layer,
            };
            Some((file, kind))
        })
    }

    /// Every extractor summary, with the path of the file it came from.
    pub fn extracted(&self) -> Vec<KeptFile<'_>> {
        self.entries
            .iter()
            .filter_map(|(key, (entry, layer))| match entry {
                Entry::Extracted(bytes) => Some(KeptFile {
                    path: key,
                    bytes,
                    layer: *layer,
                }),
                Entry::File(_) | Entry::Symlink(_) => None,
            })
            .collect()
    }

    /// Whether anything was kept below directory `dir`.
    pub fn has_below(&self, dir: &str) -> bool {
        let prefix = format!("{dir}/");
        self.entries
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(key, _)| key.starts_with(&prefix))
    }

    /// The files directly inside directory `dir` (no links followed in the listing).
    pub fn files_in(&self, dir: &str) -> Vec<KeptFile<'_>> {
        let prefix = format!("{dir}/");
        self.entries
            .range(prefix.clone()..)
            .take_while(|(key, _)| key.starts_with(&prefix))
            .filter_map(|(key, (entry, layer))| match entry {
                Entry::File(bytes) if !key[prefix.len()..].contains('/') => Some(KeptFile {
                    path: key,
                    bytes,
                    layer: *layer,
                }),
                Entry::File(_) | Entry::Symlink(_) | Entry::Extracted(_) => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(files: &[(&str, &str)]) -> LayerContents {
        let mut contents = LayerContents::default();
        for (path, body) in files {
            let entry = match body.strip_prefix("->") {
                Some(target) => Entry::Symlink(target.to_owned()),
                None => Entry::File(body.as_bytes().to_vec()),
            };
            contents.entries.insert((*path).to_owned(), entry);
        }
        contents
    }

    #[test]
    fn plain_whiteout_deletes_file_and_tree_below() {
        let lower = layer(&[("opt/a/x", "1"), ("opt/b", "2")]);
        let mut upper = layer(&[]);
        upper.whiteouts.insert("opt/a".to_owned());
        let view = View::squash(vec![lower, upper]);
        assert!(view.file("opt/a/x").unwrap().is_none());
        assert_eq!(view.file("opt/b").unwrap().unwrap().bytes, b"2");
    }

    #[test]
    fn opaque_whiteout_empties_directory_but_keeps_own_files() {
        let lower = layer(&[("opt/webui/old", "v1"), ("opt/other", "keep")]);
        let mut upper = layer(&[("opt/webui/new", "v2")]);
        upper.opaque_dirs.insert("opt/webui".to_owned());
        let view = View::squash(vec![lower, upper]);
        assert!(view.file("opt/webui/old").unwrap().is_none());
        let new = view.file("opt/webui/new").unwrap().unwrap();
        assert_eq!((new.bytes, new.layer), (&b"v2"[..], Some(1)));
        assert!(view.file("opt/other").unwrap().is_some());
    }

    #[test]
    fn upper_layer_replaces_file_and_remembers_its_layer() {
        let view = View::squash(vec![layer(&[("etc/x", "old")]), layer(&[("etc/x", "new")])]);
        let file = view.file("etc/x").unwrap().unwrap();
        assert_eq!((file.bytes, file.layer), (&b"new"[..], Some(1)));
    }

    #[test]
    fn symlinks_resolve_within_the_root() {
        let view = View::squash(vec![layer(&[
            ("usr/lib/os-release", "ID=debian"),
            ("etc/os-release", "->../usr/lib/os-release"),
            ("lib", "->usr/lib"),
        ])]);
        assert_eq!(
            view.file("etc/os-release").unwrap().unwrap().bytes,
            b"ID=debian"
        );
        assert_eq!(
            view.file("lib/os-release").unwrap().unwrap().path,
            "usr/lib/os-release"
        );
    }

    #[test]
    fn symlink_climbing_out_of_the_root_is_refused() {
        let view = View::squash(vec![layer(&[("etc/os-release", "->../../../etc/passwd")])]);
        assert!(matches!(
            view.file("etc/os-release"),
            Err(Error::LinkEscapes { .. })
        ));
    }
}
