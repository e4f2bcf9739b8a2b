//! Proposals: who may propose, revise, withdraw and lock (each permission
//! tried both ways), what a proposal looks like, how its revisions compare,
//! and the events it leaves, on both backends.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use minga_tests::{expect_problem, expect_status, on_both_backends, Backend, Session, TestApp};
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

on_both_backends!(
    delegates_and_the_secretariat_propose_observers_do_not,
    targets_must_fit_the_kind,
    titles_and_bodies_have_limits,
    proposals_are_listed_filtered_and_read,
    the_author_organization_and_the_secretariat_revise,
    diffs_compare_the_base_text_and_revisions,
    add_and_delete_proposals_diff_against_empty_text,
    withdrawing_freezes_the_text,
    only_the_secretariat_locks_a_discussion,
    proposal_events_are_replayed_in_order,
    event_replay_checks_its_query,
);

const BODY: &str = "La asamblea general se reunirá cada seis meses.";

struct World {
    app: TestApp,
    admin: Session,
    /// Two delegates of Fundación Esperanza, and one of Red Clamor.
    ana: Session,
    carla: Session,
    beto: Session,
    olga: Session,
    doc: String,
    articles: Vec<String>,
}

async fn world(backend: Backend) -> World {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@esperanza.ec", "Fundación Esperanza").await;
    let carla = app.delegate("carla@esperanza.ec", "Fundación Esperanza").await;
    let beto = app.delegate("beto@clamor.ec", "Red Clamor").await;
    let olga = app.observer("olga@uni.ec", "Universidad Central").await;
    let (doc, articles) = app.charter(&admin, 2).await;
    World { app, admin, ana, carla, beto, olga, doc, articles }
}

/// A proposal request of `kind` with the `target` fields merged in.
fn request(kind: &str, target: Value) -> Value {
    let mut body = json!({"kind": kind, "title": "Reunión semestral", "body": BODY, "rationale": "Más participación."});
    body.as_object_mut().unwrap().extend(target.as_object().unwrap().clone());
    body
}

/// The old and new texts a word diff describes: equal+delete, equal+insert.
fn sides(diff: &Value) -> (String, String) {
    let (mut old, mut new) = (String::new(), String::new());
    for op in diff["ops"].as_array().unwrap() {
        let text = op["text"].as_str().unwrap();
        assert!(!text.is_empty(), "no empty op: {diff}");
        match op["op"].as_str().unwrap() {
            "equal" => {
                old.push_str(text);
                new.push_str(text);
            }
            "delete" => old.push_str(text),
            "insert" => new.push_str(text),
            other => panic!("unknown op {other}"),
        }
    }
    (old, new)
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect()
}

impl World {
    async fn send(&self, who: Option<&Session>, method: Method, path: &str, body: Option<Value>) -> Response {
        self.app.send(who, method, path, body).await
    }

    async fn expect(
        &self,
        who: &Session,
        method: Method,
        path: &str,
        body: Option<Value>,
        status: StatusCode,
    ) -> Value {
        expect_status(self.send(Some(who), method, path, body).await, status).await
    }

    async fn get(&self, who: &Session, path: &str) -> Value {
        self.expect(who, Method::GET, path, None, StatusCode::OK).await
    }

    /// Expects a problem with `status` and the code that goes with it.
    async fn refused(
        &self,
        who: Option<&Session>,
        method: Method,
        path: &str,
        body: Option<Value>,
        status: StatusCode,
    ) -> Value {
        self.app.answer(who, method, path, body, status).await
    }

    fn proposals(&self) -> String {
        format!("/api/v1/documents/{}/proposals", self.doc)
    }

    async fn propose(&self, who: &Session, body: Value) -> Value {
        self.expect(who, Method::POST, &self.proposals(), Some(body), StatusCode::CREATED).await
    }

    /// An `amend` of the first article by `who`; returns its id.
    async fn amend(&self, who: &Session) -> String {
        self.app.proposal(who, &self.doc, &self.articles[0]).await["id"].as_str().unwrap().to_owned()
    }

