//! The WASI preview-1 calls a policy module may import, served by the host
//! itself: stdin is the input document in memory, stdout and stderr are
//! capped buffers, argv is fixed (`policy.wasm evaluate`), the environment
//! is empty, there is no preopened directory (so every `path_*` call has no
//! fd to name), no socket, and the clocks and randomness are fixed (a clock
//! that starts at 0 and moves 1 µs a reading, random bytes from seed 0), so
//! a module decides the same way on every machine. Every
//! other call of the snapshot is linked too and answers with an errno, so a
//! module built by any WASI toolchain instantiates; `poll_oneoff` (sleeps
//! and clock waits) and `proc_raise` end the module instead, since a module
//! blocked in a host call is out of reach of the epoch deadline.
//!
//! Why not `wasmtime-wasi`: its preview 1 runs on its preview 2 (the
//! component model, `cap-std`, tokio and `wiggle`'s code generation), which
//! was a fifth of the release build for the handful of calls a policy
//! makes; this file serves them with nothing the sandbox does not grant.
//!
//! Spec: <https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md>.

use wasmtime::{Caller, Extern, FuncType, Linker, Val, ValType};

/// The import module every preview-1 call lives in.
const MODULE: &str = "wasi_snapshot_preview1";

/// The fixed argv a command runs with.
const ARGS: [&str; 2] = ["policy.wasm", "evaluate"];

/// How far the fixed clocks move on each reading (1 µs).
const CLOCK_STEP_NANOS: u64 = 1_000;

/// The preview-1 errnos this host answers with.
mod errno {
    pub(super) const SUCCESS: i32 = 0;
    pub(super) const BADF: i32 = 8;
    pub(super) const FAULT: i32 = 21;
    pub(super) const INVAL: i32 = 28;
    pub(super) const NOTSUP: i32 = 58;
    pub(super) const SPIPE: i32 = 70;
}

/// One run's WASI state: the input, what the module wrote, the clocks and
/// the random stream.
pub(crate) struct Wasi {
    stdin: Vec<u8>,
    read: usize,
    stdout: Vec<u8>,
    stdout_cap: usize,
    stderr: Vec<u8>,
    stderr_cap: usize,
    /// The clocks' reading, in nanoseconds.
    clock: u64,
    random: u64,
}

impl Wasi {
    pub(crate) fn new(stdin: Vec<u8>, stdout_cap: usize, stderr_cap: usize) -> Wasi {
        Wasi {
            stdin,
            read: 0,
            stdout: Vec::new(),
            stdout_cap,
            stderr: Vec::new(),
            stderr_cap,
            clock: 0,
            random: 0,
        }
    }

    pub(crate) fn stdout(&self) -> &[u8] {
        &self.stdout
    }

    pub(crate) fn stderr(&self) -> &[u8] {
        &self.stderr
    }

    /// The next eight bytes of the random stream (SplitMix64 from seed 0:
    /// the same bytes on every run, so a module that draws on them decides
    /// the same way everywhere).
    fn next_random(&mut self) -> [u8; 8] {
        self.random = self.random.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.random;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)).to_le_bytes()
    }
}

/// `proc_exit`: the module ended with this status.
#[derive(Debug)]
pub(crate) struct Exit(pub(crate) i32);

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exited with status {}", self.0)
    }
}

impl std::error::Error for Exit {}

/// A host call the sandbox refuses, as the trap that ends the module.
#[derive(Debug)]
pub(crate) struct RefusedCall(pub(crate) &'static str);

impl std::fmt::Display for RefusedCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the sandbox refuses `{}`", self.0)
    }
}

impl std::error::Error for RefusedCall {}

/// The module wrote more to stdout than its cap, as the trap that ends it.
#[derive(Debug)]
pub(crate) struct OutputFull;

impl std::fmt::Display for OutputFull {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("stdout is full")
    }
}

impl std::error::Error for OutputFull {}

/// The module's exported memory and the run's state, borrowed together.
fn memory<'a, T>(
    caller: &'a mut Caller<'_, T>,
    wasi: fn(&mut T) -> &mut Wasi,
) -> wasmtime::Result<(&'a mut [u8], &'a mut Wasi)> {
    let Some(Extern::Memory(memory)) = caller.get_export("memory") else {
        return Err(wasmtime::Error::msg(
            "the module exports no `memory` for its WASI calls",
        ));
    };
    let (data, state) = memory.data_and_store_mut(caller);
    Ok((data, wasi(state)))
}

