//! A per-thread count of the bytes the redactor's scanners examine, so that tests can check that the work on a
//! line grows linearly with its length without timing anything.

use std::cell::Cell;

thread_local! {
    static WORK: Cell<u64> = const { Cell::new(0) };
}

/// Adds `n` examined bytes to this thread's count.
#[inline]
pub(crate) fn add(n: u64) {
    WORK.with(|w| w.set(w.get().wrapping_add(n)));
}

/// This thread's count of examined bytes since the last [`take`], which resets it.
pub fn take() -> u64 {
    WORK.with(|w| w.replace(0))
}
