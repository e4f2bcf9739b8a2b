//! The inbox, on both backends: who hears of what (replies, mentions,
//! ballots, a proposal's status, flags), a lively discussion folded into
//! one notification a minute, marking read one's own only, said in the
//! reader's language, and ballot reminders sent once to the organizations
//! that have not voted, whichever caller gets there first.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use chrono::{DateTime, Duration, Utc};
use minga_tests::{on_both_backends, Backend, Session, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_backends!(
    replies_and_mentions_reach_the_people_they_name,
    a_lively_discussion_is_one_notification_a_minute,
    ballots_reach_the_eligible_organizations_and_the_author_hears_its_status,
    a_flag_reaches_the_secretariat,
    each_marks_only_their_own_notifications_read,
    reminders_go_once_to_the_organizations_that_have_not_voted,
);

async fn inbox(app: &TestApp, who: &Session, query: &str) -> (Vec<Value>, u64) {
    let response = app.as_user(who, Method::GET, &format!("/api/v1/me/notifications{query}")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let unread = response.headers()["x-minga-unread"].to_str().unwrap().parse().unwrap();
    (response.json::<Vec<Value>>().await.unwrap(), unread)
}

fn kinds(found: &[Value]) -> Vec<&str> {
    found.iter().map(|n| n["kind"].as_str().unwrap()).collect()
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

async fn reply(app: &TestApp, who: &Session, proposal: &str, parent: &str, body: &str) -> Value {
    let path = format!("/api/v1/proposals/{proposal}/comments");
    app.answer(Some(who), Method::POST, &path, Some(json!({"body": body, "parent_id": parent})), StatusCode::CREATED)
        .await
}

async fn replies_and_mentions_reach_the_people_they_name(backend: Backend) {
    let t = minga_tests::thread(backend).await;
    let carla = t.app.delegate("carla@ong.ec", "Fundación Esperanza").await;
    let first = t.app.comment(&t.ana, &t.proposal, "Propongo cambiar el plazo.").await;
    assert!(inbox(&t.app, &t.ana, "").await.0.is_empty(), "nobody hears of their own comment");

    let answer = reply(&t.app, &t.beto, &t.proposal, &id(&first), "De acuerdo; @Carla, ¿y @nadie?").await;
    let (ana, unread) = inbox(&t.app, &t.ana, "").await;
    assert_eq!((kinds(&ana), unread), (vec!["comment.reply"], 1));
    let note = &ana[0];
    assert_eq!(note["title"], "beto respondió a su comentario");
    assert_eq!(note["link"], format!("/propuestas/{}#comment-{}", t.proposal, id(&answer)));
    assert_eq!(note["data"]["proposal_id"], t.proposal.as_str());
    assert!(note["read_at"].is_null() && note["created_at"].is_string(), "{note}");
    assert!(!note.to_string().contains("@Carla"), "a notification never carries the comment's body: {note}");

    let (carla_inbox, _) = inbox(&t.app, &carla, "").await;
    assert_eq!(kinds(&carla_inbox), ["comment.mention"], "@ and a display name, case aside");
    let english = t.app.as_user(&carla, Method::GET, "/api/v1/me/notifications?lang=en").send().await.unwrap();
    let english: Vec<Value> = english.json().await.unwrap();
    assert_eq!(english[0]["title"], "beto mentioned you in a comment");
    let (admin, _) = inbox(&t.app, &t.admin, "").await;
    assert!(admin.is_empty(), "an unknown name is plain text and the secretariat was not named: {admin:?}");
}

async fn a_lively_discussion_is_one_notification_a_minute(backend: Backend) {
    let t = minga_tests::thread(backend).await;
    let first = t.app.comment(&t.ana, &t.proposal, "¿Qué opinan?").await;
    for n in 0..5 {
        reply(&t.app, &t.beto, &t.proposal, &id(&first), &format!("Respuesta {n}")).await;
    }
    let (ana, unread) = inbox(&t.app, &t.ana, "").await;
    assert_eq!((ana.len(), unread), (1, 1), "five replies in a minute fold into one: {ana:?}");
    assert_eq!(ana[0]["count"], 5);
    assert_eq!(ana[0]["body"], "y 4 más en la misma discusión");

    let path = "/api/v1/me/notifications/read";
    t.app.answer(Some(&t.ana), Method::POST, path, Some(json!({"all": true})), StatusCode::NO_CONTENT).await;
    reply(&t.app, &t.beto, &t.proposal, &id(&first), "Una más").await;
    let (ana, unread) = inbox(&t.app, &t.ana, "").await;
    assert_eq!((ana.len(), unread), (2, 1), "a read one folds nothing more: {ana:?}");
    assert_eq!((ana[0]["count"].as_u64(), ana[1]["count"].as_u64()), (Some(1), Some(5)), "newest first");
}

async fn open_ballot(app: &TestApp, admin: &Session, proposal: &str, closes_at: Option<DateTime<Utc>>) -> String {
    let mut rule = json!({"majority": "simple", "quorum": 0.5, "secret": false, "live_results": false});
    if let Some(at) = closes_at {
        rule["closes_at"] = json!(at);
    }
    let path = format!("/api/v1/proposals/{proposal}/ballot");
    id(&app.answer(Some(admin), Method::POST, &path, Some(rule), StatusCode::CREATED).await)
}

async fn ballots_reach_the_eligible_organizations_and_the_author_hears_its_status(backend: Backend) {
    let t = minga_tests::thread(backend).await;
    let ballot = open_ballot(&t.app, &t.admin, &t.proposal, None).await;
    let (ana, _) = inbox(&t.app, &t.ana, "").await;
    assert_eq!(kinds(&ana), ["ballot.opened", "proposal.status"], "{ana:?}");
    assert_eq!(ana[0]["data"]["ballot_id"], ballot.as_str());
    assert_eq!(ana[0]["link"], format!("/propuestas/{}", t.proposal));
    assert!(ana[0]["title"].as_str().unwrap().starts_with("Se abrió una votación: "), "{}", ana[0]);
    assert_eq!(ana[1]["title"].as_str().unwrap().rsplit(": ").next(), Some("en votación"));
    let (beto, _) = inbox(&t.app, &t.beto, "").await;
    assert!(beto.is_empty(), "an observer's organization does not vote: {beto:?}");
    assert!(inbox(&t.app, &t.admin, "").await.0.is_empty(), "the one who opened it is not told");

    // Both eligible organizations (Esperanza and the Secretaría) vote yes: it passes.
    let vote = format!("/api/v1/ballots/{ballot}/vote");
    for who in [&t.ana, &t.admin] {
        t.app.answer(Some(who), Method::PUT, &vote, Some(json!({"choice": "yes"})), StatusCode::OK).await;
    }
    let close = format!("/api/v1/ballots/{ballot}/close");
    t.app.answer(Some(&t.admin), Method::POST, &close, None, StatusCode::OK).await;
    let (ana, _) = inbox(&t.app, &t.ana, "?unread=true").await;
    assert_eq!(kinds(&ana)[0..2], ["proposal.status", "ballot.closed"], "{ana:?}");
    assert_eq!(ana[0]["data"]["status"], "passed");
    assert_eq!(
        (ana[1]["data"]["passed"].as_bool(), ana[1]["body"].as_str()),
        (Some(true), Some("La propuesta fue aprobada."))
    );
}

async fn a_flag_reaches_the_secretariat(backend: Backend) {
    let t = minga_tests::thread(backend).await;
    let comment = t.app.comment(&t.ana, &t.proposal, "Un comentario.").await;
    let path = format!("/api/v1/comments/{}/flag", id(&comment));
    t.app
        .answer(Some(&t.beto), Method::POST, &path, Some(json!({"reason": "Lenguaje ofensivo"})), StatusCode::CREATED)
        .await;
    let (admin, _) = inbox(&t.app, &t.admin, "").await;
    assert_eq!(kinds(&admin), ["flag.created"]);
    assert_eq!(
        (admin[0]["link"].as_str(), admin[0]["body"].as_str()),
        (Some("/secretaria/moderacion"), Some("Lenguaje ofensivo"))
    );
    assert!(inbox(&t.app, &t.ana, "").await.0.is_empty(), "a delegate does not hear of flags");
}

async fn each_marks_only_their_own_notifications_read(backend: Backend) {
    let t = minga_tests::thread(backend).await;
    let first = t.app.comment(&t.ana, &t.proposal, "Uno.").await;
    let second = t.app.comment(&t.admin, &t.proposal, "Dos.").await;
    reply(&t.app, &t.beto, &t.proposal, &id(&first), "A uno.").await;
    reply(&t.app, &t.beto, &t.proposal, &id(&second), "A dos.").await;
    let (ana, unread) = inbox(&t.app, &t.ana, "").await;
    assert_eq!(unread, 1);
    let path = "/api/v1/me/notifications/read";

    let theirs = json!({"ids": [id(&ana[0])]});
    t.app.answer(Some(&t.admin), Method::POST, path, Some(theirs.clone()), StatusCode::NO_CONTENT).await;
    assert_eq!(inbox(&t.app, &t.ana, "").await.1, 1, "another person's id marks nothing");
    t.app.answer(Some(&t.ana), Method::POST, path, Some(theirs), StatusCode::NO_CONTENT).await;
    let (ana, unread) = inbox(&t.app, &t.ana, "").await;
    assert_eq!(unread, 0);
    assert!(ana[0]["read_at"].is_string());
    assert!(inbox(&t.app, &t.ana, "?unread=true").await.0.is_empty());
    assert_eq!(inbox(&t.app, &t.admin, "").await.1, 1, "the secretariat's own is still unread");

    for bad in [json!({}), json!({"ids": ["x"]}), json!({"ids": [], "all": true}), json!({"all": "yes"})] {
        let response = t.app.send(Some(&t.ana), Method::POST, path, Some(bad.clone())).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let many: Vec<String> = (0..1001).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let response = t.app.send(Some(&t.ana), Method::POST, path, Some(json!({"ids": many}))).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    for bad in ["?limit=0", "?limit=1001", "?after=x", "?unread=maybe"] {
        let response = t.app.as_user(&t.ana, Method::GET, &format!("/api/v1/me/notifications{bad}")).send().await;
        assert_eq!(response.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let anonymous = t.app.request(Method::GET, "/api/v1/me/notifications").send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let anonymous = t.app.request(Method::POST, path).json(&json!({"all": true})).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    t.app.answer(Some(&t.admin), Method::POST, path, Some(json!({"all": true})), StatusCode::NO_CONTENT).await;
    assert_eq!(inbox(&t.app, &t.admin, "").await.1, 0);
    let (page, _) = inbox(&t.app, &t.admin, "?limit=1").await;
    assert_eq!(page.len(), 1);
    let (rest, _) = inbox(&t.app, &t.admin, &format!("?after={}", id(&page[0]))).await;
    assert!(rest.iter().all(|n| n["id"] != page[0]["id"]), "the next page starts after the last one seen");
}

async fn reminders_go_once_to_the_organizations_that_have_not_voted(backend: Backend) {
    let t = minga_tests::thread(backend).await;
    let carla = t.app.delegate("carla@otra.ec", "Fundación Otra").await;
    let closes_at = Utc::now() + Duration::hours(48);
    let ballot = open_ballot(&t.app, &t.admin, &t.proposal, Some(closes_at)).await;
    let vote = format!("/api/v1/ballots/{ballot}/vote");
    t.app.answer(Some(&t.ana), Method::PUT, &vote, Some(json!({"choice": "yes"})), StatusCode::OK).await;
    let store = t.app.store();
    assert_eq!(store.send_due_reminders(Utc::now()).await.unwrap(), 0, "two days before, nothing is due");

    let a_day_before = closes_at - Duration::hours(24) + Duration::minutes(1);
    let (one, other) = tokio::join!(store.send_due_reminders(a_day_before), store.send_due_reminders(a_day_before));
    assert_eq!(one.unwrap() + other.unwrap(), 1, "two callers at once send it once");
    assert_eq!(store.send_due_reminders(a_day_before + Duration::hours(1)).await.unwrap(), 0, "and never again");
    let reminded =
        |found: &[Value]| found.iter().filter(|n| n["kind"] == "ballot.reminder").cloned().collect::<Vec<_>>();
    let (theirs, _) = inbox(&t.app, &carla, "").await;
    let theirs = reminded(&theirs);
    assert_eq!(theirs.len(), 1, "an organization that has not voted is reminded");
    assert_eq!(theirs[0]["data"]["hours"], 24);
    assert!(theirs[0]["body"].as_str().unwrap().starts_with("La votación cierra en 24 horas"), "{}", theirs[0]);
    assert!(reminded(&inbox(&t.app, &t.ana, "").await.0).is_empty(), "one that voted is not");

    let two_hours_before = closes_at - Duration::minutes(90);
    assert_eq!(store.send_due_reminders(two_hours_before).await.unwrap(), 1);
    assert_eq!(store.send_due_reminders(two_hours_before).await.unwrap(), 0);
    let hours: Vec<Value> =
        reminded(&inbox(&t.app, &carla, "").await.0).iter().map(|n| n["data"]["hours"].clone()).collect();
    assert_eq!(hours, [json!(2), json!(24)]);
    assert_eq!(store.send_due_reminders(closes_at + Duration::minutes(1)).await.unwrap(), 0, "nothing after the close");
}
