//! WASM policies: the built-in gate decides by default, modules are
//! inspected and tested alone, and hostile modules (written in WAT, each
//! breaking one limit) end with a clear error and exit 2 or 3, never a hang.

use std::path::Path;

use crate::support::{fixtures, portcullis, stderr};

const WASI: &str = "wasi_snapshot_preview1";

/// A WASI command whose `_start` runs `body`, with `fd_write` and `proc_exit`
/// imported and one page of memory holding `data` at offset 100.
fn command(body: &str, data: &str) -> Vec<u8> {
    let text = format!(
        r#"(module
            (import "{WASI}" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
            (import "{WASI}" "proc_exit" (func $exit (param i32)))
            (memory (export "memory") 1)
            (data (i32.const 100) "{data}")
            (func $recurse (call $recurse))
            (func (export "_start") {body}))"#
    );
    wat::parse_str(text).unwrap()
}

/// A WASI command that sleeps for an hour: one clock subscription to
/// `poll_oneoff` (a host call, out of reach of the epoch deadline).
fn sleeper() -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
            (import "{WASI}" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
            (memory (export "memory") 1)
            (func (export "_start")
              (i64.store (i32.const 224) (i64.const 3600000000000))
              (drop (call $poll (i32.const 200) (i32.const 300) (i32.const 1) (i32.const 400)))))"#
    ))
    .unwrap()
}

/// Writes `len` bytes from offset 100 to stdout.
fn write_data(len: usize) -> String {
    format!("(i32.store (i32.const 16) (i32.const 100)) (i32.store (i32.const 20) (i32.const {len})) (drop (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))")
}

/// A small project with findings, and the corpus DB the scan tests build.
fn project(dir: &Path) -> String {
    std::fs::write(dir.join("requirements.txt"), "PyYAML==5.3\n").unwrap();
    format!("dir:{}", dir.display())
}

/// Runs a scan with `policy` as the only policy; returns (code, stdout, stderr).
fn scan_with(policy: &[u8], extra: &[&str]) -> (i32, String, String) {
    let work = tempfile::tempdir().unwrap();
    let module = work.path().join("policy.wasm");
    std::fs::write(&module, policy).unwrap();
    let target = project(work.path());
    let output = portcullis(work.path())
        .args([
            "scan",
            &target,
            "--db",
            crate::scan::corpus_db().to_str().unwrap(),
            "--format",
            "json",
        ])
        .args(["--policy", module.to_str().unwrap()])
        .args(extra)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr(&output),
    )
}

