//! What every request handler shares.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use rand::RngCore;

use crate::auth::password::PasswordChecks;
use crate::auth::token::Tokens;
use crate::bus::{EventBus, LocalBus, PgBus};
use crate::config::{PublicUrl, Settings};
use crate::domain::ids::UserId;
use crate::domain::login_throttle::{LoginThrottle, Pacing};
use crate::domain::rate_limit::{Policy, WriteKind, WriteThrottle};
use crate::store::Store;

/// Failed sign-ins allowed per account, and per client address, per window.
/// One account from one address: five wrong passwords, then a wait to the
/// end of the window.
pub const LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS: Policy =
    Policy { max_failures: 5, window: Duration::from_secs(15 * 60) };
pub const LOGIN_FAILURES_PER_ADDRESS: Policy = Policy { max_failures: 30, window: Duration::from_secs(15 * 60) };
/// One account from everywhere: ten failures, then each attempt waits 1 s
/// after the last failure, doubling up to a minute (never a lock).
pub const LOGIN_PACING_PER_ACCOUNT: Pacing = Pacing {
    free: 10,
    window: Duration::from_secs(15 * 60),
    first_delay: Duration::from_secs(1),
    max_delay: Duration::from_secs(60),
};

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub hub: crate::ws::hub::Hub,
    /// Cancelled when the server stops: websocket tasks say goodbye and end.
    pub shutdown: tokio_util::sync::CancellationToken,
    /// The websocket tasks, which axum's graceful shutdown does not wait for.
    pub tasks: tokio_util::task::TaskTracker,
    pub tokens: Tokens,
    /// Signs checkpoints of the record.
    pub checkpoint_key: crate::domain::checkpoint::CheckpointKey,
    pub checkpoint_every: std::time::Duration,
    pub public_url: PublicUrl,
    pub invitation_ttl: chrono::Duration,
    pub trust_forwarded_for: bool,
    /// How long a request may take, its body included.
    pub request_timeout: std::time::Duration,
    /// Websockets one person may keep open on this node.
    pub ws_per_person: usize,
    pub login_throttle: Arc<Mutex<LoginThrottle<Option<IpAddr>>>>,
    /// Requests for password links, and uses of them, counted like sign-ins.
    pub reset_throttle: Arc<Mutex<LoginThrottle<Option<IpAddr>>>>,
    pub write_throttle: Arc<Mutex<WriteThrottle<UserId>>>,
    pub password_checks: PasswordChecks,
    pub connection_limits: crate::connections::ConnectionLimits,
    pub mail: crate::mail::Mail,
}

impl AppState {
    /// Builds the state on an opened (and migrated) store: settles the JWT
    /// secret (configured, or generated once and kept in the database).
    pub async fn new(settings: &Settings, store: Arc<dyn Store>, bus: Arc<dyn EventBus>) -> anyhow::Result<Self> {
        let public_url = PublicUrl::parse(&settings.public_url)?;
        let secret = match settings.configured_jwt_secret()? {
            Some(secret) => secret.to_owned(),
            None => store.kept_secret(crate::store::KeptSecret::JwtSecret, &random_token()).await?,
        };
        let tokens = Tokens::new(
            secret.as_bytes(),
            &public_url.origin,
            chrono::Duration::hours(i64::from(settings.session_hours.max(1))),
        )?;
        let checkpoint_key = checkpoint_key(settings, store.as_ref()).await?;
        let mail = crate::mail::Mail::new(settings, &public_url)?;
        let shutdown = tokio_util::sync::CancellationToken::new();
        let hub = crate::ws::hub::Hub::start(store.clone(), bus.as_ref(), shutdown.clone());
        Ok(Self {
            store,
            hub,
            shutdown,
            tasks: tokio_util::task::TaskTracker::new(),
            tokens,
            checkpoint_key,
            checkpoint_every: std::time::Duration::from_secs(settings.checkpoint_minutes.saturating_mul(60)),
            public_url,
            invitation_ttl: chrono::Duration::days(i64::from(settings.invitation_days.max(1))),
            trust_forwarded_for: settings.trust_forwarded_for,
            request_timeout: std::time::Duration::from_secs(settings.request_timeout_secs),
            ws_per_person: usize::try_from(settings.ws_per_person).unwrap_or(usize::MAX),
            login_throttle: Arc::new(Mutex::new(LoginThrottle::new(
                LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS,
                LOGIN_FAILURES_PER_ADDRESS,
                LOGIN_PACING_PER_ACCOUNT,
            ))),
            reset_throttle: Arc::new(Mutex::new(LoginThrottle::new(
                LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS,
                LOGIN_FAILURES_PER_ADDRESS,
                LOGIN_PACING_PER_ACCOUNT,
            ))),
            write_throttle: Arc::new(Mutex::new(WriteThrottle::new(Policy {
                max_failures: settings.writes_per_minute.max(1),
                window: Duration::from_secs(60),
            }))),
            password_checks: match settings.password_checks {
                Some(at_once) => PasswordChecks::new(usize::try_from(at_once).unwrap_or(1))?,
                None => PasswordChecks::for_this_machine()?,
            },
            connection_limits: crate::connections::ConnectionLimits::from_settings(settings),
            mail,
        })
    }
}

