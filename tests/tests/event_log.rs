//! The event log under concurrency: many writers on one topic get a
//! gap-free sequence in commit order, on both backends.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::collections::HashMap;

use minga::domain::event::Topic;
use minga::domain::event_kind::EventKind;
use minga::domain::ids::ProposalId;
use minga::store::NewComment;
use minga_tests::{expect_status, on_both_backends, Backend, TestApp};
use reqwest::{Method, StatusCode};

on_both_backends!(
    concurrent_writers_get_gap_free_seqs_in_commit_order,
    replay_pages_through_the_log,
    verify_while_writers_post_reports_no_break,
);

const WRITERS: usize = 16;
const EACH: usize = 10;

async fn concurrent_writers_get_gap_free_seqs_in_commit_order(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@ong.ec", "Org").await;
    let (document, articles) = app.charter(&admin, 1).await;
    let proposal = app.proposal(&ana, &document, &articles[0]).await;
    let proposal = ProposalId(proposal["id"].as_str().unwrap().parse().unwrap());
    let author = app.store().credentials("ana@ong.ec").await.unwrap().unwrap().user;
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let (store, author) = (app.store().clone(), author.clone());
            tokio::spawn(async move {
                let mut bodies = Vec::new();
                for n in 0..EACH {
                    let body = format!("writer {writer} comment {n}");
                    let new = NewComment { body: body.clone(), parent_id: None, anchor: None };
                    store.create_comment(proposal, new, &author).await.unwrap();
                    bodies.push(body);
                }
                bodies
            })
        })
        .collect();
    let mut expected_order = Vec::new();
    for writer in writers {
        expected_order.push(writer.await.unwrap());
    }
    let events = app.store().events(Topic::Proposal(proposal), 0, 10_000).await.unwrap();
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    let total = (1 + WRITERS * EACH) as i64;
    assert_eq!(seqs, (1..=total).collect::<Vec<_>>(), "gap-free, no duplicate");
    // Each writer's next comment began after its previous one committed, so
    // commit order says its seqs must increase.
    let seq_of: HashMap<String, i64> = events
        .iter()
        .filter(|e| e.kind == EventKind::CommentCreated)
        .map(|e| (e.data["comment"]["body"].as_str().unwrap().to_owned(), e.seq))
        .collect();
    for bodies in expected_order {
        let seqs: Vec<i64> = bodies.iter().map(|b| seq_of[b]).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "one writer's seqs follow its commits: {seqs:?}");
    }
    assert_eq!(app.store().head(Topic::Proposal(proposal)).await.unwrap(), total);
}

async fn replay_pages_through_the_log(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@ong.ec", "Org").await;
    let (document, articles) = app.charter(&admin, 1).await;
    let proposal = app.proposal(&ana, &document, &articles[0]).await["id"].as_str().unwrap().to_owned();
    for n in 0..9 {
        app.comment(&ana, &proposal, &format!("c{n}")).await;
    }
    let topic = format!("proposal:{proposal}");
    let mut after = 0;
    let mut seen = Vec::new();
    loop {
        let page = expect_status(
            app.as_user(&ana, Method::GET, &format!("/api/v1/events?topic={topic}&after={after}&limit=4"))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        let page = page.as_array().unwrap().clone();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 4);
        for event in page {
            assert_eq!(event["topic"], topic);
            assert!(event["at"].is_string() && event["kind"].is_string() && event["data"].is_object());
            after = event["seq"].as_i64().unwrap();
            seen.push(after);
        }
    }
    assert_eq!(seen, (1..=10).collect::<Vec<_>>());
}

/// `verify` on a live database: writers keep posting on several topics while
/// the chains are checked again and again. Before each chain was bounded by
/// the head read for it, an event committed between reading the heads and
/// reading the events showed as a break past the head.
async fn verify_while_writers_post_reports_no_break(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@ong.ec", "Org").await;
    let (document, articles) = app.charter(&admin, 4).await;
    let mut proposals = Vec::new();
    for article in &articles {
        let proposal = app.proposal(&ana, &document, article).await;
        proposals.push(ProposalId(proposal["id"].as_str().unwrap().parse().unwrap()));
    }
    let author = app.store().credentials("ana@ong.ec").await.unwrap().unwrap().user;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = proposals
        .iter()
        .map(|&proposal| {
            let (store, author, stop) = (app.store().clone(), author.clone(), stop.clone());
            tokio::spawn(async move {
                let mut written = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let new = NewComment { body: format!("comentario {written}"), parent_id: None, anchor: None };
                    store.create_comment(proposal, new, &author).await.unwrap();
                    written += 1;
                }
                written
            })
        })
        .collect();
    let mut runs = 0;
    let started = std::time::Instant::now();
    while runs < 40 || started.elapsed() < std::time::Duration::from_secs(2) {
        let report = app.store().verify_chains().await.unwrap();
        assert_eq!(report.first_break, None, "run {runs}: a live database verified as broken");
        runs += 1;
        if started.elapsed() > std::time::Duration::from_secs(20) {
            break;
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut written = 0;
    for writer in writers {
        written += writer.await.unwrap();
    }
    assert!(written > runs, "the writers kept posting during the runs ({written} comments, {runs} runs)");
    let report = app.store().verify_chains().await.unwrap();
    assert_eq!(report.first_break, None);
    assert!(report.events >= written, "every event is checked once the writers stop");
}
