//! Stream an image's layers once each, several at a time, keeping only the
//! files the catalogers ask for; squash them with whiteouts into one [`View`];
//! cache what each layer contributed.
//!
//! Pipeline per layer (see `stream.rs` and `walk.rs`): blob → digest check →
//! gzip / zstd / plain → tar entries → kept files. Nothing is extracted to disk.

mod cache;
mod error;
mod export;
mod rootfs;
mod select;
mod squash;
mod stream;
mod walk;
mod zip;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use portcullis_source::{BlobStore, Contents, Image, LayerBlob};

pub use cache::LayerCache;
pub use error::{Error, LayerName};
pub use select::{Extract, Inspector, Keep, NoteData, Selection, Sniff, Want};
pub use squash::{KeptFile, KeptKind, View};
pub use walk::Note;
use walk::{Caps, LayerContents};

/// Default cap on what one layer may unpack to (16 GiB).
pub const DEFAULT_MAX_LAYER_BYTES: u64 = 16 << 30;
/// Default cap on what a whole image may unpack to (64 GiB).
pub const DEFAULT_MAX_IMAGE_BYTES: u64 = 64 << 30;

/// Frozen settings for reading layers.
#[derive(Debug, Clone)]
pub struct LayerConfig {
    pub cache: Option<LayerCache>,
    pub max_layer_bytes: u64,
    pub max_image_bytes: u64,
    /// Layers read at once.
    pub threads: usize,
    /// Draw a progress bar on stderr (only when it is a terminal).
    pub progress: bool,
}

/// How a scan read its layers, for reports and benchmarks.
#[derive(Debug, Clone, Default)]
pub struct ReadStats {
    pub layers_read: usize,
    pub layers_cached: usize,
}

/// Reads every layer of `image` (or its root filesystem) into one squashed
/// view. An export streaming from a local engine brings its config with it:
/// it replaces `image.config` once it is checked.
pub fn read_image(
    image: &mut Image,
    selection: &Selection,
    config: &LayerConfig,
) -> Result<(View, ReadStats), Error> {
    match &mut image.contents {
        Contents::Export(export) => {
            let (layers, image_config, stats) = export::read_export(export, selection, config)?;
            if image.platform.is_none() {
                image.platform = image_config.platform.clone();
            }
            image.config = image_config;
            Ok((View::squash(layers), stats))
        }
        Contents::Directory { root, skip_dirs } => Ok((
            View::flat(rootfs::read_directory(root, skip_dirs, selection)?),
            ReadStats::default(),
        )),
        Contents::Zips(paths) => {
            let mut layers = Vec::with_capacity(paths.len());
            for path in paths {
                layers.push(zip::read_zip(path, selection)?);
            }
            Ok((View::squash(layers), ReadStats::default()))
        }
        // An SBOM lists packages itself; there are no files to read.
        Contents::Sbom(_) => Ok((View::default(), ReadStats::default())),
        Contents::Layers { layers, store } => {
            let (contents, stats) = read_layers(layers, store.as_ref(), selection, config)?;
            Ok((View::squash(contents), stats))
        }
    }
}

/// Reads `image` as [`read_image`] does and, when its diff_ids begin with
/// `base` (the layers of the image it was built on), also the view of those
/// base layers alone: what the image had before its own layers. `None` when
/// the chain does not start with `base` (a squashed or rebased image), or
/// the image has no layers.
pub fn read_image_over_base(
    image: &mut Image,
    selection: &Selection,
    config: &LayerConfig,
    base: &[portcullis_model::Digest],
) -> Result<(View, Option<View>, ReadStats), Error> {
    let split = |diff_ids: &[portcullis_model::Digest], count: usize| {
        (!base.is_empty() && diff_ids.len() == count && diff_ids.starts_with(base))
            .then_some(base.len())
    };
    match &mut image.contents {
        Contents::Export(export) => {
            let (layers, image_config, stats) = export::read_export(export, selection, config)?;
            if image.platform.is_none() {
                image.platform = image_config.platform.clone();
            }
            let at = split(&image_config.diff_ids, layers.len());
            image.config = image_config;
            let (view, below) = View::squash_split(layers, at);
            Ok((view, below, stats))
        }
        Contents::Layers { layers, store } => {
            let at = split(&image.config.diff_ids, layers.len());
            let (contents, stats) = read_layers(layers, store.as_ref(), selection, config)?;
            let (view, below) = View::squash_split(contents, at);
            Ok((view, below, stats))
        }
        _ => {
            let (view, stats) = read_image(image, selection, config)?;
            Ok((view, None, stats))
        }
    }
}