#[test]
fn default_gate_fails_on_a_critical_finding_and_says_which() {
    let cache = tempfile::tempdir().unwrap();
    let output = portcullis(cache.path())
        .args([
            "scan",
            fixtures().join("debian-app.oci").to_str().unwrap(),
            "--db",
            crate::scan::corpus_db().to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["verdict"], "fail");
    let policy = &report["policies"][0];
    assert_eq!(policy["module"], "builtin:severity-gate");
    assert_eq!(policy["violations"][0]["findings"][0], "CVE-2021-25900");
    // `--fail-on none` keeps the gate but lets severities pass; `--set` reaches it.
    let relaxed = portcullis(cache.path())
        .args([
            "scan",
            fixtures().join("debian-app.oci").to_str().unwrap(),
            "--db",
            crate::scan::corpus_db().to_str().unwrap(),
        ])
        .args(["--fail-on", "none", "--set", "max-high=10"])
        .output()
        .unwrap();
    assert_eq!(relaxed.status.code(), Some(0), "{}", stderr(&relaxed));
}

#[test]
fn known_exploited_builtin_blocks_kev_findings() {
    let cache = tempfile::tempdir().unwrap();
    let output = portcullis(cache.path())
        .args([
            "scan",
            fixtures().join("debian-app.oci").to_str().unwrap(),
            "--db",
            crate::scan::corpus_db().to_str().unwrap(),
            "--format",
            "json",
        ])
        // CVE-2023-39325's code (x/net/http2) is not linked into the image's
        // Go binary: counted only with the symbol determination off.
        .args([
            "--policy",
            "builtin:known-exploited",
            "--set",
            "go-symbols=ignore",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["policies"][0]["module"], "builtin:known-exploited");
    assert!(report["policies"][0]["violations"][0]["findings"]
        .to_string()
        .contains("CVE-2023-39325"));
}

#[test]
fn inspect_and_test_run_one_module() {
    let cache = tempfile::tempdir().unwrap();
    let inspect = portcullis(cache.path())
        .args(["policy", "inspect", "builtin:severity-gate"])
        .output()
        .unwrap();
    assert!(inspect.status.success());
    let metadata: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    assert_eq!(
        (metadata["id"].as_str(), metadata["abi"].as_str()),
        (Some("severity-gate"), Some("portcullis.policy/v2"))
    );
    let input = cache.path().join("input.json");
    std::fs::write(&input, r#"{"apiVersion":"portcullis.policy/v1","target":{"reference":"x"},"findings":[{"id":"CVE-1","severity":"high","package":{"name":"a","version":"1","purl":"pkg:npm/a@1"}}],"settings":{"fail-on":"high"}}"#).unwrap();
    let test = portcullis(cache.path())
        .args([
            "policy",
            "test",
            "builtin:severity-gate",
            "--input",
            input.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    // A failing decision exits 1, as a scan it failed would.
    assert_eq!(test.status.code(), Some(1), "{}", stderr(&test));
    assert!(String::from_utf8_lossy(&test.stdout).contains("builtin:severity-gate: fail"));
}

#[test]
fn a_policy_that_sees_no_host_passes() {
    let fail = r#"{\"decision\":\"fail\",\"violations\":[{\"message\":\"saw the host\"}]}"#;
    let pass = r#"{\"decision\":\"pass\",\"violations\":[]}"#;
    let text = format!(
        r#"(module
            (import "{WASI}" "environ_sizes_get" (func $env (param i32 i32) (result i32)))
            (import "{WASI}" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
            (import "{WASI}" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
            (memory (export "memory") 1)
            (data (i32.const 100) "{pass}")
            (data (i32.const 200) "{fail}")
            (func (export "_start") (local $seen i32)
                (drop (call $env (i32.const 0) (i32.const 4)))
                (local.set $seen (i32.load (i32.const 0)))
                (if (i32.eqz (call $prestat (i32.const 3) (i32.const 8))) (then (local.set $seen (i32.const 1))))
                (if (local.get $seen)
                    (then (i32.store (i32.const 16) (i32.const 200)) (i32.store (i32.const 20) (i32.const 61)))
                    (else (i32.store (i32.const 16) (i32.const 100)) (i32.store (i32.const 20) (i32.const 35))))
                (drop (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))))"#
    );
    let (code, out, err) = scan_with(&wat::parse_str(text).unwrap(), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"verdict\": \"pass\""), "{out}");
}

/// Every hostile module ends in a clear error and the right exit code.
#[test]
fn hostile_modules_fail_closed() {
    /// What the module does, the module, extra flags, the exit code and words of the message.
    type Case<'a> = (&'a str, Vec<u8>, &'a [&'a str], i32, &'a str);
    let cases: Vec<Case<'_>> = vec![
        ("infinite loop", command("(loop br 0)", ""), &["--policy-fuel", "5000000"], 3, "ran out of fuel"),
        ("infinite loop past the deadline", command("(loop br 0)", ""), &["--policy-fuel", "100000000000000", "--policy-timeout", "1"], 3, "deadline"),
        ("unbounded memory growth", command("(loop (drop (memory.grow (i32.const 1))) (br 0))", ""), &[], 3, "grow its memory past"),
        ("a trap", command("unreachable", ""), &[], 3, "trapped"),
        ("unbounded recursion", command("(call $recurse)", ""), &[], 3, "overflowed"),
        ("garbage on stdout", command(&write_data(9), "not json!"), &[], 3, "not valid JSON"),
        ("a flood on stdout", command(&format!("(loop {} (br 0))", "(i32.store (i32.const 16) (i32.const 0)) (i32.store (i32.const 20) (i32.const 65536)) (drop (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))"), ""), &["--policy-fuel", "50000000"], 3, "more than"),
        ("a non-zero exit", command("(call $exit (i32.const 7))", ""), &[], 3, "exited with status 7"),
        ("bytes that are not wasm", b"#!/bin/sh\necho pass\n".to_vec(), &[], 2, "not a WebAssembly module"),
        ("a sleep of an hour (poll_oneoff)", sleeper(), &["--policy-timeout", "2"], 3, "refuses"),
    ];
    for (what, module, extra, expected_code, expected_text) in cases {
        let started = std::time::Instant::now();
        let (code, out, err) = scan_with(&module, extra);
        assert_eq!(code, expected_code, "{what}: {err}");
        assert!(err.contains(expected_text), "{what}: {err}");
        assert!(
            err.contains("policy.wasm"),
            "{what}: the message names the module: {err}"
        );
        assert!(!out.contains("\"pass\""), "{what}: printed a pass");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "{what}: took {:?}",
            started.elapsed()
        );
    }
}

/// Builds the Rust example policy with Debian's rustc (as `policies/ABI.md` says).
fn build_rust_example(out: &Path) -> std::path::PathBuf {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies/examples/rust");
    let status = std::process::Command::new("/usr/bin/cargo")
        .current_dir(&example)
        .env("RUSTC", "/usr/bin/rustc")
        .args([
            "build",
            "--offline",
            "--release",
            "--quiet",
            "--target",
            "wasm32-wasi",
            "--target-dir",
        ])
        .arg(out)
        .status()
        .expect("Debian's cargo (apt-get install rustc cargo libstd-rust-dev-wasm32 lld)");
    assert!(status.success(), "the Rust example policy did not build");
    out.join("wasm32-wasi/release/max-findings.wasm")
}

/// Builds the C example policy with clang and wasi-libc.
fn build_c_example(out: &Path) -> std::path::PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies/examples/c/build.sh");
    let wasm = out.join("deny-packages.wasm");
    let status = std::process::Command::new("bash")
        .arg(&script)
        .arg(&wasm)
        .status()
        .expect("bash");
    assert!(status.success(), "the C example policy did not build");
    wasm
}

fn scan_app(cache: &Path, policy: &Path, settings: &[&str]) -> (i32, serde_json::Value) {
    let mut command = portcullis(cache);
    command.args([
        "scan",
        fixtures().join("debian-app.oci").to_str().unwrap(),
        "--db",
        crate::scan::corpus_db().to_str().unwrap(),
        "--format",
        "json",
    ]);
    command.args(["--policy", policy.to_str().unwrap()]);
    for setting in settings {
        command.args(["--set", setting]);
    }
    let output = command.output().unwrap();
    let report =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("{}", stderr(&output)));
    (output.status.code().unwrap_or(-1), report)
}