impl AppState {
    /// The sign-in counters. A panic while they were held cannot leave them
    /// half-updated (each update is one map operation), so a poisoned lock
    /// is taken as it is rather than failing every sign-in after it.
    pub fn notice_mail_writer(&self) -> crate::notice_mail::Writer {
        crate::notice_mail::Writer {
            store: self.store.clone(),
            tokens: self.tokens.clone(),
            public_url: self.public_url.clone(),
            mail: self.mail.clone(),
        }
    }

    pub fn login_throttle(&self) -> std::sync::MutexGuard<'_, LoginThrottle<Option<IpAddr>>> {
        self.login_throttle.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The password-link counters, kept as `login_throttle` is.
    pub fn reset_throttle(&self) -> std::sync::MutexGuard<'_, LoginThrottle<Option<IpAddr>>> {
        self.reset_throttle.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Counts a write by `user`; `Err(wait)` when they are over their allowance.
    pub fn throttle_write(&self, user: UserId, kind: WriteKind) -> Result<(), Duration> {
        let mut throttle = self.write_throttle.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        throttle.allow(&user, kind, std::time::Instant::now())
    }
}

/// Opens the configured database and builds the state on it, with the event
/// bus that fits: in-process on SQLite (one node), LISTEN/NOTIFY across the
/// nodes sharing a PostgreSQL database.
pub async fn open(settings: &Settings) -> anyhow::Result<AppState> {
    if crate::store::Backend::of_url(&settings.database_url) == crate::store::Backend::Postgres {
        let bus = PgBus::new(&settings.database_url, BUS_CAPACITY);
        let store = crate::store::open(&settings.database_url, bus.clone()).await?;
        let state = AppState::new(settings, store, bus.clone()).await?;
        bus.start(state.store.clone(), state.shutdown.clone()).await?;
        return Ok(state);
    }
    let bus: Arc<dyn EventBus> = LocalBus::new(BUS_CAPACITY);
    let store = crate::store::open(&settings.database_url, bus.clone()).await?;
    AppState::new(settings, store, bus).await
}

/// Events buffered for a slow hub before it must catch up from the log.
pub const BUS_CAPACITY: usize = 4096;

/// The configured signing key, or the one generated once and kept.
async fn checkpoint_key(
    settings: &Settings,
    store: &dyn Store,
) -> anyhow::Result<crate::domain::checkpoint::CheckpointKey> {
    use crate::domain::checkpoint::CheckpointKey;
    let seed = match settings.signing_key.as_deref() {
        Some(seed) => seed.to_owned(),
        None => {
            let mut bytes = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let candidate = CheckpointKey::from_seed(bytes);
            store.kept_secret(crate::store::KeptSecret::SigningKey, &candidate.seed_hex()).await?
        }
    };
    CheckpointKey::from_hex(&seed).map_err(|err| anyhow::anyhow!("MINGA_SIGNING_KEY: {err}"))
}

/// 256 random bits, base64url: JWT secrets and invitation tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
