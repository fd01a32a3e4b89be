#![no_main]
// The fuzz target `go_binary`: see crates/fuzzing/src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = portcullis_fuzzing::target("go_binary").expect("a target of crates/fuzzing")(data);
});