/// The bytes at `pointer..pointer + len` of guest memory, if all in bounds.
fn span(data: &mut [u8], pointer: i32, len: usize) -> Option<&mut [u8]> {
    let start = usize::try_from(pointer as u32).ok()?;
    data.get_mut(start..start.checked_add(len)?)
}

/// Writes `bytes` at `pointer`; an errno when it does not fit.
fn put(data: &mut [u8], pointer: i32, bytes: &[u8]) -> Result<(), i32> {
    span(data, pointer, bytes.len())
        .map(|target| target.copy_from_slice(bytes))
        .ok_or(errno::FAULT)
}

fn get_u32(data: &mut [u8], pointer: i32) -> Result<u32, i32> {
    let bytes = span(data, pointer, 4).ok_or(errno::FAULT)?;
    let mut word = [0; 4];
    word.copy_from_slice(bytes);
    Ok(u32::from_le_bytes(word))
}

/// The (pointer, length) pairs of an iovec array.
fn iovecs(data: &mut [u8], list: i32, count: i32) -> Result<Vec<(i32, usize)>, i32> {
    let count = u32::try_from(count).map_err(|_| errno::INVAL)?;
    (0..count)
        .map(|index| {
            let entry = (list as u32).wrapping_add(index.wrapping_mul(8)) as i32;
            let pointer = get_u32(data, entry)? as i32;
            let len = get_u32(data, entry.wrapping_add(4))? as usize;
            Ok((pointer, len))
        })
        .collect()
}

/// An errno result, or the trap that ends the module.
type Answer = wasmtime::Result<i32>;

fn answer(result: Result<(), i32>) -> Answer {
    Ok(result.err().unwrap_or(errno::SUCCESS))
}

/// Links every preview-1 call into `linker`, over the `Wasi` that `wasi`
/// finds in a store's state.
pub(crate) fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    wasi: fn(&mut T) -> &mut Wasi,
) -> wasmtime::Result<()> {
    add_process_calls(linker, wasi)?;
    add_stream_calls(linker, wasi)?;
    add_refusals(linker)
}

/// Arguments, environment, clocks, randomness, yield and exit.
fn add_process_calls<T: 'static>(
    linker: &mut Linker<T>,
    wasi: fn(&mut T) -> &mut Wasi,
) -> wasmtime::Result<()> {
    linker.func_wrap(
        MODULE,
        "args_sizes_get",
        move |mut caller: Caller<'_, T>, count: i32, size: i32| -> Answer {
            let (data, _) = memory(&mut caller, wasi)?;
            let bytes: usize = ARGS.iter().map(|arg| arg.len() + 1).sum();
            answer(
                put(data, count, &(ARGS.len() as u32).to_le_bytes())
                    .and_then(|()| put(data, size, &(bytes as u32).to_le_bytes())),
            )
        },
    )?;
    linker.func_wrap(
        MODULE,
        "args_get",
        move |mut caller: Caller<'_, T>, pointers: i32, buffer: i32| -> Answer {
            let (data, _) = memory(&mut caller, wasi)?;
            let mut at = buffer as u32;
            let mut result = Ok(());
            for (index, arg) in ARGS.iter().enumerate() {
                let slot = (pointers as u32).wrapping_add(4 * index as u32) as i32;
                result = result
                    .and_then(|()| put(data, slot, &at.to_le_bytes()))
                    .and_then(|()| put(data, at as i32, arg.as_bytes()))
                    .and_then(|()| put(data, at.wrapping_add(arg.len() as u32) as i32, &[0]));
                at = at.wrapping_add(arg.len() as u32 + 1);
            }
            answer(result)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "environ_sizes_get",
        move |mut caller: Caller<'_, T>, count: i32, size: i32| -> Answer {
            let (data, _) = memory(&mut caller, wasi)?;
            answer(put(data, count, &[0; 4]).and_then(|()| put(data, size, &[0; 4])))
        },
    )?;
    linker.func_wrap(
        MODULE,
        "environ_get",
        |_: Caller<'_, T>, _: i32, _: i32| -> Answer { Ok(errno::SUCCESS) },
    )?;
    linker.func_wrap(
        MODULE,
        "clock_res_get",
        move |mut caller: Caller<'_, T>, clock: i32, resolution: i32| -> Answer {
            let (data, _) = memory(&mut caller, wasi)?;
            if !(0..4).contains(&clock) {
                return Ok(errno::INVAL);
            }
            answer(put(data, resolution, &1u64.to_le_bytes()))
        },
    )?;
    linker.func_wrap(
        MODULE,
        "clock_time_get",
        move |mut caller: Caller<'_, T>, clock: i32, _precision: i64, time: i32| -> Answer {
            let (data, state) = memory(&mut caller, wasi)?;
            if !(0..4).contains(&clock) {
                return Ok(errno::INVAL);
            }
            // Every clock (realtime, monotonic, process and thread time)
            // reads the same fixed time line.
            state.clock = state.clock.saturating_add(CLOCK_STEP_NANOS);
            answer(put(data, time, &state.clock.to_le_bytes()))
        },
    )?;
    linker.func_wrap(
        MODULE,
        "random_get",
        move |mut caller: Caller<'_, T>, buffer: i32, len: i32| -> Answer {
            let (data, state) = memory(&mut caller, wasi)?;
            let Some(target) = span(data, buffer, len as u32 as usize) else {
                return Ok(errno::FAULT);
            };
            for chunk in target.chunks_mut(8) {
                let bytes = state.next_random();
                chunk.copy_from_slice(bytes.get(..chunk.len()).unwrap_or(&bytes));
            }
            Ok(errno::SUCCESS)
        },
    )?;
    linker.func_wrap(MODULE, "sched_yield", |_: Caller<'_, T>| -> Answer {
        Ok(errno::SUCCESS)
    })?;
    linker.func_wrap(
        MODULE,
        "proc_exit",
        |_: Caller<'_, T>, status: i32| -> wasmtime::Result<()> {
            Err(wasmtime::Error::new(Exit(status)))
        },
    )?;
    Ok(())
}

