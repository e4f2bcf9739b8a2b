//! argon2id with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane).
//! Hashing takes tens of milliseconds of CPU, so it runs on the blocking pool,
//! never on the async threads.
//!
//! Each check needs 19 MiB: 400 simultaneous sign-ins with random emails took
//! the server to 5.7 GiB. [`PasswordChecks`] bounds how many run at once and
//! how many may wait (beyond that a sign-in is refused at once rather than
//! queued without end), and each running check borrows one of a fixed set of
//! work areas instead of allocating its own: bounding the checks alone still
//! left 444 MiB resident after such a burst, the allocator keeping a freed
//! area per blocking thread.

use std::sync::{Arc, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

const MEMORY_KIB: u32 = 19_456;

/// Today's parameters. Checked when the server starts ([`PasswordChecks::new`]),
/// never replaced by defaults in silence.
fn params() -> Result<Params, argon2::Error> {
    Params::new(MEMORY_KIB, 2, 1, None)
}

fn argon2(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

/// How many requests may wait for each check that runs: enough to ride out
/// a burst of people signing in at the start of a session, few enough that
/// the wait stays under a second or so.
pub const QUEUED_PER_CHECK: usize = 8;

/// The server has no room for another password check now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many password checks at once")]
pub struct Busy;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error(transparent)]
    Busy(#[from] Busy),
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// One check's work area (19 MiB of argon2 blocks).
type WorkArea = Vec<Block>;

/// The bound on password work: `at_once` checks run, `QUEUED_PER_CHECK`
/// times as many wait, and the next is refused with [`Busy`].
#[derive(Debug, Clone)]
pub struct PasswordChecks {
    params: Params,
    /// The hash an unknown email is checked against, so that failure takes
    /// as long as a wrong password (an empty one would answer at once).
    dummy: Arc<str>,
    running: Arc<Semaphore>,
    admitted: Arc<Semaphore>,
    /// Made on first need, at most one per running check, kept for reuse.
    areas: Arc<Mutex<Vec<WorkArea>>>,
}

/// A place among the running checks, with its work area; both go back when
/// it is dropped.
struct Admission {
    area: Option<WorkArea>,
    areas: Arc<Mutex<Vec<WorkArea>>>,
    _running: OwnedSemaphorePermit,
    _admitted: OwnedSemaphorePermit,
}

impl Drop for Admission {
    fn drop(&mut self) {
        if let Some(area) = self.area.take() {
            self.areas.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(area);
        }
    }
}

impl PasswordChecks {
    /// Fails, at start-up, if the parameters or the dummy hash cannot be made
    /// or the dummy hash does not verify: a server that would answer unknown
    /// emails faster than wrong passwords does not start.
    pub fn new(at_once: usize) -> anyhow::Result<Self> {
        let at_once = at_once.max(1);
        let params = params().map_err(|err| anyhow::anyhow!("the argon2 parameters are invalid: {err}"))?;
        let mut area = vec![Block::default(); params.block_count()];
        let dummy = hash_with(&params, &mut area, DUMMY_PASSWORD)?;
        anyhow::ensure!(
            verify_with(&params, &mut area, DUMMY_PASSWORD, &dummy),
            "the dummy password hash does not verify"
        );
        Ok(Self {
            params,
            dummy: dummy.into(),
            running: Arc::new(Semaphore::new(at_once)),
            admitted: Arc::new(Semaphore::new(at_once.saturating_mul(QUEUED_PER_CHECK + 1))),
            areas: Arc::new(Mutex::new(vec![area])),
        })
    }

    /// One check per core: more would only queue on the blocking pool while
    /// holding their memory.
    pub fn for_this_machine() -> anyhow::Result<Self> {
        Self::new(std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get))
    }

    async fn admit(&self) -> Result<Admission, Busy> {
        let admitted = self.admitted.clone().try_acquire_owned().map_err(|_| Busy)?;
        // The semaphore is never closed, so acquiring only ever waits.
        let running = self.running.clone().acquire_owned().await.map_err(|_| Busy)?;
        let reused = self.areas.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
        let area = reused.unwrap_or_else(|| vec![Block::default(); self.params.block_count()]);
        Ok(Admission { area: Some(area), areas: self.areas.clone(), _running: running, _admitted: admitted })
    }

    /// Hashes a password into a PHC string (which records its own parameters).
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        let mut admission = self.admit().await?;
        let params = self.params.clone();
        let hashed = tokio::task::spawn_blocking(move || {
            let area = admission.area.as_mut().ok_or_else(|| anyhow::anyhow!("admission without a work area"))?;
            hash_with(&params, area, password.as_bytes())
        })
        .await
        .map_err(anyhow::Error::from)?;
        Ok(hashed?)
    }

    /// Checks a password. With no stored hash (unknown email) it checks
    /// against a dummy hash anyway, so both failures take the same time.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, Busy> {
        let mut admission = self.admit().await?;
        let (params, dummy) = (self.params.clone(), self.dummy.clone());
        let outcome = tokio::task::spawn_blocking(move || {
            let known = stored.is_some();
            let stored = stored.as_deref().unwrap_or(&dummy);
            let Some(area) = admission.area.as_mut() else { return false };
            verify_with(&params, area, password.as_bytes(), stored) && known
        })
        .await;
        Ok(outcome.unwrap_or(false))
    }
}

const DUMMY_PASSWORD: &[u8] = b"a password nobody has, to spend the same time";

