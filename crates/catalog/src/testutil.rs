//! Test helpers: the real files under `src/testdata/` (see its README).

/// The bytes of `testdata/<name>`.
pub(super) fn testdata(name: &str) -> Vec<u8> {
    let path = format!("{}/src/testdata/{name}", env!("CARGO_MANIFEST_DIR"));
    fs_err::read(&path).unwrap_or_else(|e| panic!("{e}"))
}
