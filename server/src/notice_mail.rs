//! Mails the notifications people want by mail: at once, or in the day's
//! digest at 18:00 in Ecuador (`domain::preferences`). Each is marked to
//! mail in the transaction that recorded it; every node runs this task, and
//! `mail_notices` lets one node mail each, once, across restarts: a digest
//! the server was down for goes out when it comes back.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use crate::auth::token::Tokens;
use crate::config::PublicUrl;
use crate::domain::ids::{NoticeId, UserId};
use crate::domain::mail::{MailKind, NewMail};
use crate::domain::preferences::{digest_cutoff, Delivery};
use crate::mail::compose::{self, DigestItem};
use crate::mail::Mail;
use crate::notice_text::say;
use crate::store::notice_delivery::ToMail;
use crate::store::Store;

/// How often to look for notifications to mail.
pub const EVERY: Duration = Duration::from_secs(2);
/// Notifications read per pass.
const BATCH: u32 = 500;
/// A notification meant for mail at once that waited longer than this (the
/// mail server was not set up then) is no longer news: it stays in the app.
const STALE_AFTER: chrono::Duration = chrono::Duration::hours(24);

/// What a pass needs to write a mail.
#[derive(Clone)]
pub struct Writer {
    pub store: Arc<dyn Store>,
    pub tokens: Tokens,
    pub public_url: PublicUrl,
    pub mail: Mail,
}

pub fn start(writer: Writer, shutdown: CancellationToken) {
    tokio::spawn(async move {
        loop {
            if let Err(err) = writer.mail_due(Utc::now()).await {
                tracing::warn!(error = %err, "could not mail the notifications; trying again shortly");
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(EVERY) => {}
            }
        }
    });
}

impl Writer {
    /// One pass at `now`: writes every mail due to the outbox; how many.
    pub async fn mail_due(&self, now: DateTime<Utc>) -> crate::store::StoreResult<u32> {
        let mut written = 0;
        loop {
            let due = self.store.notice_mails_due(digest_cutoff(now), BATCH).await?;
            if due.is_empty() {
                break;
            }
            let mut progress = false;
            let mut digests: BTreeMap<UserId, Vec<ToMail>> = BTreeMap::new();
            for item in due {
                if item.via == Delivery::Digest {
                    digests.entry(item.user).or_default().push(item);
                    continue;
                }
                let these = [(item.user, item.notification.id)];
                let mail = (item.notification.created_at > now - STALE_AFTER).then(|| self.at_once(&item, now));
                let done = self.store.mail_notices(&these, mail.as_ref()).await?;
                written += u32::from(done && mail.is_some());
                progress |= done;
            }
            for items in digests.into_values() {
                let these: Vec<(UserId, NoticeId)> = items.iter().map(|i| (i.user, i.notification.id)).collect();
                let mail = self.digest(&items, now);
                let done = self.store.mail_notices(&these, Some(&mail)).await?;
                written += u32::from(done);
                progress |= done;
            }
            if !progress {
                // Every one was taken by another node meanwhile.
                break;
            }
        }
        if written > 0 {
            tracing::info!(written, "notification mails written to the outbox");
            self.mail.written();
        }
        Ok(written)
    }

    /// The page a mail's link opens (it asks first), and the address a
    /// mail program's one-click unsubscribe posts to (RFC 8058).
    fn unsubscribe_links(&self, user: UserId, kind: &str, now: DateTime<Utc>) -> (String, String) {
        let token = self.tokens.issue_unsubscribe(user, kind, now);
        let base = &self.public_url.base;
        (format!("{base}/baja?token={token}"), format!("{base}/api/v1/unsubscribe?token={token}"))
    }

    fn at_once(&self, item: &ToMail, now: DateTime<Utc>) -> NewMail {
        let (title, body) = say(&item.notification, item.lang);
        let link = format!("{}{}", self.public_url.base, item.notification.link);
        let (page, one_click) = self.unsubscribe_links(item.user, item.notification.kind.as_str(), now);
        let composed = compose::notification(item.lang, &title, &body, &link, &page);
        let mut mail = NewMail::new(MailKind::Notification, &item.email, composed, Some(link), &self.mail.host);
        mail.unsubscribe = Some(one_click);
        mail
    }

    /// One mail with all of a person's digest notifications, oldest first.
    fn digest(&self, items: &[ToMail], now: DateTime<Utc>) -> NewMail {
        let first = &items[0];
        let entries: Vec<DigestItem> = items
            .iter()
            .map(|item| {
                let (title, body) = say(&item.notification, item.lang);
                DigestItem { title, body, link: format!("{}{}", self.public_url.base, item.notification.link) }
            })
            .collect();
        let mut kinds: Vec<&str> = items.iter().map(|item| item.notification.kind.as_str()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let links: Vec<(String, String)> =
            kinds.iter().map(|kind| self.unsubscribe_links(first.user, kind, now)).collect();
        let pages: Vec<&str> = links.iter().map(|(page, _)| page.as_str()).collect();
        let composed = compose::digest(first.lang, &entries, &pages);
        let mut mail = NewMail::new(MailKind::Digest, &first.email, composed, None, &self.mail.host);
        // One kind: the mail program's own unsubscribe button can say which.
        if let [(_, one_click)] = links.as_slice() {
            mail.unsubscribe = Some(one_click.clone());
        }
        mail
    }
}