/// stdin, stdout and stderr: the only three fds there are.
fn add_stream_calls<T: 'static>(
    linker: &mut Linker<T>,
    wasi: fn(&mut T) -> &mut Wasi,
) -> wasmtime::Result<()> {
    linker.func_wrap(
        MODULE,
        "fd_read",
        move |mut caller: Caller<'_, T>, fd: i32, list: i32, count: i32, read: i32| -> Answer {
            let (data, state) = memory(&mut caller, wasi)?;
            if fd != 0 {
                return Ok(errno::BADF);
            }
            let buffers = match iovecs(data, list, count) {
                Ok(buffers) => buffers,
                Err(errno) => return Ok(errno),
            };
            let mut total = 0usize;
            for (pointer, len) in buffers {
                let rest = state.stdin.get(state.read..).unwrap_or_default();
                let take = rest.len().min(len);
                let Some(target) = span(data, pointer, take) else {
                    return Ok(errno::FAULT);
                };
                target.copy_from_slice(rest.get(..take).unwrap_or_default());
                state.read += take;
                total += take;
            }
            answer(put(data, read, &(total as u32).to_le_bytes()))
        },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_write",
        move |mut caller: Caller<'_, T>, fd: i32, list: i32, count: i32, written: i32| -> Answer {
            let (data, state) = memory(&mut caller, wasi)?;
            let (sink, cap) = match fd {
                1 => (&mut state.stdout, state.stdout_cap),
                2 => (&mut state.stderr, state.stderr_cap),
                _ => return Ok(errno::BADF),
            };
            let buffers = match iovecs(data, list, count) {
                Ok(buffers) => buffers,
                Err(errno) => return Ok(errno),
            };
            let mut total = 0usize;
            for (pointer, len) in buffers {
                let Some(source) = span(data, pointer, len) else {
                    return Ok(errno::FAULT);
                };
                let room = cap.saturating_sub(sink.len());
                if fd == 1 && len > room {
                    return Err(wasmtime::Error::new(OutputFull));
                }
                // stderr only goes to the log: what is past its cap is dropped.
                sink.extend_from_slice(source.get(..len.min(room)).unwrap_or_default());
                total += len;
            }
            answer(put(data, written, &(total as u32).to_le_bytes()))
        },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_fdstat_get",
        move |mut caller: Caller<'_, T>, fd: i32, stat: i32| -> Answer {
            let (data, _) = memory(&mut caller, wasi)?;
            // filetype unknown (a pipe, not a terminal), no flags, and the
            // right to read stdin or to write stdout and stderr.
            let rights: u64 = match fd {
                0 => 0x2,
                1 | 2 => 0x40,
                _ => return Ok(errno::BADF),
            };
            let mut bytes = [0u8; 24];
            bytes[8..16].copy_from_slice(&rights.to_le_bytes());
            answer(put(data, stat, &bytes))
        },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_filestat_get",
        move |mut caller: Caller<'_, T>, fd: i32, stat: i32| -> Answer {
            let (data, _) = memory(&mut caller, wasi)?;
            if !(0..3).contains(&fd) {
                return Ok(errno::BADF);
            }
            answer(put(data, stat, &[0; 64]))
        },
    )?;
    linker.func_wrap(MODULE, "fd_close", |_: Caller<'_, T>, fd: i32| -> Answer {
        Ok(if (0..3).contains(&fd) {
            errno::SUCCESS
        } else {
            errno::BADF
        })
    })?;
    let unseekable = |fd: i32| {
        if (0..3).contains(&fd) {
            errno::SPIPE
        } else {
            errno::BADF
        }
    };
    linker.func_wrap(
        MODULE,
        "fd_seek",
        move |_: Caller<'_, T>, fd: i32, _: i64, _: i32, _: i32| -> Answer { Ok(unseekable(fd)) },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_tell",
        move |_: Caller<'_, T>, fd: i32, _: i32| -> Answer { Ok(unseekable(fd)) },
    )?;
    Ok(())
}

