#![no_main]
// The fuzz target `pipfile_lock`: see crates/fuzzing/src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = portcullis_fuzzing::target("pipfile_lock").expect("a target of crates/fuzzing")(data);
});
