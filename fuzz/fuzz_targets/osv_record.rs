#![no_main]
// The fuzz target `osv_record`: see crates/fuzzing/src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = portcullis_fuzzing::target("osv_record").expect("a target of crates/fuzzing")(data);
});
