//! How notifications leave the inbox, on both backends: preferences with
//! their defaults, a ballot mailed at once through a real SMTP server
//! (aiosmtpd) with a one-click unsubscribe link that works without signing
//! in, replies kept for the 18:00 digest (mailed once, read ones left out,
//! two nodes at once writing each mail once), the websocket topic `me`
//! carrying each new notification live to its reader only, and what waits
//! for an organization (`/me/pending`).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use minga::domain::preferences::digest_cutoff;
use minga_tests::smtp::{Received, SmtpServer};
use minga_tests::{on_both_backends, Backend, Session, TestApp, PUBLIC_URL};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_backends!(
    preferences_have_defaults_and_what_is_off_is_not_recorded,
    a_ballot_is_mailed_at_once_and_its_unsubscribe_link_works,
    replies_wait_for_the_digest_at_six_in_the_evening,
    the_topic_me_carries_each_new_notification_to_its_reader,
    pending_says_what_waits_for_my_organization,
    the_at_autocomplete_finds_active_people_by_any_word_of_their_name,
    mail_is_in_the_language_the_person_chose,
);

const PATIENCE: StdDuration = StdDuration::from_secs(20);

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

async fn open_ballot(app: &TestApp, admin: &Session, proposal: &str, hours: Option<i64>) -> String {
    let mut rule = json!({"majority": "simple", "quorum": 0.5, "secret": false, "live_results": false});
    if let Some(hours) = hours {
        rule["closes_at"] = json!(Utc::now() + Duration::hours(hours));
    }
    let path = format!("/api/v1/proposals/{proposal}/ballot");
    id(&app.answer(Some(admin), Method::POST, &path, Some(rule), StatusCode::CREATED).await)
}

