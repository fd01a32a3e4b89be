#![no_main]
// The fuzz target `go_mod`: see crates/fuzzing/src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = portcullis_fuzzing::target("go_mod").expect("a target of crates/fuzzing")(data);
});