#[test]
fn custom_policies_in_rust_and_c_decide_as_written() {
    let work = tempfile::tempdir().unwrap();
    let rust = build_rust_example(&work.path().join("rust"));
    let c = build_c_example(work.path());
    let (code, report) = scan_app(work.path(), &rust, &["max=0", "severity=critical"]);
    assert_eq!(code, 1);
    assert_eq!(
        report["policies"][0]["violations"][0]["findings"][0],
        "CVE-2021-25900"
    );
    let (code, _) = scan_app(work.path(), &rust, &["max=1", "severity=critical"]);
    assert_eq!(code, 0);
    let (code, report) = scan_app(work.path(), &c, &["deny=jquery"]);
    assert_eq!(code, 1);
    assert_eq!(
        report["policies"][0]["violations"][0]["message"],
        "package jquery is denied"
    );
    let (code, _) = scan_app(work.path(), &c, &["deny=left-pad"]);
    assert_eq!(code, 0);
}

#[test]
fn portcullis_toml_lists_the_policies_and_flags_win() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("portcullis.toml"),
        "[[policy]]\nmodule = \"builtin:severity-gate\"\nsettings = { fail-on = \"none\", max-high = 10 }\n\n[[policy]]\nmodule = \"builtin:non-root\"\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let output = portcullis(dir.path())
            .current_dir(dir.path())
            .args([
                "scan",
                fixtures().join("debian-app.oci").to_str().unwrap(),
                "--db",
                crate::scan::corpus_db().to_str().unwrap(),
                "--format",
                "json",
            ])
            .args(extra)
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|_| panic!("{}", stderr(&output)));
        (output.status.code().unwrap_or(-1), report)
    };
    let (code, report) = run(&[]);
    assert_eq!(code, 0, "{report}");
    let modules: Vec<&str> = report["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["module"].as_str().unwrap())
        .collect();
    assert_eq!(modules, ["builtin:severity-gate", "builtin:non-root"]);
    // A flag wins over the file.
    let (code, _) = run(&["--fail-on", "critical"]);
    assert_eq!(code, 1);
    // A bad file is an input error naming it.
    std::fs::write(
        dir.path().join("portcullis.toml"),
        "[[policy]]\nmodul = \"typo\"\n",
    )
    .unwrap();
    let output = portcullis(dir.path())
        .current_dir(dir.path())
        .args([
            "scan",
            fixtures().join("debian-app.oci").to_str().unwrap(),
            "--db",
            crate::scan::corpus_db().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("portcullis.toml"),
        "{}",
        stderr(&output)
    );
}

/// A module that follows the OPA Wasm ABI 1.x by hand (OPA's compiler cannot
/// be installed here): values are kept as JSON text, so `opa_json_parse`
/// and `opa_json_dump` are the identity; `portcullis/deny` evaluates to a
/// set of one message (or, when `builtins` is given, the module claims to
/// need that builtin).
fn opa_module(builtins: &str) -> Vec<u8> {
    let builtins = builtins.replace('"', "\\22");
    let text = format!(
        r#"(module
            (import "env" "memory" (memory 2))
            (import "env" "opa_abort" (func $abort (param i32)))
            (import "env" "opa_println" (func $println (param i32)))
            (import "env" "opa_builtin0" (func $b0 (param i32 i32) (result i32)))
            (global $heap (mut i32) (i32.const 8192))
            (data (i32.const 1000) "{builtins}\00")
            (data (i32.const 1100) "{{\22portcullis/deny\22:0}}\00")
            (data (i32.const 1200) "[{{\22result\22:[{{\22msg\22:\22the image runs as root\22,\22severity\22:\22high\22,\22finding\22:\22CIS-4.1\22}}]}}]\00")
            (func (export "builtins") (result i32) (i32.const 1000))
            (func (export "entrypoints") (result i32) (i32.const 1100))
            (func (export "opa_malloc") (param i32) (result i32)
                (local $at i32)
                (local.set $at (global.get $heap))
                (global.set $heap (i32.add (global.get $heap) (i32.add (local.get 0) (i32.const 1))))
                (local.get $at))
            (func (export "opa_json_parse") (param i32 i32) (result i32) (local.get 0))
            (func (export "opa_json_dump") (param i32) (result i32) (local.get 0))
            (func (export "opa_heap_ptr_get") (result i32) (global.get $heap))
            (func (export "opa_heap_ptr_set") (param i32) (global.set $heap (local.get 0)))
            (func (export "opa_eval_ctx_new") (result i32) (i32.const 1))
            (func (export "opa_eval_ctx_set_input") (param i32 i32))
            (func (export "opa_eval_ctx_set_data") (param i32 i32))
            (func (export "opa_eval_ctx_set_entrypoint") (param i32 i32))
            (func (export "eval") (param i32) (result i32) (i32.const 0))
            (func (export "opa_eval_ctx_get_result") (param i32) (result i32) (i32.const 1200)))"#
    );
    wat::parse_str(text).unwrap()
}

