//! The host side of the OPA Wasm ABI 1.x, for modules built by
//! `opa build -t wasm`: the host creates the (capped) memory the module
//! imports, checks `builtins()` before running (no builtin is provided, so a
//! module that needs one is refused up front), parses the input and `{}` data
//! in the module's heap, evaluates the `portcullis/deny` and `portcullis/warn`
//! entrypoints and hands back their result sets (conftest style: strings or
//! `{msg, severity, finding}` objects, which the policy stage reads).
//!
//! ABI: <https://www.openpolicyagent.org/docs/latest/wasm/>.

use anyhow::{anyhow, bail};
use wasmtime::{
    Caller, ExternType, Instance, Linker, Memory, MemoryType, Module, Store, StoreLimits,
    StoreLimitsBuilder,
};

/// The entrypoints read, as conftest names them.
const DENY_ENTRYPOINT: &str = "portcullis/deny";
const WARN_ENTRYPOINT: &str = "portcullis/warn";
/// Strings the module hands back are read up to this many bytes (16 MiB).
const MAX_STRING_BYTES: usize = 16 << 20;
const WASM_PAGE_BYTES: usize = 64 << 10;

struct State {
    limits: StoreLimits,
}

/// A NUL-terminated string in the module's memory.
fn c_string(
    memory: &Memory,
    store: impl wasmtime::AsContext,
    address: i32,
) -> anyhow::Result<String> {
    let data = memory.data(&store);
    let start = usize::try_from(address)?;
    let rest = data
        .get(start..)
        .ok_or_else(|| anyhow!("address {address} is outside memory"))?;
    let window = rest.get(..rest.len().min(MAX_STRING_BYTES)).unwrap_or(rest);
    let end = window
        .iter()
        .position(|b| *b == 0)
        .ok_or_else(|| anyhow!("unterminated string at {address}"))?;
    Ok(String::from_utf8_lossy(window.get(..end).unwrap_or_default()).into_owned())
}

/// What the OPA exports give, by name.
struct Exports<'a> {
    instance: &'a Instance,
}

impl Exports<'_> {
    fn call0(&self, store: &mut Store<State>, name: &str) -> anyhow::Result<i32> {
        self.instance
            .get_typed_func::<(), i32>(&mut *store, name)?
            .call(&mut *store, ())
    }

    fn call1(&self, store: &mut Store<State>, name: &str, a: i32) -> anyhow::Result<i32> {
        self.instance
            .get_typed_func::<i32, i32>(&mut *store, name)?
            .call(&mut *store, a)
    }

    fn call2(&self, store: &mut Store<State>, name: &str, a: i32, b: i32) -> anyhow::Result<i32> {
        self.instance
            .get_typed_func::<(i32, i32), i32>(&mut *store, name)?
            .call(&mut *store, (a, b))
    }

    fn call2_unit(
        &self,
        store: &mut Store<State>,
        name: &str,
        a: i32,
        b: i32,
    ) -> anyhow::Result<()> {
        self.instance
            .get_typed_func::<(i32, i32), ()>(&mut *store, name)?
            .call(&mut *store, (a, b))
    }

    /// `opa_json_dump(value)` read back as JSON.
    fn dump(
        &self,
        store: &mut Store<State>,
        memory: &Memory,
        value: i32,
    ) -> anyhow::Result<serde_json::Value> {
        let address = self.call1(store, "opa_json_dump", value)?;
        let text = c_string(memory, &*store, address)?;
        Ok(serde_json::from_str(&text)?)
    }

    /// Copies `json` into the heap and parses it there.
    fn parse(&self, store: &mut Store<State>, memory: &Memory, json: &[u8]) -> anyhow::Result<i32> {
        let length = i32::try_from(json.len())?;
        let address = self.call1(store, "opa_malloc", length)?;
        memory.write(&mut *store, usize::try_from(address)?, json)?;
        let value = self.call2(store, "opa_json_parse", address, length)?;
        if value == 0 {
            bail!("opa_json_parse refused the document");
        }
        Ok(value)
    }
}

/// What an OPA module's `deny` and `warn` entrypoints gave.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpaResults {
    /// Every item of `portcullis/deny`'s result set.
    pub deny: Vec<serde_json::Value>,
    /// Every item of `portcullis/warn`'s result set.
    pub warn: Vec<serde_json::Value>,
}

