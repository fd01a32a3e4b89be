#![no_main]
// The fuzz target `dpkg_status`: see crates/fuzzing/src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = portcullis_fuzzing::target("dpkg_status").expect("a target of crates/fuzzing")(data);
});
