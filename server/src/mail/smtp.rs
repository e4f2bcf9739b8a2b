//! The SMTP connection `MINGA_SMTP_URL` names: `smtp://host:port` (plain,
//! for a relay on the same machine or network), `smtp+starttls://` (upgraded
//! to TLS, port 587 by default) and `smtps://` (TLS from the start, 465),
//! each with optional `user:password@`.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, Tokio1Executor};

/// A mail server that does not answer within this is down for this try.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    Plain,
    StartTls,
    Tls,
}

#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    pub security: Security,
    pub host: String,
    pub port: u16,
    pub credentials: Option<(String, String)>,
}

impl std::fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpUrl")
            .field("security", &self.security)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("credentials", &self.credentials.as_ref().map(|(user, _)| (user, "<redacted>")))
            .finish()
    }
}

impl SmtpUrl {
    pub fn parse(text: &str) -> anyhow::Result<SmtpUrl> {
        let url = url::Url::parse(text.trim())
            .map_err(|err| anyhow::anyhow!("MINGA_SMTP_URL is not a URL ({err}); e.g. smtp://localhost:25"))?;
        let (security, default_port) = match url.scheme() {
            "smtp" => (Security::Plain, 25),
            "smtp+starttls" => (Security::StartTls, 587),
            "smtps" => (Security::Tls, 465),
            other => {
                anyhow::bail!("MINGA_SMTP_URL must start with smtp://, smtp+starttls:// or smtps:// (got {other}://)")
            }
        };
        let host = url.host_str().filter(|host| !host.is_empty());
        let host = host.ok_or_else(|| anyhow::anyhow!("MINGA_SMTP_URL needs a host, e.g. smtp://localhost:25"))?;
        let decode = |part: &str| percent_decode(part);
        let credentials = match (url.username(), url.password()) {
            ("", None) => None,
            (user, password) => Some((decode(user), decode(password.unwrap_or_default()))),
        };
        Ok(SmtpUrl {
            security,
            host: host.trim_start_matches('[').trim_end_matches(']').to_owned(),
            port: url.port().unwrap_or(default_port),
            credentials,
        })
    }

    pub fn transport(&self) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
        let builder = match self.security {
            Security::Plain => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host),
            Security::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&self.host)?,
            Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&self.host)?,
        };
        let builder = builder.port(self.port).timeout(Some(SMTP_TIMEOUT));
        let builder = match &self.credentials {
            Some((user, password)) => builder.credentials(Credentials::new(user.clone(), password.clone())),
            None => builder,
        };
        Ok(builder.build())
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `MINGA_MAIL_FROM`, or `Minga <minga@public-host>`.
pub fn sender(configured: Option<&str>, public_host: &str) -> anyhow::Result<Mailbox> {
    let text = configured.map_or_else(|| format!("Minga <minga@{public_host}>"), str::to_owned);
    text.parse().map_err(|err| anyhow::anyhow!("MINGA_MAIL_FROM is not a mail address ({err}): {text:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_scheme_has_its_security_and_default_port() {
        let plain = SmtpUrl::parse("smtp://127.0.0.1:2525").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (plain.security, plain.host.as_str(), plain.port, plain.credentials),
            (Security::Plain, "127.0.0.1", 2525, None)
        );
        let tls = SmtpUrl::parse("smtps://foro%40m.ec:p%3Ass@mail.m.ec").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((tls.security, tls.port), (Security::Tls, 465));
        assert_eq!(tls.credentials, Some(("foro@m.ec".to_owned(), "p:ss".to_owned())));
        assert!(!format!("{tls:?}").contains("p:ss"), "the password stays out of logs");
        assert_eq!(
            SmtpUrl::parse("smtp+starttls://mail.m.ec").map(|u| (u.security, u.port)).ok(),
            Some((Security::StartTls, 587))
        );
        assert!(SmtpUrl::parse("http://mail.m.ec").is_err());
        assert!(SmtpUrl::parse("smtp://").is_err());
    }

    #[test]
    fn the_sender_defaults_to_the_public_host() {
        assert_eq!(sender(None, "foro.ec").map(|m| m.to_string()).ok().as_deref(), Some("Minga <minga@foro.ec>"));
        assert!(sender(Some("not an address"), "foro.ec").is_err());
    }
}
