//! Cheap unpredictable numbers (DNS query ids, ICMP ids, warmup jitter)
//! from std's randomly keyed SipHash: no crate, no unsafe.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

static COUNTER: AtomicU64 = AtomicU64::new(0);
static KEYS: OnceLock<RandomState> = OnceLock::new();

pub fn u64() -> u64 {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    KEYS.get_or_init(RandomState::new).hash_one(n)
}

pub fn u16() -> u16 {
    (u64() >> 16) as u16
}
