//! What the OpenAPI document promises about failures, and the defects the API
//! fuzzer (`scripts/fuzz-api`) found, kept fixed.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use minga_tests::{expect_problem, on_both_backends, Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_backends!(
    every_failure_is_documented_as_a_problem,
    version_numbers_out_of_range_are_refused,
    bodies_must_be_objects,
    whole_numbers_may_carry_a_decimal_point,
);

/// The operations anyone may call, as the document marks them (`security: [{}]`).
const PUBLIC: [(&str, &str); 12] = [
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("get", "/api/v1/openapi.json"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/invitations/{token}"),
    ("post", "/api/v1/invitations/{token}/accept"),
    ("post", "/api/v1/auth/password-reset"),
    ("post", "/api/v1/auth/password-reset/{token}"),
    ("get", "/api/v1/unsubscribe"),
    ("post", "/api/v1/unsubscribe"),
];

async fn every_failure_is_documented_as_a_problem(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let doc: Value = app.request(Method::GET, "/api/v1/openapi.json").send().await.unwrap().json().await.unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            let has = |status: &str| responses.contains_key(status);
            let public = PUBLIC.contains(&(method.as_str(), path.as_str()));
            assert_eq!(
                operation["security"] == json!([{}]),
                public,
                "{method} {path}: public operations, and only they, need no session"
            );
            assert!(public || has("401"), "{method} {path}: 401 is documented where a session is needed");
            assert!(has("503"), "{method} {path}: any operation may find the database away");
            if operation.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(has(status), "{method} {path}: a body can be refused with {status}");
                }
            }
            if method != "get" {
                assert!(has("429"), "{method} {path}: writes are throttled");
            }
            for (status, response) in responses.iter().filter(|(status, _)| status.as_str() >= "400") {
                let types: Vec<&String> = response["content"].as_object().unwrap().keys().collect();
                assert_eq!(types, ["application/problem+json"], "{method} {path} {status}");
                checked += 1;
            }
        }
    }
    assert!(checked > 200, "only {checked} failure answers documented");
}

async fn version_numbers_out_of_range_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let (document, _) = app.charter(&admin, 1).await;
    // `to=i64::MIN` once made `to - 1` overflow, a panic answered with 500.
    for view in ["diff", "comparison"] {
        for query in ["to=-9223372036854775808", "from=0", "to=0&from=1"] {
            let path = format!("/api/v1/documents/{document}/{view}?{query}");
            let response = app.send(Some(&admin), Method::GET, &path, None).await;
            expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        }
        let fine = app.send(Some(&admin), Method::GET, &format!("/api/v1/documents/{document}/{view}"), None).await;
        assert_eq!(fine.status(), StatusCode::OK, "{view} between the last two versions");
    }
}

async fn bodies_must_be_objects(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    // serde builds a struct from an array too: `[null, null]` was a valid
    // (empty) patch of a person, answered 200.
    let me = admin.id().to_owned();
    for body in [json!([null, null]), json!(["secretariat", true]), json!("x"), json!(7)] {
        let response = app.send(Some(&admin), Method::PATCH, &format!("/api/v1/users/{me}"), Some(body)).await;
        expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    }
    let response = app.send(Some(&admin), Method::PATCH, &format!("/api/v1/users/{me}"), Some(json!({}))).await;
    assert_eq!(response.status(), StatusCode::OK, "an empty patch is still a patch");
}

async fn whole_numbers_may_carry_a_decimal_point(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let (document, articles) = app.charter(&admin, 1).await;
    let proposal = app.proposal(&admin, &document, &articles[0]).await;
    let path = format!("/api/v1/proposals/{}/comments", proposal["id"].as_str().unwrap());
    let quote = |revision: Value| json!({"body": "Cita", "anchor": {"revision": revision, "quote": "cada seis meses"}});
    let response = app.send(Some(&admin), Method::POST, &path, Some(quote(json!(1.0)))).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let comment: Value = response.json().await.unwrap();
    assert_eq!(comment["anchor"]["revision"], json!(1));
    let response = app.send(Some(&admin), Method::POST, &path, Some(quote(json!(1.5)))).await;
    expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
}