    async fn revise(&self, who: &Session, id: &str, body: Value) -> Response {
        self.send(Some(who), Method::POST, &format!("/api/v1/proposals/{id}/revisions"), Some(body)).await
    }

    async fn section(&self, kind: &str, n: usize) -> Value {
        let doc = self.get(&self.admin, &format!("/api/v1/documents/{}", self.doc)).await;
        doc["sections"].as_array().unwrap().iter().filter(|s| s["kind"] == kind).nth(n).unwrap().clone()
    }

    async fn diff(&self, id: &str, query: &str) -> Value {
        self.get(&self.olga, &format!("/api/v1/proposals/{id}/diff{query}")).await
    }

    async fn events(&self, who: &Session, query: &str) -> Value {
        self.get(who, &format!("/api/v1/events?{query}")).await
    }
}

async fn delegates_and_the_secretariat_propose_observers_do_not(backend: Backend) {
    let w = world(backend).await;
    let version = w.get(&w.olga, &format!("/api/v1/documents/{}", w.doc)).await["version"].clone();
    assert!(version.as_i64().unwrap() >= 1);
    let body = request("amend", json!({"section_id": w.articles[0]}));
    let created = w.propose(&w.ana, body.clone()).await;
    assert!(created["id"].is_string());
    assert_eq!(created["document_id"], w.doc.as_str());
    assert_eq!(created["kind"], "amend");
    assert_eq!(created["section_id"], w.articles[0].as_str());
    assert_eq!(created["after_section_id"], Value::Null);
    assert_eq!(created["title"], "Reunión semestral");
    assert_eq!(created["rationale"], "Más participación.");
    assert_eq!(created["status"], "open");
    assert_eq!(created["organization"]["id"], w.ana.user["organization"]["id"]);
    assert_eq!(created["organization"]["name"], "Fundación Esperanza");
    assert_eq!(created["author"]["id"], w.ana.id());
    assert_eq!(created["base_version"], version, "based on the document version at creation");
    let revision = &created["revision"];
    assert_eq!(revision["number"], 1);
    assert_eq!(revision["body"], BODY);
    assert!(revision["body_html"].as_str().unwrap().contains(&format!("<p>{BODY}</p>")), "{revision}");
    assert_eq!(revision["author"]["id"], w.ana.id());
    for time in [&revision["created_at"], &created["created_at"]] {
        chrono::DateTime::parse_from_rfc3339(time.as_str().unwrap()).unwrap();
    }
    assert_eq!(created["locked"], false);
    assert_eq!(created["comment_count"], 0);
    assert_eq!(created["ballot_id"], Value::Null);
    let id = created["id"].as_str().unwrap();
    assert_eq!(w.get(&w.olga, &format!("/api/v1/proposals/{id}")).await, created, "read back as created");

    let by_secretariat = w.propose(&w.admin, body.clone()).await;
    assert_eq!(by_secretariat["organization"]["id"], w.admin.user["organization"]["id"]);
    assert_eq!(by_secretariat["author"]["id"], w.admin.id());
    w.refused(Some(&w.olga), Method::POST, &w.proposals(), Some(body.clone()), StatusCode::FORBIDDEN).await;
    w.refused(None, Method::POST, &w.proposals(), Some(body.clone()), StatusCode::UNAUTHORIZED).await;
    let unknown = format!("/api/v1/documents/{}/proposals", uuid::Uuid::now_v7());
    w.refused(Some(&w.ana), Method::POST, &unknown, Some(body), StatusCode::NOT_FOUND).await;
    assert_eq!(ids(&w.get(&w.olga, &w.proposals()).await).len(), 2, "refused attempts left nothing");
}