/// The calls that name a file, a directory, a socket or a signal, or that
/// wait: none of these exists in the sandbox. Each is (name, parameters,
/// what it answers); `None` ends the module.
const REFUSALS: &[(&str, &[ValType], Option<i32>)] = {
    use ValType::{I32, I64};
    &[
        ("fd_advise", &[I32, I64, I64, I32], Some(errno::BADF)),
        ("fd_allocate", &[I32, I64, I64], Some(errno::BADF)),
        ("fd_datasync", &[I32], Some(errno::BADF)),
        ("fd_fdstat_set_flags", &[I32, I32], Some(errno::NOTSUP)),
        (
            "fd_fdstat_set_rights",
            &[I32, I64, I64],
            Some(errno::NOTSUP),
        ),
        ("fd_filestat_set_size", &[I32, I64], Some(errno::BADF)),
        (
            "fd_filestat_set_times",
            &[I32, I64, I64, I32],
            Some(errno::BADF),
        ),
        ("fd_pread", &[I32, I32, I32, I64, I32], Some(errno::BADF)),
        ("fd_prestat_get", &[I32, I32], Some(errno::BADF)),
        ("fd_prestat_dir_name", &[I32, I32, I32], Some(errno::BADF)),
        ("fd_pwrite", &[I32, I32, I32, I64, I32], Some(errno::BADF)),
        ("fd_readdir", &[I32, I32, I32, I64, I32], Some(errno::BADF)),
        ("fd_renumber", &[I32, I32], Some(errno::BADF)),
        ("fd_sync", &[I32], Some(errno::BADF)),
        ("path_create_directory", &[I32, I32, I32], Some(errno::BADF)),
        (
            "path_filestat_get",
            &[I32, I32, I32, I32, I32],
            Some(errno::BADF),
        ),
        (
            "path_filestat_set_times",
            &[I32, I32, I32, I32, I64, I64, I32],
            Some(errno::BADF),
        ),
        (
            "path_link",
            &[I32, I32, I32, I32, I32, I32, I32],
            Some(errno::BADF),
        ),
        (
            "path_open",
            &[I32, I32, I32, I32, I32, I64, I64, I32, I32],
            Some(errno::BADF),
        ),
        (
            "path_readlink",
            &[I32, I32, I32, I32, I32, I32],
            Some(errno::BADF),
        ),
        ("path_remove_directory", &[I32, I32, I32], Some(errno::BADF)),
        (
            "path_rename",
            &[I32, I32, I32, I32, I32, I32],
            Some(errno::BADF),
        ),
        (
            "path_symlink",
            &[I32, I32, I32, I32, I32],
            Some(errno::BADF),
        ),
        ("path_unlink_file", &[I32, I32, I32], Some(errno::BADF)),
        ("sock_accept", &[I32, I32, I32], Some(errno::NOTSUP)),
        (
            "sock_recv",
            &[I32, I32, I32, I32, I32, I32],
            Some(errno::NOTSUP),
        ),
        ("sock_send", &[I32, I32, I32, I32, I32], Some(errno::NOTSUP)),
        ("sock_shutdown", &[I32, I32], Some(errno::NOTSUP)),
        ("poll_oneoff", &[I32, I32, I32, I32], None),
        ("proc_raise", &[I32], None),
    ]
};

