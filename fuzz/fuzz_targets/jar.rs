#![no_main]
// The fuzz target `jar`: see crates/fuzzing/src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = portcullis_fuzzing::target("jar").expect("a target of crates/fuzzing")(data);
});
