//! Sign-in throttling. Guessing one person's password from one place is
//! stopped hard (per account and address); trying many accounts from one
//! place too (per address). Across all places, an account's failures only
//! slow it down: a hard account-wide lock let anyone lock the real owner out
//! from anywhere for 15 minutes with five wrong passwords.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

use super::rate_limit::{FailureCounter, Policy};

/// The account-wide rule: `free` failures in `window` cost nothing; each
/// further one makes the next attempt wait, `first_delay` and doubling up to
/// `max_delay`, after the last failure.
#[derive(Debug, Clone, Copy)]
pub struct Pacing {
    pub free: u32,
    pub window: Duration,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Pacing {
    /// The wait after the last of `failures`.
    pub fn delay_after(&self, failures: u32) -> Duration {
        match failures.checked_sub(self.free) {
            None => Duration::ZERO,
            Some(beyond) => self.first_delay.saturating_mul(1 << beyond.min(16)).min(self.max_delay),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Pace {
    failures: u32,
    started: Instant,
    last: Instant,
}

/// Beyond this many accounts, expired entries are swept on the next failure.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Debug)]
struct AccountPacer {
    pacing: Pacing,
    accounts: HashMap<String, Pace>,
}

impl AccountPacer {
    fn live(&self, pace: &Pace, now: Instant) -> bool {
        now.duration_since(pace.started) < self.pacing.window
    }

    fn check(&self, account: &str, now: Instant) -> Result<(), Duration> {
        match self.accounts.get(account) {
            Some(pace) if self.live(pace, now) => {
                let ready = pace.last + self.pacing.delay_after(pace.failures);
                if ready > now {
                    Err(ready - now)
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    fn record(&mut self, account: &str, now: Instant) {
        if self.accounts.len() > SWEEP_ABOVE {
            let window = self.pacing.window;
            self.accounts.retain(|_, pace| now.duration_since(pace.started) < window);
        }
        let fresh = Pace { failures: 0, started: now, last: now };
        let live = self.accounts.get(account).filter(|pace| self.live(pace, now)).copied();
        let mut pace = live.unwrap_or(fresh);
        pace.failures = pace.failures.saturating_add(1);
        pace.last = now;
        self.accounts.insert(account.to_owned(), pace);
    }

    fn release(&mut self, account: &str) {
        if let Some(pace) = self.accounts.get_mut(account) {
            pace.failures = pace.failures.saturating_sub(1);
        }
    }
}

/// The three limits on sign-in, over client addresses of type `A`.
#[derive(Debug)]
pub struct LoginThrottle<A> {
    pairs: FailureCounter<(String, A)>,
    addresses: FailureCounter<A>,
    accounts: AccountPacer,
}

impl<A: Hash + Eq + Clone> LoginThrottle<A> {
    pub fn new(per_account_and_address: Policy, per_address: Policy, per_account: Pacing) -> Self {
        Self {
            pairs: FailureCounter::new(per_account_and_address),
            addresses: FailureCounter::new(per_address),
            accounts: AccountPacer { pacing: per_account, accounts: HashMap::new() },
        }
    }

    fn pair(account: &str, address: &A) -> (String, A) {
        (account.to_owned(), address.clone())
    }

    /// The longest of the waits, if any limit is reached.
    pub fn check(&self, account: &str, address: &A, now: Instant) -> Result<(), Duration> {
        let waits = [
            self.pairs.check(&Self::pair(account, address), now).err(),
            self.addresses.check(address, now).err(),
            self.accounts.check(account, now).err(),
        ];
        match waits.into_iter().flatten().max() {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }

    /// Counts an attempt as a failure before its password is checked, or says
    /// how long to wait. Counting first is what keeps simultaneous attempts
    /// within the limits: a check-then-record would let all of them through
    /// while the first hashes were still running.
    pub fn reserve(&mut self, account: &str, address: &A, now: Instant) -> Result<(), Duration> {
        self.check(account, address, now)?;
        self.pairs.record(&Self::pair(account, address), now);
        self.addresses.record(address, now);
        self.accounts.record(account, now);
        Ok(())
    }

    /// A correct password clears the failures of this account from this
    /// address and gives back the attempt it reserved elsewhere (only that
    /// one: a success must not reopen an address guessing at others, nor
    /// undo what others tried on the account).
    pub fn record_success(&mut self, account: &str, address: &A) {
        self.pairs.forget(&Self::pair(account, address));
        self.addresses.release(address);
        self.accounts.release(account);
    }

    /// A reserved attempt that was never made (the server was too busy to
    /// check the password) is given back to every limit.
    pub fn release(&mut self, account: &str, address: &A) {
        self.pairs.release(&Self::pair(account, address));
        self.addresses.release(address);
        self.accounts.release(account);
    }
}

#[cfg(test)]
#[path = "login_throttle_tests.rs"]
mod tests;
