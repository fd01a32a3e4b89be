//! The sandbox: one wasmtime `Engine` per process, configured for fuel,
//! epoch interruption, a bounded stack and memories sized to their cap; a
//! fresh `Store` per evaluation with `StoreLimits`, in-memory pipes for
//! stdin/stdout/stderr, a fixed argv, no environment, no preopened dirs and
//! fixed clocks and randomness. Compiled modules are cached by sha256 and
//! sealed (`portcullis-seal`): native code is loaded from the cache only when
//! the entry's HMAC, under a secret the cache cannot hold, proves that this
//! program compiled it from these very wasm bytes for this engine
//! configuration; anything else is recompiled.
//!
//! See wasmtime's `examples/fuel.rs` and `examples/epochs.rs` at the pinned
//! version; the WASI calls are served by `wasi.rs`.

use std::hash::{Hash, Hasher as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::opa::OpaResults;
use super::wasi::{Exit, OutputFull, RefusedCall, Wasi};
use super::Error;
use portcullis_model::Digest;
use portcullis_seal::SealKey;
use wasmtime::{Config, Engine, Linker, Module, Store, StoreLimits, StoreLimitsBuilder, Trap};

/// Where compiled modules are kept across runs, and the key that seals them.
#[derive(Debug, Clone)]
pub struct ModuleCache {
    pub dir: PathBuf,
    pub key: SealKey,
}

/// The largest compiled module loaded from the cache (256 MiB).
const MAX_COMPILED_BYTES: u64 = 256 << 20;

/// One epoch tick (10 ms).
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// The sandbox's limits; every breach is a policy error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Fuel per evaluation: the limit that decides, the same on any machine
    /// (20 billion by default: the severity gate over 100,000 findings
    /// burns 4 to 8 billion, about a second).
    pub fuel: u64,
    /// Wall-clock backstop per evaluation.
    pub deadline: Duration,
    /// Linear memory cap (256 MiB by default: a module reading 100,000
    /// findings, as the built-in gates do, uses about a quarter of it).
    pub memory_bytes: usize,
    /// Wasm stack cap (512 KiB).
    pub stack_bytes: usize,
    /// stdout cap (16 MiB: a decision may name 100,000 findings in each of
    /// several violations); stderr is capped at 64 KiB and goes to the log.
    pub stdout_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            fuel: 20_000_000_000,
            deadline: Duration::from_secs(10),
            memory_bytes: 256 << 20,
            stack_bytes: 512 << 10,
            stdout_bytes: 16 << 20,
        }
    }
}

const STDERR_BYTES: usize = 64 << 10;

/// What a `Store` holds: the WASI context and the limits.
struct State {
    wasi: Wasi,
    limits: StoreLimits,
}

/// The engine, the linker and the epoch ticker, shared by every evaluation.
pub struct Host {
    engine: Engine,
    linker: Linker<State>,
    limits: Limits,
    cache: Option<ModuleCache>,
    stop: Arc<AtomicBool>,
    ticker: Option<std::thread::JoinHandle<()>>,
}

/// What a WASI command wrote.
pub struct Run {
    pub stdout: Vec<u8>,
}

impl Host {
    pub fn new(limits: Limits, cache: Option<ModuleCache>) -> Result<Host, Error> {
        let setup = |source| Error::Setup {
            module: "(host)".to_owned(),
            source,
        };
        let mut config = Config::new();
        config
            .consume_fuel(true)
            .epoch_interruption(true)
            .max_wasm_stack(limits.stack_bytes)
            .cranelift_nan_canonicalization(true)
            // Reserve only what the cap allows, so `ulimit -v` hosts run it too.
            .memory_reservation(limits.memory_bytes as u64)
            .memory_guard_size(64 << 10)
            .memory_reservation_for_growth(0);
        let engine = Engine::new(&config).map_err(setup)?;
        let mut linker = Linker::new(&engine);
        super::wasi::add_to_linker(&mut linker, |state: &mut State| &mut state.wasi)
            .map_err(setup)?;
        let stop = Arc::new(AtomicBool::new(false));
        let ticker = {
            let engine = engine.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
        };
        Ok(Host {
            engine,
            linker,
            limits,
            cache,
            stop,
            ticker: Some(ticker),
        })
    }

    /// Compiles `bytes`, or loads what an earlier run compiled from them.
    pub fn compile(&self, name: &str, bytes: &[u8]) -> Result<Module, Error> {
        let compile_error = |source| Error::Compile {
            module: name.to_owned(),
            source,
        };
        let Some(cache) = &self.cache else {
            return Module::new(&self.engine, bytes).map_err(compile_error);
        };
        let (path, seal_name) = self.cache_entry(cache, bytes);
        if path.is_file() {
            match load_compiled(&self.engine, &cache.key, &seal_name, &path) {
                Ok(module) => return Ok(module),
                Err(error) => tracing::debug!(
                    "recompiling `{name}`: the cached `{}` is not used: {error:#}",
                    path.display()
                ),
            }
        }
        let module = Module::new(&self.engine, bytes).map_err(compile_error)?;
        if let Err(error) = store_compiled(&module, &cache.key, &seal_name, &path) {
            tracing::debug!("policy `{name}` not cached: {error}");
        }
        Ok(module)
    }

    /// The cache file for `bytes`, and the name its seal must carry: the
    /// module's sha256 and the engine's compatibility hash (its version and
    /// configuration).
    fn cache_entry(&self, cache: &ModuleCache, bytes: &[u8]) -> (PathBuf, String) {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.engine
            .precompile_compatibility_hash()
            .hash(&mut hasher);
        let (module, engine) = (Digest::sha256_of(bytes), hasher.finish());
        (
            cache
                .dir
                .join(format!("{}-{engine:016x}.cwasm", module.hex())),
            format!("compiled policy {module} engine {engine:016x}"),
        )
    }

