//! Mail: composed in the recipient's language (`compose`), kept in the
//! outbox in the transaction of its cause (`store::OutboxStore`), and
//! delivered after commit over SMTP (`sender`, `smtp`). Without an SMTP URL
//! nothing is sent: the mail waits in the outbox, where the secretariat
//! sees it and its link.

pub mod compose;
pub mod sender;
pub mod smtp;

use std::sync::Arc;

use tokio::sync::Notify;

use crate::config::{PublicUrl, Settings};

/// How this deployment delivers mail.
#[derive(Clone)]
pub struct Mail {
    /// The SMTP sender; `None` when no server is set and the outbox only fills.
    pub sender: Option<Arc<sender::Mailer>>,
    /// Wakes this node's sender when a mail was written.
    pub wake: Arc<Notify>,
    /// Names the deployment in `Message-ID`s.
    pub host: String,
}

impl Mail {
    /// From the settings; a malformed SMTP URL or sender address stops the
    /// start-up with a clear message.
    pub fn new(settings: &Settings, public_url: &PublicUrl) -> anyhow::Result<Mail> {
        let host = public_url.origin.split_once("://").map_or("localhost", |(_, host)| host);
        let host = host.split(':').next().unwrap_or("localhost").to_owned();
        let sender = match &settings.smtp_url {
            None => None,
            Some(url) => {
                let url = smtp::SmtpUrl::parse(url)?;
                let from = smtp::sender(settings.mail_from.as_deref(), &host)?;
                let first_retry = std::time::Duration::from_secs(settings.mail_retry_secs);
                Some(Arc::new(sender::Mailer { transport: url.transport()?, from, first_retry }))
            }
        };
        Ok(Mail { sender, wake: Arc::new(Notify::new()), host })
    }

    pub fn delivers(&self) -> bool {
        self.sender.is_some()
    }

    /// A mail was written: this node sends it at once (others within `sender::POLL_EVERY`).
    pub fn written(&self) {
        self.wake.notify_one();
    }
}