/// `bar` labelled `message` in `template` (the default style shows no
/// message), when a bar is drawn at all; else a hidden one.
pub(crate) fn progress_bar(
    draw: bool,
    bar: indicatif::ProgressBar,
    message: String,
    template: &str,
) -> indicatif::ProgressBar {
    if !draw {
        return indicatif::ProgressBar::hidden();
    }
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.with_message(message)
}

fn read_layers(
    layers: &[LayerBlob],
    store: &dyn BlobStore,
    selection: &Selection,
    config: &LayerConfig,
) -> Result<(Vec<LayerContents>, ReadStats), Error> {
    let image_total = AtomicU64::new(0);
    let caps = Caps {
        layer_bytes: config.max_layer_bytes,
        image_bytes: config.max_image_bytes,
        image_total: &image_total,
    };
    let progress = progress_bar(
        config.progress,
        indicatif::ProgressBar::new(layers.len() as u64),
        "reading layers".to_owned(),
        "{msg} {bar:30} {pos}/{len} ({elapsed})",
    );
    // Largest first, so the last layer to start is a small one.
    let mut order: Vec<usize> = (0..layers.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(layers.get(i).and_then(|l| l.size).unwrap_or(0)));
    let next = AtomicUsize::new(0);
    let cached = AtomicUsize::new(0);
    let threads = config.threads.clamp(1, layers.len().max(1));
    let mut results: Vec<Option<Result<LayerContents, Error>>> =
        (0..layers.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let slot = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&index) = order.get(slot) else {
                            break;
                        };
                        let Some(layer) = layers.get(index) else {
                            break;
                        };
                        let result =
                            read_one(index, layer, store, selection, config, &caps, &cached);
                        progress.inc(1);
                        done.push((index, result));
                    }
                    done
                })
            })
            .collect();
        for worker in workers {
            match worker.join() {
                Ok(done) => {
                    for (index, result) in done {
                        if let Some(slot) = results.get_mut(index) {
                            *slot = Some(result);
                        }
                    }
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    progress.finish_and_clear();
    let mut contents = Vec::with_capacity(layers.len());
    for result in results.into_iter().flatten() {
        contents.push(result?);
    }
    let layers_cached = cached.load(Ordering::Relaxed);
    Ok((
        contents,
        ReadStats {
            layers_read: layers.len() - layers_cached,
            layers_cached,
        },
    ))
}

fn read_one(
    index: usize,
    layer: &LayerBlob,
    store: &dyn BlobStore,
    selection: &Selection,
    config: &LayerConfig,
    caps: &Caps<'_>,
    cached: &AtomicUsize,
) -> Result<LayerContents, Error> {
    let name = LayerName {
        index,
        digest: layer.expected.clone(),
        file: None,
    };
    if let Some(cache) = &config.cache {
        if let Some(contents) = cache.load(&layer.expected, selection) {
            tracing::debug!("{name}: from the layer cache");
            cached.fetch_add(1, Ordering::Relaxed);
            return Ok(contents);
        }
    }
    let blob = store.open(layer).map_err(|source| Error::Open {
        layer: name.clone(),
        source: Box::new(source),
    })?;
    let contents = walk::read_layer(&name, blob, layer.expected_is_uncompressed, selection, caps)?;
    if let Some(cache) = &config.cache {
        if let Err(error) = cache.store(&layer.expected, selection, &contents) {
            tracing::warn!("{name}: not cached: {error}");
        }
    }
    Ok(contents)
}
