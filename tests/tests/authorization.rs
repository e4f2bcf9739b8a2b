//! Who may call what: every operation of the server's own OpenAPI document,
//! tried by every kind of caller (anonymous, observer, a delegate of the
//! author organization, a delegate of another organization, the secretariat,
//! a deactivated account and an expired token), each answer's status checked
//! against one table. An operation the table does not list fails the test.
//!
//! Requests change state, so each row works on its own object (its own
//! proposal, comment, ballot or invitation) and the expectations hold in any
//! order; the few that cannot are written as small sets and say why.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::collections::{BTreeMap, BTreeSet};

use minga_tests::{on_both_backends, Backend, Session, TestApp, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[path = "authorization/assembly_rows.rs"]
mod assembly;
#[path = "authorization/bodies.rs"]
mod bodies;
#[path = "authorization/world_paths.rs"]
mod world_paths;

use bodies::{body, Body};

on_both_backends!(every_operation_answers_every_caller_as_the_contract_says);

/// The callers, in the order of the table's columns.
const CALLERS: [&str; 7] =
    ["anonymous", "observer", "author delegate", "other delegate", "secretariat", "deactivated", "expired"];

/// What the websocket endpoint answers a signed-in GET without the upgrade
/// headers: axum's `WebSocketUpgrade` rejection (no `Connection: upgrade`).
const NO_UPGRADE: u16 = 400;

type Expect = [&'static [u16]; 7];

/// Public: answers the same to everyone, whatever token they send.
const PUBLIC: Expect = [&[200]; 7];
/// Any signed-in, active user.
const SIGNED_IN: Expect = [&[401], &[200], &[200], &[200], &[200], &[401], &[401]];
const SIGNED_IN_201: Expect = [&[401], &[201], &[201], &[201], &[201], &[401], &[401]];
const SIGNED_IN_204: Expect = [&[401], &[204], &[204], &[204], &[204], &[401], &[401]];
/// The secretariat only.
const SECRETARIAT: Expect = [&[401], &[403], &[403], &[403], &[200], &[401], &[401]];
const SECRETARIAT_201: Expect = [&[401], &[403], &[403], &[403], &[201], &[401], &[401]];

/// (method, OpenAPI path template, query string, expected statuses per caller).
fn table() -> Vec<(&'static str, &'static str, &'static str, Expect)> {
    vec![
        ("get", "/healthz", "", PUBLIC),
        ("get", "/readyz", "", PUBLIC),
        ("get", "/metrics", "", PUBLIC),
        ("get", "/api/v1/openapi.json", "", PUBLIC),
        // A wrong password for everyone, each on its own unknown email (so
        // the per-account throttle never answers 429).
        ("post", "/api/v1/auth/login", "", [&[401]; 7]),
        ("post", "/api/v1/auth/logout", "", [&[204]; 7]),
        // After a 204 the caller signs in again, so the other rows keep a live token.
        ("post", "/api/v1/auth/logout-all", "", SIGNED_IN_204),
        ("get", "/api/v1/me", "", SIGNED_IN),
        // One's own inbox; marking read marks only one's own.
        ("get", "/api/v1/me/notifications", "", SIGNED_IN),
        ("post", "/api/v1/me/notifications/read", "", SIGNED_IN_204),
        ("get", "/api/v1/me/pending", "", SIGNED_IN),
        ("get", "/api/v1/people", "?q=a", SIGNED_IN),
        ("get", "/api/v1/me/preferences", "", SIGNED_IN),
        ("put", "/api/v1/me/preferences", "", SIGNED_IN),
        // A mail's link: signed, no session needed; this one was never made.
        ("get", "/api/v1/unsubscribe", "?token=no.es.valido", [&[404]; 7]),
        ("post", "/api/v1/unsubscribe", "?token=no.es.valido", [&[404]; 7]),
        // The current password is never right here: refused once signed in.
        ("post", "/api/v1/me/password", "", [&[401], &[403], &[403], &[403], &[403], &[401], &[401]]),
        // The same answer for everyone, each for an address of its own.
        ("post", "/api/v1/auth/password-reset", "", [&[202]; 7]),
        // A link that never was, for everyone; from one address, the sixth
        // and seventh wrong link in a row are held off (five per 15 minutes).
        ("post", "/api/v1/auth/password-reset/{token}", "", [&[404], &[404], &[404], &[404], &[404], &[429], &[429]]),
        // An unused invitation, never accepted.
        ("get", "/api/v1/invitations/{token}", "", PUBLIC),
        // A fresh invitation for each caller.
        ("post", "/api/v1/invitations/{token}/accept", "", [&[201]; 7]),
        ("get", "/api/v1/organizations", "", SIGNED_IN),
        ("post", "/api/v1/organizations", "", SECRETARIAT_201),
        ("patch", "/api/v1/organizations/{id}", "", SECRETARIAT),
        ("get", "/api/v1/users", "", SECRETARIAT),
        // Deactivates the already deactivated account again.
        ("patch", "/api/v1/users/{id}", "", SECRETARIAT),
        // For an active account of its own.
        ("post", "/api/v1/users/{id}/access-link", "", SECRETARIAT_201),
        ("post", "/api/v1/invitations", "", SECRETARIAT_201),
        ("get", "/api/v1/invitations", "?status=pending", SECRETARIAT),
        // Each on a fresh invitation of its own.
        ("post", "/api/v1/invitations/{id}/resend", "", SECRETARIAT),
        ("delete", "/api/v1/invitations/{token}", "", [&[401], &[403], &[403], &[403], &[204], &[401], &[401]]),
        ("get", "/api/v1/outbox", "?status=pending", SECRETARIAT),
        // The mail has not failed: the secretariat is told so (409).
        ("post", "/api/v1/outbox/{id}/retry", "", [&[401], &[403], &[403], &[403], &[409], &[401], &[401]]),
        ("get", "/api/v1/documents", "", SIGNED_IN),
        ("post", "/api/v1/documents", "", SECRETARIAT_201),
        ("get", "/api/v1/documents/{id}", "", SIGNED_IN),
        ("post", "/api/v1/documents/{id}/sections", "", SECRETARIAT_201),
        ("patch", "/api/v1/sections/{id}", "", SECRETARIAT),
        // The phase it is in already: allowed, and nothing changes.
        ("patch", "/api/v1/documents/{id}", "", SECRETARIAT),
        // Each on a fresh section of its own.
        ("delete", "/api/v1/sections/{id}", "", SECRETARIAT),
        // A block of one article; the secretariat opens it.
        ("post", "/api/v1/documents/{id}/ballots", "", SECRETARIAT_201),
        ("get", "/api/v1/documents/{id}/ballots", "", SIGNED_IN),
        // Delegates say their organization's stance; nobody else does.
        ("put", "/api/v1/sections/{id}/stance", "", [&[401], &[403], &[204], &[204], &[403], &[401], &[401]]),
        ("get", "/api/v1/documents/{id}/stances", "", SIGNED_IN),
        ("get", "/api/v1/documents/{id}/references", "", SIGNED_IN),
        ("post", "/api/v1/sections/{id}/move", "", SECRETARIAT),
        // On a second document, so the charter's articles stay in place.
        ("post", "/api/v1/documents/{id}/import", "", SECRETARIAT),
        ("get", "/api/v1/documents/{id}/versions", "", SIGNED_IN),
        ("get", "/api/v1/documents/{id}/versions/{version}", "", SIGNED_IN),
        ("get", "/api/v1/documents/{id}/diff", "?from=1&to=2", SIGNED_IN),
        ("get", "/api/v1/documents/{id}/export", "?format=markdown", SIGNED_IN),
        ("get", "/api/v1/documents/{id}/comparison", "?format=json", SIGNED_IN),
        ("get", "/api/v1/documents/{id}/proposals", "", SIGNED_IN),
        ("post", "/api/v1/documents/{id}/proposals", "", [&[401], &[403], &[201], &[201], &[201], &[401], &[401]]),
        ("get", "/api/v1/proposals/{id}", "", SIGNED_IN),
        ("get", "/api/v1/proposals/{id}/revisions", "", SIGNED_IN),
        ("post", "/api/v1/proposals/{id}/revisions", "", [&[401], &[403], &[201], &[403], &[201], &[401], &[401]]),
        ("get", "/api/v1/proposals/{id}/diff", "?from=base", SIGNED_IN),
        // The author organization and the secretariat may both withdraw; the
        // second of them finds the proposal withdrawn already (409). The
        // permission is checked before the status, so the others get 403.
        (
            "post",
            "/api/v1/proposals/{id}/withdraw",
            "",
            [&[401], &[403], &[200, 409], &[403], &[200, 409], &[401], &[401]],
        ),
        // On the lockable proposal: its author organization invites Org B
        // (the other delegate's), and the secretariat then finds it invited (409).
        ("post", "/api/v1/proposals/{id}/cosponsors", "", [&[401], &[403], &[201], &[403], &[409], &[401], &[401]]),
        // Only a delegate of the invited organization accepts.
        (
            "post",
            "/api/v1/proposals/{id}/cosponsors/accept",
            "",
            [&[401], &[403], &[403], &[200], &[403], &[401], &[401]],
        ),
        // Locking and unlocking are idempotent, on a proposal of their own.
        ("post", "/api/v1/proposals/{id}/lock", "", SECRETARIAT),
        ("post", "/api/v1/proposals/{id}/unlock", "", SECRETARIAT),
        // Observers take part in the discussion too.
        ("get", "/api/v1/proposals/{id}/comments", "", SIGNED_IN),
        ("post", "/api/v1/proposals/{id}/comments", "", SIGNED_IN_201),
        ("patch", "/api/v1/comments/{id}", "", [&[401], &[403], &[200], &[403], &[403], &[401], &[401]]),
        ("delete", "/api/v1/comments/{id}", "", [&[401], &[403], &[204], &[403], &[403], &[401], &[401]]),
        ("get", "/api/v1/comments/{id}/history", "", SIGNED_IN),
        ("post", "/api/v1/comments/{id}/hide", "", SECRETARIAT),
        ("post", "/api/v1/comments/{id}/unhide", "", SECRETARIAT),
        // Once each, on a comment nobody else flags.
        ("post", "/api/v1/comments/{id}/flag", "", SIGNED_IN_201),
        ("get", "/api/v1/moderation/flags", "?status=open", SECRETARIAT),
        ("post", "/api/v1/moderation/flags/{id}/resolve", "", SECRETARIAT),
        ("get", "/api/v1/events", "", SIGNED_IN),
        // The record has events and no checkpoint yet: the first is new.
        ("post", "/api/v1/checkpoints", "", SECRETARIAT_201),
        ("get", "/api/v1/checkpoints", "", SIGNED_IN),
        ("get", "/api/v1/checkpoints/latest", "", SIGNED_IN),
        ("get", "/api/v1/ws", "", [&[401], &[NO_UPGRADE], &[NO_UPGRADE], &[NO_UPGRADE], &[NO_UPGRADE], &[401], &[401]]),
        // On a proposal with no ballot yet; only the secretariat succeeds, once.
        ("post", "/api/v1/proposals/{id}/ballot", "", SECRETARIAT_201),
        ("get", "/api/v1/ballots/{id}", "", SIGNED_IN),
        // A ballot that stays open: a later vote replaces the organization's.
        ("put", "/api/v1/ballots/{id}/vote", "", [&[401], &[403], &[200], &[200], &[200], &[401], &[401]]),
        ("post", "/api/v1/ballots/{id}/close", "", SECRETARIAT),
        ("post", "/api/v1/ballots/{id}/cancel", "", SECRETARIAT),
        // The proposal has not passed: the secretariat is allowed but the
        // state refuses (409); everyone else is refused before that.
        ("post", "/api/v1/proposals/{id}/adopt", "", [&[401], &[403], &[403], &[403], &[409], &[401], &[401]]),
        // A ballot closed during setup.
        ("get", "/api/v1/ballots/{id}/minutes", "?format=json", SIGNED_IN),
    ]
    .into_iter()
    .chain(assembly::rows())
    .collect()
}

/// The ids each row's path is filled with.
struct World {
    app: TestApp,
    admin: Session,
    doc: String,
    import_doc: String,
    /// One article per caller, for the row that deletes sections.
    deletable: Vec<String>,
    article: String,
    org_b: String,
    deactivated_id: String,
    /// An active account, for the links the secretariat makes.
    active_id: String,
    unused_invitation: String,
    /// The proposal most rows read, revise and comment on.
    proposal: String,
    withdrawn: String,
    lockable: String,
    unballoted: String,
    comment_edit: String,
    comment_delete: String,
    comment_moderate: String,
    flag: String,
    ballot_vote: String,
    ballot_close: String,
    ballot_cancel: String,
    ballot_closed: String,
    assembly: Option<assembly::Assembly>,
}

async fn json_of(app: &TestApp, who: &Session, method: Method, path: &str, body: Option<Value>, status: u16) -> Value {
    minga_tests::expect_status(app.send(Some(who), method, path, body).await, StatusCode::from_u16(status).unwrap())
        .await
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

fn rule() -> Value {
    json!({"majority": "simple", "quorum": 0.0, "secret": false, "live_results": false})
}

/// A correctly signed token for `user` that expired an hour ago.
fn expired_token(user: &str) -> String {
    let now = chrono::Utc::now().timestamp();
    let claims = json!({
        "sub": user, "iat": now - 7200, "exp": now - 3600,
        "iss": minga_tests::PUBLIC_URL, "aud": "minga", "ver": 0
    });
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(minga_tests::JWT_SECRET.as_bytes()).unwrap(),
    )
    .unwrap()
}

async fn every_operation_answers_every_caller_as_the_contract_says(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@a.ec", "Org A").await;
    let dora = app.delegate("dora@a.ec", "Org A").await;
    let beto = app.delegate("beto@b.ec", "Org B").await;
    let olga = app.observer("olga@uni.ec", "Universidad Central").await;
    let (doc, articles) = app.charter(&admin, 2).await;
    let (import_doc, _) = app.charter(&admin, 1).await;
    let (_, deletable) = app.charter(&admin, CALLERS.len()).await;
    let article = articles[0].clone();
    let unused_invitation = app.invitation("pendiente@b.ec", "Org B", "member", "delegate").await;

    let proposal = id(&app.proposal(&ana, &doc, &article).await);
    let withdrawn = id(&app.proposal(&ana, &doc, &article).await);
    let lockable = id(&app.proposal(&ana, &doc, &article).await);
    let unballoted = id(&app.proposal(&ana, &doc, &article).await);
    let comment_edit = id(&app.comment(&ana, &proposal, "Para editar.").await);
    let comment_delete = id(&app.comment(&ana, &proposal, "Para borrar.").await);
    let comment_moderate = id(&app.comment(&ana, &proposal, "Para moderar.").await);
    // Flagged by the account about to be deactivated, so every other caller may flag once.
    let flag = id(&json_of(
        &app,
        &dora,
        Method::POST,
        &format!("/api/v1/comments/{comment_moderate}/flag"),
        Some(json!({"reason": "ofensivo"})),
        201,
    )
    .await);
    let org_b = beto.user["organization"]["id"].as_str().unwrap().to_owned();
    let deactivated_id = dora.id().to_owned();
    let active_id = beto.id().to_owned();

    let mut world = World {
        app,
        admin,
        doc,
        import_doc,
        deletable,
        article,
        org_b,
        deactivated_id,
        active_id,
        unused_invitation,
        proposal,
        withdrawn,
        lockable,
        unballoted,
        comment_edit,
        comment_delete,
        comment_moderate,
        flag,
        ballot_vote: String::new(),
        ballot_close: String::new(),
        ballot_cancel: String::new(),
        ballot_closed: String::new(),
        assembly: None,
    };
    world.ballot_vote = world.ballot(&ana).await;
    world.ballot_close = world.ballot(&ana).await;
    world.ballot_cancel = world.ballot(&ana).await;
    world.ballot_closed = world.ballot(&ana).await;
    let closing = format!("/api/v1/ballots/{}/close", world.ballot_closed);
    json_of(&world.app, &world.admin, Method::POST, &closing, None, 200).await;

    let callers = assembly::Callers { observer: &olga, ana: &ana, beto: &beto, admin: &world.admin, dora: &dora };
    world.assembly = Some(assembly::Assembly::setup(&world.app, callers, &world.doc, &world.article).await);

    let deactivate = format!("/api/v1/users/{}", dora.id());
    json_of(&world.app, &world.admin, Method::PATCH, &deactivate, Some(json!({"active": false})), 200).await;
    let expired = Session { token: expired_token(olga.id()), user: Value::Null };

    let emails =
        [None, Some("olga@uni.ec"), Some("ana@a.ec"), Some("beto@b.ec"), Some("secretaria@foro.ec"), None, None];
    let mut callers: [Option<Session>; 7] =
        [None, Some(olga), Some(ana), Some(beto), Some(world.admin.clone()), Some(dora), Some(expired)];

    // The operations the server publishes are exactly the table's rows.
    let openapi = world.app.send(None, Method::GET, "/api/v1/openapi.json", None).await.json::<Value>().await.unwrap();
    let mut published = BTreeSet::new();
    for (path, item) in openapi["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch", "head", "options", "trace"].contains(&method.as_str()) {
                published.insert((method.clone(), path.clone()));
            }
        }
    }
    let table = table();
    let keys: BTreeSet<(String, String)> =
        table.iter().map(|(method, path, _, _)| ((*method).to_owned(), (*path).to_owned())).collect();
    assert_eq!(keys.len(), table.len(), "a row appears twice");
    assert_eq!(
        published.difference(&keys).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "operations without rows: add them to the table"
    );
    assert_eq!(
        keys.difference(&published).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "rows for no operation"
    );

    let mut failures = Vec::new();
    let mut answers = BTreeMap::new();
    let mut n = 0;
    for (method, template, query, expect) in &table {
        for (caller, allowed) in expect.iter().enumerate() {
            n += 1;
            let path = world.path(method, template, caller).await;
            let query = if *template == "/api/v1/events" {
                format!("?topic=proposal:{}", world.proposal)
            } else {
                (*query).to_owned()
            };
            let url = format!("{path}{query}");
            let http_method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let request = match &callers[caller] {
                Some(session) => world.app.as_user(session, http_method, &url),
                None => world.app.request(http_method, &url),
            };
            let request = match body(method, template, &world, n) {
                Body::None => request,
                Body::Json(value) => request.json(&value),
                Body::Markdown(text) => request.header("content-type", "text/markdown").body(text),
            };
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let text = response.text().await.unwrap();
            answers.insert((*method, *template, CALLERS[caller]), status);
            if !allowed.contains(&status) {
                failures.push(format!(
                    "{} {template} as {}: {status}, expected {allowed:?}; {}",
                    method.to_uppercase(),
                    CALLERS[caller],
                    text.chars().take(200).collect::<String>()
                ));
            }
            // Signing out (of this session or everywhere) ends the token the
            // other rows use: sign in again.
            let signed_out = matches!(*template, "/api/v1/auth/logout-all" | "/api/v1/auth/logout") && status == 204;
            if let (true, Some(email)) = (signed_out, emails[caller]) {
                let session = minga_tests::expect_status(world.app.login(email, PASSWORD).await, StatusCode::OK).await;
                callers[caller] = Some(Session {
                    token: session["token"].as_str().unwrap().to_owned(),
                    user: session["user"].clone(),
                });
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} cells disagree:\n{}", failures.len(), answers.len(), failures.join("\n"));
    assert_eq!(answers.len(), table.len() * CALLERS.len());

    // The moderation topic is the secretariat's alone.
    for (caller, status) in [(1, 403), (2, 403), (3, 403), (4, 200)] {
        let response =
            world.app.send(callers[caller].as_ref(), Method::GET, "/api/v1/events?topic=moderation", None).await;
        assert_eq!(response.status().as_u16(), status, "moderation events as {}", CALLERS[caller]);
    }
}
