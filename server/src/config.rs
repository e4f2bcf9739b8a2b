//! Settings from flags or environment, as in API.md "Running".

use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::domain::account::Role;

#[derive(Debug, Parser)]
#[command(name = "minga", version, about = "Minga: drafting an assembly's founding charter together, in real time")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default when no command is given).
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
    /// Create an invitation (and the organization, if new) and print its link.
    Invite(InviteArgs),
    /// Exit 0 if the server at --bind answers /readyz, 1 otherwise (for container health checks).
    Healthcheck,
    /// Check every topic's hash chain; exit 1 and name the first broken link if any.
    Verify(VerifyArgs),
    /// Write a consistent snapshot of the whole database (SQLite or PostgreSQL) as portable JSON Lines,
    /// while the server runs. It holds password hashes and the deployment's secrets: keep it safe.
    Backup(BackupArgs),
    /// Load a backup into a new, empty database of either kind (migrated first); refuses a non-empty one.
    Restore(RestoreArgs),
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Where to write the backup (`-` for standard output). Written to FILE.partial and renamed when
    /// complete, so a cut-off backup never looks like a whole one.
    #[arg(long, value_name = "FILE")]
    pub output: std::path::PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup to load (`-` for standard input).
    #[arg(long, value_name = "FILE")]
    pub input: std::path::PathBuf,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Also check a checkpoint kept from `GET /api/v1/checkpoints/latest` (its JSON): signed by this
    /// deployment's key, and every head it names still in the record with the same hash.
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct InviteArgs {
    #[arg(long)]
    pub email: String,
    /// The organization's name; created as a member organization if new.
    #[arg(long)]
    pub organization: String,
    /// Short name used when the organization is created (defaults to the name's initials).
    #[arg(long)]
    pub short_name: Option<String>,
    #[arg(long, value_enum, default_value = "secretariat")]
    pub role: RoleArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Secretariat,
    Delegate,
    Observer,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Role {
        match role {
            RoleArg::Secretariat => Role::Secretariat,
            RoleArg::Delegate => Role::Delegate,
            RoleArg::Observer => Role::Observer,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Args)]
pub struct Settings {
    /// Address to listen on.
    #[arg(long, env = "MINGA_BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: SocketAddr,
    /// `sqlite://path` (default, created if missing) or `postgres://...`.
    #[arg(long, env = "MINGA_DATABASE_URL", default_value = "sqlite://data/minga.db", global = true)]
    pub database_url: String,
    /// The address people use to reach Minga: Origin checks and invitation links.
    #[arg(long, env = "MINGA_PUBLIC_URL", default_value = "http://localhost:8080", global = true)]
    pub public_url: String,
    /// At least 32 bytes. If unset, a random secret is generated once and kept in the database.
    #[arg(long, env = "MINGA_JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<String>,
    /// The Ed25519 seed (64 hex digits) that signs checkpoints. If unset, one is generated once and kept
    /// in the database.
    #[arg(long, env = "MINGA_SIGNING_KEY", hide_env_values = true, global = true)]
    pub signing_key: Option<String>,
    /// Minutes between checkpoints while there are new events.
    #[arg(long, env = "MINGA_CHECKPOINT_MINUTES", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=1440), global = true)]
    pub checkpoint_minutes: u64,
    /// How long a sign-in lasts.
    #[arg(long, env = "MINGA_SESSION_HOURS", default_value_t = 24, global = true)]
    pub session_hours: u32,
    /// How long an invitation can be accepted.
    #[arg(long, env = "MINGA_INVITATION_DAYS", default_value_t = 7, global = true)]
    pub invitation_days: u32,
    /// Writes of each kind (comments, proposals, votes, flags) one person may make per minute.
    #[arg(long, env = "MINGA_WRITES_PER_MINUTE", default_value_t = 60, global = true)]
    pub writes_per_minute: u32,
    /// Log lines as text or as JSON objects.
    #[arg(long, env = "MINGA_LOG_FORMAT", value_enum, default_value = "text", global = true)]
    pub log_format: LogFormat,
    /// Take the client address from X-Forwarded-For (only behind a trusted proxy).
    #[arg(long, env = "MINGA_TRUST_FORWARDED_FOR", default_value_t = false, global = true)]
    pub trust_forwarded_for: bool,
    /// Seconds a request may take, body included, before it is answered 503.
    #[arg(long, env = "MINGA_REQUEST_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600), global = true)]
    pub request_timeout_secs: u64,
    /// Websockets one person may keep open on this node (phone, laptop, tabs); a further one gets 429.
    #[arg(long, env = "MINGA_WS_PER_PERSON", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub ws_per_person: u32,
    /// Password checks (sign-in, accepting an invitation) run at once, 19 MiB each; eight times as many
    /// may wait, and further ones get 503. Default: one per core.
    #[arg(long, env = "MINGA_PASSWORD_CHECKS", value_parser = clap::value_parser!(u32).range(1..=1024), global = true)]
    pub password_checks: Option<u32>,
    /// Connections (websockets included) open at once; a further one is answered 503 and closed.
    /// Default: what the open-files limit leaves room for, less a reserve for the database and files.
    #[arg(long, env = "MINGA_MAX_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub max_connections: Option<u32>,
    /// The mail server: `smtp://host:port`, `smtp+starttls://host`, `smtps://user:password@host`. Without it,
    /// mail waits in the outbox (the secretariat sees it) and is not sent.
    #[arg(long, env = "MINGA_SMTP_URL", hide_env_values = true, global = true)]
    pub smtp_url: Option<String>,
    /// The sender of every mail, e.g. `Foro <foro@example.org>`. Default: `Minga <minga@public-host>`.
    #[arg(long, env = "MINGA_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,
    /// Seconds before a mail that could not be sent is tried again; the wait doubles after each failed try
    /// (at most 6 hours), and after 10 tries the mail is marked failed.
    #[arg(long, env = "MINGA_MAIL_RETRY_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600), global = true)]
    pub mail_retry_secs: u64,
    /// Seconds a connection may take to send a request's headers, and may stay idle between requests.
    #[arg(long, env = "MINGA_HEADER_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600), global = true)]
    pub header_timeout_secs: u64,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("bind", &self.bind)
            .field("database_url", &redact_url(&self.database_url))
            .field("public_url", &self.public_url)
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "<redacted>"))
            .field("signing_key", &self.signing_key.as_ref().map(|_| "<redacted>"))
            .field("checkpoint_minutes", &self.checkpoint_minutes)
            .field("session_hours", &self.session_hours)
            .field("invitation_days", &self.invitation_days)
            .field("writes_per_minute", &self.writes_per_minute)
            .field("log_format", &self.log_format)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("request_timeout_secs", &self.request_timeout_secs)
            .field("ws_per_person", &self.ws_per_person)
            .field("password_checks", &self.password_checks)
            .field("max_connections", &self.max_connections)
            .field("header_timeout_secs", &self.header_timeout_secs)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail_from)
            .field("mail_retry_secs", &self.mail_retry_secs)
            .finish()
    }
}

