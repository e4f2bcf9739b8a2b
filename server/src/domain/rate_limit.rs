//! Counting attempts in a time window, for the sign-in throttle
//! (`login_throttle`) and the per-person write allowance. Time is passed in,
//! so the rules are testable without waiting.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// At most `max_failures` failures within `window`; the window starts at the
/// first failure and the key is free again when it ends.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub max_failures: u32,
    pub window: Duration,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    failures: u32,
    started: Instant,
}

/// Failure counts per key, forgotten once their window has passed.
#[derive(Debug)]
pub struct FailureCounter<K> {
    policy: Policy,
    buckets: HashMap<K, Bucket>,
}

/// Beyond this many keys, expired entries are swept on the next failure so an
/// attacker cycling through addresses cannot grow memory without bound.
const SWEEP_ABOVE: usize = 10_000;

impl<K: Hash + Eq + Clone> FailureCounter<K> {
    pub fn new(policy: Policy) -> Self {
        Self { policy, buckets: HashMap::new() }
    }

    /// `Err(wait)` when the key has used up its failures in the current window.
    pub fn check(&self, key: &K, now: Instant) -> Result<(), Duration> {
        match self.buckets.get(key) {
            Some(bucket) if self.live(bucket, now) && bucket.failures >= self.policy.max_failures => {
                Err(self.policy.window.saturating_sub(now.duration_since(bucket.started)))
            }
            _ => Ok(()),
        }
    }

    pub fn record(&mut self, key: &K, now: Instant) {
        if self.buckets.len() > SWEEP_ABOVE {
            let window = self.policy.window;
            self.buckets.retain(|_, b| now.duration_since(b.started) < window);
        }
        let policy = self.policy;
        let bucket = self.buckets.entry(key.clone()).or_insert(Bucket { failures: 0, started: now });
        if now.duration_since(bucket.started) >= policy.window {
            *bucket = Bucket { failures: 0, started: now };
        }
        bucket.failures = bucket.failures.saturating_add(1);
    }

    pub fn forget(&mut self, key: &K) {
        self.buckets.remove(key);
    }

    /// Takes back one recorded failure (an attempt counted in advance that
    /// turned out not to be one).
    pub fn release(&mut self, key: &K) {
        if let Some(bucket) = self.buckets.get_mut(key) {
            bucket.failures = bucket.failures.saturating_sub(1);
            if bucket.failures == 0 {
                self.buckets.remove(key);
            }
        }
    }

    fn live(&self, bucket: &Bucket, now: Instant) -> bool {
        now.duration_since(bucket.started) < self.policy.window
    }
}

/// What kind of write a person makes; each kind has its own allowance, so
/// a burst of comments does not stop a vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WriteKind {
    Comment,
    Proposal,
    Vote,
    Flag,
}

/// Per-person limits on writes: at most `max_failures` (here: writes) of
/// each kind per window.
#[derive(Debug)]
pub struct WriteThrottle<U> {
    counter: FailureCounter<(U, WriteKind)>,
}

impl<U: Hash + Eq + Clone> WriteThrottle<U> {
    pub fn new(policy: Policy) -> Self {
        Self { counter: FailureCounter::new(policy) }
    }

    /// Counts the write, or says how long to wait.
    pub fn allow(&mut self, user: &U, kind: WriteKind, now: Instant) -> Result<(), Duration> {
        let key = (user.clone(), kind);
        self.counter.check(&key, now)?;
        self.counter.record(&key, now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn writes_are_limited_per_person_and_kind() {
        let mut t = WriteThrottle::new(Policy { max_failures: 2, window: MINUTE });
        let now = Instant::now();
        assert!(t.allow(&"ana", WriteKind::Comment, now).is_ok());
        assert!(t.allow(&"ana", WriteKind::Comment, now).is_ok());
        assert_eq!(t.allow(&"ana", WriteKind::Comment, now + Duration::from_secs(10)), Err(Duration::from_secs(50)));
        assert!(t.allow(&"ana", WriteKind::Vote, now).is_ok(), "another kind has its own allowance");
        assert!(t.allow(&"bea", WriteKind::Comment, now).is_ok(), "another person too");
        assert!(t.allow(&"ana", WriteKind::Comment, now + MINUTE).is_ok(), "a new window");
    }

    #[test]
    fn a_failure_given_back_frees_its_place() {
        let mut c = FailureCounter::new(Policy { max_failures: 1, window: MINUTE });
        let now = Instant::now();
        c.record(&"k", now);
        assert!(c.check(&"k", now).is_err());
        c.release(&"k");
        assert!(c.check(&"k", now).is_ok());
    }
}