/// The linker for an OPA module: its memory, `opa_abort`, `opa_println`, and
/// builtins that refuse to run (a module that needs one was refused already).
fn linker(
    engine: &wasmtime::Engine,
    store: &Store<State>,
    memory: Memory,
) -> anyhow::Result<Linker<State>> {
    let mut linker: Linker<State> = Linker::new(engine);
    linker.define(store, "env", "memory", memory)?;
    linker.func_wrap(
        "env",
        "opa_abort",
        move |caller: Caller<'_, State>, address: i32| -> anyhow::Result<()> {
            let message = c_string(&memory, &caller, address).unwrap_or_default();
            bail!("opa_abort: {message}")
        },
    )?;
    linker.func_wrap(
        "env",
        "opa_println",
        move |caller: Caller<'_, State>, address: i32| {
            tracing::info!(
                "opa_println: {}",
                c_string(&memory, &caller, address).unwrap_or_default()
            );
        },
    )?;
    for arity in 0..=4 {
        // Builtins are refused before evaluation; these only satisfy the imports.
        let name = format!("opa_builtin{arity}");
        let unsupported = |_: Caller<'_, State>,
                           _: &[wasmtime::Val],
                           _: &mut [wasmtime::Val]|
         -> anyhow::Result<()> {
            bail!("a builtin was called; portcullis provides none")
        };
        let params = std::iter::repeat_n(wasmtime::ValType::I32, arity + 2);
        let ty = wasmtime::FuncType::new(engine, params, [wasmtime::ValType::I32]);
        linker.func_new("env", &name, ty, unsupported)?;
    }
    Ok(linker)
}

/// Evaluates one entrypoint on `input`; the items of its result set.
fn evaluate_entrypoint(
    exports: &Exports<'_>,
    store: &mut Store<State>,
    memory: &Memory,
    input: &[u8],
    data: i32,
    entrypoint: &str,
    id: i64,
) -> anyhow::Result<Vec<serde_json::Value>> {
    let context = exports.call0(store, "opa_eval_ctx_new")?;
    let input_value = exports.parse(store, memory, input)?;
    exports.call2_unit(store, "opa_eval_ctx_set_input", context, input_value)?;
    exports.call2_unit(store, "opa_eval_ctx_set_data", context, data)?;
    exports.call2_unit(
        store,
        "opa_eval_ctx_set_entrypoint",
        context,
        i32::try_from(id)?,
    )?;
    let status = exports.call1(store, "eval", context)?;
    if status != 0 {
        bail!("eval returned {status} for `{entrypoint}`");
    }
    let result = exports.call1(store, "opa_eval_ctx_get_result", context)?;
    let result = exports.dump(store, memory, result)?;
    let items = result
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|entry| match &entry["result"] {
            serde_json::Value::Array(items) => items.clone(),
            serde_json::Value::Null => Vec::new(),
            other => vec![other.clone()],
        });
    Ok(items.collect())
}

/// Evaluates an OPA module; `fuel` and `ticks` as for native modules.
pub(crate) fn evaluate(
    engine: &wasmtime::Engine,
    module: &Module,
    input: &[u8],
    limits: &super::Limits,
    ticks: u64,
) -> Result<OpaResults, anyhow::Error> {
    let mut store = Store::new(
        engine,
        State {
            limits: StoreLimitsBuilder::new()
                .memory_size(limits.memory_bytes)
                .memories(1)
                .instances(1)
                .tables(4)
                .trap_on_grow_failure(true)
                .build(),
        },
    );
    store.limiter(|state| &mut state.limits);
    store.set_fuel(limits.fuel)?;
    store.set_epoch_deadline(ticks);
    store.epoch_deadline_trap();
    let minimum = module
        .imports()
        .find_map(
            |import| match (import.module(), import.name(), import.ty()) {
                ("env", "memory", ExternType::Memory(ty)) => Some(ty.minimum()),
                _ => None,
            },
        )
        .ok_or_else(|| anyhow!("it does not import `env.memory`"))?;
    let cap_pages = u32::try_from(limits.memory_bytes / WASM_PAGE_BYTES)?;
    let memory = Memory::new(
        &mut store,
        MemoryType::new(u32::try_from(minimum)?, Some(cap_pages)),
    )?;
    let linker = linker(engine, &store, memory)?;
    let instance = linker.instantiate(&mut store, module)?;
    let exports = Exports {
        instance: &instance,
    };
    let builtins = exports.call0(&mut store, "builtins")?;
    let builtins = exports.dump(&mut store, &memory, builtins)?;
    if let Some(names) = builtins.as_object().filter(|b| !b.is_empty()) {
        let listed: Vec<&str> = names.keys().map(String::as_str).collect();
        return Err(anyhow::Error::new(UnsupportedBuiltins(listed.join(", "))));
    }
    let entrypoints = exports.call0(&mut store, "entrypoints")?;
    let entrypoints = exports.dump(&mut store, &memory, entrypoints)?;
    let data = exports.parse(&mut store, &memory, b"{}")?;
    let mut results = OpaResults::default();
    for entrypoint in [DENY_ENTRYPOINT, WARN_ENTRYPOINT] {
        let Some(id) = entrypoints
            .get(entrypoint)
            .and_then(serde_json::Value::as_i64)
        else {
            continue;
        };
        let items =
            evaluate_entrypoint(&exports, &mut store, &memory, input, data, entrypoint, id)?;
        if entrypoint == DENY_ENTRYPOINT {
            results.deny.extend(items);
        } else {
            results.warn.extend(items);
        }
    }
    Ok(results)
}

/// The builtins a module needs and this host does not provide.
#[derive(Debug, thiserror::Error)]
#[error("it needs OPA builtins this host does not provide: {0}")]
pub(crate) struct UnsupportedBuiltins(pub(crate) String);
