//! Proposals in a drafting process: amendments that rename an article or a
//! chapter, co-sponsors, and consolidated texts that supersede others; each
//! permission both ways, on both backends.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use minga_tests::{on_both_backends, Backend, Session, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_backends!(
    an_amendment_renames_an_article_when_adopted,
    a_chapter_is_renamed_by_an_amendment,
    co_sponsors_are_invited_accept_and_may_revise,
    a_consolidated_text_supersedes_proposals_on_its_article,
);

struct World {
    app: TestApp,
    admin: Session,
    ana: Session,
    carla: Session,
    beto: Session,
    document: String,
    articles: Vec<String>,
}

async fn world(backend: Backend) -> World {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@ong.ec", "Fundación Esperanza").await;
    let carla = app.delegate("carla@red.ec", "Red Migrante").await;
    let beto = app.observer("beto@uni.ec", "Universidad Central").await;
    let (document, articles) = app.charter(&admin, 3).await;
    World { app, admin, ana, carla, beto, document, articles }
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

impl World {
    async fn propose(&self, who: &Session, body: Value, status: StatusCode) -> Value {
        let path = format!("/api/v1/documents/{}/proposals", self.document);
        self.app.answer(Some(who), Method::POST, &path, Some(body), status).await
    }

    async fn post(&self, who: &Session, path: &str, body: Option<Value>, status: StatusCode) -> Value {
        self.app.answer(Some(who), Method::POST, path, body, status).await
    }

    async fn get(&self, path: &str) -> Value {
        self.app.answer(Some(&self.beto), Method::GET, path, None, StatusCode::OK).await
    }

    /// Opens, closes and adopts a ballot that every organization votes yes on.
    async fn pass_and_adopt(&self, proposal: &str, voters: &[&Session]) -> Value {
        let rule = json!({"majority": "simple", "quorum": 0.0, "secret": false, "live_results": true});
        let ballot = self
            .post(&self.admin, &format!("/api/v1/proposals/{proposal}/ballot"), Some(rule), StatusCode::CREATED)
            .await;
        let ballot = id(&ballot);
        for voter in voters {
            let path = format!("/api/v1/ballots/{ballot}/vote");
            self.app.answer(Some(voter), Method::PUT, &path, Some(json!({"choice": "yes"})), StatusCode::OK).await;
        }
        self.post(&self.admin, &format!("/api/v1/ballots/{ballot}/close"), None, StatusCode::OK).await;
        self.post(&self.admin, &format!("/api/v1/proposals/{proposal}/adopt"), None, StatusCode::OK).await
    }

    async fn section(&self, section: &str) -> Value {
        let text = self.get(&format!("/api/v1/documents/{}", self.document)).await;
        text["sections"].as_array().unwrap().iter().find(|s| s["id"] == section).unwrap().clone()
    }
}

async fn an_amendment_renames_an_article_when_adopted(backend: Backend) {
    let w = world(backend).await;
    let body = json!({"kind": "amend", "section_id": w.articles[1], "title": "Sede y subsedes",
        "body": "El Foro tiene su sede en Quito y subsedes en Guayaquil y Lago Agrio.", "rationale": "Territorio.",
        "section_title": "Sede y subsedes"});
    let proposal = w.propose(&w.ana, body, StatusCode::CREATED).await;
    assert_eq!(proposal["revision"]["section_title"], "Sede y subsedes");
    // A revision that says nothing of the title keeps the proposed one.
    let path = format!("/api/v1/proposals/{}/revisions", id(&proposal));
    let revised = w
        .post(&w.ana, &path, Some(json!({"body": "Sede en Quito; subsedes en Guayaquil."})), StatusCode::CREATED)
        .await;
    assert_eq!(revised["revision"]["section_title"], "Sede y subsedes");
    // Only an amendment renames.
    let add = json!({"kind": "add", "title": "Nuevo", "body": "Texto.", "section_title": "Otro"});
    let problem = w.propose(&w.ana, add, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["field"], "section_title");

    w.pass_and_adopt(&id(&proposal), &[&w.ana, &w.carla]).await;
    let article = w.section(&w.articles[1]).await;
    assert_eq!(article["title"], "Sede y subsedes");
    assert_eq!(article["body"], "Sede en Quito; subsedes en Guayaquil.");
}

async fn a_chapter_is_renamed_by_an_amendment(backend: Backend) {
    let w = world(backend).await;
    let text = w.get(&format!("/api/v1/documents/{}", w.document)).await;
    let chapter = id(&text["sections"][0]);
    assert_eq!(text["sections"][0]["kind"], "chapter");
    let body = json!({"kind": "amend", "section_id": chapter, "title": "Nuevo nombre del capítulo",
        "body": "", "rationale": "Más preciso.", "section_title": "Naturaleza, domicilio y fines"});
    let proposal = w.propose(&w.carla, body, StatusCode::CREATED).await;
    // A chapter is renamed, never deleted by a proposal.
    let delete = json!({"kind": "delete", "section_id": chapter, "title": "Quitar el capítulo"});
    w.propose(&w.carla, delete, StatusCode::UNPROCESSABLE_ENTITY).await;
    w.pass_and_adopt(&id(&proposal), &[&w.ana, &w.carla]).await;
    assert_eq!(w.section(&chapter).await["title"], "Naturaleza, domicilio y fines");
}

async fn co_sponsors_are_invited_accept_and_may_revise(backend: Backend) {
    let w = world(backend).await;
    let proposal = id(&w.app.proposal(&w.ana, &w.document, &w.articles[0]).await);
    let carla_org = w.carla.user["organization"]["id"].as_str().unwrap().to_owned();
    let beto_org = w.beto.user["organization"]["id"].as_str().unwrap().to_owned();
    let invite = format!("/api/v1/proposals/{proposal}/cosponsors");
    let revise = format!("/api/v1/proposals/{proposal}/revisions");
    let accept = format!("/api/v1/proposals/{proposal}/cosponsors/accept");
    let revision = json!({"body": "Redacción conjunta."});

    // Before anything, Carla's organization may not revise, nor accept.
    w.post(&w.carla, &revise, Some(revision.clone()), StatusCode::FORBIDDEN).await;
    w.post(&w.carla, &accept, None, StatusCode::FORBIDDEN).await;
    // Only the author organization invites, and only member organizations.
    w.post(&w.carla, &invite, Some(json!({"organization_id": carla_org})), StatusCode::FORBIDDEN).await;
    w.post(&w.beto, &invite, Some(json!({"organization_id": carla_org})), StatusCode::FORBIDDEN).await;
    let problem =
        w.post(&w.ana, &invite, Some(json!({"organization_id": beto_org})), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["field"], "organization_id");
    let own = w.ana.user["organization"]["id"].as_str().unwrap().to_owned();
    w.post(&w.ana, &invite, Some(json!({"organization_id": own})), StatusCode::UNPROCESSABLE_ENTITY).await;
    let unknown = uuid::Uuid::now_v7().to_string();
    w.post(&w.ana, &invite, Some(json!({"organization_id": unknown})), StatusCode::UNPROCESSABLE_ENTITY).await;

    let invited = w.post(&w.ana, &invite, Some(json!({"organization_id": carla_org})), StatusCode::CREATED).await;
    assert_eq!(invited["invited_cosponsors"][0]["id"], carla_org.as_str());
    assert_eq!(invited["cosponsors"], json!([]));
    w.post(&w.ana, &invite, Some(json!({"organization_id": carla_org})), StatusCode::CONFLICT).await;
    // Invited is not yet co-signing.
    w.post(&w.carla, &revise, Some(revision.clone()), StatusCode::FORBIDDEN).await;
    w.post(&w.ana, &accept, None, StatusCode::FORBIDDEN).await;
    let accepted = w.post(&w.carla, &accept, None, StatusCode::OK).await;
    assert_eq!(accepted["cosponsors"][0]["name"], "Red Migrante");
    assert_eq!(accepted["invited_cosponsors"], json!([]));
    let revised = w.post(&w.carla, &revise, Some(revision), StatusCode::CREATED).await;
    assert_eq!(revised["revision"]["author"]["display_name"], w.carla.user["display_name"]);
    // Shown in lists too; withdrawing stays with the author organization.
    let list = w.get(&format!("/api/v1/documents/{}/proposals", w.document)).await;
    let listed = list.as_array().unwrap().iter().find(|p| p["id"] == proposal.as_str()).unwrap();
    assert_eq!(listed["cosponsors"][0]["name"], "Red Migrante");
    w.post(&w.carla, &format!("/api/v1/proposals/{proposal}/withdraw"), None, StatusCode::FORBIDDEN).await;
    // The event log says who co-signs.
    let topic = format!("proposal:{proposal}");
    let events = w.get(&format!("/api/v1/events?topic={topic}")).await;
    let kinds: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "proposal.cosponsors").count(), 2, "{kinds:?}");
    // The minutes name the co-sponsors as they were when the ballot opened.
    w.pass_and_adopt(&proposal, &[&w.ana, &w.carla]).await;
    let ballot = w.get(&format!("/api/v1/proposals/{proposal}")).await["ballot_id"].as_str().unwrap().to_owned();
    let minutes = w.app.text(&w.beto, &format!("/api/v1/ballots/{ballot}/minutes?format=markdown")).await;
    assert!(minutes.contains("Organizaciones copatrocinantes: Red Migrante"), "{minutes}");
    let recorded = w.get(&format!("/api/v1/ballots/{ballot}/minutes")).await;
    assert_eq!(recorded["decision"]["cosponsors"], json!(["Red Migrante"]));
}