async fn targets_must_fit_the_kind(backend: Backend) {
    let w = world(backend).await;
    let article = w.articles[0].as_str();
    let chapter = w.section("chapter", 0).await["id"].as_str().unwrap().to_owned();
    let unknown = uuid::Uuid::now_v7().to_string();
    let path = w.proposals();
    // An amendment may rename a chapter; nothing proposes to delete one.
    let renamed = w.propose(&w.ana, request("amend", json!({"section_id": chapter}))).await;
    assert_eq!(renamed["section_id"].as_str(), Some(chapter.as_str()));
    for kind in ["amend", "delete"] {
        let chapter_refused = if kind == "delete" { json!({"section_id": chapter}) } else { json!({}) };
        for target in [json!({}), chapter_refused, json!({"section_id": unknown})] {
            let body = request(kind, target);
            let problem =
                w.refused(Some(&w.ana), Method::POST, &path, Some(body), StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(problem["field"], "section_id", "{kind}: {problem}");
        }
        let created = w.propose(&w.ana, request(kind, json!({"section_id": article}))).await;
        assert_eq!((created["kind"].as_str(), created["section_id"].as_str()), (Some(kind), Some(article)));
    }
    for after in [Value::Null, json!(chapter), json!(article)] {
        let created = w.propose(&w.beto, request("add", json!({"after_section_id": after}))).await;
        assert_eq!(created["after_section_id"], after);
        assert_eq!(created["section_id"], Value::Null);
    }
    let problem = w
        .refused(
            Some(&w.beto),
            Method::POST,
            &path,
            Some(request("add", json!({"after_section_id": unknown}))),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(problem["field"], "after_section_id");
    let general = w.propose(&w.admin, request("general", json!({}))).await;
    assert_eq!((general["kind"].as_str(), &general["section_id"]), (Some("general"), &Value::Null));
    let named = request("general", json!({"section_id": article}));
    w.refused(Some(&w.admin), Method::POST, &path, Some(named), StatusCode::UNPROCESSABLE_ENTITY).await;
    let rename = request("rename", json!({"section_id": article}));
    w.refused(Some(&w.ana), Method::POST, &path, Some(rename), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(ids(&w.get(&w.olga, &path).await).len(), 7, "six, and the chapter rename");
}

async fn titles_and_bodies_have_limits(backend: Backend) {
    let w = world(backend).await;
    let article = json!({"section_id": w.articles[0]});
    let with = |field: &str, value: String| {
        let mut body = request("amend", article.clone());
        body[field] = json!(value);
        body
    };
    let path = w.proposals();
    for (field, value) in [("title", String::new()), ("title", "ñ".repeat(201)), ("body", "ñ".repeat(100_001))] {
        let body = with(field, value);
        let problem = w.refused(Some(&w.ana), Method::POST, &path, Some(body), StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(problem["field"], field);
    }
    // Limits count characters, not bytes.
    let longest = w.propose(&w.ana, with("title", "ñ".repeat(200))).await;
    assert_eq!(longest["title"].as_str().unwrap().chars().count(), 200);
    let id = w.propose(&w.ana, with("body", "ñ".repeat(100_000))).await["id"].as_str().unwrap().to_owned();
    // A revision has the same limits.
    for (body, field) in [(json!({"body": "ñ".repeat(100_001)}), "body"), (json!({"body": "x", "title": ""}), "title")]
    {
        let problem =
            expect_problem(w.revise(&w.ana, &id, body).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert_eq!(problem["field"], field);
    }
    expect_status(w.revise(&w.ana, &id, json!({"body": "ñ".repeat(100_000)})).await, StatusCode::CREATED).await;
}

async fn proposals_are_listed_filtered_and_read(backend: Backend) {
    let w = world(backend).await;
    let first = w.amend(&w.ana).await;
    let second = w.amend(&w.beto).await;
    w.expect(&w.beto, Method::POST, &format!("/api/v1/proposals/{second}/withdraw"), None, StatusCode::OK).await;
    let path = w.proposals();
    let all = w.get(&w.olga, &path).await;
    assert_eq!(ids(&all), [first.as_str(), second.as_str()], "oldest first");
    assert_eq!(all[1]["status"], "withdrawn");
    for (status, expected) in [("open", vec![first.as_str()]), ("withdrawn", vec![second.as_str()]), ("voting", vec![])]
    {
        assert_eq!(ids(&w.get(&w.olga, &format!("{path}?status={status}")).await), expected, "{status}");
    }
    let bogus = format!("{path}?status=bogus");
    w.refused(Some(&w.olga), Method::GET, &bogus, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    let one = w.get(&w.olga, &format!("/api/v1/proposals/{first}")).await;
    assert_eq!(one, all[0]);
    let unknown = uuid::Uuid::now_v7();
    w.refused(Some(&w.olga), Method::GET, &format!("/api/v1/proposals/{unknown}"), None, StatusCode::NOT_FOUND).await;
    let no_doc = format!("/api/v1/documents/{unknown}/proposals");
    w.refused(Some(&w.olga), Method::GET, &no_doc, None, StatusCode::NOT_FOUND).await;
    w.refused(None, Method::GET, &path, None, StatusCode::UNAUTHORIZED).await;
    w.refused(None, Method::GET, &format!("/api/v1/proposals/{first}"), None, StatusCode::UNAUTHORIZED).await;
}

async fn the_author_organization_and_the_secretariat_revise(backend: Backend) {
    let w = world(backend).await;
    let id = w.amend(&w.ana).await;
    let second =
        expect_status(w.revise(&w.carla, &id, json!({"body": "Cada tres meses."})).await, StatusCode::CREATED).await;
    assert_eq!(second["revision"]["number"], 2);
    assert_eq!(second["revision"]["body"], "Cada tres meses.");
    assert_eq!(second["revision"]["author"]["id"], w.carla.id());
    assert_eq!(second["author"]["id"], w.ana.id(), "the proposal keeps its author");
    let listed = w.get(&w.olga, &format!("/api/v1/proposals/{id}/revisions")).await;
    for who in [&w.beto, &w.olga] {
        let response = w.revise(who, &id, json!({"body": "Otro texto."})).await;
        expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let path = format!("/api/v1/proposals/{id}/revisions");
    w.refused(None, Method::POST, &path, Some(json!({"body": "x"})), StatusCode::UNAUTHORIZED).await;
    let change = json!({"body": "Cada cuatro meses.", "title": "Reunión cuatrimestral", "note": "Acuerdo de la mesa"});
    let third = expect_status(w.revise(&w.admin, &id, change).await, StatusCode::CREATED).await;
    assert_eq!(third["revision"]["number"], 3);
    assert_eq!(third["title"], "Reunión cuatrimestral", "a revision's title renames the proposal");
    assert_eq!(w.get(&w.olga, &format!("/api/v1/proposals/{id}")).await["title"], "Reunión cuatrimestral");

    let revisions = w.get(&w.olga, &format!("/api/v1/proposals/{id}/revisions")).await;
    let revisions = revisions.as_array().unwrap();
    let numbers: Vec<i64> = revisions.iter().map(|r| r["number"].as_i64().unwrap()).collect();
    assert_eq!(numbers, [1, 2, 3]);
    let bodies: Vec<&str> = revisions.iter().map(|r| r["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, [BODY, "Cada tres meses.", "Cada cuatro meses."]);
    let titles: Vec<&str> = revisions.iter().map(|r| r["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Reunión semestral", "Reunión semestral", "Reunión cuatrimestral"]);
    let authors: Vec<&str> = revisions.iter().map(|r| r["author"]["id"].as_str().unwrap()).collect();
    assert_eq!(authors, [w.ana.id(), w.carla.id(), w.admin.id()]);
    assert_eq!(revisions[2]["note"], "Acuerdo de la mesa");
    assert!(revisions.iter().all(|r| r["created_at"].is_string()));
    assert_eq!(&revisions[..2], listed.as_array().unwrap().as_slice(), "earlier revisions never change");

    let unknown = uuid::Uuid::now_v7().to_string();
    expect_problem(w.revise(&w.admin, &unknown, json!({"body": "x"})).await, StatusCode::NOT_FOUND, "not_found").await;
    let path = format!("/api/v1/proposals/{unknown}/revisions");
    w.refused(Some(&w.olga), Method::GET, &path, None, StatusCode::NOT_FOUND).await;
}

async fn diffs_compare_the_base_text_and_revisions(backend: Backend) {
    let w = world(backend).await;
    let base_text = w.section("article", 0).await["body"].as_str().unwrap().to_owned();
    assert!(!base_text.is_empty());
    let id = w.amend(&w.ana).await;
    // The article changes after the proposal was made: until it is revised,
    // `base` still means the text the proposal started from, and the
    // proposal is marked outdated.
    let patch = json!({"body": "Un texto posterior del artículo."});
    w.expect(&w.admin, Method::PATCH, &format!("/api/v1/sections/{}", w.articles[0]), Some(patch), StatusCode::OK)
        .await;
    let outdated = w.get(&w.olga, &format!("/api/v1/proposals/{id}")).await;
    assert_eq!(outdated["outdated"], true);
    assert_eq!(sides(&w.diff(&id, "?from=base").await), (base_text.clone(), BODY.to_owned()));
    assert_eq!(sides(&w.diff(&id, "?from=base&to=1").await), (base_text, BODY.to_owned()));
    // Revising it is revising against the current text, which becomes its base.
    let revised = "La asamblea general se reunirá cada tres meses.";
    let rebased = expect_status(w.revise(&w.ana, &id, json!({"body": revised})).await, StatusCode::CREATED).await;
    assert_eq!(rebased["outdated"], false);
    assert_eq!(rebased["base_version"], outdated["base_version"].as_i64().unwrap() + 1);
    let later = "Un texto posterior del artículo.".to_owned();
    assert_eq!(sides(&w.diff(&id, "?from=base").await), (later.clone(), revised.to_owned()));
    assert_eq!(sides(&w.diff(&id, "").await), (later, revised.to_owned()), "base to latest by default");
    let between = w.diff(&id, "?from=1&to=2").await;
    assert_eq!(sides(&between), (BODY.to_owned(), revised.to_owned()));
    let expected = json!({"ops": [
        {"op": "equal", "text": "La asamblea general se reunirá cada "},
        {"op": "delete", "text": "seis"},
        {"op": "insert", "text": "tres"},
        {"op": "equal", "text": " meses."},
    ]});
    assert_eq!(between, expected, "a word diff");
    assert_eq!(sides(&w.diff(&id, "?from=2&to=1").await), (revised.to_owned(), BODY.to_owned()));

    for query in ["?from=9", "?from=1&to=9", "?to=9"] {
        let path = format!("/api/v1/proposals/{id}/diff{query}");
        w.refused(Some(&w.olga), Method::GET, &path, None, StatusCode::NOT_FOUND).await;
    }
    let bad = format!("/api/v1/proposals/{id}/diff?from=abc");
    let problem = w.refused(Some(&w.olga), Method::GET, &bad, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["field"], "from");
    let unknown = format!("/api/v1/proposals/{}/diff", uuid::Uuid::now_v7());
    w.refused(Some(&w.olga), Method::GET, &unknown, None, StatusCode::NOT_FOUND).await;

    // A proposal made now is based on the new version and its text.
    let version = w.get(&w.olga, &format!("/api/v1/documents/{}", w.doc)).await["version"].clone();
    let later = w.app.proposal(&w.beto, &w.doc, &w.articles[0]).await;
    assert_eq!(later["base_version"], version);
    let later_diff = w.diff(later["id"].as_str().unwrap(), "?from=base").await;
    assert_eq!(sides(&later_diff), ("Un texto posterior del artículo.".to_owned(), BODY.to_owned()));
}

async fn add_and_delete_proposals_diff_against_empty_text(backend: Backend) {
    let w = world(backend).await;
    let add = w.propose(&w.ana, request("add", json!({"after_section_id": w.articles[0]}))).await;
    let add_diff = w.diff(add["id"].as_str().unwrap(), "?from=base").await;
    assert_eq!(add_diff, json!({"ops": [{"op": "insert", "text": BODY}]}), "an added article is all new");
    let article_text = w.section("article", 1).await["body"].as_str().unwrap().to_owned();
    let delete = w.propose(&w.ana, request("delete", json!({"section_id": w.articles[1]}))).await;
    let delete_diff = w.diff(delete["id"].as_str().unwrap(), "?from=base").await;
    assert_eq!(delete_diff, json!({"ops": [{"op": "delete", "text": article_text}]}), "a deleted article is all gone");
}

async fn withdrawing_freezes_the_text(backend: Backend) {
    let w = world(backend).await;
    let id = w.amend(&w.ana).await;
    let withdraw = format!("/api/v1/proposals/{id}/withdraw");
    for who in [&w.beto, &w.olga] {
        w.refused(Some(who), Method::POST, &withdraw, None, StatusCode::FORBIDDEN).await;
    }
    w.refused(None, Method::POST, &withdraw, None, StatusCode::UNAUTHORIZED).await;
    assert_eq!(w.get(&w.olga, &format!("/api/v1/proposals/{id}")).await["status"], "open", "refusals changed nothing");
    // Any delegate of the author organization may withdraw it.
    let withdrawn = w.expect(&w.carla, Method::POST, &withdraw, None, StatusCode::OK).await;
    assert_eq!(withdrawn["status"], "withdrawn");
    for who in [&w.ana, &w.admin] {
        let problem =
            expect_problem(w.revise(who, &id, json!({"body": "Tarde."})).await, StatusCode::CONFLICT, "conflict").await;
        assert!(problem["detail"].as_str().unwrap().contains("withdrawn"), "{problem}");
        w.refused(Some(who), Method::POST, &withdraw, None, StatusCode::CONFLICT).await;
    }
    let after = w.get(&w.olga, &format!("/api/v1/proposals/{id}")).await;
    assert_eq!((after["status"].as_str(), &after["revision"]["number"]), (Some("withdrawn"), &json!(1)));
    let other = w.amend(&w.beto).await;
    let by_secretariat =
        w.expect(&w.admin, Method::POST, &format!("/api/v1/proposals/{other}/withdraw"), None, StatusCode::OK).await;
    assert_eq!(by_secretariat["status"], "withdrawn");
    let unknown = format!("/api/v1/proposals/{}/withdraw", uuid::Uuid::now_v7());
    w.refused(Some(&w.admin), Method::POST, &unknown, None, StatusCode::NOT_FOUND).await;
}

async fn only_the_secretariat_locks_a_discussion(backend: Backend) {
    let w = world(backend).await;
    let id = w.amend(&w.ana).await;
    let comment = w.app.comment(&w.ana, &id, "Estoy de acuerdo.").await;
    let edit = format!("/api/v1/comments/{}", comment["id"].as_str().unwrap());
    let (lock, unlock) = (format!("/api/v1/proposals/{id}/lock"), format!("/api/v1/proposals/{id}/unlock"));
    let comments = format!("/api/v1/proposals/{id}/comments");
    for who in [&w.ana, &w.beto, &w.olga] {
        w.refused(Some(who), Method::POST, &lock, None, StatusCode::FORBIDDEN).await;
    }
    w.refused(None, Method::POST, &lock, None, StatusCode::UNAUTHORIZED).await;
    assert_eq!(w.expect(&w.admin, Method::POST, &lock, None, StatusCode::OK).await["locked"], true);
    assert_eq!(w.get(&w.olga, &format!("/api/v1/proposals/{id}")).await["locked"], true);
    for who in [&w.ana, &w.olga, &w.admin] {
        let body = Some(json!({"body": "¿Puedo?"}));
        w.refused(Some(who), Method::POST, &comments, body, StatusCode::CONFLICT).await;
    }
    w.refused(Some(&w.ana), Method::PATCH, &edit, Some(json!({"body": "Cambio."})), StatusCode::CONFLICT).await;
    w.refused(Some(&w.ana), Method::POST, &unlock, None, StatusCode::FORBIDDEN).await;
    assert_eq!(w.expect(&w.admin, Method::POST, &unlock, None, StatusCode::OK).await["locked"], false);
    w.app.comment(&w.olga, &id, "Ahora sí.").await;
    let edited = w.expect(&w.ana, Method::PATCH, &edit, Some(json!({"body": "Cambio."})), StatusCode::OK).await;
    assert_eq!(edited["body"], "Cambio.");
    assert_eq!(w.get(&w.olga, &format!("/api/v1/proposals/{id}")).await["comment_count"], 2);
    let unknown = format!("/api/v1/proposals/{}/lock", uuid::Uuid::now_v7());
    w.refused(Some(&w.admin), Method::POST, &unknown, None, StatusCode::NOT_FOUND).await;
}

async fn proposal_events_are_replayed_in_order(backend: Backend) {
    let w = world(backend).await;
    let id = w.amend(&w.ana).await;
    expect_status(w.revise(&w.carla, &id, json!({"body": "Cada tres meses."})).await, StatusCode::CREATED).await;
    for action in ["lock", "unlock", "withdraw"] {
        w.expect(&w.admin, Method::POST, &format!("/api/v1/proposals/{id}/{action}"), None, StatusCode::OK).await;
    }
    let kinds = ["proposal.created", "proposal.revised", "proposal.locked", "proposal.locked", "proposal.status"];
    let actors = [w.ana.id(), w.carla.id(), w.admin.id(), w.admin.id(), w.admin.id()];
    let topic = format!("proposal:{id}");
    let events = w.events(&w.olga, &format!("topic={topic}")).await;
    let events = events.as_array().unwrap();
    assert_eq!(events.iter().map(|e| e["kind"].as_str().unwrap()).collect::<Vec<_>>(), kinds);
    assert_eq!(events.iter().map(|e| e["seq"].as_i64().unwrap()).collect::<Vec<_>>(), [1, 2, 3, 4, 5], "gap-free");
    for (event, actor) in events.iter().zip(actors) {
        assert_eq!(event["topic"], topic.as_str());
        assert_eq!(event["data"]["proposal"]["id"], id.as_str(), "{event}");
        assert_eq!(event["actor"]["id"], actor, "{event}");
        chrono::DateTime::parse_from_rfc3339(event["at"].as_str().unwrap()).unwrap();
    }
    assert_eq!(events[1]["data"]["proposal"]["revision"]["number"], 2);
    assert_eq!(
        (&events[2]["data"]["proposal"]["locked"], &events[3]["data"]["proposal"]["locked"]),
        (&json!(true), &json!(false))
    );
    assert_eq!(events[4]["data"]["proposal"]["status"], "withdrawn");

    // The document's topic carries them too, within its own gap-free sequence.
    let document = w.events(&w.olga, &format!("topic=document:{}", w.doc)).await;
    let document = document.as_array().unwrap();
    let seqs: Vec<i64> = document.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (1..=document.len() as i64).collect::<Vec<_>>());
    let about: Vec<&str> = document
        .iter()
        .filter(|e| e["data"]["proposal"]["id"] == id.as_str())
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(about, kinds);

    let seqs_of = |list: Value| list.as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect::<Vec<_>>();
    assert_eq!(seqs_of(w.events(&w.ana, &format!("topic={topic}&after=2")).await), [3, 4, 5]);
    assert_eq!(seqs_of(w.events(&w.ana, &format!("topic={topic}&limit=2")).await), [1, 2]);
    assert_eq!(seqs_of(w.events(&w.ana, &format!("topic={topic}&after=2&limit=2")).await), [3, 4]);
    assert!(seqs_of(w.events(&w.ana, &format!("topic={topic}&after=5")).await).is_empty());
}

async fn event_replay_checks_its_query(backend: Backend) {
    let w = world(backend).await;
    let id = w.amend(&w.ana).await;
    let unknown = uuid::Uuid::now_v7();
    for query in [
        "topic=".to_owned(),
        "topic=proposal:nope".to_owned(),
        format!("topic=ballot:{unknown}"),
        format!("topic=proposal:{id}&limit=0"),
        format!("topic=proposal:{id}&limit=1001"),
        format!("topic=proposal:{id}&limit=x"),
        "limit=5".to_owned(),
    ] {
        let path = format!("/api/v1/events?{query}");
        w.refused(Some(&w.ana), Method::GET, &path, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let path = format!("/api/v1/events?topic=proposal:{id}");
    w.refused(None, Method::GET, &path, None, StatusCode::UNAUTHORIZED).await;
    assert_eq!(w.events(&w.ana, &format!("topic=proposal:{id}&limit=1000")).await.as_array().unwrap().len(), 1);
}