    /// Runs a WASI command as `policy.wasm evaluate` with `input` on stdin.
    pub fn run_command(&self, name: &str, module: &Module, input: &[u8]) -> Result<Run, Error> {
        let limits = self.limits;
        let wasi = Wasi::new(input.to_vec(), limits.stdout_bytes, STDERR_BYTES);
        let store_limits = StoreLimitsBuilder::new()
            .memory_size(limits.memory_bytes)
            .memories(1)
            .instances(1)
            .tables(4)
            .trap_on_grow_failure(true)
            .build();
        let mut store = Store::new(
            &self.engine,
            State {
                wasi,
                limits: store_limits,
            },
        );
        store.limiter(|state| &mut state.limits);
        let setup = |source| Error::Setup {
            module: name.to_owned(),
            source,
        };
        store.set_fuel(limits.fuel).map_err(setup)?;
        let ticks = (limits.deadline.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64;
        store.set_epoch_deadline(ticks);
        store.epoch_deadline_trap();
        let outcome = self
            .linker
            .instantiate(&mut store, module)
            .and_then(|instance| instance.get_typed_func::<(), ()>(&mut store, "_start"))
            .and_then(|start| start.call(&mut store, ()));
        let wasi = &store.data().wasi;
        let stderr_text = String::from_utf8_lossy(wasi.stderr()).trim().to_owned();
        if !stderr_text.is_empty() {
            tracing::info!("policy `{name}` says: {stderr_text}");
        }
        let written = wasi.stdout();
        let code = match outcome {
            Ok(()) => 0,
            Err(error) => match error.downcast_ref::<Exit>() {
                Some(exit) => exit.0,
                None => return Err(self.classify(name, &error, written.len())),
            },
        };
        if written.len() >= limits.stdout_bytes {
            return Err(Error::OutputTooLarge {
                module: name.to_owned(),
                limit: limits.stdout_bytes,
            });
        }
        if code != 0 {
            return Err(Error::Exit {
                module: name.to_owned(),
                code,
                stderr: stderr_text.chars().take(400).collect(),
            });
        }
        Ok(Run {
            stdout: written.to_vec(),
        })
    }

    /// Evaluates an OPA Wasm module under the same limits.
    pub fn run_opa(&self, name: &str, module: &Module, input: &[u8]) -> Result<OpaResults, Error> {
        let ticks = (self.limits.deadline.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64;
        super::opa::evaluate(&self.engine, module, input, &self.limits, ticks).map_err(|error| {
            match error.downcast_ref::<super::opa::UnsupportedBuiltins>() {
                Some(builtins) => Error::OpaBuiltins {
                    module: name.to_owned(),
                    builtins: builtins.0.clone(),
                },
                None => self.classify(name, &error, 0),
            }
        })
    }

    /// Names the limit a failed run broke.
    fn classify(&self, name: &str, error: &anyhow::Error, written: usize) -> Error {
        let module = name.to_owned();
        if written >= self.limits.stdout_bytes || error.downcast_ref::<OutputFull>().is_some() {
            return Error::OutputTooLarge {
                module,
                limit: self.limits.stdout_bytes,
            };
        }
        if let Some(refused) = error.downcast_ref::<RefusedCall>() {
            return Error::Refused {
                module,
                call: refused.0,
            };
        }
        match error.downcast_ref::<Trap>() {
            Some(Trap::OutOfFuel) => Error::OutOfFuel {
                module,
                fuel: self.limits.fuel,
            },
            Some(Trap::Interrupt) => Error::Deadline {
                module,
                seconds: self.limits.deadline.as_secs(),
            },
            Some(Trap::StackOverflow) => Error::StackOverflow {
                module,
                limit: self.limits.stack_bytes,
            },
            Some(_) | None => {
                let text = format!("{error:#}");
                if text.contains("memory") && text.contains("grow") {
                    Error::Memory {
                        module,
                        limit: self.limits.memory_bytes,
                    }
                } else {
                    Error::Trap {
                        module,
                        message: error.root_cause().to_string(),
                    }
                }
            }
        }
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(ticker) = self.ticker.take() {
            let _ = ticker.join();
        }
    }
}

/// Loads a module this program compiled and cached earlier, once its seal
/// proves it.
#[allow(
    unsafe_code,
    reason = "deserializing compiled code is unsafe by design; see SAFETY"
)]
fn load_compiled(
    engine: &Engine,
    key: &SealKey,
    seal_name: &str,
    path: &Path,
) -> anyhow::Result<Module> {
    let file = fs_err::File::open(path)?;
    let sealed = portcullis_io::read_bounded(file, MAX_COMPILED_BYTES)?
        .ok_or_else(|| anyhow::anyhow!("larger than any module this program caches"))?;
    let compiled = portcullis_seal::open(key, seal_name, &sealed)?;
    // SAFETY: the bytes carry an HMAC-SHA256, under a key the cache dir does
    // not hold, over the name of the wasm they were compiled from (its
    // sha256) and the engine's compatibility hash: only `store_compiled` in
    // a run holding the key wrote them, from `Module::serialize` of that
    // wasm. wasmtime also checks the header and refuses artifacts of another
    // engine configuration or version.
    unsafe { Module::deserialize(engine, compiled) }
}

fn store_compiled(
    module: &Module,
    key: &SealKey,
    seal_name: &str,
    path: &Path,
) -> anyhow::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs_err::create_dir_all(dir)?;
    let sealed = portcullis_seal::seal(key, seal_name, &module.serialize()?);
    portcullis_io::write_atomic(path, &sealed, 0o600)?;
    Ok(())
}
