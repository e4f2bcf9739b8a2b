//! The minutes state the decision itself (defect 12 of the integrity
//! issue). Before, the minutes of a deletion showed an empty "texto
//! sometido a votación" and the SHA-256 of the empty string, the same for
//! every deletion ever voted, and did not say which article was removed.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use minga_tests::{on_both_backends, Backend, Session, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_backends!(the_minutes_of_a_deletion_say_which_article_was_removed, a_general_motion_is_stated_and_hashed);

const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Puts `proposal` to the vote, has `voter` vote yes, closes it, and returns
/// its minutes as JSON and as Markdown.
async fn vote_and_close(app: &TestApp, admin: &Session, voter: &Session, proposal: &str) -> (Value, String) {
    let rule = json!({"majority": "simple", "quorum": 0.0, "secret": false, "live_results": false});
    let path = format!("/api/v1/proposals/{proposal}/ballot");
    let ballot = app.answer(Some(admin), Method::POST, &path, Some(rule), StatusCode::CREATED).await;
    let ballot = ballot["id"].as_str().unwrap().to_owned();
    let vote = json!({"choice": "yes"});
    app.answer(Some(voter), Method::PUT, &format!("/api/v1/ballots/{ballot}/vote"), Some(vote), StatusCode::OK).await;
    app.answer(Some(admin), Method::POST, &format!("/api/v1/ballots/{ballot}/close"), None, StatusCode::OK).await;
    let minutes =
        app.answer(Some(voter), Method::GET, &format!("/api/v1/ballots/{ballot}/minutes"), None, StatusCode::OK).await;
    let markdown = app.text(voter, &format!("/api/v1/ballots/{ballot}/minutes?format=markdown")).await;
    (minutes, markdown)
}

async fn deletion(app: &TestApp, author: &Session, document: &str, article: &str, title: &str) -> String {
    let body = json!({"kind": "delete", "section_id": article, "title": title, "body": "", "rationale": "Sobra."});
    let path = format!("/api/v1/documents/{document}/proposals");
    let created = app.answer(Some(author), Method::POST, &path, Some(body), StatusCode::CREATED).await;
    created["id"].as_str().unwrap().to_owned()
}

async fn the_minutes_of_a_deletion_say_which_article_was_removed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@ong.ec", "Fundación Esperanza").await;
    let (document, articles) = app.charter(&admin, 3).await;
    let second = deletion(&app, &ana, &document, &articles[1], "Suprimir el segundo").await;
    let third = deletion(&app, &ana, &document, &articles[2], "Suprimir el tercero").await;
    let (minutes, markdown) = vote_and_close(&app, &admin, &ana, &second).await;

    let decision = &minutes["decision"];
    assert_eq!(decision["kind"], "delete", "{minutes}");
    assert_eq!(decision["target"]["id"], articles[1].as_str());
    assert_eq!(decision["target"]["number"], 2);
    assert_eq!(decision["target"]["title"], "Artículo 2");
    assert_eq!(decision["current_text"], "Texto del artículo 2, que la asamblea discute.");
    assert_eq!(decision["proposed_text"], "");
    let proposal =
        app.answer(Some(&ana), Method::GET, &format!("/api/v1/proposals/{second}"), None, StatusCode::OK).await;
    assert_eq!(decision["base_version"], proposal["base_version"]);
    let digest = minutes["decision_sha256"].as_str().unwrap();
    assert_ne!(digest, EMPTY_SHA256, "the decision is hashed, not the empty text");
    assert!(markdown.contains("suprimir un artículo"), "{markdown}");
    assert!(markdown.contains("Artículo 2. Artículo 2"), "the article removed is named: {markdown}");
    assert!(markdown.contains("```text\nTexto del artículo 2, que la asamblea discute.\n```"), "{markdown}");
    assert!(markdown.contains(digest), "{markdown}");

    // Another deletion, another article: its own statement and digest.
    let (other, _) = vote_and_close(&app, &admin, &ana, &third).await;
    assert_eq!(other["decision"]["target"]["number"], 3, "{other}");
    assert_eq!(other["decision"]["current_text"], "Texto del artículo 3, que la asamblea discute.");
    assert_ne!(other["decision_sha256"], minutes["decision_sha256"], "two deletions, two digests");
}

async fn a_general_motion_is_stated_and_hashed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@ong.ec", "Fundación Esperanza").await;
    let (document, _) = app.charter(&admin, 1).await;
    let motion =
        json!({"kind": "general", "title": "Convocar", "body": "Que se convoque a la asamblea.", "rationale": ""});
    let path = format!("/api/v1/documents/{document}/proposals");
    let created = app.answer(Some(&ana), Method::POST, &path, Some(motion), StatusCode::CREATED).await;
    let (minutes, markdown) = vote_and_close(&app, &admin, &ana, created["id"].as_str().unwrap()).await;
    assert_eq!(minutes["decision"]["kind"], "general", "{minutes}");
    assert_eq!(minutes["decision"]["target"], Value::Null);
    assert_eq!(minutes["decision"]["proposed_text"], "Que se convoque a la asamblea.");
    assert!(markdown.contains("moción general"), "{markdown}");
    assert!(markdown.contains("```text\nQue se convoque a la asamblea.\n```"), "{markdown}");
    let recomputed = {
        use sha2::{Digest, Sha256};
        let canonical = serde_json::to_string(&minutes["decision"]).unwrap();
        Sha256::digest(canonical.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    assert_eq!(minutes["decision_sha256"], recomputed.as_str(), "anyone can recompute the digest from the JSON");
}
