//! Fuzz target `formats`: see `logsieve_fuzz_harness::engine::formats`.
#![no_main]

use libfuzzer_sys::{fuzz_mutator, fuzz_target};

fuzz_target!(|data: &[u8]| logsieve_fuzz_harness::engine::formats(data));

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    logsieve_fuzz_harness::mutate::log_like(
        data,
        size,
        max_size,
        seed,
        libfuzzer_sys::fuzzer_mutate,
    )
});