fn add_refusals<T: 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    for &(name, params, errno) in REFUSALS {
        let ty = FuncType::new(linker.engine(), params.iter().cloned(), [ValType::I32]);
        linker.func_new(MODULE, name, ty, move |_, _, results| match errno {
            Some(errno) => {
                if let Some(result) = results.first_mut() {
                    *result = Val::I32(errno);
                }
                Ok(())
            }
            None => Err(wasmtime::Error::new(RefusedCall(name))),
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::{Host, Limits};

    /// Runs a WAT command that imports `imports` (preview-1 calls, by WAT
    /// signature) and runs `body`; returns its stdout.
    fn run(imports: &[(&str, &str)], body: &str, input: &[u8]) -> Vec<u8> {
        let imports: String = imports
            .iter()
            .map(|(name, ty)| {
                format!(r#"(import "wasi_snapshot_preview1" "{name}" (func ${name} {ty}))"#)
            })
            .collect();
        let text = format!(
            r#"(module {imports} (memory (export "memory") 1)
                (func $out (param $at i32) (param $len i32)
                  (i32.store (i32.const 16) (local.get $at))
                  (i32.store (i32.const 20) (local.get $len))
                  (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24))))
                (func (export "_start") {body}))"#
        );
        let wasm = wat::parse_str(text).expect("valid WAT");
        let host = Host::new(Limits::default(), None).expect("host");
        let module = host.compile("test.wasm", &wasm).expect("compiles");
        host.run_command("test.wasm", &module, input)
            .expect("runs")
            .stdout
    }

    const WRITE: (&str, &str) = ("fd_write", "(param i32 i32 i32 i32) (result i32)");

    #[test]
    fn stdin_is_the_input_and_stdout_what_was_written() {
        let read = ("fd_read", "(param i32 i32 i32 i32) (result i32)");
        // Two reads into one 600-byte buffer: the input, then nothing.
        let body = "(i32.store (i32.const 0) (i32.const 1000)) (i32.store (i32.const 4) (i32.const 600))
            (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
            (i32.store (i32.const 0) (i32.add (i32.const 1000) (i32.load (i32.const 8))))
            (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 12)))
            (call $out (i32.const 1000) (i32.add (i32.load (i32.const 8)) (i32.load (i32.const 12))))";
        let input = br#"{"apiVersion":"portcullis.policy/v1","findings":[]}"#;
        assert_eq!(run(&[read, WRITE], body, input), input);
    }

    #[test]
    fn argv_is_fixed_and_the_environment_empty() {
        let sizes = ("args_sizes_get", "(param i32 i32) (result i32)");
        let args = ("args_get", "(param i32 i32) (result i32)");
        let env = ("environ_sizes_get", "(param i32 i32) (result i32)");
        let body = "(drop (call $args_sizes_get (i32.const 32) (i32.const 36)))
            (drop (call $environ_sizes_get (i32.const 40) (i32.const 44)))
            (drop (call $args_get (i32.const 48) (i32.const 100)))
            (call $out (i32.const 32) (i32.const 16))
            (call $out (i32.const 100) (i32.load (i32.const 36)))";
        let out = run(&[sizes, args, env, WRITE], body, b"");
        let (counts, text) = out.split_at(16);
        assert_eq!(counts, [2, 0, 0, 0, 21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(text, b"policy.wasm\0evaluate\0");
    }

    #[test]
    fn clocks_and_randomness_are_the_same_on_every_run() {
        let clock = ("clock_time_get", "(param i32 i64 i32) (result i32)");
        let random = ("random_get", "(param i32 i32) (result i32)");
        let body = "(drop (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 200)))
            (drop (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 208)))
            (drop (call $random_get (i32.const 216) (i32.const 13)))
            (call $out (i32.const 200) (i32.const 29))";
        let first = run(&[clock, random, WRITE], body, b"");
        assert_eq!(first.get(..8), Some(&1_000u64.to_le_bytes()[..]));
        assert_eq!(first.get(8..16), Some(&2_000u64.to_le_bytes()[..]));
        assert_ne!(
            first.get(16..),
            Some(&[0u8; 13][..]),
            "random bytes were written"
        );
        assert_eq!(run(&[clock, random, WRITE], body, b""), first);
    }

    #[test]
    fn files_and_sockets_are_not_there() {
        let open = (
            "path_open",
            "(param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)",
        );
        let send = ("sock_send", "(param i32 i32 i32 i32 i32) (result i32)");
        let read = ("fd_read", "(param i32 i32 i32 i32) (result i32)");
        let body = "(i32.store8 (i32.const 300) (call $path_open (i32.const 3) (i32.const 0) (i32.const 0)
                (i32.const 4) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 64)))
            (i32.store8 (i32.const 301) (call $sock_send (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 64)))
            (i32.store8 (i32.const 302) (call $fd_read (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 64)))
            (call $out (i32.const 300) (i32.const 3))";
        assert_eq!(run(&[open, send, read, WRITE], body, b""), [8, 58, 8]);
    }
}
