#![no_main]
// The fuzz target `rpm_sqlite`: see crates/fuzzing/src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = portcullis_fuzzing::target("rpm_sqlite").expect("a target of crates/fuzzing")(data);
});
