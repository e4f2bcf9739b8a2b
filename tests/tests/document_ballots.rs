//! Ballots on a whole document: rivals ranked by three organizations with the
//! status quo, a block of uncontested articles, and the approval of the whole
//! text that freezes it; on both backends.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use minga_tests::{on_both_backends, Backend};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_backends!(a_statute_goes_from_rival_amendments_to_its_final_text);

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

async fn a_statute_goes_from_rival_amendments_to_its_final_text(backend: Backend) {
    let app = minga_tests::TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@ong.ec", "Fundación Esperanza").await;
    let carla = app.delegate("carla@red.ec", "Red Migrante").await;
    let dora = app.delegate("dora@casa.ec", "Casa del Migrante").await;
    let beto = app.observer("beto@uni.ec", "Universidad Central").await;
    let (document, articles) = app.charter(&admin, 3).await;
    let first = id(&app.proposal(&ana, &document, &articles[1]).await);
    let second = id(&app.proposal(&carla, &document, &articles[1]).await);
    let elsewhere = id(&app.proposal(&carla, &document, &articles[2]).await);
    let ballots = format!("/api/v1/documents/{document}/ballots");
    let rivals = |ids: Vec<&str>| {
        json!({"kind": "alternatives", "proposal_ids": ids, "status_quo": true,
        "method": "ranked", "quorum": 0.5})
    };

    // Bad input changes nothing.
    app.answer(Some(&ana), Method::POST, &ballots, Some(rivals(vec![&first, &second])), StatusCode::FORBIDDEN).await;
    app.answer(
        Some(&admin),
        Method::POST,
        &ballots,
        Some(rivals(vec![&first, &elsewhere])),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    app.answer(
        Some(&admin),
        Method::POST,
        &ballots,
        Some(rivals(vec![&first, &first])),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        app.answer(Some(&beto), Method::GET, &format!("/api/v1/proposals/{first}"), None, StatusCode::OK).await
            ["status"],
        "open"
    );

    let ballot = app
        .answer(Some(&admin), Method::POST, &ballots, Some(rivals(vec![&first, &second])), StatusCode::CREATED)
        .await;
    assert_eq!(ballot["kind"], "alternatives");
    let options: Vec<String> = ballot["options"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(options.len(), 3);
    assert!(ballot["options"][0]["proposal_id"].is_null(), "the status quo comes first");
    let [keep, a, b] = [&options[0], &options[1], &options[2]];
    let vote = format!("/api/v1/ballots/{}/vote", id(&ballot));
    // A ranking with a duplicate or an unknown option, or a yes, is refused.
    app.answer(Some(&ana), Method::PUT, &vote, Some(json!({"ranking": [a, a]})), StatusCode::UNPROCESSABLE_ENTITY)
        .await;
    let unknown = uuid::Uuid::now_v7().to_string();
    app.answer(
        Some(&ana),
        Method::PUT,
        &vote,
        Some(json!({"ranking": [a, unknown]})),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    app.answer(Some(&ana), Method::PUT, &vote, Some(json!({"choice": "yes"})), StatusCode::UNPROCESSABLE_ENTITY).await;
    app.answer(Some(&beto), Method::PUT, &vote, Some(json!({"ranking": [a]})), StatusCode::FORBIDDEN).await;
    // B beats A two to one, and both beat keeping the text.
    app.answer(Some(&ana), Method::PUT, &vote, Some(json!({"ranking": [a, b, keep]})), StatusCode::OK).await;
    app.answer(Some(&carla), Method::PUT, &vote, Some(json!({"ranking": [b, a, keep]})), StatusCode::OK).await;
    let mine = app.answer(Some(&dora), Method::PUT, &vote, Some(json!({"ranking": [b]})), StatusCode::OK).await;
    assert_eq!(mine["my_ranking"], json!([b]));
    let close = format!("/api/v1/ballots/{}/close", id(&ballot));
    let closed = app.answer(Some(&admin), Method::POST, &close, None, StatusCode::OK).await;
    assert_eq!(closed["alternatives"]["winner"], b.as_str(), "{closed}");
    assert_eq!(closed["alternatives"]["pairwise"][2][1], 2, "B over A on two rankings");
    let status = |p: String| {
        let app = &app;
        let beto = &beto;
        async move {
            app.answer(Some(beto), Method::GET, &format!("/api/v1/proposals/{p}"), None, StatusCode::OK).await["status"]
                .clone()
        }
    };
    assert_eq!(status(second.clone()).await, "passed");
    assert_eq!(status(first.clone()).await, "rejected");
    let minutes = app
        .as_user(&beto, Method::GET, &format!("/api/v1/ballots/{}/minutes?format=markdown", id(&ballot)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(minutes.contains("método de Schulze") && minutes.contains("Comparación de cada par"), "{minutes}");
    app.answer(Some(&admin), Method::POST, &format!("/api/v1/proposals/{second}/adopt"), None, StatusCode::OK).await;

    // The objection map: an objection keeps its article out of a block.
    let stance = |section: &str| format!("/api/v1/sections/{section}/stance");
    app.answer(
        Some(&ana),
        Method::PUT,
        &stance(&articles[0]),
        Some(json!({"stance": "object"})),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    app.answer(
        Some(&ana),
        Method::PUT,
        &stance(&articles[0]),
        Some(json!({"stance": "object", "reason": "Ambiguo"})),
        StatusCode::NO_CONTENT,
    )
    .await;
    app.answer(
        Some(&carla),
        Method::PUT,
        &stance(&articles[2]),
        Some(json!({"stance": "can_live"})),
        StatusCode::NO_CONTENT,
    )
    .await;
    app.answer(
        Some(&beto),
        Method::PUT,
        &stance(&articles[2]),
        Some(json!({"stance": "agree"})),
        StatusCode::FORBIDDEN,
    )
    .await;
    let map = app
        .answer(Some(&beto), Method::GET, &format!("/api/v1/documents/{document}/stances"), None, StatusCode::OK)
        .await;
    assert_eq!((map[0]["object"].as_u64(), map[0]["objections"][0]["reason"].as_str()), (Some(1), Some("Ambiguo")));
    assert_eq!(map[2]["can_live"], 1);
    // The secretariat's organization is a member too, and has not said.
    assert_eq!(map[2]["silent"].as_array().unwrap().len(), 3, "{map}");
    let block = |ids: Vec<&str>| json!({"kind": "block", "section_ids": ids, "majority": "simple", "quorum": 0.0});
    app.answer(
        Some(&admin),
        Method::POST,
        &ballots,
        Some(block(vec![&articles[0], &articles[2]])),
        StatusCode::CONFLICT,
    )
    .await;
    app.answer(Some(&admin), Method::POST, &ballots, Some(block(vec![&articles[2]])), StatusCode::CREATED).await;

    // The whole text, at the current version, by two thirds: then final.
    let text =
        app.answer(Some(&beto), Method::GET, &format!("/api/v1/documents/{document}"), None, StatusCode::OK).await;
    let version = text["version"].as_i64().unwrap();
    let approval = |v: i64| json!({"kind": "approval", "version": v, "majority": "two_thirds", "quorum": 0.5});
    app.answer(Some(&admin), Method::POST, &ballots, Some(approval(version - 1)), StatusCode::CONFLICT).await;
    let whole = app.answer(Some(&admin), Method::POST, &ballots, Some(approval(version)), StatusCode::CREATED).await;
    // While it is open, the text does not change.
    let edit = format!("/api/v1/sections/{}", articles[0]);
    app.answer(Some(&admin), Method::PATCH, &edit, Some(json!({"body": "Otro."})), StatusCode::CONFLICT).await;
    let vote = format!("/api/v1/ballots/{}/vote", id(&whole));
    for who in [&ana, &carla, &dora] {
        app.answer(Some(who), Method::PUT, &vote, Some(json!({"choice": "yes"})), StatusCode::OK).await;
    }
    app.answer(Some(&admin), Method::POST, &format!("/api/v1/ballots/{}/close", id(&whole)), None, StatusCode::OK)
        .await;
    let frozen =
        app.answer(Some(&beto), Method::GET, &format!("/api/v1/documents/{document}"), None, StatusCode::OK).await;
    assert_eq!(frozen["phase"], "final");
    assert_eq!(frozen["approval"]["version"], version);
    assert_eq!(frozen["approval"]["text_sha256"].as_str().unwrap().len(), 64);
    app.answer(Some(&admin), Method::PATCH, &edit, Some(json!({"body": "Otro."})), StatusCode::CONFLICT).await;
    app.answer(
        Some(&admin),
        Method::PATCH,
        &format!("/api/v1/documents/{document}"),
        Some(json!({"phase": "voting"})),
        StatusCode::CONFLICT,
    )
    .await;
    let late = json!({"kind": "amend", "section_id": articles[0], "title": "Tarde", "body": "x", "rationale": "r"});
    app.answer(
        Some(&ana),
        Method::POST,
        &format!("/api/v1/documents/{document}/proposals"),
        Some(late),
        StatusCode::CONFLICT,
    )
    .await;
}
