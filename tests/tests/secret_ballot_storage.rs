//! A secret ballot is secret in storage too: once it closes or is cancelled,
//! no row of any table of either database links an organization or a person
//! to a choice; who took part, and when, remains. The same scan sees the
//! links while the ballot is open and in a public ballot after its close, so
//! it can fail.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use minga_tests::tables::{stored_id, StoredRow};
use minga_tests::{on_both_backends, Backend, Session, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_backends!(
    a_closed_secret_ballot_leaves_no_choice_in_any_table,
    a_cancelled_secret_ballot_leaves_no_choice_in_any_table,
    a_closed_public_ballot_keeps_who_chose_what,
);

const CHOICES: [&str; 3] = ["yes", "no", "abstain"];

/// How a stored row can hold a choice as a value (not as a tally's key):
/// a PostgreSQL row's field, a SQLite quoted value, a JSON string value
/// (plain, or inside a PostgreSQL row's quoted field).
fn holds_a_choice(text: &str) -> bool {
    CHOICES.iter().any(|c| {
        [
            format!(",{c},"),
            format!(",{c})"),
            format!("({c},"),
            format!("'{c}'"),
            format!(":\"{c}\""),
            format!(":\"\"{c}\"\""),
        ]
        .iter()
        .any(|pattern| text.contains(pattern.as_str()))
    })
}

/// The rows that name one of `voters` (organization or person) and hold a choice.
fn links(rows: &[StoredRow], voters: &[String]) -> Vec<String> {
    rows.iter()
        .filter(|row| voters.iter().any(|id| row.text.contains(id.as_str())) && holds_a_choice(&row.text))
        .map(|row| format!("{}: {}", row.table, row.text))
        .collect()
}

struct Voting {
    app: TestApp,
    admin: Session,
    ballot: String,
    /// The voters' organization and user ids, as stored.
    voters: Vec<String>,
}

/// Three delegates vote in a ballot; one changes its mind, so there are
/// earlier casts as well as current votes.
async fn vote(backend: Backend, secret: bool) -> Voting {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let delegates = [
        app.delegate("ana@esperanza.ec", "Fundación Esperanza").await,
        app.delegate("beto@rutas.ec", "Asociación Rutas").await,
        app.delegate("carla@red.ec", "Red de Mujeres Migrantes").await,
    ];
    let (doc, articles) = app.charter(&admin, 2).await;
    let proposal = app.proposal(&delegates[0], &doc, &articles[0]).await;
    let opened = app
        .answer(
            Some(&admin),
            Method::POST,
            &format!("/api/v1/proposals/{}/ballot", proposal["id"].as_str().unwrap()),
            Some(json!({"majority": "simple", "quorum": 0.5, "secret": secret})),
            StatusCode::CREATED,
        )
        .await;
    let ballot = opened["id"].as_str().unwrap().to_owned();
    for (who, choice) in [(0, "yes"), (1, "no"), (2, "abstain"), (0, "no")] {
        app.answer(
            Some(&delegates[who]),
            Method::PUT,
            &format!("/api/v1/ballots/{ballot}/vote"),
            Some(json!({"choice": choice})),
            StatusCode::OK,
        )
        .await;
    }
    let voters = delegates
        .iter()
        .flat_map(|d| [stored_id(d.id()), stored_id(d.user["organization"]["id"].as_str().unwrap())])
        .collect();
    Voting { app, admin, ballot, voters }
}

impl Voting {
    async fn links(&self) -> Vec<String> {
        links(&self.app.db.stored_rows().await, &self.voters)
    }

    /// The rows of `table` about this ballot.
    async fn rows_of(&self, table: &str) -> Vec<StoredRow> {
        let ballot = stored_id(&self.ballot);
        self.app.db.stored_rows().await.into_iter().filter(|r| r.table == table && r.text.contains(&ballot)).collect()
    }

    async fn get(&self, path: &str) -> Value {
        self.app.answer(Some(&self.admin), Method::GET, path, None, StatusCode::OK).await
    }

    async fn end(&self, how: &str) -> Value {
        let (path, body) = match how {
            "close" => (format!("/api/v1/ballots/{}/close", self.ballot), None),
            _ => (format!("/api/v1/ballots/{}/cancel", self.ballot), Some(json!({"reason": "Texto equivocado."}))),
        };
        self.app.answer(Some(&self.admin), Method::POST, &path, body, StatusCode::OK).await
    }
}

/// While the ballot is open the server must hold each organization's
/// current choice (it may still change): the scan finds those links.
async fn assert_open_links(voting: &Voting) {
    let open = voting.links().await;
    for table in ["votes", "vote_casts"] {
        assert!(
            open.iter().any(|link| link.starts_with(&format!("{table}: "))),
            "while open, {table} links voters to choices (else the scan is blind): {open:#?}"
        );
    }
}

async fn a_closed_secret_ballot_leaves_no_choice_in_any_table(backend: Backend) {
    let voting = vote(backend, true).await;
    assert_open_links(&voting).await;
    let closed = voting.end("close").await;
    assert_eq!(voting.links().await, Vec::<String>::new(), "after the close no row links a voter to a choice");

    // What remains: participation, the times of every cast, and the result.
    assert_eq!(closed["participation"]["voted"], 3);
    assert_eq!(closed["tally"], json!({"yes": 0, "no": 2, "abstain": 1}));
    assert_eq!(closed["result"]["no"], 2);
    assert_eq!(voting.rows_of("vote_casts").await.len(), 4, "each cast's row (who, when) stays");
    assert_eq!(voting.rows_of("votes").await.len(), 3, "each organization's participation stays");
    let minutes = voting.get(&format!("/api/v1/ballots/{}/minutes", voting.ballot)).await;
    assert_eq!(minutes["participants"].as_array().unwrap().len(), 3);
    assert_eq!(minutes["result"]["abstain"], 1);
    let view = voting.get(&format!("/api/v1/ballots/{}", voting.ballot)).await;
    assert_eq!(view["tally"], json!({"yes": 0, "no": 2, "abstain": 1}), "a later read counts the same");
}

async fn a_cancelled_secret_ballot_leaves_no_choice_in_any_table(backend: Backend) {
    let voting = vote(backend, true).await;
    assert_open_links(&voting).await;
    let cancelled = voting.end("cancel").await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(voting.links().await, Vec::<String>::new(), "after a cancel no row links a voter to a choice");
    assert_eq!(voting.rows_of("vote_casts").await.len(), 4);
}

async fn a_closed_public_ballot_keeps_who_chose_what(backend: Backend) {
    let voting = vote(backend, false).await;
    voting.end("close").await;
    let kept = voting.links().await;
    assert!(kept.iter().any(|link| link.starts_with("votes: ")), "a public ballot keeps its votes: {kept:#?}");
    assert!(kept.iter().filter(|link| link.starts_with("vote_casts: ")).count() >= 4, "and every cast: {kept:#?}");
}
