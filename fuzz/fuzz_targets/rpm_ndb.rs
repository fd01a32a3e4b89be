#![no_main]
// The fuzz target `rpm_ndb`: see crates/fuzzing/src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = portcullis_fuzzing::target("rpm_ndb").expect("a target of crates/fuzzing")(data);
});