#[test]
fn opa_abi_module_denies_with_a_message() {
    let (code, out, err) = scan_with(&opa_module("{}"), &[]);
    assert_eq!(code, 1, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let violation = &report["policies"][0]["violations"][0];
    assert_eq!(violation["message"], "the image runs as root");
    assert_eq!(
        (violation["rule"].as_str(), violation["severity"].as_str()),
        (Some("deny"), Some("high"))
    );
    assert_eq!(violation["findings"][0], "CIS-4.1");
}

#[test]
fn opa_module_needing_an_unsupported_builtin_is_refused_before_running() {
    let (code, _, err) = scan_with(&opa_module(r#"{"http.send":0}"#), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("http.send") && err.contains("builtins"),
        "{err}"
    );
}

#[test]
fn policy_pulled_from_a_registry_by_digest_decides() {
    let registry = crate::support::registry::Registry::start(None);
    let work = tempfile::tempdir().unwrap();
    let module = work.path().join("deny.wasm");
    let decision =
        r#"{\"decision\":\"fail\",\"violations\":[{\"message\":\"from the registry\"}]}"#;
    std::fs::write(
        &module,
        command(&write_data(decision.replace('\\', "").len()), decision),
    )
    .unwrap();
    let reference = format!("{}/policies/deny:1", registry.address);
    let push = portcullis(work.path())
        .args(["policy", "push", module.to_str().unwrap(), &reference])
        .output()
        .unwrap();
    assert!(push.status.success(), "{}", stderr(&push));
    let pinned = String::from_utf8_lossy(&push.stdout).trim().to_owned();
    assert!(
        pinned.starts_with(&format!("{}/policies/deny@sha256:", registry.address)),
        "{pinned}"
    );
    let target = project(work.path());
    let output = portcullis(work.path())
        .args([
            "scan",
            &target,
            "--db",
            crate::scan::corpus_db().to_str().unwrap(),
            "--format",
            "json",
            "--policy",
            &pinned,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("from the registry"));
    // A tag is not a pin: it is not even looked up.
    let tagged = portcullis(work.path())
        .args([
            "scan",
            &target,
            "--db",
            crate::scan::corpus_db().to_str().unwrap(),
            "--policy",
            &reference,
        ])
        .output()
        .unwrap();
    assert_eq!(tagged.status.code(), Some(2), "{}", stderr(&tagged));
}

#[test]
fn opa_bundle_tar_gz_is_read_like_its_policy_wasm() {
    let wasm = opa_module("{}");
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (name, bytes) in [("/data.json", &b"{}"[..]), ("/policy.wasm", &wasm[..])] {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, name.trim_start_matches('/'), bytes)
            .unwrap();
    }
    let bundle = builder.into_inner().unwrap().finish().unwrap();
    let (code, out, err) = scan_with(&bundle, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("the image runs as root"), "{out}");
}

#[test]
fn the_gate_runs_where_address_space_is_limited() {
    let cache = tempfile::tempdir().unwrap();
    let script = format!(
        "ulimit -v 4194304 && exec {} scan {} --db {} --fail-on none",
        env!("CARGO_BIN_EXE_portcullis"),
        fixtures().join("debian-slim.oci").display(),
        crate::scan::corpus_db().display()
    );
    let output = std::process::Command::new("bash")
        .args(["-c", &script])
        .env("PORTCULLIS_CACHE_DIR", cache.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
}

/// The top-level keys of an input document, sorted.
fn parts_of(document: &serde_json::Value) -> Vec<&str> {
    let mut parts: Vec<&str> = document
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    parts.sort_unstable();
    parts
}

/// The input documents `--policy-input` kept: one JSON document per module.
fn kept_inputs(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Issue 29: a module built for ABI v1 (the severity gate as it shipped
/// before v2) still gets the whole v1 document and decides as today's v2
/// gate, which gets only the findings and checks, its packages by index.
#[test]
fn a_v1_module_gets_the_whole_document_and_decides_as_the_v2_gate() {
    let old =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/policies/severity-gate-abi-v1.wasm");
    let work = tempfile::tempdir().unwrap();
    let target = project(work.path());
    let run = |policy: &str, inputs: &Path| {
        let output = portcullis(work.path())
            .args([
                "scan",
                &target,
                "--db",
                crate::scan::corpus_db().to_str().unwrap(),
            ])
            .args(["--format", "json", "--policy", policy])
            .args(["--policy-input", inputs.to_str().unwrap()])
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        (output.status.code(), report)
    };
    let (old_inputs, new_inputs) = (work.path().join("old.jsonl"), work.path().join("new.jsonl"));
    let (old_code, old_report) = run(old.to_str().unwrap(), &old_inputs);
    let (new_code, new_report) = run("builtin:severity-gate", &new_inputs);
    // The corpus rates PyYAML's findings nowhere: both gates warn on them.
    assert_eq!(old_code, Some(0), "{old_report}");
    assert_eq!(new_code, old_code);
    assert_eq!(old_report["policies"][0]["decision"], "warn");
    assert_eq!(new_report["policies"][0]["decision"], "warn");
    assert!(old_report["policies"][0]["violations"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("CVE-2020-14343")));
    assert_eq!(
        new_report["policies"][0]["violations"], old_report["policies"][0]["violations"],
        "the same rules, messages and findings"
    );
    let old_document = &kept_inputs(&old_inputs)[0];
    assert_eq!(old_document["apiVersion"], "portcullis.policy/v1");
    assert!(
        old_document["packages"].is_array()
            && old_document["findings"][0]["package"]["purl"].is_string()
    );
    let new_document = &kept_inputs(&new_inputs)[0];
    assert_eq!(new_document["apiVersion"], "portcullis.policy/v2");
    let parts = parts_of(new_document);
    assert_eq!(
        parts,
        [
            "apiVersion",
            "checks",
            "diagnostics",
            "findings",
            "settings"
        ]
    );
    assert!(new_document["findings"][0]["package"].is_u64());
    assert!(old_report["policyLimits"]["fuel"]
        .as_u64()
        .is_some_and(|fuel| fuel > 0));
}

/// A v2 module that writes a pass, reading the parts `reads` names.
fn v2_module(reads: &str) -> Vec<u8> {
    let metadata = format!(r#"{{"id":"reader","abi":"portcullis.policy/v2","reads":{reads}}}"#)
        .replace('"', "\\22");
    let decision = r#"{"decision":"pass","violations":[]}"#;
    wat::parse_str(format!(
        r#"(module
            (@custom "portcullis.policy.metadata" "{metadata}")
            (import "{WASI}" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
            (memory (export "memory") 1)
            (data (i32.const 100) "{}")
            (func (export "_start") {}))"#,
        decision.replace('"', "\\22"),
        write_data(decision.len())
    ))
    .unwrap()
}

#[test]
fn a_v2_module_gets_only_the_parts_it_reads_and_a_part_that_is_none_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let inputs = work.path().join("inputs.jsonl");
    let (code, _, err) = scan_with(
        &v2_module(r#"["target"]"#),
        &["--policy-input", inputs.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    let document = &kept_inputs(&inputs)[0];
    let parts = parts_of(document);
    assert_eq!(parts, ["apiVersion", "diagnostics", "settings", "target"]);
    let (code, _, err) = scan_with(&v2_module(r#"["findings","secrets"]"#), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`reads` names a part the input does not have"),
        "{err}"
    );
}