async fn a_consolidated_text_supersedes_proposals_on_its_article(backend: Backend) {
    let w = world(backend).await;
    let first = id(&w.app.proposal(&w.ana, &w.document, &w.articles[2]).await);
    let second = id(&w.app.proposal(&w.carla, &w.document, &w.articles[2]).await);
    let elsewhere = id(&w.app.proposal(&w.carla, &w.document, &w.articles[0]).await);
    let consolidated = |supersedes: Vec<&str>| {
        json!({"kind": "amend", "section_id": w.articles[2], "title": "Texto consolidado",
            "body": "La asamblea se reúne cada seis meses, y en sesión extraordinaria cuando la convoque un tercio.",
            "rationale": "Recoge las dos propuestas.", "supersedes": supersedes})
    };
    w.propose(&w.ana, consolidated(vec![&first, &second]), StatusCode::FORBIDDEN).await;
    w.propose(&w.admin, consolidated(vec![&first, &elsewhere]), StatusCode::UNPROCESSABLE_ENTITY).await;
    w.propose(&w.admin, consolidated(vec![&first, &first]), StatusCode::UNPROCESSABLE_ENTITY).await;
    for old in [&first, &second] {
        assert_eq!(w.get(&format!("/api/v1/proposals/{old}")).await["status"], "open", "a refusal changes nothing");
    }
    let made = w.propose(&w.admin, consolidated(vec![&first, &second]), StatusCode::CREATED).await;
    assert_eq!(made["supersedes"], json!([first, second]));
    for old in [&first, &second] {
        let old = w.get(&format!("/api/v1/proposals/{old}")).await;
        assert_eq!((old["status"].as_str(), old["superseded_by"].as_str()), (Some("superseded"), made["id"].as_str()));
    }
    // A superseded proposal no longer changes, and cannot be replaced twice.
    let path = format!("/api/v1/proposals/{first}/revisions");
    w.post(&w.ana, &path, Some(json!({"body": "Otra vez."})), StatusCode::CONFLICT).await;
    w.propose(&w.admin, consolidated(vec![&second]), StatusCode::CONFLICT).await;
    // Its organization hears of it.
    let notices = w.app.answer(Some(&w.carla), Method::GET, "/api/v1/me/notifications", None, StatusCode::OK).await;
    assert!(
        notices.as_array().unwrap().iter().any(|n| n["title"].as_str().unwrap().contains("consolidado")),
        "{notices}"
    );
}
