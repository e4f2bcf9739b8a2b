//! The discussion of a proposal: comments and replies, anchors, limits,
//! sanitized Markdown, edits with history, tombstones, hiding, flags and the
//! moderation queue (each permission tried both ways), on both backends.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use minga_tests::{expect_problem, expect_status, on_both_backends, Backend, Session, TestApp};
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

on_both_backends!(
    a_deleted_comment_is_empty_in_the_moderation_queue_too,
    everyone_signed_in_comments_and_replies,
    anchors_quote_a_revision,
    comment_bodies_have_limits,
    markdown_is_sanitized,
    authors_edit_and_history_is_kept,
    deletion_leaves_a_tombstone,
    the_secretariat_hides_and_unhides,
    flags_are_raised_once_per_person,
    resolving_a_flag_hides_or_dismisses,
    moderation_events_are_the_secretariats,
);

struct World {
    app: TestApp,
    admin: Session,
    /// A delegate of Fundación Esperanza (the proposal's author), one of Red
    /// Clamor, and an observer.
    ana: Session,
    beto: Session,
    olga: Session,
    doc: String,
    article: String,
    proposal: String,
}

async fn world(backend: Backend) -> World {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@esperanza.ec", "Fundación Esperanza").await;
    let beto = app.delegate("beto@clamor.ec", "Red Clamor").await;
    let olga = app.observer("olga@uni.ec", "Universidad Central").await;
    let (doc, articles) = app.charter(&admin, 1).await;
    let proposal = app.proposal(&ana, &doc, &articles[0]).await["id"].as_str().unwrap().to_owned();
    World { app, admin, ana, beto, olga, doc, article: articles[0].clone(), proposal }
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

fn field<'v>(list: &'v Value, key: &str) -> Vec<&'v Value> {
    list.as_array().unwrap().iter().map(|item| &item[key]).collect()
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

    fn comments(&self) -> String {
        format!("/api/v1/proposals/{}/comments", self.proposal)
    }

    /// A comment on the world's proposal by `who`.
    async fn comment(&self, who: &Session, body: &str) -> Value {
        self.app.comment(who, &self.proposal, body).await
    }

    async fn post_comment(&self, who: &Session, body: Value) -> Response {
        self.send(Some(who), Method::POST, &self.comments(), Some(body)).await
    }

    /// The thread as `who` sees it.
    async fn thread(&self, who: &Session) -> Value {
        self.get(who, &self.comments()).await
    }

    /// `comment` as `who` sees it in the thread.
    async fn seen(&self, who: &Session, comment: &str) -> Value {
        let thread = self.thread(who).await;
        thread.as_array().unwrap().iter().find(|c| c["id"] == comment).unwrap().clone()
    }

    /// The `comment` carried by each event of the proposal's topic about it, as `who` sees them.
    async fn comment_events(&self, who: &Session, comment: &str) -> Vec<Value> {
        let events = self.get(who, &format!("/api/v1/events?topic=proposal:{}", self.proposal)).await;
        let about = events.as_array().unwrap().iter().filter(|e| e["data"]["comment"]["id"] == comment);
        about.map(|e| e["data"]["comment"].clone()).collect()
    }

    async fn history(&self, who: &Session, comment: &str) -> Value {
        self.get(who, &format!("/api/v1/comments/{comment}/history")).await
    }

    async fn flag(&self, who: &Session, comment: &str, status: StatusCode) -> Value {
        let path = format!("/api/v1/comments/{comment}/flag");
        self.expect(who, Method::POST, &path, Some(json!({"reason": "Lenguaje ofensivo"})), status).await
    }

    async fn open_flags(&self) -> Value {
        self.get(&self.admin, "/api/v1/moderation/flags?status=open").await
    }

    async fn resolve(&self, who: &Session, flag: &str, action: &str) -> Response {
        let path = format!("/api/v1/moderation/flags/{flag}/resolve");
        self.send(Some(who), Method::POST, &path, Some(json!({"action": action}))).await
    }
}