async fn preferences_have_defaults_and_what_is_off_is_not_recorded(backend: Backend) {
    let t = minga_tests::thread(backend).await;
    let path = "/api/v1/me/preferences";
    let defaults = t.app.answer(Some(&t.ana), Method::GET, path, None, StatusCode::OK).await;
    assert_eq!(defaults["lang"], "es");
    assert_eq!(defaults["notifications"]["ballot.opened"], "email", "ballots by mail at once");
    assert_eq!(defaults["notifications"]["ballot.reminder"], "email");
    assert_eq!(defaults["notifications"]["comment.reply"], "digest", "replies in the digest");
    assert_eq!(defaults["notifications"]["comment.mention"], "digest");
    assert_eq!(defaults["notifications"]["document.phase"], "email", "a new phase changes what one may do");
    assert_eq!(defaults["notifications"].as_object().unwrap().len(), 9, "every kind: {defaults}");

    let chosen = json!({"lang": "en", "notifications": {"comment.reply": "off"}});
    let saved = t.app.answer(Some(&t.ana), Method::PUT, path, Some(chosen), StatusCode::OK).await;
    assert_eq!((&saved["lang"], &saved["notifications"]["comment.reply"]), (&json!("en"), &json!("off")));
    assert_eq!(saved["notifications"]["ballot.opened"], "email", "kinds left out keep their default");
    assert_eq!(t.app.answer(Some(&t.ana), Method::GET, path, None, StatusCode::OK).await, saved);
    let other = t.app.answer(Some(&t.beto), Method::GET, path, None, StatusCode::OK).await;
    assert_eq!(other["lang"], "es", "each person their own");

    for bad in [
        json!({"lang": "en", "notifications": {"comment.dance": "app"}}),
        json!({"lang": "en", "notifications": {"comment.reply": "loud"}}),
        json!({"lang": "fr", "notifications": {}}),
        json!({"lang": "es", "volume": 11}),
    ] {
        t.app.answer(Some(&t.ana), Method::PUT, path, Some(bad), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    t.app.answer(None, Method::GET, path, None, StatusCode::UNAUTHORIZED).await;
    t.app.answer(None, Method::PUT, path, Some(json!({"lang": "es"})), StatusCode::UNAUTHORIZED).await;

    // Replies are off for Ana: a reply to her is not recorded at all.
    let first = t.app.comment(&t.ana, &t.proposal, "¿Quince días?").await;
    let reply = json!({"body": "Treinta.", "parent_id": id(&first)});
    let comments = format!("/api/v1/proposals/{}/comments", t.proposal);
    t.app.answer(Some(&t.beto), Method::POST, &comments, Some(reply), StatusCode::CREATED).await;
    let inbox = t.app.answer(Some(&t.ana), Method::GET, "/api/v1/me/notifications", None, StatusCode::OK).await;
    assert_eq!(inbox, json!([]), "off means not at all");
}

/// The mails made by this suite (the harness's own accounts are invited by mail too).
async fn mails_to(smtp: &SmtpServer, to: &str, count: usize) -> Vec<Received> {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let mine: Vec<Received> =
            smtp.received().into_iter().filter(|m| m.to == to && !m.subject.contains("Invitación")).collect();
        if mine.len() >= count || std::time::Instant::now() >= deadline {
            return mine;
        }
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
}

async fn a_ballot_is_mailed_at_once_and_its_unsubscribe_link_works(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with(backend, &["--smtp-url", &smtp.url()]).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@ong.ec", "Fundación Esperanza").await;
    let (document, articles) = app.charter(&admin, 3).await;
    let proposal = id(&app.proposal(&ana, &document, &articles[1]).await);
    let second = id(&app.proposal(&ana, &document, &articles[2]).await);
    open_ballot(&app, &admin, &proposal, Some(48)).await;

    let mails = mails_to(&smtp, "ana@ong.ec", 1).await;
    assert_eq!(mails.len(), 1, "the ballot, at once (its status change waits for the digest): {mails:?}");
    let mail = &mails[0];
    assert!(mail.subject.starts_with("Se abrió una votación: "), "{}", mail.subject);
    let link = format!("{PUBLIC_URL}/propuestas/{proposal}");
    assert!(mail.text.contains(&link) && mail.html.contains(&format!("<a href=\"{link}\">")), "{}", mail.html);
    let page = mail.text.lines().find(|line| line.contains("/baja?token=")).unwrap().trim();
    assert!(mail.html.contains(page), "both parts carry the unsubscribe link");
    let token = page.rsplit("token=").next().unwrap();
    let one_click = format!("{PUBLIC_URL}/api/v1/unsubscribe?token={token}");
    assert_eq!(mail.list_unsubscribe, format!("<{one_click}>"), "RFC 8058 headers");
    assert_eq!(mail.list_unsubscribe_post, "List-Unsubscribe=One-Click");

    // What the link stands for, asked with no sign-in: asking changes nothing.
    let path = one_click.strip_prefix(PUBLIC_URL).unwrap();
    let asked = app.answer(None, Method::GET, path, None, StatusCode::OK).await;
    assert_eq!(asked, json!({"kind": "ballot.opened", "delivery": "email", "lang": "es"}));
    let mut forged = path.to_owned();
    forged.pop();
    app.answer(None, Method::GET, &forged, None, StatusCode::NOT_FOUND).await;
    app.answer(None, Method::POST, &forged, None, StatusCode::NOT_FOUND).await;
    let session_as_link = format!("/api/v1/unsubscribe?token={}", ana.token);
    app.answer(None, Method::POST, &session_as_link, None, StatusCode::NOT_FOUND).await;
    app.answer(None, Method::POST, "/api/v1/unsubscribe", None, StatusCode::UNPROCESSABLE_ENTITY).await;
    // The one click, as a mail program sends it (a form body, not JSON).
    let done = app
        .request(Method::POST, path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    assert_eq!(done.json::<Value>().await.unwrap()["delivery"], "app");
    let prefs = app.answer(Some(&ana), Method::GET, "/api/v1/me/preferences", None, StatusCode::OK).await;
    assert_eq!(prefs["notifications"]["ballot.opened"], "app", "set to the app, not off");
    assert_eq!(prefs["notifications"]["ballot.closed"], "email", "only that kind");

    // The next ballot reaches her inbox, not her mail.
    let ballot = open_ballot(&app, &admin, &second, None).await;
    let close = format!("/api/v1/ballots/{ballot}/close");
    app.answer(Some(&admin), Method::POST, &close, None, StatusCode::OK).await;
    let mails = mails_to(&smtp, "ana@ong.ec", 2).await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(
        mails[1].subject.starts_with("Se cerró la votación"),
        "the close still comes by mail: {}",
        mails[1].subject
    );
    tokio::time::sleep(StdDuration::from_secs(3)).await;
    assert_eq!(mails_to(&smtp, "ana@ong.ec", usize::MAX).await.len(), 2, "and nothing else, nor twice");
    let inbox = app.answer(Some(&ana), Method::GET, "/api/v1/me/notifications", None, StatusCode::OK).await;
    let opened = inbox.as_array().unwrap().iter().filter(|n| n["kind"] == "ballot.opened").count();
    assert_eq!(opened, 2, "both ballots are in the inbox");
}

async fn replies_wait_for_the_digest_at_six_in_the_evening(backend: Backend) {
    let t = minga_tests::thread(backend).await;
    let carla = t.app.delegate("carla@otra.ec", "Fundación Otra").await;
    let first = t.app.comment(&t.ana, &t.proposal, "¿Quince días?").await;
    let second = t.app.comment(&carla, &t.proposal, "¿Y las actas?").await;
    let comments = format!("/api/v1/proposals/{}/comments", t.proposal);
    for (parent, body) in [(&first, "Treinta."), (&second, "En una semana.")] {
        let reply = json!({"body": body, "parent_id": id(parent)});
        t.app.answer(Some(&t.beto), Method::POST, &comments, Some(reply), StatusCode::CREATED).await;
    }
    // Carla reads hers in the app first: it is not mailed.
    t.app
        .answer(
            Some(&carla),
            Method::POST,
            "/api/v1/me/notifications/read",
            Some(json!({"all": true})),
            StatusCode::NO_CONTENT,
        )
        .await;

    let writer = t.app.state.notice_mail_writer();
    let now = Utc::now();
    let before_six = digest_cutoff(now) + Duration::days(1) - Duration::minutes(1);
    assert!(before_six > now);
    assert_eq!(writer.mail_due(before_six).await.unwrap(), 0, "not before 18:00");
    let after_six = before_six + Duration::minutes(2);
    let other = t.app.state.notice_mail_writer();
    let (one, two) = tokio::join!(writer.mail_due(after_six), other.mail_due(after_six));
    assert_eq!(one.unwrap() + two.unwrap(), 1, "two nodes at once write the digest once");
    assert_eq!(writer.mail_due(after_six + Duration::hours(1)).await.unwrap(), 0, "and never again");

    let outbox = t.app.answer(Some(&t.admin), Method::GET, "/api/v1/outbox", None, StatusCode::OK).await;
    let digests: Vec<&Value> = outbox.as_array().unwrap().iter().filter(|m| m["kind"] == "digest").collect();
    assert_eq!(digests.len(), 1, "Ana's only; Carla had read hers: {outbox}");
    assert_eq!(digests[0]["recipient"], "ana@ong.ec");
    assert_eq!(digests[0]["subject"], "Minga: 1 avisos nuevos para usted");
}

async fn the_topic_me_carries_each_new_notification_to_its_reader(backend: Backend) {
    let t = minga_tests::thread(backend).await;
    let first = t.app.comment(&t.ana, &t.proposal, "¿Quince días?").await;
    let mut ana = t.app.ws(&t.ana).await;
    let (replayed, head) = ana.subscribe("me", None).await;
    assert_eq!((replayed.len(), head), (0, 0), "no replay: the inbox is read over HTTP");
    let mut admin = t.app.ws(&t.admin).await;
    admin.subscribe("me", None).await;

    let reply = json!({"body": "Treinta.", "parent_id": id(&first)});
    let comments = format!("/api/v1/proposals/{}/comments", t.proposal);
    let answer = t.app.answer(Some(&t.beto), Method::POST, &comments, Some(reply), StatusCode::CREATED).await;
    let event = ana.next_of("event").await;
    assert_eq!((&event["topic"], &event["kind"]), (&json!("me"), &json!("notification.created")), "{event}");
    assert_eq!(event["data"]["title"], "beto respondió a su comentario");
    assert_eq!(event["data"]["link"], format!("/propuestas/{}#comment-{}", t.proposal, id(&answer)));
    assert!(event["seq"].as_i64().unwrap() > 0 && event["data"]["read_at"].is_null());
    assert!(admin.next_within(StdDuration::from_secs(3)).await.is_none(), "nobody else hears of it");

    // The same person's other tab hears of it too; unsubscribed, no more.
    let mut tab = t.app.ws(&t.ana).await;
    tab.subscribe("me", None).await;
    ana.send(json!({"type": "unsubscribe", "topic": "me"})).await;
    let path = format!("/api/v1/comments/{}/flag", id(&answer));
    t.app
        .answer(Some(&t.ana), Method::POST, &path, Some(json!({"reason": "Fuera de tema"})), StatusCode::CREATED)
        .await;
    let flagged = admin.next_of("event").await;
    assert_eq!(flagged["data"]["kind"], "flag.created", "{flagged}");
    let mention = t.app.comment(&t.beto, &t.proposal, "Hola @ana, ¿qué opina?").await;
    let heard = tab.next_of("event").await;
    assert_eq!(heard["data"]["kind"], "comment.mention", "{heard}");
    assert!(heard["data"]["link"].as_str().unwrap().ends_with(&id(&mention)));
    assert!(ana.next_within(StdDuration::from_secs(2)).await.is_none(), "unsubscribed");
}

async fn pending_says_what_waits_for_my_organization(backend: Backend) {
    let t = minga_tests::thread(backend).await;
    let path = "/api/v1/me/pending";
    let empty = t.app.answer(Some(&t.ana), Method::GET, path, None, StatusCode::OK).await;
    assert_eq!(empty["ballots"], json!([]));
    assert_eq!(empty["proposals"][0]["id"], t.proposal.as_str(), "her organization's proposal: {empty}");
    assert_eq!(empty["proposals"][0]["new_comments"], 0);

    let ballot = open_ballot(&t.app, &t.admin, &t.proposal, Some(30)).await;
    t.app.comment(&t.beto, &t.proposal, "Un comentario de otra organización.").await;
    let pending = t.app.answer(Some(&t.ana), Method::GET, path, None, StatusCode::OK).await;
    let waiting = &pending["ballots"][0];
    assert_eq!(waiting["ballot"]["id"], ballot.as_str());
    assert_eq!(waiting["proposal"]["id"], t.proposal.as_str());
    assert!(waiting["proposal"]["title"].is_string() && waiting["closes_at"].is_string(), "{waiting}");
    assert_eq!((&waiting["voted"], &waiting["my_vote"]), (&json!(false), &Value::Null));
    assert_eq!(pending["proposals"][0]["new_comments"], 1, "others discussed it");
    assert_eq!(pending["proposals"][0]["status"], "voting");
    assert!(pending["unread"].as_u64().unwrap() >= 1, "the ballot's notification: {pending}");

    let vote = format!("/api/v1/ballots/{ballot}/vote");
    t.app.answer(Some(&t.ana), Method::PUT, &vote, Some(json!({"choice": "yes"})), StatusCode::OK).await;
    let pending = t.app.answer(Some(&t.ana), Method::GET, path, None, StatusCode::OK).await;
    assert_eq!((&pending["ballots"][0]["voted"], &pending["ballots"][0]["my_vote"]), (&json!(true), &json!("yes")));

    let observer = t.app.answer(Some(&t.beto), Method::GET, path, None, StatusCode::OK).await;
    assert_eq!((&observer["ballots"], &observer["proposals"]), (&json!([]), &json!([])), "an observer votes in none");
    t.app.answer(None, Method::GET, path, None, StatusCode::UNAUTHORIZED).await;
}

async fn the_at_autocomplete_finds_active_people_by_any_word_of_their_name(backend: Backend) {
    let t = minga_tests::thread(backend).await;
    let token = t.app.invitation("carla@otra.ec", "Fundación Otra", "member", "delegate").await;
    let named = "Carla Ñusta Andrade";
    let accept = json!({"display_name": named, "password": minga_tests::PASSWORD});
    let path = format!("/api/v1/invitations/{token}/accept");
    t.app.answer(None, Method::POST, &path, Some(accept), StatusCode::CREATED).await;
    let found = t.app.answer(Some(&t.beto), Method::GET, "/api/v1/people?q=an", None, StatusCode::OK).await;
    let names: Vec<&str> = found.as_array().unwrap().iter().map(|p| p["display_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["ana", named], "a name starting with it first, then any word of a name: {names:?}");
    let by_accent = t.app.answer(Some(&t.ana), Method::GET, "/api/v1/people?q=%C3%B1US", None, StatusCode::OK).await;
    assert_eq!(by_accent[0]["display_name"], named, "case aside, accents kept");
    assert!(found[0].get("email").is_none() && found[0]["organization"].is_string(), "{found}");
    let nobody = t.app.answer(Some(&t.ana), Method::GET, "/api/v1/people?q=zzz", None, StatusCode::OK).await;
    assert_eq!(nobody, json!([]));
    for bad in ["/api/v1/people", "/api/v1/people?q=", "/api/v1/people?q=%20%20"] {
        t.app.answer(Some(&t.ana), Method::GET, bad, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let long = format!("/api/v1/people?q={}", "a".repeat(65));
    t.app.answer(Some(&t.ana), Method::GET, &long, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    t.app.answer(None, Method::GET, "/api/v1/people?q=an", None, StatusCode::UNAUTHORIZED).await;
}

async fn mail_is_in_the_language_the_person_chose(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with(backend, &["--smtp-url", &smtp.url()]).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@ong.ec", "Fundación Esperanza").await;
    let english = json!({"lang": "en", "notifications": {}});
    app.answer(Some(&ana), Method::PUT, "/api/v1/me/preferences", Some(english), StatusCode::OK).await;
    let (document, articles) = app.charter(&admin, 2).await;
    let proposal = id(&app.proposal(&admin, &document, &articles[0]).await);
    open_ballot(&app, &admin, &proposal, None).await;
    let reset = json!({"email": "ana@ong.ec"});
    app.answer(None, Method::POST, "/api/v1/auth/password-reset", Some(reset), StatusCode::ACCEPTED).await;
    let mails = mails_to(&smtp, "ana@ong.ec", 2).await;
    let mut subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
    subjects.sort_unstable();
    assert_eq!(subjects.len(), 2, "{subjects:?}");
    assert!(subjects[0].starts_with("A ballot opened: "), "{subjects:?}");
    assert_eq!(subjects[1], "Reset your Minga password");
    assert!(mails.iter().all(|m| m.text.starts_with("Hello,")), "the whole mail in English: {mails:?}");
}
