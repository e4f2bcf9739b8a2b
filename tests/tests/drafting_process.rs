//! The drafting process: phases enforced on every write, sections deleted
//! and moved, a re-import that keeps sections' identities, and
//! cross-references that survive renumbering; on both backends.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use minga_tests::{on_both_backends, Backend, Session, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_backends!(
    each_phase_allows_only_its_writes,
    the_amendments_period_closes_at_its_deadline,
    phase_changes_are_events_told_to_every_organization,
    a_final_document_cannot_be_reopened,
    sections_are_moved_and_renumbered,
    deleting_an_article_outdates_its_proposals,
    a_reimport_keeps_the_sections_that_stayed,
    references_follow_their_article_and_guard_its_deletion,
    references_are_listed_and_guard_an_adopted_deletion,
);

struct World {
    app: TestApp,
    admin: Session,
    ana: Session,
    beto: Session,
    document: String,
    articles: Vec<String>,
}

async fn world(backend: Backend) -> World {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@ong.ec", "Fundación Esperanza").await;
    let beto = app.observer("beto@uni.ec", "Universidad Central").await;
    let (document, articles) = app.charter(&admin, 3).await;
    World { app, admin, ana, beto, document, articles }
}

impl World {
    async fn patch(&self, who: &Session, body: Value, status: StatusCode) -> Value {
        let path = format!("/api/v1/documents/{}", self.document);
        self.app.answer(Some(who), Method::PATCH, &path, Some(body), status).await
    }

    async fn propose(&self, who: &Session, status: StatusCode) -> Value {
        let body = json!({"kind": "amend", "section_id": self.articles[0], "title": "Otra redacción",
            "body": "Texto nuevo.", "rationale": "Claridad."});
        let path = format!("/api/v1/documents/{}/proposals", self.document);
        self.app.answer(Some(who), Method::POST, &path, Some(body), status).await
    }

    async fn revise(&self, who: &Session, proposal: &str, status: StatusCode) -> Value {
        let path = format!("/api/v1/proposals/{proposal}/revisions");
        self.app.answer(Some(who), Method::POST, &path, Some(json!({"body": "Texto revisado."})), status).await
    }

    async fn edit(&self, who: &Session, section: &str, status: StatusCode) -> Value {
        let path = format!("/api/v1/sections/{section}");
        self.app.answer(Some(who), Method::PATCH, &path, Some(json!({"body": "Texto de la secretaría."})), status).await
    }

    async fn text(&self) -> Value {
        let path = format!("/api/v1/documents/{}", self.document);
        self.app.answer(Some(&self.beto), Method::GET, &path, None, StatusCode::OK).await
    }

    /// `kind number title` of each section, in order.
    async fn outline(&self) -> Vec<String> {
        let text = self.text().await;
        let sections = text["sections"].as_array().unwrap();
        sections
            .iter()
            .map(|s| format!("{} {} {}", s["kind"].as_str().unwrap(), s["number"], s["title"].as_str().unwrap()))
            .collect()
    }

    async fn proposal(&self, id: &str) -> Value {
        self.app.answer(Some(&self.beto), Method::GET, &format!("/api/v1/proposals/{id}"), None, StatusCode::OK).await
    }

    async fn notices(&self, who: &Session) -> Vec<Value> {
        self.app
            .answer(Some(who), Method::GET, "/api/v1/me/notifications", None, StatusCode::OK)
            .await
            .as_array()
            .unwrap()
            .clone()
    }
}