/// Hides the password in `scheme://user:password@host/...`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split_once(':').map_or(credentials, |(user, _)| user);
            format!("{scheme}://{user}:<redacted>@{host}{path}")
        }
        None => url.to_owned(),
    }
}

pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// The public URL split into what the server needs from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    /// Without a trailing slash, for building links.
    pub base: String,
    /// `scheme://host[:port]`, compared with the Origin header.
    pub origin: String,
    pub https: bool,
}

impl PublicUrl {
    pub fn parse(url: &str) -> anyhow::Result<Self> {
        let base = url.trim().trim_end_matches('/').to_owned();
        let (scheme, rest) = base
            .split_once("://")
            .ok_or_else(|| anyhow::anyhow!("MINGA_PUBLIC_URL must start with http:// or https:// (got {url:?})"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            anyhow::bail!("MINGA_PUBLIC_URL must start with http:// or https:// (got {url:?})");
        }
        let host = rest.split('/').next().unwrap_or_default().to_ascii_lowercase();
        if host.is_empty() {
            anyhow::bail!("MINGA_PUBLIC_URL needs a host (got {url:?})");
        }
        // Browsers leave the scheme's default port out of Origin.
        let default_port = if scheme == "https" { ":443" } else { ":80" };
        let host = host.strip_suffix(default_port).unwrap_or(&host).to_owned();
        Ok(Self { origin: format!("{scheme}://{host}"), https: scheme == "https", base })
    }
}

impl Settings {
    /// The configured JWT secret, refused when too short to be safe.
    pub fn configured_jwt_secret(&self) -> anyhow::Result<Option<&str>> {
        match self.jwt_secret.as_deref() {
            Some(secret) if secret.len() < MIN_JWT_SECRET_BYTES => anyhow::bail!(
                "MINGA_JWT_SECRET is {} bytes long; it must have at least {MIN_JWT_SECRET_BYTES} \
                 (for example the output of `openssl rand -hex 32`), or be left unset so Minga \
                 generates one and keeps it in the database",
                secret.len()
            ),
            other => Ok(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_passwords_are_redacted() {
        assert_eq!(redact_url("postgres://minga:s3cret@db:5432/minga"), "postgres://minga:<redacted>@db:5432/minga");
        assert_eq!(redact_url("sqlite://data/minga.db"), "sqlite://data/minga.db");
    }

    #[test]
    fn debug_never_shows_secrets() {
        let cli = Cli::parse_from([
            "minga",
            "--jwt-secret",
            "a-very-secret-value-that-is-long-enough",
            "--database-url",
            "postgres://u:pw-in-url@h/db",
        ]);
        let shown = format!("{:?}", cli.settings);
        assert!(!shown.contains("a-very-secret"), "{shown}");
        assert!(!shown.contains("pw-in-url"), "{shown}");
    }

    #[test]
    fn public_url_gives_origin_and_base() {
        let url = PublicUrl::parse("https://Minga.Example.org/foro/").expect("valid");
        assert_eq!(url.origin, "https://minga.example.org");
        assert_eq!(url.base, "https://Minga.Example.org/foro");
        assert!(url.https);
        assert!(PublicUrl::parse("ftp://x").is_err());
        assert!(PublicUrl::parse("localhost:8080").is_err());
    }

    #[test]
    fn a_default_port_is_not_part_of_the_origin() {
        assert_eq!(PublicUrl::parse("https://foro.ec:443").expect("valid").origin, "https://foro.ec");
        assert_eq!(PublicUrl::parse("http://foro.ec:80/").expect("valid").origin, "http://foro.ec");
        assert_eq!(PublicUrl::parse("http://foro.ec:443").expect("valid").origin, "http://foro.ec:443");
        assert_eq!(PublicUrl::parse("http://localhost:8080").expect("valid").origin, "http://localhost:8080");
    }

    #[test]
    fn short_jwt_secrets_are_refused() {
        let cli = Cli::parse_from(["minga", "--jwt-secret", "short"]);
        let err = cli.settings.configured_jwt_secret().unwrap_err().to_string();
        assert!(err.contains("at least 32"), "{err}");
        let cli = Cli::parse_from(["minga", "--jwt-secret", &"k".repeat(32)]);
        assert!(cli.settings.configured_jwt_secret().is_ok());
    }
}