fn hash_with(params: &Params, area: &mut WorkArea, password: &[u8]) -> anyhow::Result<String> {
    let failed = |err: argon2::password_hash::Error| anyhow::anyhow!("password hashing failed: {err}");
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(failed)?;
    let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let output = Output::init_with(output_len, |out| {
        argon2(params).hash_password_into_with_memory(password, salt_bytes, out, &mut *area).map_err(Into::into)
    })
    .map_err(failed)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(failed)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// A hash made with today's parameters is checked in the work area; one made
/// with others (none yet) the library's way, which allocates.
fn verify_with(params: &Params, area: &mut WorkArea, password: &[u8], stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    if !is_todays(params, &parsed) {
        return argon2(params).verify_password(password, &parsed).is_ok();
    }
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let computed = Output::init_with(expected.len(), |out| {
        argon2(params).hash_password_into_with_memory(password, salt_bytes, out, &mut *area).map_err(Into::into)
    });
    // Output's equality is constant-time.
    computed.is_ok_and(|computed| computed == expected)
}

fn is_todays(today: &Params, parsed: &PasswordHash<'_>) -> bool {
    parsed.algorithm == Algorithm::Argon2id.ident()
        && parsed.version == Some(Version::V0x13.into())
        && Params::try_from(parsed).is_ok_and(|p| {
            // A parsed hash carries its output length; today's parameters leave it open.
            (p.m_cost(), p.t_cost(), p.p_cost()) == (today.m_cost(), today.t_cost(), today.p_cost())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordHasher;

    fn today() -> Params {
        params().expect("valid parameters")
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let checks = PasswordChecks::new(1).expect("checks");
        let hash = checks.hash("correct horse battery".into()).await.expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert_eq!(checks.verify("correct horse battery".into(), Some(hash.clone())).await, Ok(true));
        assert_eq!(checks.verify("wrong horse battery".into(), Some(hash)).await, Ok(false));
    }

    #[tokio::test]
    async fn hashes_are_the_librarys_own_both_ways() {
        let checks = PasswordChecks::new(1).expect("checks");
        let ours = checks.hash("correct horse battery".into()).await.expect("hash");
        let parsed = PasswordHash::new(&ours).expect("phc");
        assert!(
            argon2(&today()).verify_password(b"correct horse battery", &parsed).is_ok(),
            "the library accepts ours"
        );
        let salt = SaltString::generate(&mut OsRng);
        let theirs = argon2(&today()).hash_password(b"otra clave", &salt).expect("hash").to_string();
        assert_eq!(checks.verify("otra clave".into(), Some(theirs)).await, Ok(true), "we accept the library's");
        let weaker = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8_192, 1, 1, None).expect("p"));
        let old = weaker.hash_password(b"clave antigua", &salt).expect("hash").to_string();
        assert_eq!(checks.verify("clave antigua".into(), Some(old)).await, Ok(true), "other parameters too");
    }

    #[tokio::test]
    async fn an_unknown_email_is_checked_against_a_real_hash() {
        let checks = PasswordChecks::new(1).expect("checks");
        let dummy = PasswordHash::new(&checks.dummy).expect("the dummy is a PHC string");
        assert!(is_todays(&today(), &dummy), "made with today's parameters, so it costs the same");
        assert_eq!(checks.verify(String::from_utf8_lossy(DUMMY_PASSWORD).into(), None).await, Ok(false));
    }

    #[test]
    fn todays_hashes_are_checked_in_the_work_area() {
        let mut area = vec![Block::default(); today().block_count()];
        let ours = hash_with(&today(), &mut area, b"clave").expect("hash");
        let parsed = PasswordHash::new(&ours).expect("phc");
        assert!(is_todays(&today(), &parsed), "{ours}");
        let salt = SaltString::generate(&mut OsRng);
        let weaker = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8_192, 1, 1, None).expect("p"));
        let old = weaker.hash_password(b"clave", &salt).expect("hash");
        assert!(!is_todays(&today(), &old));
    }

    #[tokio::test]
    async fn an_unknown_account_never_verifies() {
        let checks = PasswordChecks::new(1).expect("checks");
        let nobody = "a password nobody has, to spend the same time";
        assert_eq!(checks.verify(nobody.into(), None).await, Ok(false));
        assert_eq!(checks.verify("anything at all".into(), Some("not a phc string".into())).await, Ok(false));
    }

    #[tokio::test]
    async fn checks_beyond_the_running_and_waiting_ones_are_busy() {
        let checks = PasswordChecks::new(1).expect("checks");
        // Every place, running and waiting, taken.
        let held = checks.admitted.clone().try_acquire_many_owned(1 + QUEUED_PER_CHECK as u32).expect("room");
        assert_eq!(checks.verify("x".into(), None).await, Err(Busy));
        assert!(matches!(checks.hash("x".into()).await, Err(HashError::Busy(Busy))));
        drop(held);
        assert_eq!(checks.verify("x".into(), None).await, Ok(false), "room again once they are done");
    }

    #[tokio::test]
    async fn work_areas_are_reused_not_remade() {
        let checks = PasswordChecks::new(2).expect("checks");
        let hashes = futures_util::future::join_all((0..6).map(|n| checks.hash(format!("clave número {n}")))).await;
        assert!(hashes.iter().all(Result::is_ok));
        let areas = checks.areas.lock().expect("lock").len();
        assert!((1..=2).contains(&areas), "{areas} work areas for 2 checks at once");
    }
}
