//! The secretariat's administration (organizations, people, invitations),
//! each permission tried both ways, on both backends.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use minga_tests::{expect_problem, expect_status, on_both_backends, Backend, Session, TestApp, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_backends!(
    organizations_are_listed_for_any_signed_in_user,
    only_the_secretariat_creates_organizations,
    organization_names_are_unique_ignoring_case,
    organization_fields_are_validated,
    organizations_are_patched_by_the_secretariat_only,
    organization_kind_must_fit_its_people,
    only_the_secretariat_lists_and_changes_users,
    role_changes_must_fit_the_organization,
    the_last_secretariat_stays,
    only_the_secretariat_invites,
    invitations_check_role_email_and_organization,
    list_pagination,
);

struct World {
    app: TestApp,
    admin: Session,
    delegate: Session,
    observer: Session,
}

async fn world(backend: Backend) -> World {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let delegate = app.delegate("delegada@ong.ec", "Fundación Esperanza").await;
    let observer = app.observer("observador@uni.ec", "Universidad Central").await;
    World { app, admin, delegate, observer }
}

async fn create_org(app: &TestApp, who: &Session, body: Value) -> reqwest::Response {
    app.as_user(who, Method::POST, "/api/v1/organizations").json(&body).send().await.unwrap()
}

async fn organizations_are_listed_for_any_signed_in_user(backend: Backend) {
    let w = world(backend).await;
    for who in [&w.admin, &w.delegate, &w.observer] {
        let list = expect_status(
            w.app.as_user(who, Method::GET, "/api/v1/organizations").send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        let names: Vec<&str> = list.as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Secretaría Técnica", "Fundación Esperanza", "Universidad Central"], "oldest first");
        assert!(list[0]["id"].is_string() && list[0]["active"] == true && list[2]["kind"] == "observer");
    }
    let anonymous = w.app.request(Method::GET, "/api/v1/organizations").send().await.unwrap();
    expect_problem(anonymous, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

async fn only_the_secretariat_creates_organizations(backend: Backend) {
    let w = world(backend).await;
    let body = json!({"name": "Red Clamor", "short_name": "Clamor", "kind": "member"});
    for who in [&w.delegate, &w.observer] {
        expect_problem(create_org(&w.app, who, body.clone()).await, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let anonymous = w.app.request(Method::POST, "/api/v1/organizations").json(&body).send().await.unwrap();
    expect_problem(anonymous, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let created = expect_status(create_org(&w.app, &w.admin, body).await, StatusCode::CREATED).await;
    assert_eq!(created["name"], "Red Clamor");
    assert_eq!(created["short_name"], "Clamor");
    assert_eq!(created["kind"], "member");
    assert_eq!(created["active"], true);
    assert_eq!(w.app.store().list_organizations(minga::store::Page::all()).await.unwrap().len(), 4);
}

async fn organization_names_are_unique_ignoring_case(backend: Backend) {
    let w = world(backend).await;
    let duplicate = json!({"name": "  fundación ESPERANZA ", "short_name": "FE", "kind": "member"});
    let problem = expect_problem(create_org(&w.app, &w.admin, duplicate).await, StatusCode::CONFLICT, "conflict").await;
    assert_eq!(problem["detail"], "an organization with this name already exists");
    // Renaming onto an existing name is a conflict too.
    let created = expect_status(
        create_org(&w.app, &w.admin, json!({"name": "Otra", "short_name": "O", "kind": "member"})).await,
        StatusCode::CREATED,
    )
    .await;
    let rename = w
        .app
        .as_user(&w.admin, Method::PATCH, &format!("/api/v1/organizations/{}", created["id"].as_str().unwrap()))
        .json(&json!({"name": "Universidad central"}))
        .send()
        .await
        .unwrap();
    expect_problem(rename, StatusCode::CONFLICT, "conflict").await;
}

async fn organization_fields_are_validated(backend: Backend) {
    let w = world(backend).await;
    let cases = [
        (json!({"name": "", "short_name": "X", "kind": "member"}), Some("name")),
        (json!({"name": "x".repeat(201), "short_name": "X", "kind": "member"}), Some("name")),
        (json!({"name": "Bien", "short_name": "", "kind": "member"}), Some("short_name")),
        (json!({"name": "Bien", "short_name": "X", "kind": "government"}), None),
        (json!({"name": "Bien", "kind": "member"}), None),
        (json!({"name": "Bien", "short_name": "X", "kind": "member", "extra": 1}), None),
    ];
    for (body, field) in cases {
        let problem = expect_problem(
            create_org(&w.app, &w.admin, body.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        if let Some(field) = field {
            assert_eq!(problem["field"], field, "{body}");
        }
    }
    let ok = json!({"name": "x".repeat(200), "short_name": "X", "kind": "observer"});
    expect_status(create_org(&w.app, &w.admin, ok).await, StatusCode::CREATED).await;
}

async fn organizations_are_patched_by_the_secretariat_only(backend: Backend) {
    let w = world(backend).await;
    let org_id = w.delegate.user["organization"]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/organizations/{org_id}");
    let patch = json!({"short_name": "FEsp", "active": false});
    for who in [&w.delegate, &w.observer] {
        let response = w.app.as_user(who, Method::PATCH, &path).json(&patch).send().await.unwrap();
        expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let updated =
        expect_status(w.app.as_user(&w.admin, Method::PATCH, &path).json(&patch).send().await.unwrap(), StatusCode::OK)
            .await;
    assert_eq!(updated["short_name"], "FEsp");
    assert_eq!(updated["name"], "Fundación Esperanza", "unchanged fields stay");
    assert_eq!(updated["active"], false);
    let missing = w
        .app
        .as_user(&w.admin, Method::PATCH, &format!("/api/v1/organizations/{}", uuid::Uuid::now_v7()))
        .json(&patch)
        .send()
        .await
        .unwrap();
    expect_problem(missing, StatusCode::NOT_FOUND, "not_found").await;
}

async fn organization_kind_must_fit_its_people(backend: Backend) {
    let w = world(backend).await;
    let org_id = w.delegate.user["organization"]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/organizations/{org_id}");
    let to_observer = json!({"kind": "observer"});
    let response = w.app.as_user(&w.admin, Method::PATCH, &path).json(&to_observer).send().await.unwrap();
    expect_problem(response, StatusCode::CONFLICT, "conflict").await;
    // An organization with nobody in it may change kind.
    let empty = w.app.organization("Sin personas", "member").await;
    let response = w
        .app
        .as_user(&w.admin, Method::PATCH, &format!("/api/v1/organizations/{}", empty.id))
        .json(&to_observer)
        .send()
        .await
        .unwrap();
    assert_eq!(expect_status(response, StatusCode::OK).await["kind"], "observer");
}

async fn only_the_secretariat_lists_and_changes_users(backend: Backend) {
    let w = world(backend).await;
    for who in [&w.delegate, &w.observer] {
        let list = w.app.as_user(who, Method::GET, "/api/v1/users").send().await.unwrap();
        expect_problem(list, StatusCode::FORBIDDEN, "forbidden").await;
        let patch = w
            .app
            .as_user(who, Method::PATCH, &format!("/api/v1/users/{}", w.delegate.id()))
            .json(&json!({"active": false}))
            .send()
            .await
            .unwrap();
        expect_problem(patch, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let users =
        expect_status(w.app.as_user(&w.admin, Method::GET, "/api/v1/users").send().await.unwrap(), StatusCode::OK)
            .await;
    let emails: Vec<&str> = users.as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap()).collect();
    assert_eq!(emails, ["secretaria@foro.ec", "delegada@ong.ec", "observador@uni.ec"]);
    let promoted = w
        .app
        .as_user(&w.admin, Method::PATCH, &format!("/api/v1/users/{}", w.delegate.id()))
        .json(&json!({"role": "secretariat"}))
        .send()
        .await
        .unwrap();
    assert_eq!(expect_status(promoted, StatusCode::OK).await["role"], "secretariat");
    // The promotion takes effect on the delegate's existing token.
    let now_allowed = w.app.as_user(&w.delegate, Method::GET, "/api/v1/users").send().await.unwrap();
    expect_status(now_allowed, StatusCode::OK).await;
    let missing = w
        .app
        .as_user(&w.admin, Method::PATCH, &format!("/api/v1/users/{}", uuid::Uuid::now_v7()))
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    expect_problem(missing, StatusCode::NOT_FOUND, "not_found").await;
    let bad_role = w
        .app
        .as_user(&w.admin, Method::PATCH, &format!("/api/v1/users/{}", w.observer.id()))
        .json(&json!({"role": "president"}))
        .send()
        .await
        .unwrap();
    expect_problem(bad_role, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
}

async fn role_changes_must_fit_the_organization(backend: Backend) {
    let w = world(backend).await;
    let to_delegate = w
        .app
        .as_user(&w.admin, Method::PATCH, &format!("/api/v1/users/{}", w.observer.id()))
        .json(&json!({"role": "delegate"}))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(to_delegate, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert_eq!(problem["field"], "role");
}

async fn the_last_secretariat_stays(backend: Backend) {
    let w = world(backend).await;
    let own = format!("/api/v1/users/{}", w.admin.id());
    for patch in [json!({"active": false}), json!({"role": "delegate"})] {
        let response = w.app.as_user(&w.admin, Method::PATCH, &own).json(&patch).send().await.unwrap();
        expect_problem(response, StatusCode::CONFLICT, "conflict").await;
    }
    // With a second secretariat, the first may step down.
    let second = w.app.account("sec2@foro.ec", "Secretaría Técnica", "member", "secretariat").await;
    let response =
        w.app.as_user(&w.admin, Method::PATCH, &own).json(&json!({"role": "delegate"})).send().await.unwrap();
    expect_status(response, StatusCode::OK).await;
    let response = w
        .app
        .as_user(&second, Method::PATCH, &format!("/api/v1/users/{}", second.id()))
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::CONFLICT, "conflict").await;
}

async fn only_the_secretariat_invites(backend: Backend) {
    let w = world(backend).await;
    let org_id = w.delegate.user["organization"]["id"].clone();
    let body = json!({"email": "nuevo@ong.ec", "organization_id": org_id, "role": "delegate"});
    for who in [&w.delegate, &w.observer] {
        let response = w.app.as_user(who, Method::POST, "/api/v1/invitations").json(&body).send().await.unwrap();
        expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let created = expect_status(
        w.app.as_user(&w.admin, Method::POST, "/api/v1/invitations").json(&body).send().await.unwrap(),
        StatusCode::CREATED,
    )
    .await;
    let token = created["token"].as_str().unwrap();
    assert_eq!(created["url"], format!("{}/invitations/{token}", minga_tests::PUBLIC_URL));
    assert!(created["expires_at"].is_string());
    let accepted = w
        .app
        .request(Method::POST, &format!("/api/v1/invitations/{token}/accept"))
        .json(&json!({"display_name": "Nuevo", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let session = expect_status(accepted, StatusCode::CREATED).await;
    assert_eq!(session["user"]["organization"]["id"], org_id);
    assert_eq!(session["user"]["role"], "delegate");
}

async fn invitations_check_role_email_and_organization(backend: Backend) {
    let w = world(backend).await;
    let member = w.delegate.user["organization"]["id"].clone();
    let observer_org = w.observer.user["organization"]["id"].clone();
    let cases = [
        (json!({"email": "x@ong.ec", "organization_id": member, "role": "observer"}), StatusCode::UNPROCESSABLE_ENTITY),
        (
            json!({"email": "x@ong.ec", "organization_id": observer_org, "role": "delegate"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"email": "not-an-email", "organization_id": member, "role": "delegate"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"email": "x@ong.ec", "organization_id": uuid::Uuid::now_v7(), "role": "delegate"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({"email": "x@ong.ec", "organization_id": "nope", "role": "delegate"}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"email": "DELEGADA@ong.ec", "organization_id": member, "role": "delegate"}), StatusCode::CONFLICT),
    ];
    for (body, status) in cases {
        let response = w.app.as_user(&w.admin, Method::POST, "/api/v1/invitations").json(&body).send().await.unwrap();
        let code = if status == StatusCode::CONFLICT { "conflict" } else { "validation" };
        expect_problem(response, status, code).await;
    }
    // The secretariat role fits either kind of organization.
    let response = w
        .app
        .as_user(&w.admin, Method::POST, "/api/v1/invitations")
        .json(&json!({"email": "sec@uni.ec", "organization_id": observer_org, "role": "secretariat"}))
        .send()
        .await
        .unwrap();
    expect_status(response, StatusCode::CREATED).await;
    // An inactive organization takes no new people.
    let deactivate = w
        .app
        .as_user(&w.admin, Method::PATCH, &format!("/api/v1/organizations/{}", member.as_str().unwrap()))
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    expect_status(deactivate, StatusCode::OK).await;
    let response = w
        .app
        .as_user(&w.admin, Method::POST, "/api/v1/invitations")
        .json(&json!({"email": "y@ong.ec", "organization_id": member, "role": "delegate"}))
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::CONFLICT, "conflict").await;
}

async fn list_pagination(backend: Backend) {
    let w = world(backend).await;
    let first = expect_status(
        w.app.as_user(&w.admin, Method::GET, "/api/v1/users?limit=2").send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(first.as_array().unwrap().len(), 2);
    let after = first[1]["id"].as_str().unwrap();
    let rest = expect_status(
        w.app.as_user(&w.admin, Method::GET, &format!("/api/v1/users?limit=2&after={after}")).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(rest.as_array().unwrap().len(), 1);
    assert_eq!(rest[0]["email"], "observador@uni.ec");
    for query in ["limit=0", "limit=1001", "limit=x", "after=nope"] {
        let response = w.app.as_user(&w.admin, Method::GET, &format!("/api/v1/users?{query}")).send().await.unwrap();
        expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    }
    let orgs = expect_status(
        w.app.as_user(&w.observer, Method::GET, "/api/v1/organizations?limit=1").send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(orgs.as_array().unwrap().len(), 1);
}
