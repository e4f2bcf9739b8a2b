//! Mail that is never lost, on both backends, through a real SMTP server
//! (aiosmtpd): an invitation is written to the outbox with its cause and
//! delivered after commit, both parts and a stable Message-ID, its link
//! working; without SMTP it waits in the outbox, link shown to the
//! secretariat only; while the mail server is down it waits and arrives
//! once when it returns; a failed mail can be tried again; two senders on
//! one PostgreSQL send each mail once.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::collections::HashSet;
use std::time::Duration;

use minga::domain::mail::MailStatus;
use minga::store::Page;
use minga_tests::smtp::{Received, SmtpServer};
use minga_tests::{on_both_backends, settings_for, Backend, Session, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_backends!(
    an_invitation_is_mailed_with_both_parts_and_its_link_works,
    without_smtp_mail_waits_in_the_outbox_for_the_secretariat,
    mail_waits_while_the_mail_server_is_down_and_arrives_once,
    a_failed_mail_can_be_tried_again,
);

const PATIENCE: Duration = Duration::from_secs(20);

async fn invite(app: &TestApp, admin: &Session, email: &str) -> Value {
    let org = app.organization("Fundación Esperanza", "member").await;
    let body = json!({"email": email, "organization_id": org.id, "role": "delegate"});
    app.answer(Some(admin), Method::POST, "/api/v1/invitations", Some(body), StatusCode::CREATED).await
}

/// The harness's own accounts come by invitation too (and are mailed);
/// the suites look at the mail they make themselves.
fn made_here(recipient: &str) -> bool {
    recipient.ends_with("@esperanza.ec") && recipient != "ana@esperanza.ec"
}

async fn outbox(app: &TestApp, admin: &Session, query: &str) -> (String, Vec<Value>) {
    let response = app.as_user(admin, Method::GET, &format!("/api/v1/outbox{query}")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let delivery = response.headers()["x-minga-mail-delivery"].to_str().unwrap().to_owned();
    let entries = response.json::<Vec<Value>>().await.unwrap();
    (delivery, entries.into_iter().filter(|e| made_here(e["recipient"].as_str().unwrap())).collect())
}

async fn received(smtp: &SmtpServer, count: usize, within: Duration) -> Vec<Received> {
    let deadline = std::time::Instant::now() + within;
    loop {
        let mine: Vec<_> = smtp.received().into_iter().filter(|m| made_here(&m.to)).collect();
        if mine.len() >= count || std::time::Instant::now() >= deadline {
            return mine;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn an_invitation_is_mailed_with_both_parts_and_its_link_works(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app =
        TestApp::spawn_with(backend, &["--smtp-url", &smtp.url(), "--mail-from", "Foro <foro@example.org>"]).await;
    let admin = app.secretariat().await;
    let created = invite(&app, &admin, "lucia@esperanza.ec").await;
    let received = received(&smtp, 1, PATIENCE).await;
    assert_eq!(received.len(), 1, "one mail: {received:?}");
    let mail = &received[0];
    assert_eq!(mail.to, "lucia@esperanza.ec");
    assert_eq!(mail.from, "Foro <foro@example.org>");
    assert_eq!(mail.subject, "Invitación para participar en Minga: Fundación Esperanza");
    let url = created["url"].as_str().unwrap();
    assert!(mail.text.contains(url) && mail.text.contains("como delegado/a"), "{}", mail.text);
    assert!(mail.html.contains(&format!("<a href=\"{url}\">")), "{}", mail.html);
    // The link, followed from the mail, opens the invitation.
    let link = mail.text.lines().find(|line| line.starts_with("http")).unwrap();
    let token = link.rsplit('/').next().unwrap();
    let opened = app.answer(None, Method::GET, &format!("/api/v1/invitations/{token}"), None, StatusCode::OK).await;
    assert_eq!(opened["email"], "lucia@esperanza.ec");
    // The outbox says it was sent once, under the Message-ID the mail carried.
    let (delivery, entries) = outbox(&app, &admin, "?status=sent").await;
    assert_eq!(delivery, "smtp");
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["message_id"], mail.message_id.as_str());
    assert_eq!(entries[0]["attempts"], 1);
    assert_eq!(entries[0]["kind"], "invitation");
    assert!(entries[0]["sent_at"].is_string());
    assert!(outbox(&app, &admin, "?status=pending").await.1.is_empty());
}

async fn without_smtp_mail_waits_in_the_outbox_for_the_secretariat(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let created = invite(&app, &admin, "mario@esperanza.ec").await;
    let (delivery, entries) = outbox(&app, &admin, "").await;
    assert_eq!(delivery, "off", "the console is told mail is not sent");
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!((&entry["status"], &entry["attempts"]), (&json!("pending"), &json!(0)));
    assert_eq!(entry["recipient"], "mario@esperanza.ec");
    assert_eq!(entry["link"], created["url"], "the secretariat can hand the link over");
    assert!(entry.get("text").is_none() && entry.get("html").is_none(), "bodies stay in the outbox: {entry}");
    // Only the secretariat reads the outbox; a bad filter is refused.
    let delegate = app.delegate("ana@esperanza.ec", "Fundación Esperanza").await;
    app.answer(Some(&delegate), Method::GET, "/api/v1/outbox", None, StatusCode::FORBIDDEN).await;
    app.answer(None, Method::GET, "/api/v1/outbox", None, StatusCode::UNAUTHORIZED).await;
    app.answer(Some(&admin), Method::GET, "/api/v1/outbox?status=lost", None, StatusCode::UNPROCESSABLE_ENTITY).await;
    // The invitation and its mail are one write: a refused invitation leaves no mail.
    let body = json!({"email": "x@esperanza.ec", "organization_id": uuid::Uuid::now_v7(), "role": "delegate"});
    app.answer(Some(&admin), Method::POST, "/api/v1/invitations", Some(body), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(outbox(&app, &admin, "").await.1.len(), 1);
}

async fn mail_waits_while_the_mail_server_is_down_and_arrives_once(backend: Backend) {
    let mut smtp = SmtpServer::start().await;
    smtp.stop();
    let app = TestApp::spawn_with(backend, &["--smtp-url", &smtp.url(), "--mail-retry-secs", "1"]).await;
    let admin = app.secretariat().await;
    for n in 0..3 {
        invite(&app, &admin, &format!("persona{n}@esperanza.ec")).await;
    }
    // Tried and refused: pending, with the error, nothing lost.
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let (_, pending) = outbox(&app, &admin, "?status=pending").await;
        if pending.len() == 3
            && pending.iter().all(|m| m["attempts"].as_u64() >= Some(1) && m["last_error"].is_string())
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the failed tries were not recorded: {pending:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    smtp.resume().await;
    let arrived = received(&smtp, 3, PATIENCE).await;
    assert_eq!(arrived.len(), 3, "every mail arrived after the server returned: {arrived:?}");
    // A while later, still each exactly once.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let received = received(&smtp, usize::MAX, Duration::ZERO).await;
    let ids: HashSet<_> = received.iter().map(|m| m.message_id.clone()).collect();
    assert_eq!((received.len(), ids.len()), (3, 3), "each mail once: {received:?}");
    let (_, sent) = outbox(&app, &admin, "?status=sent").await;
    assert_eq!(sent.len(), 3);
}

async fn a_failed_mail_can_be_tried_again(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    invite(&app, &admin, "rosa@esperanza.ec").await;
    let (_, entries) = outbox(&app, &admin, "").await;
    let id = entries[0]["id"].as_str().unwrap().to_owned();
    let retry = format!("/api/v1/outbox/{id}/retry");
    app.answer(Some(&admin), Method::POST, &retry, None, StatusCode::CONFLICT).await;
    // As the sender records a last try that failed.
    let mail_id = minga::domain::ids::MailId(id.parse().unwrap());
    app.store().mail_not_sent(mail_id, "550 mailbox unavailable", None).await.unwrap();
    let (_, failed) = outbox(&app, &admin, "?status=failed").await;
    assert_eq!(failed[0]["last_error"], "550 mailbox unavailable");
    let delegate = app.delegate("ana@esperanza.ec", "Fundación Esperanza").await;
    app.answer(Some(&delegate), Method::POST, &retry, None, StatusCode::FORBIDDEN).await;
    app.answer(Some(&admin), Method::POST, &retry, None, StatusCode::NO_CONTENT).await;
    let (_, pending) = outbox(&app, &admin, "?status=pending").await;
    assert_eq!((pending.len(), &pending[0]["attempts"]), (1, &json!(0)));
}

/// Two nodes' senders on one PostgreSQL, draining the same outbox at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_senders_on_one_postgresql_send_each_mail_once() {
    let smtp = SmtpServer::start().await;
    // Written with no sender running, so both start on a full outbox.
    let app = TestApp::spawn(Backend::Postgres).await;
    let admin = app.secretariat().await;
    const MAILS: usize = 40;
    for n in 0..MAILS {
        invite(&app, &admin, &format!("nodo{n}@esperanza.ec")).await;
    }
    let stop = tokio_util::sync::CancellationToken::new();
    for _ in 0..2 {
        let settings = settings_for(&app.db.url, &["--smtp-url", &smtp.url()]);
        let node = minga::state::open(&settings).await.unwrap();
        let mailer = node.mail.sender.clone().unwrap();
        minga::mail::sender::start(node.store.clone(), mailer, node.mail.wake.clone(), stop.child_token());
    }
    let received_now = received(&smtp, MAILS, Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let received_later = received(&smtp, usize::MAX, Duration::ZERO).await;
    stop.cancel();
    assert_eq!(received_now.len(), MAILS);
    let ids: HashSet<_> = received_later.iter().map(|m| m.message_id.clone()).collect();
    assert_eq!((received_later.len(), ids.len()), (MAILS, MAILS), "each mail exactly once");
    let sent = app.store().outbox(Some(MailStatus::Sent), Page::all()).await.unwrap();
    assert_eq!(sent.len(), MAILS + 1, "the suite's mails and the secretariat's own invitation");
    assert!(sent.iter().all(|m| m.attempts == 1), "no mail was claimed twice");
}
