//! The founding assembly on both backends: accreditation, a hybrid session
//! convened, checked into online and in the room, quorum, speakers, a vote
//! inside the session with a hand vote and its correction, the close, the
//! acta, and a restart that loses nothing.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use minga_tests::{on_both_backends, Backend, Session, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_backends!(
    representatives_are_proposed_by_the_organization_and_confirmed_by_the_secretariat,
    a_hybrid_session_goes_from_convocation_to_its_acta,
);

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

async fn nominate(
    app: &TestApp,
    who: &Session,
    org: &str,
    titular: &str,
    alternates: &[&str],
    status: StatusCode,
) -> Value {
    let path = format!("/api/v1/organizations/{org}/representatives");
    app.answer(Some(who), Method::PUT, &path, Some(json!({"titular": titular, "alternates": alternates})), status).await
}

async fn confirm(app: &TestApp, who: &Session, org: &str, status: StatusCode) -> Value {
    let path = format!("/api/v1/organizations/{org}/representatives/confirm");
    app.answer(Some(who), Method::POST, &path, None, status).await
}

/// The next event of `kind` on the socket, skipping others.
async fn event_of(socket: &mut minga_tests::ws::WsClient, kind: &str) -> Value {
    loop {
        let message = socket.next().await.unwrap_or_else(|| panic!("no {kind} event came"));
        if message["type"] == "event" && message["kind"] == kind {
            return message;
        }
    }
}

fn org_of(session: &Session) -> String {
    session.user["organization"]["id"].as_str().unwrap().to_owned()
}

async fn representatives_are_proposed_by_the_organization_and_confirmed_by_the_secretariat(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@ong.ec", "Fundación Esperanza").await;
    let alba = app.delegate("alba@ong.ec", "Fundación Esperanza").await;
    let carla = app.delegate("carla@red.ec", "Red Migrante").await;
    let beto = app.observer("beto@uni.ec", "Universidad Central").await;
    let esperanza = org_of(&ana);

    // Refused, each for its reason, and nothing is kept.
    nominate(&app, &carla, &esperanza, ana.id(), &[], StatusCode::FORBIDDEN).await;
    nominate(&app, &beto, &esperanza, ana.id(), &[], StatusCode::FORBIDDEN).await;
    nominate(&app, &ana, &esperanza, ana.id(), &[ana.id()], StatusCode::UNPROCESSABLE_ENTITY).await;
    nominate(&app, &ana, &esperanza, ana.id(), &[carla.id()], StatusCode::UNPROCESSABLE_ENTITY).await;
    nominate(&app, &ana, &esperanza, ana.id(), &[alba.id(), alba.id()], StatusCode::UNPROCESSABLE_ENTITY).await;
    nominate(&app, &admin, &org_of(&beto), beto.id(), &[], StatusCode::CONFLICT).await;
    confirm(&app, &admin, &esperanza, StatusCode::CONFLICT).await;
    let path = format!("/api/v1/organizations/{esperanza}/representatives");
    let none = app.answer(Some(&beto), Method::GET, &path, None, StatusCode::OK).await;
    assert!(none["confirmed"].is_null() && none["proposed"].is_null(), "{none}");
    assert!(none.get("candidates").is_none(), "an observer names no one, so sees no candidates: {none}");
    let other = app.answer(Some(&carla), Method::GET, &path, None, StatusCode::OK).await;
    assert!(other.get("candidates").is_none(), "nor a delegate of another organization: {other}");

    // Whom the organization may name: its own people, for its delegates and the secretariat.
    for who in [&ana, &admin] {
        let own = app.answer(Some(who), Method::GET, &path, None, StatusCode::OK).await;
        let mut named: Vec<&str> =
            own["candidates"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
        named.sort_unstable();
        let mut expected = vec![ana.id(), alba.id()];
        expected.sort_unstable();
        assert_eq!(named, expected, "{own}");
    }

    // The organization proposes; only the secretariat confirms.
    let proposed = nominate(&app, &ana, &esperanza, ana.id(), &[alba.id()], StatusCode::OK).await;
    assert_eq!(proposed["proposed"]["titular"]["id"], ana.id());
    assert_eq!(proposed["proposed"]["alternates"][0]["id"], alba.id());
    assert!(proposed["confirmed"].is_null());
    confirm(&app, &ana, &esperanza, StatusCode::FORBIDDEN).await;
    let confirmed = confirm(&app, &admin, &esperanza, StatusCode::OK).await;
    assert_eq!(confirmed["confirmed"]["titular"]["id"], ana.id());
    assert_eq!(confirmed["confirmed"]["confirmed_by"]["id"], admin.id());
    assert!(confirmed["proposed"].is_null());

    // A new proposal waits beside the mandate in force.
    let swapped = nominate(&app, &alba, &esperanza, alba.id(), &[ana.id()], StatusCode::OK).await;
    assert_eq!(swapped["confirmed"]["titular"]["id"], ana.id(), "still in force until confirmed");
    assert_eq!(swapped["proposed"]["titular"]["id"], alba.id());
    let all = app.answer(Some(&beto), Method::GET, "/api/v1/representatives", None, StatusCode::OK).await;
    let names: Vec<&str> = all.as_array().unwrap().iter().map(|r| r["organization_name"].as_str().unwrap()).collect();
    assert!(names.contains(&"Fundación Esperanza") && names.contains(&"Red Migrante"), "{names:?}");
    assert!(!names.contains(&"Universidad Central"), "observers are not members: {names:?}");

    // On the accounts record, for the secretariat.
    let events = app.answer(Some(&admin), Method::GET, "/api/v1/events?topic=accounts", None, StatusCode::OK).await;
    let kinds: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "organization.representatives").count(), 3, "{kinds:?}");
}

