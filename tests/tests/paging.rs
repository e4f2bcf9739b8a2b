//! Long lists (proposals, comments, revisions) take `?limit=&after=`, oldest
//! first; event and revision pages are bounded by size as well as count.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use minga_tests::{on_both_backends, Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::Value;

on_both_backends!(
    proposals_and_comments_page_oldest_first,
    event_pages_are_bounded_in_bytes_too,
    revisions_page_by_number_and_size,
);

fn ids(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|item| item["id"].as_str().unwrap().to_owned()).collect()
}

async fn get(app: &TestApp, who: &minga_tests::Session, path: String) -> Value {
    app.answer(Some(who), Method::GET, &path, None, StatusCode::OK).await
}

async fn proposals_and_comments_page_oldest_first(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@ong.ec", "Org").await;
    let (document, articles) = app.charter(&admin, 1).await;
    let mut proposals = Vec::new();
    for _ in 0..3 {
        proposals.push(app.proposal(&ana, &document, &articles[0]).await["id"].as_str().unwrap().to_owned());
    }
    let mut comments = Vec::new();
    for n in 0..5 {
        comments.push(app.comment(&ana, &proposals[0], &format!("c{n}")).await["id"].as_str().unwrap().to_owned());
    }
    let first = get(&app, &ana, format!("/api/v1/documents/{document}/proposals?limit=2")).await;
    assert_eq!(ids(&first), proposals[..2]);
    let rest = get(&app, &ana, format!("/api/v1/documents/{document}/proposals?limit=2&after={}", proposals[1])).await;
    assert_eq!(ids(&rest), proposals[2..]);
    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let page = get(&app, &ana, format!("/api/v1/proposals/{}/comments?limit=2{after}", proposals[0])).await;
        let page = ids(&page);
        if page.is_empty() {
            break;
        }
        after = format!("&after={}", page.last().unwrap());
        seen.extend(page);
    }
    assert_eq!(seen, comments);
    for query in ["limit=0", "limit=1001", "after=x"] {
        let path = format!("/api/v1/proposals/{}/comments?{query}", proposals[0]);
        app.answer(Some(&ana), Method::GET, &path, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
}

/// `limit=1000` of large events is cut by size (about 2 MiB of data), and
/// paging on from the last seq still reaches every event, once each.
async fn event_pages_are_bounded_in_bytes_too(backend: Backend) {
    let t = minga_tests::thread(backend).await;
    let big = "palabra ".repeat(2_400);
    for n in 0..120 {
        t.app.comment(&t.ana, &t.proposal, &format!("{n} {big}")).await;
    }
    let topic = format!("proposal:{}", t.proposal);
    let (mut after, mut seen, mut largest) = (0, Vec::new(), 0);
    loop {
        let path = format!("/api/v1/events?topic={topic}&after={after}&limit=1000");
        let response = t.app.as_user(&t.beto, Method::GET, &path).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let text = response.text().await.unwrap();
        largest = largest.max(text.len());
        let page: Value = serde_json::from_str(&text).unwrap();
        let page = page.as_array().unwrap().clone();
        let Some(last) = page.last() else { break };
        after = last["seq"].as_i64().unwrap();
        seen.extend(page.iter().map(|event| event["seq"].as_i64().unwrap()));
    }
    let total: Vec<i64> = (1..=seen.len() as i64).collect();
    assert_eq!(seen, total, "every event once, in order");
    assert!(seen.len() > 120, "the comments and the proposal's own events");
    // 120 events of ~38 KB are ~4.5 MB: more than one page, none far past 2 MiB.
    assert!(largest < 3 * 1024 * 1024, "a page of {largest} B");
}

/// Revisions page by number (`after` is the last number seen), and a page of
/// large ones is cut by size (about 2 MiB): before, every revision of a
/// proposal came in one answer (95 MB in the probe).
async fn revisions_page_by_number_and_size(backend: Backend) {
    let t = minga_tests::thread(backend).await;
    let path = format!("/api/v1/proposals/{}/revisions", t.proposal);
    let big = "palabra ".repeat(12_000);
    for n in 2..=30 {
        let body = serde_json::json!({"body": format!("{n} {big}"), "note": format!("revisión {n}")});
        t.app.answer(Some(&t.ana), Method::POST, &path, Some(body), StatusCode::CREATED).await;
    }
    let numbers =
        |page: &Value| page.as_array().unwrap().iter().map(|r| r["number"].as_i64().unwrap()).collect::<Vec<_>>();
    let first = get(&t.app, &t.beto, format!("{path}?limit=2")).await;
    assert_eq!(numbers(&first), [1, 2]);
    let next = get(&t.app, &t.beto, format!("{path}?limit=2&after=2")).await;
    assert_eq!(numbers(&next), [3, 4]);
    assert_eq!(next[1]["note"], "revisión 4");
    let (mut after, mut seen, mut largest, mut pages) = (0, Vec::new(), 0, 0);
    loop {
        let response = t.app.as_user(&t.beto, Method::GET, &format!("{path}?after={after}")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let text = response.text().await.unwrap();
        largest = largest.max(text.len());
        let page: Value = serde_json::from_str(&text).unwrap();
        let Some(last) = page.as_array().unwrap().last() else { break };
        after = last["number"].as_i64().unwrap();
        seen.extend(numbers(&page));
        pages += 1;
    }
    assert_eq!(seen, (1..=30).collect::<Vec<i64>>(), "every revision once, in order");
    // 29 revisions of ~96,000 characters are ~2.8 MB: two pages at least.
    assert!(pages >= 2 && largest < 3 * 1024 * 1024, "{pages} pages, the largest {largest} B");
    for query in ["limit=0", "limit=1001", "after=-1", "after=x"] {
        t.app
            .answer(Some(&t.beto), Method::GET, &format!("{path}?{query}"), None, StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    }
    let unknown = format!("/api/v1/proposals/{}/revisions?after=5", uuid::Uuid::now_v7());
    t.app.answer(Some(&t.beto), Method::GET, &unknown, None, StatusCode::NOT_FOUND).await;
    // The diff still reaches any revision, the latest by default.
    let diff = get(&t.app, &t.beto, format!("/api/v1/proposals/{}/diff?from=29", t.proposal)).await;
    assert!(diff["ops"]
        .as_array()
        .unwrap()
        .iter()
        .any(|op| op["op"] == "insert" && op["text"].as_str().unwrap().contains("30")));
    let missing = format!("/api/v1/proposals/{}/diff?from=31", t.proposal);
    t.app.answer(Some(&t.beto), Method::GET, &missing, None, StatusCode::NOT_FOUND).await;
}
