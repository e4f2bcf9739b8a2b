use super::*;

const MINUTE: Duration = Duration::from_secs(60);
const SECOND: Duration = Duration::from_secs(1);

fn throttle() -> LoginThrottle<&'static str> {
    LoginThrottle::new(
        Policy { max_failures: 3, window: 10 * MINUTE },
        Policy { max_failures: 5, window: 10 * MINUTE },
        Pacing { free: 4, window: 10 * MINUTE, first_delay: SECOND, max_delay: 8 * SECOND },
    )
}

#[test]
fn one_account_from_one_address_is_refused_until_the_window_ends() {
    let mut t = throttle();
    let start = Instant::now();
    for _ in 0..3 {
        t.reserve("ana", &"1.1.1.1", start).unwrap();
    }
    assert_eq!(t.check("ana", &"1.1.1.1", start + MINUTE), Err(9 * MINUTE), "the wait runs to the end of the window");
    assert!(t.check("ana", &"2.2.2.2", start + MINUTE).is_ok(), "the owner elsewhere is not locked out");
    assert!(t.check("bea", &"1.1.1.1", start).is_ok(), "another account from there is not affected");
    assert!(t.check("ana", &"1.1.1.1", start + 10 * MINUTE).is_ok(), "free once the window passed");
}

#[test]
fn an_account_tried_from_everywhere_is_slowed_not_locked() {
    let mut t = throttle();
    let start = Instant::now();
    for address in ["a", "b", "c", "d"] {
        t.reserve("ana", &address, start).unwrap();
    }
    assert_eq!(t.check("ana", &"e", start), Err(SECOND), "beyond the free failures, a wait after the last");
    t.reserve("ana", &"e", start + SECOND).unwrap();
    assert_eq!(t.check("ana", &"f", start + SECOND), Err(2 * SECOND), "the wait doubles");
    let mut at = start + SECOND;
    for address in ["f", "g", "h", "i", "j", "k"] {
        at += t.check("ana", &address, at).err().unwrap_or_default();
        t.reserve("ana", &address, at).unwrap();
    }
    assert_eq!(t.check("ana", &"z", at), Err(8 * SECOND), "and stops growing at the most");
    assert!(t.check("bea", &"z", at).is_ok(), "another account is not affected");
    assert!(t.check("ana", &"z", start + 10 * MINUTE).is_ok(), "a new window");
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
fn success_clears_the_pair_but_not_the_address() {
    let mut t = throttle();
    let now = Instant::now();
    t.reserve("ana", &"1.1.1.1", now).unwrap();
    t.reserve("ana", &"1.1.1.1", now).unwrap();
    // The third attempt is the right password.
    t.reserve("ana", &"1.1.1.1", now).unwrap();
    t.record_success("ana", &"1.1.1.1");
    t.reserve("ana", &"1.1.1.1", now).unwrap();
    assert!(t.check("ana", &"1.1.1.1", now).is_ok(), "the pair starts afresh after its success");
    t.reserve("bea", &"1.1.1.1", now).unwrap();
    t.reserve("cris", &"1.1.1.1", now).unwrap();
    assert!(t.check("x", &"1.1.1.1", now).is_err(), "ana's failures still count for the address");
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
fn a_new_window_starts_after_the_old_one_ends() {
    let mut t = throttle();
    let start = Instant::now();
    t.reserve("ana", &"1", start).unwrap();
    t.reserve("ana", &"1", start).unwrap();
    let later = start + 11 * MINUTE;
    t.reserve("ana", &"1", later).unwrap();
    assert!(t.check("ana", &"1", later).is_ok(), "old failures expired; one new failure only");
}