async fn everyone_signed_in_comments_and_replies(backend: Backend) {
    let w = world(backend).await;
    let first = w.comment(&w.ana, "Primero.").await;
    assert_eq!(first["proposal_id"], w.proposal.as_str());
    assert_eq!(first["parent_id"], Value::Null);
    assert_eq!(first["author"]["id"], w.ana.id());
    assert_eq!(first["organization"]["id"], w.ana.user["organization"]["id"]);
    assert_eq!(first["body"], "Primero.");
    assert_eq!(first["body_html"].as_str().unwrap().trim(), "<p>Primero.</p>");
    assert_eq!(first["anchor"], Value::Null);
    chrono::DateTime::parse_from_rfc3339(first["created_at"].as_str().unwrap()).unwrap();
    assert_eq!(first["edited_at"], Value::Null);
    assert_eq!(
        (&first["deleted"], &first["hidden"], &first["hidden_reason"]),
        (&json!(false), &json!(false), &Value::Null)
    );
    let second = w.comment(&w.olga, "Las observadoras también opinan.").await;
    assert_eq!(second["organization"]["id"], w.olga.user["organization"]["id"]);
    let third = w.comment(&w.admin, "La secretaría toma nota.").await;
    let anonymous = w.send(None, Method::POST, &w.comments(), Some(json!({"body": "¿Y yo?"}))).await;
    expect_problem(anonymous, StatusCode::UNAUTHORIZED, "unauthenticated").await;

    let reply = expect_status(
        w.post_comment(&w.beto, json!({"body": "Respondo.", "parent_id": id(&first)})).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(reply["parent_id"], first["id"]);
    // A parent must belong to the same discussion.
    let other = w.app.proposal(&w.beto, &w.doc, &w.article).await;
    let elsewhere = w.app.comment(&w.beto, other["id"].as_str().unwrap(), "En otra propuesta.").await;
    for parent in [id(&elsewhere), uuid::Uuid::now_v7().to_string()] {
        let body = json!({"body": "Respondo mal.", "parent_id": parent});
        let problem =
            expect_problem(w.post_comment(&w.beto, body).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert_eq!(problem["field"], "parent_id");
    }
    let unknown = format!("/api/v1/proposals/{}/comments", uuid::Uuid::now_v7());
    w.refused(Some(&w.ana), Method::POST, &unknown, Some(json!({"body": "¿Dónde?"})), StatusCode::NOT_FOUND).await;
    w.refused(Some(&w.ana), Method::GET, &unknown, None, StatusCode::NOT_FOUND).await;
    w.refused(None, Method::GET, &w.comments(), None, StatusCode::UNAUTHORIZED).await;

    for who in [&w.ana, &w.olga] {
        assert_eq!(w.thread(who).await, json!([first, second, third, reply]), "oldest first, as created");
    }
    let proposal = w.get(&w.olga, &format!("/api/v1/proposals/{}", w.proposal)).await;
    assert_eq!(proposal["comment_count"], 4);
}

async fn anchors_quote_a_revision(backend: Backend) {
    let w = world(backend).await;
    let revise = json!({"body": "La asamblea general se reunirá cada tres meses."});
    w.expect(
        &w.ana,
        Method::POST,
        &format!("/api/v1/proposals/{}/revisions", w.proposal),
        Some(revise),
        StatusCode::CREATED,
    )
    .await;
    for anchor in [json!({"revision": 1, "quote": "seis meses"}), json!({"revision": 2, "quote": "tres meses"})] {
        let body = json!({"body": "Sobre este pasaje.", "anchor": anchor});
        let created = expect_status(w.post_comment(&w.olga, body).await, StatusCode::CREATED).await;
        assert_eq!(created["anchor"], anchor);
    }
    let refused = [
        (json!({"revision": 1, "quote": "tres meses"}), "anchor.quote"),
        (json!({"revision": 2, "quote": "seis meses"}), "anchor.quote"),
        (json!({"revision": 1, "quote": "no está en el texto"}), "anchor.quote"),
        (json!({"revision": 9, "quote": "seis meses"}), "anchor.revision"),
    ];
    for (anchor, at_fault) in refused {
        let body = json!({"body": "Sobre este pasaje.", "anchor": anchor});
        let problem =
            expect_problem(w.post_comment(&w.olga, body).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert_eq!(problem["field"], at_fault, "{anchor}");
    }
    assert_eq!(w.thread(&w.olga).await.as_array().unwrap().len(), 2);
}

async fn comment_bodies_have_limits(backend: Backend) {
    let w = world(backend).await;
    for body in [String::new(), " \n\t ".to_owned(), "ñ".repeat(20_001)] {
        let problem = expect_problem(
            w.post_comment(&w.ana, json!({"body": body})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert_eq!(problem["field"], "body");
    }
    // The limit counts characters, not bytes.
    let longest = w.comment(&w.ana, &"ñ".repeat(20_000)).await;
    assert_eq!(longest["body"].as_str().unwrap().chars().count(), 20_000);
    let path = format!("/api/v1/comments/{}", id(&longest));
    for body in [String::new(), "   ".to_owned(), "ñ".repeat(20_001)] {
        w.refused(Some(&w.ana), Method::PATCH, &path, Some(json!({"body": body})), StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    }
    assert_eq!(w.thread(&w.ana).await.as_array().unwrap().len(), 1);
}

async fn markdown_is_sanitized(backend: Backend) {
    let w = world(backend).await;
    let hostile = "**bold** <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))";
    let assert_safe = |html: &Value| {
        let html = html.as_str().unwrap();
        for bad in ["script", "onerror", "javascript:", "<img"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(html.contains("<strong>bold</strong>"), "{html}");
    };
    let created = w.comment(&w.ana, hostile).await;
    assert_eq!(created["body"], hostile, "the body is kept as written");
    assert_safe(&created["body_html"]);
    assert_safe(&w.seen(&w.olga, &id(&created)).await["body_html"]);
    let plain = w.comment(&w.ana, "Nada que ver.").await;
    let path = format!("/api/v1/comments/{}", id(&plain));
    assert_safe(
        &w.expect(&w.ana, Method::PATCH, &path, Some(json!({"body": hostile})), StatusCode::OK).await["body_html"],
    );
    // Proposal texts go through the same sanitizer.
    let body = json!({"kind": "amend", "section_id": w.article, "title": "Hostil", "body": hostile, "rationale": ""});
    let proposal = w
        .expect(
            &w.beto,
            Method::POST,
            &format!("/api/v1/documents/{}/proposals", w.doc),
            Some(body),
            StatusCode::CREATED,
        )
        .await;
    assert_safe(&proposal["revision"]["body_html"]);
}

async fn authors_edit_and_history_is_kept(backend: Backend) {
    let w = world(backend).await;
    let comment = w.comment(&w.ana, "Uno.").await;
    let path = format!("/api/v1/comments/{}", id(&comment));
    let edited = w.expect(&w.ana, Method::PATCH, &path, Some(json!({"body": "Dos."})), StatusCode::OK).await;
    assert_eq!(edited["body"], "Dos.");
    assert_eq!(edited["body_html"].as_str().unwrap().trim(), "<p>Dos.</p>");
    chrono::DateTime::parse_from_rfc3339(edited["edited_at"].as_str().unwrap()).unwrap();
    assert_eq!(edited["created_at"], comment["created_at"]);
    w.expect(&w.ana, Method::PATCH, &path, Some(json!({"body": "Tres."})), StatusCode::OK).await;
    // Only the author, not even the secretariat.
    for who in [&w.beto, &w.olga, &w.admin] {
        w.refused(Some(who), Method::PATCH, &path, Some(json!({"body": "Ajeno."})), StatusCode::FORBIDDEN).await;
    }
    w.refused(None, Method::PATCH, &path, Some(json!({"body": "Ajeno."})), StatusCode::UNAUTHORIZED).await;
    let seen = w.seen(&w.olga, &id(&comment)).await;
    assert_eq!(seen["body"], "Tres.");
    assert!(seen["edited_at"].is_string());
    let history = w.history(&w.olga, &id(&comment)).await;
    assert_eq!(field(&history, "body"), [&json!("Uno."), &json!("Dos.")], "earlier bodies, oldest first");
    let events = w.comment_events(&w.olga, &id(&comment)).await;
    let bodies: Vec<&Value> = events.iter().map(|c| &c["body"]).collect();
    assert_eq!(bodies, [&json!("Uno."), &json!("Dos."), &json!("Tres.")], "created, then edited twice");
    let unknown = uuid::Uuid::now_v7();
    let missing = format!("/api/v1/comments/{unknown}");
    w.refused(Some(&w.ana), Method::PATCH, &missing, Some(json!({"body": "x"})), StatusCode::NOT_FOUND).await;
    w.refused(Some(&w.ana), Method::GET, &format!("{missing}/history"), None, StatusCode::NOT_FOUND).await;
}

async fn deletion_leaves_a_tombstone(backend: Backend) {
    let w = world(backend).await;
    let comment = w.comment(&w.ana, "Me retracto.").await;
    let path = format!("/api/v1/comments/{}", id(&comment));
    w.expect(&w.ana, Method::PATCH, &path, Some(json!({"body": "Me retracto del todo."})), StatusCode::OK).await;
    let reply = expect_status(
        w.post_comment(&w.beto, json!({"body": "¿Por qué?", "parent_id": id(&comment)})).await,
        StatusCode::CREATED,
    )
    .await;
    for who in [&w.beto, &w.olga, &w.admin] {
        w.refused(Some(who), Method::DELETE, &path, None, StatusCode::FORBIDDEN).await;
    }
    w.refused(None, Method::DELETE, &path, None, StatusCode::UNAUTHORIZED).await;
    assert_eq!(w.expect(&w.ana, Method::DELETE, &path, None, StatusCode::NO_CONTENT).await, Value::Null);
    for who in [&w.ana, &w.olga, &w.admin] {
        let thread = w.thread(who).await;
        assert_eq!(field(&thread, "id"), [&comment["id"], &reply["id"]], "the tombstone keeps its place");
        let tombstone = &thread[0];
        assert_eq!(
            (&tombstone["deleted"], &tombstone["body"], &tombstone["body_html"]),
            (&json!(true), &json!(""), &json!(""))
        );
        assert_eq!(thread[1]["parent_id"], comment["id"]);
        assert_eq!(thread[1]["body"], "¿Por qué?");
        for event in w.comment_events(who, &id(&comment)).await {
            assert_eq!((&event["body"], &event["body_html"]), (&json!(""), &json!("")), "replay hides it too");
        }
        for earlier in field(&w.history(who, &id(&comment)).await, "body") {
            assert_eq!(earlier, "", "and so does the history");
        }
    }
    w.refused(Some(&w.ana), Method::PATCH, &path, Some(json!({"body": "Vuelvo."})), StatusCode::CONFLICT).await;
    w.refused(Some(&w.ana), Method::DELETE, &path, None, StatusCode::CONFLICT).await;
}

async fn the_secretariat_hides_and_unhides(backend: Backend) {
    let w = world(backend).await;
    let original = "Texto ofensivo.";
    let comment = w.comment(&w.ana, original).await;
    let cid = id(&comment);
    let edited = "Texto ofensivo, editado.";
    w.expect(&w.ana, Method::PATCH, &format!("/api/v1/comments/{cid}"), Some(json!({"body": edited})), StatusCode::OK)
        .await;
    let (hide, unhide) = (format!("/api/v1/comments/{cid}/hide"), format!("/api/v1/comments/{cid}/unhide"));
    let reason = json!({"reason": "Lenguaje ofensivo"});
    for who in [&w.ana, &w.beto, &w.olga] {
        w.refused(Some(who), Method::POST, &hide, Some(reason.clone()), StatusCode::FORBIDDEN).await;
    }
    w.refused(None, Method::POST, &hide, Some(reason.clone()), StatusCode::UNAUTHORIZED).await;
    assert_eq!(w.seen(&w.olga, &cid).await["hidden"], false, "refusals changed nothing");
    let hidden = w.expect(&w.admin, Method::POST, &hide, Some(reason), StatusCode::OK).await;
    assert_eq!((&hidden["hidden"], &hidden["hidden_reason"]), (&json!(true), &json!("Lenguaje ofensivo")));

    // Everyone but the secretariat loses the body: in the thread, the replay and the history.
    for who in [&w.ana, &w.beto, &w.olga, &w.admin] {
        let secretariat = who.id() == w.admin.id();
        let seen = w.seen(who, &cid).await;
        assert_eq!((&seen["hidden"], &seen["hidden_reason"]), (&json!(true), &json!("Lenguaje ofensivo")));
        assert_eq!(seen["body"], if secretariat { edited } else { "" });
        assert_eq!(seen["body_html"].as_str().unwrap().is_empty(), !secretariat, "{seen}");
        let events = w.comment_events(who, &cid).await;
        assert_eq!(events.len(), 3, "created, edited, hidden");
        assert_eq!(events[0]["body"], if secretariat { original } else { "" }, "comment.created replayed");
        assert!(events.iter().all(|e| e["body_html"].as_str().unwrap().is_empty() != secretariat));
        let history = w.history(who, &cid).await;
        assert_eq!(field(&history, "body"), [&json!(if secretariat { original } else { "" })]);
    }
    let flagged = w.flag(&w.beto, &cid, StatusCode::CREATED).await;
    assert_eq!((&flagged["comment"]["body"], &flagged["comment"]["body_html"]), (&json!(""), &json!("")));
    for who in [&w.ana, &w.beto, &w.olga] {
        w.refused(Some(who), Method::POST, &unhide, None, StatusCode::FORBIDDEN).await;
    }
    let shown = w.expect(&w.admin, Method::POST, &unhide, None, StatusCode::OK).await;
    assert_eq!((&shown["hidden"], &shown["hidden_reason"]), (&json!(false), &Value::Null));
    let seen = w.seen(&w.olga, &cid).await;
    assert_eq!((&seen["hidden"], &seen["body"]), (&json!(false), &json!(edited)));
    assert_eq!(w.comment_events(&w.olga, &cid).await[0]["body"], original);
    assert_eq!(field(&w.history(&w.olga, &cid).await, "body"), [&json!(original)]);
    let unknown = format!("/api/v1/comments/{}/hide", uuid::Uuid::now_v7());
    w.refused(Some(&w.admin), Method::POST, &unknown, Some(json!({"reason": "x"})), StatusCode::NOT_FOUND).await;
}

async fn flags_are_raised_once_per_person(backend: Backend) {
    let w = world(backend).await;
    let comment = w.comment(&w.ana, "Algo discutible.").await;
    let cid = id(&comment);
    let first = w.flag(&w.olga, &cid, StatusCode::CREATED).await;
    assert_eq!((&first["comment"]["id"], &first["status"]), (&comment["id"], &json!("open")));
    assert_eq!(first["reason"], "Lenguaje ofensivo");
    w.refused(
        Some(&w.olga),
        Method::POST,
        &format!("/api/v1/comments/{cid}/flag"),
        Some(json!({"reason": "Otra vez"})),
        StatusCode::CONFLICT,
    )
    .await;
    let second = w.flag(&w.beto, &cid, StatusCode::CREATED).await;
    let third = w.flag(&w.admin, &cid, StatusCode::CREATED).await;
    let path = format!("/api/v1/comments/{cid}/flag");
    w.refused(None, Method::POST, &path, Some(json!({"reason": "Anónimo"})), StatusCode::UNAUTHORIZED).await;
    let unknown = format!("/api/v1/comments/{}/flag", uuid::Uuid::now_v7());
    w.refused(Some(&w.beto), Method::POST, &unknown, Some(json!({"reason": "x"})), StatusCode::NOT_FOUND).await;

    let queue = w.get(&w.admin, "/api/v1/moderation/flags").await;
    assert_eq!(field(&queue, "id"), [&first["id"], &second["id"], &third["id"]], "oldest first");
    assert!(field(&queue, "status").iter().all(|s| **s == "open"));
    assert_eq!(w.get(&w.admin, "/api/v1/moderation/flags?status=open").await, queue);
    for who in [&w.ana, &w.beto, &w.olga] {
        w.refused(Some(who), Method::GET, "/api/v1/moderation/flags", None, StatusCode::FORBIDDEN).await;
    }
    w.refused(None, Method::GET, "/api/v1/moderation/flags", None, StatusCode::UNAUTHORIZED).await;
}

async fn resolving_a_flag_hides_or_dismisses(backend: Backend) {
    let w = world(backend).await;
    let comment = w.comment(&w.ana, "Algo ofensivo.").await;
    let cid = id(&comment);
    let flags = [
        id(&w.flag(&w.olga, &cid, StatusCode::CREATED).await),
        id(&w.flag(&w.beto, &cid, StatusCode::CREATED).await),
        id(&w.flag(&w.admin, &cid, StatusCode::CREATED).await),
    ];
    for who in [&w.ana, &w.beto, &w.olga] {
        expect_problem(w.resolve(who, &flags[0], "dismiss").await, StatusCode::FORBIDDEN, "forbidden").await;
    }
    expect_problem(w.resolve(&w.admin, &flags[0], "ban").await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    // Dismissing settles that flag only.
    let dismissed = expect_status(w.resolve(&w.admin, &flags[0], "dismiss").await, StatusCode::OK).await;
    assert_eq!((&dismissed["status"], &dismissed["action"]), (&json!("resolved"), &json!("dismiss")));
    assert_eq!(field(&w.open_flags().await, "id"), [&json!(flags[1]), &json!(flags[2])]);
    assert_eq!(w.seen(&w.olga, &cid).await["hidden"], false);
    expect_problem(w.resolve(&w.admin, &flags[0], "hide").await, StatusCode::CONFLICT, "conflict").await;
    // Hiding hides the comment and settles every open flag on it.
    let hidden = expect_status(w.resolve(&w.admin, &flags[1], "hide").await, StatusCode::OK).await;
    assert_eq!((&hidden["status"], &hidden["action"]), (&json!("resolved"), &json!("hide")));
    assert_eq!(w.open_flags().await, json!([]));
    let seen = w.seen(&w.olga, &cid).await;
    assert_eq!((&seen["hidden"], &seen["body"]), (&json!(true), &json!("")));
    assert!(seen["hidden_reason"].as_str().is_some_and(|r| !r.is_empty()), "{seen}");
    assert_eq!(w.seen(&w.admin, &cid).await["body"], "Algo ofensivo.");
    for flag in &flags {
        expect_problem(w.resolve(&w.admin, flag, "dismiss").await, StatusCode::CONFLICT, "conflict").await;
    }
    let unknown = uuid::Uuid::now_v7().to_string();
    expect_problem(w.resolve(&w.admin, &unknown, "dismiss").await, StatusCode::NOT_FOUND, "not_found").await;
}

async fn moderation_events_are_the_secretariats(backend: Backend) {
    let w = world(backend).await;
    let comment = w.comment(&w.ana, "Algo discutible.").await;
    let flag = id(&w.flag(&w.olga, &id(&comment), StatusCode::CREATED).await);
    expect_status(w.resolve(&w.admin, &flag, "dismiss").await, StatusCode::OK).await;
    let events = w.get(&w.admin, "/api/v1/events?topic=moderation").await;
    assert_eq!(field(&events, "kind"), [&json!("flag.created"), &json!("flag.resolved")]);
    assert_eq!(field(&events, "seq"), [&json!(1), &json!(2)]);
    assert_eq!(field(&events, "topic"), [&json!("moderation"), &json!("moderation")]);
    assert!(events.as_array().unwrap().iter().all(|e| e["data"]["flag"]["id"] == flag.as_str()), "{events}");
    assert_eq!((&events[0]["actor"]["id"], &events[1]["actor"]["id"]), (&json!(w.olga.id()), &json!(w.admin.id())));
    for who in [&w.ana, &w.beto, &w.olga] {
        w.refused(Some(who), Method::GET, "/api/v1/events?topic=moderation", None, StatusCode::FORBIDDEN).await;
    }
    w.refused(None, Method::GET, "/api/v1/events?topic=moderation", None, StatusCode::UNAUTHORIZED).await;
}

/// Deleted is empty for everyone, the secretariat included: the flag list
/// (open and all), and the `flag.created` event replayed; a deleted comment
/// cannot be flagged.
async fn a_deleted_comment_is_empty_in_the_moderation_queue_too(backend: Backend) {
    let w = world(backend).await;
    let comment = w.comment(&w.ana, "Texto que luego borro.").await;
    let cid = id(&comment);
    w.flag(&w.olga, &cid, StatusCode::CREATED).await;
    let delete = w.app.as_user(&w.ana, Method::DELETE, &format!("/api/v1/comments/{cid}")).send().await.unwrap();
    assert!(delete.status().is_success(), "{}", delete.status());
    w.refused(
        Some(&w.beto),
        Method::POST,
        &format!("/api/v1/comments/{cid}/flag"),
        Some(json!({"reason": "Tarde"})),
        StatusCode::CONFLICT,
    )
    .await;
    for status in ["open", "all"] {
        let queue = w.get(&w.admin, &format!("/api/v1/moderation/flags?status={status}")).await;
        let flagged = &queue.as_array().unwrap()[0]["comment"];
        assert_eq!((&flagged["body"], &flagged["body_html"]), (&json!(""), &json!("")), "{queue}");
        assert!(!queue.to_string().contains("luego borro"), "{queue}");
    }
    let events = w.get(&w.admin, "/api/v1/events?topic=moderation").await;
    assert!(events.as_array().unwrap().iter().any(|e| e["kind"] == "flag.created"), "{events}");
    assert!(!events.to_string().contains("luego borro"), "{events}");
}