async fn patch(app: &TestApp, who: &Session, session: &str, body: Value, status: StatusCode) -> Value {
    app.answer(Some(who), Method::PATCH, &format!("/api/v1/sessions/{session}"), Some(body), status).await
}

async fn a_hybrid_session_goes_from_convocation_to_its_acta(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@ong.ec", "Fundación Esperanza").await;
    let alba = app.delegate("alba@ong.ec", "Fundación Esperanza").await;
    let carla = app.delegate("carla@red.ec", "Red Migrante").await;
    let dora = app.delegate("dora@casa.ec", "Casa del Migrante").await;
    let beto = app.observer("beto@uni.ec", "Universidad Central").await;
    for (who, titular, alternates) in [(&ana, &ana, vec![alba.id()]), (&carla, &carla, vec![]), (&dora, &dora, vec![])]
    {
        nominate(&app, who, &org_of(who), titular.id(), &alternates, StatusCode::OK).await;
        confirm(&app, &admin, &org_of(who), StatusCode::OK).await;
    }
    let (document, articles) = app.charter(&admin, 2).await;
    let proposal = id(&app.proposal(&ana, &document, &articles[0]).await);

    // Convening: the secretariat's, with a valid agenda.
    let convocation = json!({"title": "Asamblea constitutiva", "starts_at": "2026-12-12T15:00:00Z",
        "place": "Casa Comunal de Puembo", "modality": "hybrid",
        "agenda": [{"title": "Apertura y verificación del quórum"}, {"title": "Estatuto", "document_id": document},
                   {"title": "Domicilio", "proposal_id": proposal}]});
    app.answer(Some(&ana), Method::POST, "/api/v1/sessions", Some(convocation.clone()), StatusCode::FORBIDDEN).await;
    let mut bad = convocation.clone();
    bad["modality"] = json!("zoom");
    app.answer(Some(&admin), Method::POST, "/api/v1/sessions", Some(bad), StatusCode::UNPROCESSABLE_ENTITY).await;
    let mut bad = convocation.clone();
    bad["agenda"][0]["proposal_id"] = json!(uuid::Uuid::now_v7());
    app.answer(Some(&admin), Method::POST, "/api/v1/sessions", Some(bad), StatusCode::UNPROCESSABLE_ENTITY).await;
    bad = convocation.clone();
    bad["agenda"][1]["proposal_id"] = json!(proposal);
    app.answer(Some(&admin), Method::POST, "/api/v1/sessions", Some(bad), StatusCode::UNPROCESSABLE_ENTITY).await;
    let session =
        app.answer(Some(&admin), Method::POST, "/api/v1/sessions", Some(convocation), StatusCode::CREATED).await;
    let sid = id(&session);
    assert_eq!(session["status"], "convened");
    assert_eq!(session["agenda"].as_array().unwrap().len(), 3);
    assert_eq!(session["quorum"]["member_organizations"], 4, "the secretariat's and three more: {}", session["quorum"]);
    let inbox = app.answer(Some(&dora), Method::GET, "/api/v1/me/notifications", None, StatusCode::OK).await;
    assert!(inbox.as_array().unwrap().iter().any(|n| n["kind"] == "session.convened"), "{inbox}");

    // Everyone follows the session live.
    let mut watcher = app.ws(&beto).await;
    watcher.subscribe(&format!("session:{sid}"), None).await;

    // Attendance: online check-in, and the secretariat marks the room.
    let base = format!("/api/v1/sessions/{sid}");
    let here = app.answer(Some(&ana), Method::POST, &format!("{base}/check-in"), None, StatusCode::OK).await;
    assert_eq!(here["quorum"]["present_organizations"], 1);
    assert_eq!(here["attendance"][0]["standing"], "titular");
    assert_eq!(here["attendance"][0]["mode"], "online");
    let event = event_of(&mut watcher, "session.attendance").await;
    assert_eq!(event["data"]["session"]["quorum"]["present_organizations"], 1);
    let carla_present = format!("{base}/attendance/{}", carla.id());
    app.answer(Some(&ana), Method::PUT, &carla_present, Some(json!({"present": true})), StatusCode::FORBIDDEN).await;
    let room =
        app.answer(Some(&admin), Method::PUT, &carla_present, Some(json!({"present": true})), StatusCode::OK).await;
    assert_eq!(room["quorum"]["present_organizations"], 2);
    assert_eq!(room["quorum"]["met"], true, "2 of 4 is half");
    app.answer(Some(&beto), Method::POST, &format!("{base}/check-in"), None, StatusCode::OK).await;

    // A ballot in a session waits for it to open; statuses go forward only.
    let rule = json!({"majority": "simple", "quorum": 0.5, "session_id": sid});
    let open_ballot = format!("/api/v1/proposals/{proposal}/ballot");
    app.answer(Some(&admin), Method::POST, &open_ballot, Some(rule.clone()), StatusCode::CONFLICT).await;
    patch(&app, &admin, &sid, json!({"status": "closed"}), StatusCode::CONFLICT).await;
    patch(&app, &ana, &sid, json!({"status": "open"}), StatusCode::FORBIDDEN).await;
    let opened = patch(&app, &admin, &sid, json!({"status": "open"}), StatusCode::OK).await;
    assert!(opened["opened_at"].is_string());
    patch(&app, &admin, &sid, json!({"status": "convened"}), StatusCode::CONFLICT).await;
    let item = opened["agenda"][2]["id"].as_str().unwrap().to_owned();
    patch(&app, &admin, &sid, json!({"current_item_id": uuid::Uuid::now_v7()}), StatusCode::UNPROCESSABLE_ENTITY).await;
    let current = patch(&app, &admin, &sid, json!({"current_item_id": item}), StatusCode::OK).await;
    assert_eq!(current["current_item_id"], item.as_str());
    assert_eq!(event_of(&mut watcher, "session.updated").await["data"]["session"]["status"], "open");
    let followed = event_of(&mut watcher, "session.updated").await;
    assert_eq!(followed["data"]["session"]["current_item_id"], item.as_str(), "everyone follows the current item");

    // Speakers: present people ask; the secretariat orders, starts and stops.
    let speakers = format!("{base}/speakers");
    app.answer(Some(&dora), Method::POST, &speakers, Some(json!({})), StatusCode::CONFLICT).await;
    let asked = app.answer(Some(&ana), Method::POST, &speakers, Some(json!({})), StatusCode::CREATED).await;
    app.answer(Some(&ana), Method::POST, &speakers, Some(json!({})), StatusCode::CONFLICT).await;
    app.answer(Some(&ana), Method::POST, &speakers, Some(json!({"user_id": carla.id()})), StatusCode::FORBIDDEN).await;
    let both = app
        .answer(Some(&admin), Method::POST, &speakers, Some(json!({"user_id": carla.id()})), StatusCode::CREATED)
        .await;
    let ana_turn = id(&asked["speakers"][0]);
    let carla_turn = id(&both["speakers"][1]);
    let speaker = |turn: &str| format!("{speakers}/{turn}");
    app.answer(Some(&ana), Method::PATCH, &speaker(&carla_turn), Some(json!({"position": 1})), StatusCode::FORBIDDEN)
        .await;
    let reordered = app
        .answer(Some(&admin), Method::PATCH, &speaker(&carla_turn), Some(json!({"position": 1})), StatusCode::OK)
        .await;
    assert_eq!(reordered["speakers"][0]["person"]["id"], carla.id(), "carla is next");
    let limit = json!({"status": "speaking", "limit_seconds": 60});
    let speaking = app.answer(Some(&admin), Method::PATCH, &speaker(&carla_turn), Some(limit), StatusCode::OK).await;
    assert_eq!(speaking["speakers"][0]["limit_seconds"], 60);
    assert!(speaking["speakers"][0]["started_at"].is_string() && speaking["server_time"].is_string());
    let too_short = Some(json!({"limit_seconds": 5}));
    app.answer(Some(&admin), Method::PATCH, &speaker(&carla_turn), too_short, StatusCode::UNPROCESSABLE_ENTITY).await;
    let next = app
        .answer(Some(&admin), Method::PATCH, &speaker(&ana_turn), Some(json!({"status": "speaking"})), StatusCode::OK)
        .await;
    let turns = next["speakers"].as_array().unwrap();
    assert_eq!(turns.iter().filter(|s| s["status"] == "speaking").count(), 1, "one speaker at a time: {turns:?}");
    assert_eq!(turns.iter().find(|s| s["id"] == carla_turn.as_str()).unwrap()["status"], "done");
    app.answer(Some(&ana), Method::DELETE, &speaker(&ana_turn), None, StatusCode::CONFLICT).await;
    app.answer(
        Some(&admin),
        Method::PATCH,
        &speaker(&carla_turn),
        Some(json!({"status": "speaking"})),
        StatusCode::CONFLICT,
    )
    .await;
    app.answer(
        Some(&admin),
        Method::PATCH,
        &speaker(&ana_turn),
        Some(json!({"position": 0})),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    // A vote inside the session: the organizations present, their representatives present.
    let ballot = app.answer(Some(&admin), Method::POST, &open_ballot, Some(rule), StatusCode::CREATED).await;
    let eligible: Vec<&str> =
        ballot["eligible_organizations"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(eligible, ["Fundación Esperanza", "Red Migrante"]);
    assert_eq!(ballot["session"]["member_organizations"], 4);
    let bid = id(&ballot);
    let news = event_of(&mut watcher, "session.updated").await;
    assert_eq!(news["data"]["session"]["ballot_ids"], json!([bid]), "the session's screens learn of its ballot");
    let vote = format!("/api/v1/ballots/{bid}/vote");
    app.answer(Some(&alba), Method::PUT, &vote, Some(json!({"choice": "no"})), StatusCode::CONFLICT).await;
    app.answer(Some(&dora), Method::PUT, &vote, Some(json!({"choice": "no"})), StatusCode::FORBIDDEN).await;
    app.answer(Some(&ana), Method::PUT, &vote, Some(json!({"choice": "yes"})), StatusCode::OK).await;
    // The titular steps out: now the alternate may vote, once present.
    app.answer(Some(&alba), Method::POST, &format!("{base}/check-in"), None, StatusCode::OK).await;
    app.answer(
        Some(&ana),
        Method::PUT,
        &format!("{base}/attendance/{}", ana.id()),
        Some(json!({"present": false})),
        StatusCode::OK,
    )
    .await;
    app.answer(Some(&alba), Method::PUT, &vote, Some(json!({"choice": "yes"})), StatusCode::OK).await;

    // A hand vote: the secretariat's, for an organization present.
    let hand = |org: &str| format!("/api/v1/ballots/{bid}/votes/{org}");
    app.answer(Some(&ana), Method::PUT, &hand(&org_of(&carla)), Some(json!({"choice": "no"})), StatusCode::FORBIDDEN)
        .await;
    app.answer(Some(&admin), Method::PUT, &hand(&org_of(&dora)), Some(json!({"choice": "no"})), StatusCode::CONFLICT)
        .await;
    app.answer(
        Some(&admin),
        Method::PUT,
        &hand(&org_of(&carla)),
        Some(json!({"choice": "maybe"})),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    app.answer(Some(&admin), Method::PUT, &hand(&org_of(&carla)), Some(json!({"choice": "no"})), StatusCode::OK).await;
    let seen = app.answer(Some(&carla), Method::GET, &format!("/api/v1/ballots/{bid}"), None, StatusCode::OK).await;
    assert_eq!((seen["my_vote"].as_str(), seen["my_vote_by_hand"].as_bool()), (Some("no"), Some(true)));
    // A hand vote is only for a session's ballot.
    let other = id(&app.proposal(&carla, &document, &articles[1]).await);
    let online = app
        .answer(
            Some(&admin),
            Method::POST,
            &format!("/api/v1/proposals/{other}/ballot"),
            Some(json!({"majority": "simple", "quorum": 0.5})),
            StatusCode::CREATED,
        )
        .await;
    let elsewhere = format!("/api/v1/ballots/{}/votes/{}", id(&online), org_of(&carla));
    app.answer(Some(&admin), Method::PUT, &elsewhere, Some(json!({"choice": "no"})), StatusCode::CONFLICT).await;

    // Closing waits for the session's ballots.
    patch(&app, &admin, &sid, json!({"status": "closed"}), StatusCode::CONFLICT).await;
    let closed =
        app.answer(Some(&admin), Method::POST, &format!("/api/v1/ballots/{bid}/close"), None, StatusCode::OK).await;
    assert_eq!(closed["result"]["passed"], false, "yes 1, no 1: {}", closed["result"]);

    // A restart in the middle loses nothing.
    let db = app.db.clone();
    app.stop().await;
    let app = TestApp::spawn_on(db, &[]).await;
    let again = app.answer(Some(&beto), Method::GET, &base, None, StatusCode::OK).await;
    assert_eq!(again["status"], "open");
    assert_eq!(again["current_item_id"], item.as_str());
    assert_eq!(again["quorum"]["present_organizations"], 2);
    assert_eq!(again["ballot_ids"], json!([bid]));

    let ended = patch(&app, &admin, &sid, json!({"status": "closed"}), StatusCode::OK).await;
    assert!(ended["closed_at"].is_string());
    assert!(ended["speakers"].as_array().unwrap().iter().all(|s| s["status"] != "speaking"), "the floor closes too");
    app.answer(Some(&dora), Method::POST, &format!("{base}/check-in"), None, StatusCode::CONFLICT).await;
    patch(&app, &admin, &sid, json!({"title": "Otra"}), StatusCode::CONFLICT).await;

    // The acta.
    let acta = app.answer(Some(&beto), Method::GET, &format!("{base}/minutes"), None, StatusCode::OK).await;
    let attended: Vec<(&str, bool)> = acta["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["organization"]["name"].as_str().unwrap(), o["attended"].as_bool().unwrap()))
        .collect();
    assert!(
        attended.contains(&("Fundación Esperanza", true)) && attended.contains(&("Casa del Migrante", false)),
        "{attended:?}"
    );
    assert_eq!(acta["ballots"][0]["hand_votes"], json!([org_of(&carla)]));
    assert_eq!(acta["ballots"][0]["present_organizations"], 2);
    assert_eq!(acta["speakers"].as_array().unwrap().len(), 2);
    let choices = acta["ballots"][0]["minutes"]["choices"].as_array().unwrap();
    assert!(choices.iter().any(|c| c["by_hand"] == true && c["organization"]["name"] == "Red Migrante"), "{choices:?}");
    let text = app.text(&beto, &format!("{base}/minutes?format=markdown")).await;
    for expected in [
        "# Acta de la sesión: Asamblea constitutiva",
        "Casa Comunal de Puembo",
        "híbrida",
        "Fundación Esperanza: asistió",
        "Casa del Migrante: no asistió",
        "titular",
        "suplente",
        "1. Apertura y verificación del quórum",
        "Red Migrante: en contra (a mano alzada",
        "RECHAZADA",
        "2 de 4",
    ] {
        assert!(text.contains(expected), "the acta says {expected:?}:\n{text}");
    }
    let html = app.as_user(&beto, Method::GET, &format!("{base}/minutes?format=html")).send().await.unwrap();
    assert_eq!(html.status(), StatusCode::OK);
    assert!(html.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(html.text().await.unwrap().contains("<h1>Acta de la sesión: Asamblea constitutiva</h1>"));
    app.answer(Some(&beto), Method::GET, &format!("{base}/minutes?format=pdf"), None, StatusCode::UNPROCESSABLE_ENTITY)
        .await;
    let english = app.text(&beto, &format!("{base}/minutes?format=markdown&lang=en")).await;
    assert!(english.contains("# Minutes of the session") && english.contains("did not attend"), "{english}");
}