fn detail(problem: &Value) -> &str {
    problem["detail"].as_str().unwrap()
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

async fn each_phase_allows_only_its_writes(backend: Backend) {
    let w = world(backend).await;
    let text = w.text().await;
    assert_eq!(text["phase"], "amendments", "a new document starts in amendments: {text}");
    let open = id(&w.propose(&w.ana, StatusCode::CREATED).await);

    w.patch(&w.admin, json!({"phase": "drafting"}), StatusCode::OK).await;
    let refused = w.propose(&w.ana, StatusCode::CONFLICT).await;
    assert!(detail(&refused).contains("drafting"), "the refusal names the phase: {refused}");
    w.revise(&w.ana, &open, StatusCode::CONFLICT).await;
    // The secretariat drafts alone.
    w.edit(&w.admin, &w.articles[2], StatusCode::OK).await;
    w.propose(&w.admin, StatusCode::CREATED).await;

    w.patch(&w.admin, json!({"phase": "deliberation"}), StatusCode::OK).await;
    let refused = w.propose(&w.ana, StatusCode::CONFLICT).await;
    assert!(detail(&refused).contains("deliberation"), "{refused}");
    w.revise(&w.ana, &open, StatusCode::CREATED).await;

    w.patch(&w.admin, json!({"phase": "voting"}), StatusCode::OK).await;
    let refused = w.revise(&w.ana, &open, StatusCode::CONFLICT).await;
    assert!(detail(&refused).contains("voting"), "{refused}");
    let path = format!("/api/v1/proposals/{open}/withdraw");
    w.app.answer(Some(&w.ana), Method::POST, &path, None, StatusCode::CONFLICT).await;
    // Votes are what this phase is for.
    let ballot = json!({"majority": "simple", "quorum": 0.0, "secret": false, "live_results": true});
    let path = format!("/api/v1/proposals/{open}/ballot");
    w.app.answer(Some(&w.admin), Method::POST, &path, Some(ballot), StatusCode::CREATED).await;

    // Only the secretariat changes the phase.
    for who in [&w.ana, &w.beto] {
        w.patch(who, json!({"phase": "amendments"}), StatusCode::FORBIDDEN).await;
    }
    assert_eq!(w.text().await["phase"], "voting");
    w.patch(&w.admin, json!({"phase": "amendments"}), StatusCode::OK).await;
    w.propose(&w.ana, StatusCode::CREATED).await;
}

async fn the_amendments_period_closes_at_its_deadline(backend: Backend) {
    let w = world(backend).await;
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let problem = w.patch(&w.admin, json!({"amendments_close_at": past}), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["field"], "amendments_close_at");
    let problem = w
        .patch(&w.admin, json!({"phase": "deliberation", "amendments_close_at": (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339()}), StatusCode::UNPROCESSABLE_ENTITY)
        .await;
    assert_eq!(problem["field"], "amendments_close_at");
    assert_eq!(w.text().await["phase"], "amendments", "a refused change changes nothing");

    let soon = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    let text = w.patch(&w.admin, json!({"amendments_close_at": soon.to_rfc3339()}), StatusCode::OK).await;
    let deadline: chrono::DateTime<chrono::Utc> = text["amendments_close_at"].as_str().unwrap().parse().unwrap();
    assert!((deadline - soon).num_milliseconds().abs() < 1000, "{text}");
    w.propose(&w.ana, StatusCode::CREATED).await;
    // A rename keeps the deadline.
    let renamed = w.patch(&w.admin, json!({"title": "Estatuto (borrador 2)"}), StatusCode::OK).await;
    assert_eq!(renamed["amendments_close_at"], text["amendments_close_at"]);
    assert_eq!(renamed["title"], "Estatuto (borrador 2)");
    tokio::time::sleep(std::time::Duration::from_millis(1800)).await;
    let refused = w.propose(&w.ana, StatusCode::CONFLICT).await;
    assert!(detail(&refused).contains("closed"), "{refused}");
    // The secretariat may still file a consolidated text.
    w.propose(&w.admin, StatusCode::CREATED).await;
}

async fn phase_changes_are_events_told_to_every_organization(backend: Backend) {
    let w = world(backend).await;
    let close = (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339();
    w.patch(&w.admin, json!({"phase": "amendments", "amendments_close_at": close}), StatusCode::OK).await;
    w.patch(&w.admin, json!({"phase": "deliberation"}), StatusCode::OK).await;
    let topic = format!("document:{}", w.document);
    let events =
        w.app.answer(Some(&w.beto), Method::GET, &format!("/api/v1/events?topic={topic}"), None, StatusCode::OK).await;
    let phases: Vec<&Value> = events.as_array().unwrap().iter().filter(|e| e["kind"] == "document.phase").collect();
    assert_eq!(phases.len(), 2, "{events}");
    assert_eq!(phases[0]["data"]["phase"], "amendments");
    assert!(phases[0]["data"]["amendments_close_at"].is_string());
    assert_eq!(phases[1]["data"]["phase"], "deliberation");
    assert!(phases[1]["data"]["amendments_close_at"].is_null(), "the deadline belongs to amendments");
    // The delegate and the observer hear of it, in Spanish by default; the
    // secretariat member who made the change does not.
    for who in [&w.ana, &w.beto] {
        let notices = w.notices(who).await;
        let phase: Vec<&Value> = notices.iter().filter(|n| n["kind"] == "document.phase").collect();
        assert_eq!(phase.len(), 2, "{notices:?}");
        assert!(phase.iter().any(|n| n["title"].as_str().unwrap().contains("deliberación")), "{phase:?}");
    }
    assert!(w.notices(&w.admin).await.iter().all(|n| n["kind"] != "document.phase"));
}

async fn a_final_document_cannot_be_reopened(backend: Backend) {
    let w = world(backend).await;
    let refused = w.patch(&w.admin, json!({"phase": "final"}), StatusCode::CONFLICT).await;
    assert!(detail(&refused).contains("approval ballot"), "{refused}");
    assert_eq!(w.text().await["phase"], "amendments");
    w.patch(&w.admin, json!({"phase": "sideways"}), StatusCode::UNPROCESSABLE_ENTITY).await;
    let path = format!("/api/v1/documents/{}", uuid::Uuid::now_v7());
    w.app.answer(Some(&w.admin), Method::PATCH, &path, Some(json!({"phase": "voting"})), StatusCode::NOT_FOUND).await;
}

async fn sections_are_moved_and_renumbered(backend: Backend) {
    let w = world(backend).await;
    let [first, second, third] = [&w.articles[0], &w.articles[1], &w.articles[2]];
    let before = w.text().await["version"].as_i64().unwrap();
    let path = format!("/api/v1/sections/{third}/move");
    let moved = w
        .app
        .answer(Some(&w.admin), Method::POST, &path, Some(json!({"after_section_id": null})), StatusCode::OK)
        .await;
    assert_eq!(moved["version"].as_i64().unwrap(), before + 1, "a move is a new version");
    assert_eq!(
        w.outline().await,
        [
            "article 1 \"Artículo 3\"",
            "chapter 1 \"Disposiciones generales\"",
            "article 2 \"Artículo 1\"",
            "article 3 \"Artículo 2\""
        ]
        .map(|s| s.replace('"', "")),
    );
    let path = format!("/api/v1/sections/{first}/move");
    w.app.answer(Some(&w.admin), Method::POST, &path, Some(json!({"after_section_id": second})), StatusCode::OK).await;
    let order: Vec<String> = w.text().await["sections"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(&order[1..], [order[1].clone(), second.clone(), first.clone()]);

    let problem = w
        .app
        .answer(
            Some(&w.admin),
            Method::POST,
            &path,
            Some(json!({"after_section_id": first})),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert!(detail(&problem).contains("itself"), "{problem}");
    let elsewhere = uuid::Uuid::now_v7();
    w.app
        .answer(
            Some(&w.admin),
            Method::POST,
            &path,
            Some(json!({"after_section_id": elsewhere})),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    for who in [&w.ana, &w.beto] {
        w.app
            .answer(Some(who), Method::POST, &path, Some(json!({"after_section_id": null})), StatusCode::FORBIDDEN)
            .await;
    }
    let unknown = format!("/api/v1/sections/{elsewhere}/move");
    w.app
        .answer(Some(&w.admin), Method::POST, &unknown, Some(json!({"after_section_id": null})), StatusCode::NOT_FOUND)
        .await;
    let again: Vec<String> = w.text().await["sections"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(again, order, "refused moves change nothing");
}

async fn deleting_an_article_outdates_its_proposals(backend: Backend) {
    let w = world(backend).await;
    let proposal = id(&w.propose(&w.ana, StatusCode::CREATED).await);
    let path = format!("/api/v1/sections/{}", w.articles[0]);
    for who in [&w.ana, &w.beto] {
        w.app.answer(Some(who), Method::DELETE, &path, None, StatusCode::FORBIDDEN).await;
    }
    let text = w.app.answer(Some(&w.admin), Method::DELETE, &path, None, StatusCode::OK).await;
    assert_eq!(text["sections"].as_array().unwrap().len(), 3);
    assert_eq!(
        w.outline().await,
        ["chapter 1 Disposiciones generales", "article 1 Artículo 2", "article 2 Artículo 3"]
    );
    let orphan = w.proposal(&proposal).await;
    assert_eq!(orphan["outdated"], true, "{orphan}");
    let notices = w.notices(&w.ana).await;
    assert!(
        notices
            .iter()
            .any(|n| n["kind"] == "proposal.status" && n["title"].as_str().unwrap().contains("desactualizada")),
        "Ana's organization hears its proposal is outdated: {notices:?}"
    );
    w.app.answer(Some(&w.admin), Method::DELETE, &path, None, StatusCode::NOT_FOUND).await;
}

async fn a_reimport_keeps_the_sections_that_stayed(backend: Backend) {
    let w = world(backend).await;
    let kept = id(&w.propose(&w.ana, StatusCode::CREATED).await); // on Artículo 1
    let body =
        json!({"kind": "amend", "section_id": w.articles[2], "title": "Otra", "body": "Otro.", "rationale": "."});
    let path = format!("/api/v1/documents/{}/proposals", w.document);
    let lost = id(&w.app.answer(Some(&w.ana), Method::POST, &path, Some(body), StatusCode::CREATED).await);
    // Artículo 1 keeps its title and text, Artículo 2 its title with a new
    // text, Artículo 3 is gone, Artículo 4 is new.
    let text = "# Estatuto\n\n## Disposiciones generales\n\n### Art. 1.- Artículo 1\n\nTexto del artículo 1, que la asamblea discute.\n\n\
                ### Art. 2.- Artículo 2\n\nUn texto nuevo.\n\n### Art. 3.- Artículo 4\n\nNuevo.\n";
    let response = w
        .app
        .as_user(&w.admin, Method::POST, &format!("/api/v1/documents/{}/import", w.document))
        .header("content-type", "text/markdown")
        .body(text)
        .send()
        .await
        .unwrap();
    let imported = minga_tests::expect_status(response, StatusCode::OK).await;
    let ids: Vec<String> = imported["sections"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(&ids[1..3], &w.articles[0..2], "kind and title unchanged: same section");
    assert!(!w.articles.contains(&ids[3]), "a new article is a new section");
    let kept = w.proposal(&kept).await;
    assert_eq!((kept["section_id"].as_str(), &kept["outdated"]), (Some(w.articles[0].as_str()), &json!(false)));
    assert_eq!(w.proposal(&lost).await["outdated"], true);
}

async fn references_follow_their_article_and_guard_its_deletion(backend: Backend) {
    let w = world(backend).await;
    let target = &w.articles[2];
    let body = format!("Según el [[ref:{target}]], la asamblea decide.");
    let path = format!("/api/v1/documents/{}/sections", w.document);
    let add = json!({"kind": "article", "title": "Remisión", "body": body, "after_section_id": w.articles[2]});
    let citing = w.app.answer(Some(&w.admin), Method::POST, &path, Some(add), StatusCode::CREATED).await;
    let citing_id = id(&citing);
    let html = |text: &Value| {
        let section =
            text["sections"].as_array().unwrap().iter().find(|s| s["id"] == citing_id.as_str()).unwrap().clone();
        section["body_html"].as_str().unwrap().to_owned()
    };
    let first = html(&w.text().await);
    assert!(first.contains(&format!("#sec-{target}\"")) && first.contains(">artículo 3</a>"), "{first}");
    // Moved to the start, the article becomes article 1, and the reference says so.
    let move_path = format!("/api/v1/sections/{target}/move");
    w.app
        .answer(Some(&w.admin), Method::POST, &move_path, Some(json!({"after_section_id": null})), StatusCode::OK)
        .await;
    let moved = html(&w.text().await);
    assert!(moved.contains(">artículo 1</a>"), "{moved}");

    // A reference into another document is refused.
    let (other, other_articles) = w.app.charter(&w.admin, 1).await;
    assert_ne!(other, w.document);
    let edit = json!({"body": format!("Véase [[ref:{}]].", other_articles[0])});
    let problem = w
        .app
        .answer(
            Some(&w.admin),
            Method::PATCH,
            &format!("/api/v1/sections/{citing_id}"),
            Some(edit),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(problem["field"], "body");

    // Deleting the cited article is refused with what would break, unless forced.
    let delete = format!("/api/v1/sections/{target}");
    let problem = w.app.answer(Some(&w.admin), Method::DELETE, &delete, None, StatusCode::CONFLICT).await;
    let breaks = problem["breaks"].as_array().unwrap();
    assert_eq!(breaks.len(), 1, "{problem}");
    assert_eq!(
        (breaks[0]["from_kind"].as_str(), breaks[0]["from_id"].as_str()),
        (Some("section"), Some(citing_id.as_str()))
    );
    assert_eq!(w.text().await["sections"].as_array().unwrap().len(), 5, "nothing was deleted");
    w.app.answer(Some(&w.admin), Method::DELETE, &format!("{delete}?force=true"), None, StatusCode::OK).await;
    assert!(html(&w.text().await).contains("(referencia rota)"));
}

async fn references_are_listed_and_guard_an_adopted_deletion(backend: Backend) {
    let w = world(backend).await;
    let target = w.articles[2].clone();
    let path = format!("/api/v1/documents/{}/sections", w.document);
    let add = json!({"kind": "article", "title": "Remisión", "body": format!("Según el [[ref:{target}]]."),
        "after_section_id": target});
    let citing = id(&w.app.answer(Some(&w.admin), Method::POST, &path, Some(add), StatusCode::CREATED).await);
    let proposals = format!("/api/v1/documents/{}/proposals", w.document);
    let cites = json!({"kind": "amend", "section_id": w.articles[0], "title": "Con remisión",
        "body": format!("Conforme al [[ref:{target}]]."), "rationale": "Orden."});
    let citing_proposal =
        id(&w.app.answer(Some(&w.ana), Method::POST, &proposals, Some(cites), StatusCode::CREATED).await);
    let removal =
        json!({"kind": "delete", "section_id": target, "title": "Suprimir el artículo 3", "rationale": "Sobra."});
    let delete = id(&w.app.answer(Some(&w.ana), Method::POST, &proposals, Some(removal), StatusCode::CREATED).await);

    let references = format!("/api/v1/documents/{}/references", w.document);
    let listed = w.app.answer(Some(&w.beto), Method::GET, &references, None, StatusCode::OK).await;
    let pairs: Vec<(String, String, String)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["from_kind"].as_str().unwrap().into(),
                r["from_id"].as_str().unwrap().into(),
                r["target_label"].to_string(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("section".into(), citing.clone(), "\"artículo 3\"".into()),
            ("proposal".into(), citing_proposal.clone(), "\"artículo 3\"".into())
        ]
    );

    // A proposal's text shows the reference as the article's label now, like the charter's.
    let shown = w
        .app
        .answer(Some(&w.beto), Method::GET, &format!("/api/v1/proposals/{citing_proposal}"), None, StatusCode::OK)
        .await;
    let html = shown["revision"]["body_html"].as_str().unwrap();
    assert!(html.contains(&format!("#sec-{target}\"")) && html.contains(">artículo 3</a>"), "{html}");
    let listed = w.app.answer(Some(&w.beto), Method::GET, &proposals, None, StatusCode::OK).await;
    let in_list = listed.as_array().unwrap().iter().find(|p| p["id"] == citing_proposal.as_str()).unwrap();
    assert_eq!(in_list["revision"]["body_html"].as_str(), Some(html));

    let rule = json!({"majority": "simple", "quorum": 0.0, "secret": false, "live_results": false});
    let ballot_path = format!("/api/v1/proposals/{delete}/ballot");
    let ballot = id(&w.app.answer(Some(&w.admin), Method::POST, &ballot_path, Some(rule), StatusCode::CREATED).await);
    let vote = format!("/api/v1/ballots/{ballot}/vote");
    w.app.answer(Some(&w.ana), Method::PUT, &vote, Some(json!({"choice": "yes"})), StatusCode::OK).await;
    let close = format!("/api/v1/ballots/{ballot}/close");
    let closed = w.app.answer(Some(&w.admin), Method::POST, &close, None, StatusCode::OK).await;
    assert_eq!(closed["result"]["passed"], true);

    // Adopting the deletion would leave two references pointing nowhere.
    let adopt = format!("/api/v1/proposals/{delete}/adopt");
    let version = w.text().await["version"].clone();
    let problem = w.app.answer(Some(&w.admin), Method::POST, &adopt, None, StatusCode::CONFLICT).await;
    let mut from: Vec<&str> =
        problem["breaks"].as_array().unwrap().iter().map(|b| b["from_id"].as_str().unwrap()).collect();
    from.sort_unstable();
    let mut expected = vec![citing.as_str(), citing_proposal.as_str()];
    expected.sort_unstable();
    assert_eq!(from, expected, "{problem}");
    assert_eq!(w.text().await["version"], version, "nothing was adopted");
    w.app.answer(Some(&w.admin), Method::POST, &format!("{adopt}?force=true"), None, StatusCode::OK).await;
    let listed = w.app.answer(Some(&w.beto), Method::GET, &references, None, StatusCode::OK).await;
    assert!(listed.as_array().unwrap().iter().all(|r| r["target_label"].is_null()), "both now broken: {listed}");
}
