//! Delivers the outbox. Every node runs a sender when SMTP is set; a mail is
//! claimed (leased) before it is sent, so two nodes never send it at once,
//! and one left by a node that died mid-send is claimed again when its
//! lease ends. A failed try is retried later (`domain::mail::after_failure`);
//! no request ever waits on the mail server.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::domain::mail::{after_failure, Outgoing};
use crate::store::Store;

/// How often the outbox is looked at without being woken: retries come due,
/// and mail written on other nodes waits at most this long.
pub const POLL_EVERY: Duration = Duration::from_secs(5);
/// How long a claimed mail is this node's: longer than a try can take.
pub const LEASE: Duration = Duration::from_secs(120);
/// Mails claimed at once.
const BATCH: u32 = 20;
/// Mails of a batch in flight at once, over pooled connections: one at a
/// time, a local server took 1,000 mails at 18 a second (each waiting on
/// the server's answer to the one before).
const AT_ONCE: usize = 4;

pub struct Mailer {
    pub transport: AsyncSmtpTransport<Tokio1Executor>,
    pub from: Mailbox,
    /// The wait after a first failed try (it doubles after each).
    pub first_retry: Duration,
}

pub fn start(store: Arc<dyn Store>, mailer: Arc<Mailer>, wake: Arc<Notify>, shutdown: CancellationToken) {
    tokio::spawn(async move {
        loop {
            deliver_due(store.as_ref(), &mailer).await;
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = wake.notified() => {}
                () = tokio::time::sleep(POLL_EVERY) => {}
            }
        }
    });
}

/// Sends what is due, batch after batch, until nothing is.
pub async fn deliver_due(store: &dyn Store, mailer: &Mailer) {
    loop {
        let now = chrono::Utc::now();
        let lease_until = now + chrono::Duration::from_std(LEASE).unwrap_or(chrono::Duration::minutes(2));
        let batch = match store.claim_mail(now, lease_until, BATCH).await {
            Ok(batch) => batch,
            Err(err) => {
                tracing::warn!(error = %err, "could not read the outbox; trying again shortly");
                return;
            }
        };
        if batch.is_empty() {
            return;
        }
        futures_util::stream::iter(batch).for_each_concurrent(AT_ONCE, |mail| deliver(store, mailer, mail)).await;
    }
}

async fn deliver(store: &dyn Store, mailer: &Mailer, mail: Outgoing) {
    let outcome = match message(&mailer.from, &mail) {
        Ok(message) => mailer.transport.send(message).await.map(|_| ()).map_err(|err| err.to_string()),
        Err(err) => Err(err),
    };
    let recorded = match outcome {
        Ok(()) => {
            metrics::counter!("minga_mail_sent_total").increment(1);
            store.mail_sent(mail.id, chrono::Utc::now()).await
        }
        Err(error) => {
            let retry_at = after_failure(mailer.first_retry, mail.attempts, chrono::Utc::now());
            metrics::counter!("minga_mail_failures_total").increment(1);
            // The recipient and the body stay out of the log: the id finds them.
            tracing::warn!(mail = %mail.id, attempts = mail.attempts, gave_up = retry_at.is_none(), %error, "a mail was not sent");
            store.mail_not_sent(mail.id, &error, retry_at).await
        }
    };
    if let Err(err) = recorded {
        // The lease runs out and the mail is tried again: at worst sent twice,
        // with the same Message-ID.
        tracing::warn!(mail = %mail.id, error = %err, "could not record a mail's delivery");
    }
}

/// The mail as sent: both parts, its own `Message-ID`.
pub fn message(from: &Mailbox, mail: &Outgoing) -> Result<Message, String> {
    let to: Mailbox = mail.recipient.parse().map_err(|err| format!("the recipient is not a mail address: {err}"))?;
    let mut builder = Message::builder();
    if let Some(url) = &mail.unsubscribe {
        // RFC 8058: a mail program may unsubscribe with one POST, no page to read.
        let header = |name: &str, value: String| {
            HeaderName::new_from_ascii(name.to_owned()).map(|name| HeaderValue::new(name, value))
        };
        for raw in [
            header("List-Unsubscribe", format!("<{url}>")),
            header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".to_owned()),
        ] {
            builder = builder.raw_header(raw.map_err(|err| format!("the mail could not be built: {err}"))?);
        }
    }
    builder
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(mail.message_id.clone()))
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(mail.text.clone()))
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(mail.html.clone())),
        )
        .map_err(|err| format!("the mail could not be built: {err}"))
}
