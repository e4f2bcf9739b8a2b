//! Login throttling: too many failed sign-ins for one account, or from one
//! client address, and further attempts are refused for a while. Time is
//! passed in, so the rule is testable without waiting.

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

/// The two limits on sign-in: per account (guessing one person's password)
/// and per client address (trying many accounts from one place).
#[derive(Debug)]
pub struct LoginThrottle<A> {
    accounts: FailureCounter<String>,
    addresses: FailureCounter<A>,
}

impl<A: Hash + Eq + Clone> LoginThrottle<A> {
    pub fn new(per_account: Policy, per_address: Policy) -> Self {
        Self { accounts: FailureCounter::new(per_account), addresses: FailureCounter::new(per_address) }
    }

    /// The longer of the two waits, if either limit is reached.
    pub fn check(&self, account: &str, address: &A, now: Instant) -> Result<(), Duration> {
        let by_account = self.accounts.check(&account.to_owned(), now).err();
        let by_address = self.addresses.check(address, now).err();
        match by_account.max(by_address) {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }

    /// Counts an attempt as a failure before its password is checked, or says
    /// how long to wait. Counting first is what keeps simultaneous attempts
    /// within the limit: a check-then-record would let all of them through
    /// while the first hashes were still running.
    pub fn reserve(&mut self, account: &str, address: &A, now: Instant) -> Result<(), Duration> {
        self.check(account, address, now)?;
        self.accounts.record(&account.to_owned(), now);
        self.addresses.record(address, now);
        Ok(())
    }

    /// A correct password clears the account's failures and gives the
    /// address back its reserved attempt (only that one: a success must not
    /// reopen an address that is guessing at others).
    pub fn record_success(&mut self, account: &str, address: &A) {
        self.accounts.forget(&account.to_owned());
        self.addresses.release(address);
    }

    /// A reserved attempt that was never made (the server was too busy to
    /// check the password) is given back to both.
    pub fn release(&mut self, account: &str, address: &A) {
        self.accounts.release(&account.to_owned());
        self.addresses.release(address);
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

    fn throttle() -> LoginThrottle<&'static str> {
        LoginThrottle::new(
            Policy { max_failures: 3, window: 10 * MINUTE },
            Policy { max_failures: 5, window: 10 * MINUTE },
        )
    }

    #[test]
    fn an_account_is_refused_after_its_failures_until_the_window_ends() {
        let mut t = throttle();
        let start = Instant::now();
        for _ in 0..3 {
            assert!(t.reserve("ana", &"1.1.1.1", start).is_ok());
        }
        let wait = t.check("ana", &"2.2.2.2", start + MINUTE).unwrap_err();
        assert_eq!(wait, 9 * MINUTE, "the wait runs to the end of the window");
        assert!(t.check("bea", &"2.2.2.2", start).is_ok(), "another account is not affected");
        assert!(t.check("ana", &"1.1.1.1", start + 10 * MINUTE).is_ok(), "free once the window passed");
    }

    #[test]
    fn an_address_is_refused_after_failures_across_accounts() {
        let mut t = throttle();
        let now = Instant::now();
        for name in ["a", "b", "c", "d", "e"] {
            t.reserve(name, &"6.6.6.6", now).unwrap();
        }
        assert!(t.check("z", &"6.6.6.6", now).is_err());
        assert!(t.check("z", &"7.7.7.7", now).is_ok());
    }

    #[test]
    fn success_clears_the_account_but_not_the_address() {
        let mut t = throttle();
        let now = Instant::now();
        t.reserve("ana", &"1.1.1.1", now).unwrap();
        t.reserve("ana", &"1.1.1.1", now).unwrap();
        // The third attempt is the right password.
        t.reserve("ana", &"1.1.1.1", now).unwrap();
        t.record_success("ana", &"1.1.1.1");
        for _ in 0..3 {
            t.reserve("ana", &"9.9.9.9", now).unwrap();
        }
        assert!(t.check("ana", &"9.9.9.9", now).is_err(), "the account starts afresh after its success");
        t.reserve("bea", &"1.1.1.1", now).unwrap();
        t.reserve("cris", &"1.1.1.1", now).unwrap();
        assert!(t.check("x", &"1.1.1.1", now).is_ok(), "the address: two failures of ana, two others");
        t.reserve("dora", &"1.1.1.1", now).unwrap();
        assert!(t.check("x", &"1.1.1.1", now).is_err(), "ana's earlier failures still count for the address");
    }

    #[test]
    fn reserved_attempts_hold_the_limit_until_given_back() {
        let mut t = throttle();
        let now = Instant::now();
        for _ in 0..3 {
            t.reserve("ana", &"1.1.1.1", now).unwrap();
        }
        assert!(t.reserve("ana", &"1.1.1.1", now).is_err(), "three in flight use up the allowance");
        t.release("ana", &"1.1.1.1");
        assert!(t.reserve("ana", &"1.1.1.1", now).is_ok(), "an attempt never made is given back");
    }

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
    fn a_new_window_starts_after_the_old_one_ends() {
        let mut t = throttle();
        let start = Instant::now();
        t.reserve("ana", &"1", start).unwrap();
        t.reserve("ana", &"1", start).unwrap();
        let later = start + 11 * MINUTE;
        t.reserve("ana", &"1", later).unwrap();
        assert!(t.check("ana", &"1", later).is_ok(), "old failures expired; one new failure only");
    }
}
