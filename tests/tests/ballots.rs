//! Ballots end to end: who opens, votes, closes and cancels (each permission
//! tried both ways), one vote per organization with frozen eligibility, what
//! the tally shows and when, the websocket stream, the minutes, and adopting
//! what passed into the charter, on both backends.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::Duration;

use minga_tests::ws::WsClient;
use minga_tests::{on_both_backends, Backend, Session, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_backends!(
    only_the_secretariat_opens_a_ballot_on_an_open_proposal,
    each_member_organization_has_one_vote_and_the_last_counts,
    the_tally_shows_only_when_live_or_closed,
    closing_applies_the_rule_once_and_for_all,
    cancelling_returns_the_proposal_to_discussion,
    subscribers_follow_the_ballot_without_a_hidden_tally,
    minutes_record_the_closed_ballot,
    adopting_a_passed_amend_writes_a_new_version,
    added_deleted_and_general_proposals_are_adopted,
);

const BODY: &str = "La asamblea general se reunirá cada seis meses.";
/// `printf '%s' "$BODY" | sha256sum`
const BODY_SHA256: &str = "1fc8be558e5aa2eb2a3a5f1e112e7f3fb15b7d89ed5cf3767c807259647619dd";
const YEARLY: &str = "La asamblea general se reunirá cada año.";
const YEARLY_SHA256: &str = "6accdd5e16057e33dec945ec91d10545c1933259018619f96db2a214607f316e";

struct World {
    app: TestApp,
    admin: Session,
    /// Delegates: ana and carla of Org A, beto of Org B, dee of Org C.
    ana: Session,
    carla: Session,
    beto: Session,
    dee: Session,
    olga: Session,
    doc: String,
    articles: Vec<String>,
}

/// Four eligible member organizations: Org A, Org B, Org C and the Secretaría.
async fn world(backend: Backend) -> World {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@a.ec", "Org A").await;
    let carla = app.delegate("carla@a.ec", "Org A").await;
    let beto = app.delegate("beto@b.ec", "Org B").await;
    let dee = app.delegate("dee@c.ec", "Org C").await;
    let olga = app.observer("olga@uni.ec", "Universidad Central").await;
    let (doc, articles) = app.charter(&admin, 3).await;
    World { app, admin, ana, carla, beto, dee, olga, doc, articles }
}

fn rule(majority: &str, quorum: f64) -> Value {
    json!({"majority": majority, "quorum": quorum, "secret": false, "live_results": false})
}

fn with(mut base: Value, extra: Value) -> Value {
    base.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    base
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

fn ballot_path(ballot: &str, tail: &str) -> String {
    format!("/api/v1/ballots/{ballot}{tail}")
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect()
}

fn outcome(passed: bool, quorum_met: bool, yes: usize, no: usize, abstain: usize, eligible: usize) -> Value {
    json!({"passed": passed, "quorum_met": quorum_met, "yes": yes, "no": no, "abstain": abstain, "eligible": eligible})
}

/// These fields of `value`, as an object.
fn pick(value: &Value, fields: &[&str]) -> Value {
    fields.iter().map(|f| (f.to_string(), value[*f].clone())).collect::<serde_json::Map<_, _>>().into()
}

fn instant(value: &Value) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(value.as_str().unwrap_or_else(|| panic!("a time: {value}"))).unwrap()
}

/// The ballot in an event's data, whether whole (`{ballot}`) or in part.
fn ballot_data(data: &Value) -> &Value {
    data.get("ballot").filter(|b| b.is_object()).unwrap_or(data)
}

async fn next_event(ws: &mut WsClient, topic: &str) -> Value {
    loop {
        let event = ws.next_of("event").await;
        if event["topic"] == topic {
            return event;
        }
    }
}

impl World {
    /// A request (`body` Null: none) answered with `status`: its JSON, or a
    /// problem with the matching code.
    async fn call(&self, who: Option<&Session>, method: Method, path: &str, body: Value, status: u16) -> Value {
        let status = StatusCode::from_u16(status).unwrap();
        self.app.answer(who, method, path, (!body.is_null()).then_some(body), status).await
    }

    async fn get(&self, who: &Session, path: &str) -> Value {
        self.call(Some(who), Method::GET, path, Value::Null, 200).await
    }

    async fn amend(&self, who: &Session, article: usize) -> String {
        id(&self.app.proposal(who, &self.doc, &self.articles[article]).await)
    }

    async fn propose(&self, who: &Session, request: Value) -> String {
        let base = json!({"title": "Reunión anual", "body": YEARLY, "rationale": "Menos costos."});
        let path = format!("/api/v1/documents/{}/proposals", self.doc);
        id(&self.call(Some(who), Method::POST, &path, with(base, request), 201).await)
    }

    async fn open(&self, proposal: &str, rule: Value) -> Value {
        self.call(Some(&self.admin), Method::POST, &format!("/api/v1/proposals/{proposal}/ballot"), rule, 201).await
    }

    async fn vote(&self, who: &Session, ballot: &str, choice: &str) -> Value {
        self.call(Some(who), Method::PUT, &ballot_path(ballot, "/vote"), json!({"choice": choice}), 200).await
    }

    async fn ballot(&self, who: &Session, ballot: &str) -> Value {
        self.get(who, &ballot_path(ballot, "")).await
    }

    async fn close(&self, ballot: &str) -> Value {
        self.call(Some(&self.admin), Method::POST, &ballot_path(ballot, "/close"), Value::Null, 200).await
    }

    async fn proposal(&self, id: &str) -> Value {
        self.get(&self.olga, &format!("/api/v1/proposals/{id}")).await
    }

    async fn document(&self) -> Value {
        self.get(&self.olga, &format!("/api/v1/documents/{}", self.doc)).await
    }

    async fn adopt(&self, who: &Session, proposal: &str, status: u16) -> Value {
        self.call(Some(who), Method::POST, &format!("/api/v1/proposals/{proposal}/adopt"), Value::Null, status).await
    }

    /// The minutes as Markdown, with `query` after `format=markdown`.
    async fn markdown(&self, path: &str, query: &str, lang: Option<&str>) -> String {
        let mut request = self.app.as_user(&self.ana, Method::GET, &format!("{path}?format=markdown{query}"));
        if let Some(lang) = lang {
            request = request.header("accept-language", lang);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let kind = response.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(kind.starts_with("text/markdown"), "{kind}");
        response.text().await.unwrap()
    }

    /// Puts the proposal to a simple-majority ballot that Org A carries.
    async fn pass(&self, proposal: &str) {
        let ballot = id(&self.open(proposal, rule("simple", 0.0)).await);
        self.vote(&self.ana, &ballot, "yes").await;
        assert_eq!(self.close(&ballot).await["result"]["passed"], true);
        assert_eq!(self.proposal(proposal).await["status"], "passed");
    }

    /// "number title" of each article in reading order.
    async fn articles(&self) -> Vec<String> {
        let doc = self.document().await;
        let sections = doc["sections"].as_array().unwrap().iter().filter(|s| s["kind"] == "article");
        sections
            .map(|s| format!("{} {}", s["number"].to_string().trim_matches('"'), s["title"].as_str().unwrap()))
            .collect()
    }
}

async fn only_the_secretariat_opens_a_ballot_on_an_open_proposal(backend: Backend) {
    let w = world(backend).await;
    let p = w.amend(&w.ana, 0).await;
    let path = format!("/api/v1/proposals/{p}/ballot");
    let simple = rule("simple", 0.5);
    for who in [&w.ana, &w.olga] {
        w.call(Some(who), Method::POST, &path, simple.clone(), 403).await;
    }
    w.call(None, Method::POST, &path, simple.clone(), 401).await;
    let past = (chrono::Utc::now() - chrono::Duration::minutes(5)).to_rfc3339();
    let invalid = [
        rule("simple", -0.1),
        rule("simple", 1.5),
        rule("plurality", 0.5),
        with(simple.clone(), json!({"closes_at": past})),
    ];
    for bad in invalid {
        w.call(Some(&w.admin), Method::POST, &path, bad, 422).await;
    }
    assert_eq!(w.proposal(&p).await["status"], "open", "refused openings change nothing");
    let unknown = format!("/api/v1/proposals/{}/ballot", uuid::Uuid::now_v7());
    w.call(Some(&w.admin), Method::POST, &unknown, simple.clone(), 404).await;

    let ballot = w.open(&p, with(rule("two_thirds", 0.5), json!({"closes_at": "2999-01-01T00:00:00Z"}))).await;
    let fields = ["proposal_id", "status", "majority", "quorum", "secret", "live_results", "closed_at"];
    let expected = json!({"proposal_id": p, "status": "open", "majority": "two_thirds", "quorum": 0.5,
        "secret": false, "live_results": false, "closed_at": null});
    assert_eq!(pick(&ballot, &fields), expected);
    assert_eq!(instant(&ballot["closes_at"]), instant(&json!("2999-01-01T00:00:00Z")));
    instant(&ballot["opened_at"]);
    assert_eq!(ballot["participation"], json!({"voted": 0, "eligible": 4, "organizations": []}));
    for hidden in ["tally", "result", "my_vote"] {
        assert!(ballot.get(hidden).is_none(), "no {hidden} yet: {ballot}");
    }
    assert_eq!(w.ballot(&w.olga, &id(&ballot)).await, ballot, "everyone reads the same ballot");
    let proposal = w.proposal(&p).await;
    assert_eq!(proposal["status"], "voting");
    assert_eq!(proposal["ballot_id"], ballot["id"]);

    // Voting already: no second ballot, and the text is frozen.
    w.call(Some(&w.admin), Method::POST, &path, simple.clone(), 409).await;
    let revise = format!("/api/v1/proposals/{p}/revisions");
    for who in [&w.ana, &w.admin] {
        w.call(Some(who), Method::POST, &revise, json!({"body": "Otro texto."}), 409).await;
    }
    assert_eq!(w.proposal(&p).await["revision"]["number"], 1);
    // A withdrawn proposal is not put to the vote.
    let withdrawn = w.amend(&w.beto, 1).await;
    w.call(Some(&w.beto), Method::POST, &format!("/api/v1/proposals/{withdrawn}/withdraw"), Value::Null, 200).await;
    let path = format!("/api/v1/proposals/{withdrawn}/ballot");
    w.call(Some(&w.admin), Method::POST, &path, simple, 409).await;
}

async fn each_member_organization_has_one_vote_and_the_last_counts(backend: Backend) {
    let w = world(backend).await;
    let p = w.amend(&w.ana, 0).await;
    let b = id(&w.open(&p, rule("simple", 0.5)).await);
    let vote = ballot_path(&b, "/vote");
    assert!(w.ballot(&w.ana, &b).await.get("my_vote").is_none(), "Org A has not voted yet");
    let seen = |view: &Value| (view["my_vote"].as_str().unwrap().to_owned(), view["participation"]["voted"].clone());
    assert_eq!(seen(&w.vote(&w.ana, &b, "yes").await), ("yes".into(), json!(1)));
    assert_eq!(seen(&w.vote(&w.beto, &b, "no").await), ("no".into(), json!(2)));
    assert_eq!(w.ballot(&w.ana, &b).await["my_vote"], "yes", "each sees its own organization's choice");
    // Another delegate of Org A changes Org A's vote: still one vote.
    let after = w.vote(&w.carla, &b, "no").await;
    assert_eq!(seen(&after), ("no".into(), json!(2)));
    assert_eq!(w.ballot(&w.ana, &b).await["my_vote"], "no", "the last choice counts");
    let org_a = &w.ana.user["organization"]["id"];
    let orgs = after["participation"]["organizations"].as_array().unwrap().clone();
    assert_eq!((orgs.len(), orgs.iter().filter(|o| *o == org_a).count()), (2, 1), "{orgs:?}");
    assert!(orgs.contains(&w.beto.user["organization"]["id"]));
    // A secretariat user of an eligible organization votes for it.
    assert_eq!(seen(&w.vote(&w.admin, &b, "abstain").await), ("abstain".into(), json!(3)));

    // Observers, organizations created after the opening, strangers: no.
    let late = w.app.delegate("eva@d.ec", "Org D").await;
    let late_secretariat = w.app.account("sec@e.ec", "Org E", "member", "secretariat").await;
    for who in [&w.olga, &late, &late_secretariat] {
        w.call(Some(who), Method::PUT, &vote, json!({"choice": "yes"}), 403).await;
    }
    w.call(None, Method::PUT, &vote, json!({"choice": "yes"}), 401).await;
    for bad in [json!({"choice": "maybe"}), json!({})] {
        w.call(Some(&w.dee), Method::PUT, &vote, bad, 422).await;
    }
    let unknown = ballot_path(&uuid::Uuid::now_v7().to_string(), "/vote");
    w.call(Some(&w.dee), Method::PUT, &unknown, json!({"choice": "yes"}), 404).await;
    let view = w.ballot(&w.olga, &b).await;
    assert_eq!(view["participation"]["voted"], 3);
    assert_eq!(view["participation"]["eligible"], 4, "eligibility is frozen at the opening");
    assert!(view.get("my_vote").is_none(), "an observer organization has no vote: {view}");

    let closed = w.close(&b).await;
    assert_eq!(closed["result"], outcome(false, true, 0, 2, 1, 4));
    for who in [&w.dee, &w.ana] {
        w.call(Some(who), Method::PUT, &vote, json!({"choice": "yes"}), 409).await;
    }
    assert_eq!(w.ballot(&w.admin, &b).await["result"], closed["result"], "late votes change nothing");
    // A ballot opened now counts the new organizations.
    let second = w.open(&w.amend(&w.ana, 1).await, rule("simple", 0.0)).await;
    assert_eq!(second["participation"]["eligible"], 6);
    assert_eq!(w.vote(&late, &id(&second), "yes").await["my_vote"], "yes");
    assert_eq!(w.vote(&late_secretariat, &id(&second), "no").await["participation"]["voted"], 2);
}

async fn the_tally_shows_only_when_live_or_closed(backend: Backend) {
    let w = world(backend).await;
    let p = w.amend(&w.ana, 0).await;
    let opened = w.open(&p, rule("simple", 0.5)).await;
    let b = id(&opened);
    assert!(opened.get("tally").is_none(), "{opened}");
    assert!(w.vote(&w.ana, &b, "yes").await.get("tally").is_none(), "not even to the voter");
    w.vote(&w.beto, &b, "yes").await;
    for who in [&w.admin, &w.ana, &w.dee, &w.olga] {
        let view = w.ballot(who, &b).await;
        assert!(view.get("tally").is_none() && view.get("result").is_none(), "hidden until the close: {view}");
        assert_eq!(view["participation"]["voted"], 2);
    }
    w.close(&b).await;
    for who in [&w.admin, &w.olga] {
        let view = w.ballot(who, &b).await;
        assert_eq!(view["tally"], json!({"yes": 2, "no": 0, "abstain": 0}), "{view}");
        assert_eq!(view["result"], outcome(true, true, 2, 0, 0, 4));
    }

    let q = w.amend(&w.beto, 1).await;
    let live = w.open(&q, with(rule("simple", 0.5), json!({"live_results": true}))).await;
    let b = id(&live);
    assert_eq!(live["live_results"], true);
    assert_eq!(live["tally"], json!({"yes": 0, "no": 0, "abstain": 0}));
    let steps = [(&w.ana, "yes", [1, 0]), (&w.beto, "no", [1, 1]), (&w.carla, "no", [0, 2]), (&w.dee, "no", [0, 3])];
    for (who, choice, [yes, no]) in steps {
        assert_eq!(w.vote(who, &b, choice).await["tally"], json!({"yes": yes, "no": no, "abstain": 0}));
        let view = w.ballot(&w.olga, &b).await;
        assert_eq!(view["tally"], json!({"yes": yes, "no": no, "abstain": 0}), "live for everyone");
        assert!(view.get("result").is_none(), "no result while open: {view}");
    }
}

async fn closing_applies_the_rule_once_and_for_all(backend: Backend) {
    let w = world(backend).await;
    // Choices of Org A, Org B, Org C and the Secretaría; "-" takes no part.
    #[rustfmt::skip]
    let cases: [(&str, f64, [&str; 4], bool, bool); 9] = [
        ("simple", 0.5, ["yes", "yes", "no", "-"], true, true),
        ("simple", 0.5, ["yes", "no", "-", "-"], false, true), // a tie; exactly the quorum
        ("simple", 0.75, ["yes", "yes", "-", "-"], false, false), // 2 of 4 < 75 %
        ("simple", 0.75, ["yes", "abstain", "abstain", "-"], true, true), // abstaining is taking part
        ("absolute", 0.0, ["yes", "yes", "abstain", "-"], false, true), // 2 is not more than 4 / 2
        ("absolute", 0.0, ["yes", "yes", "yes", "no"], true, true),
        ("two_thirds", 0.0, ["yes", "yes", "no", "-"], true, true), // exactly two thirds
        ("two_thirds", 0.0, ["yes", "yes", "no", "no"], false, true),
        ("two_thirds", 0.0, ["abstain", "-", "-", "-"], false, true), // no yes or no at all
    ];
    let mut first = None;
    for (majority, quorum, choices, passed, quorum_met) in cases {
        let case = format!("{majority} {quorum} {choices:?}");
        let p = w.amend(&w.ana, 0).await;
        let b = id(&w.open(&p, rule(majority, quorum)).await);
        for (voter, choice) in [&w.ana, &w.beto, &w.dee, &w.admin].into_iter().zip(choices) {
            if choice != "-" {
                w.vote(voter, &b, choice).await;
            }
        }
        if first.is_none() {
            for who in [&w.ana, &w.olga] {
                w.call(Some(who), Method::POST, &ballot_path(&b, "/close"), Value::Null, 403).await;
            }
            assert_eq!(w.ballot(&w.ana, &b).await["status"], "open", "refused closes change nothing");
        }
        let count = |c: &str| choices.iter().filter(|x| **x == c).count();
        let closed = w.close(&b).await;
        assert_eq!(closed["status"], "closed", "{case}");
        instant(&closed["closed_at"]);
        let expected = outcome(passed, quorum_met, count("yes"), count("no"), count("abstain"), 4);
        assert_eq!(closed["result"], expected, "{case}");
        assert_eq!(closed["tally"], json!({"yes": count("yes"), "no": count("no"), "abstain": count("abstain")}));
        assert_eq!(w.proposal(&p).await["status"], if passed { "passed" } else { "rejected" }, "{case}");
        first.get_or_insert((p, b, closed));
    }
    let (p, b, closed) = first.unwrap();
    w.call(Some(&w.admin), Method::POST, &ballot_path(&b, "/close"), Value::Null, 409).await;
    assert_eq!(w.ballot(&w.admin, &b).await, closed, "the result is kept as it was");
    let reopen = format!("/api/v1/proposals/{p}/ballot");
    w.call(Some(&w.admin), Method::POST, &reopen, rule("simple", 0.5), 409).await;

    // At the deadline the server closes the ballot by itself.
    let p = w.amend(&w.ana, 1).await;
    let deadline = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let b = id(&w.open(&p, with(rule("simple", 0.0), json!({"closes_at": deadline}))).await);
    w.vote(&w.ana, &b, "yes").await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let vote = ballot_path(&b, "/vote");
    w.call(Some(&w.beto), Method::PUT, &vote, json!({"choice": "no"}), 409).await;
    let mut view = w.ballot(&w.olga, &b).await;
    for _ in 0..50 {
        if view["status"] == "closed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        view = w.ballot(&w.olga, &b).await;
    }
    assert_eq!(view["status"], "closed", "{view}");
    assert_eq!(view["result"], outcome(true, true, 1, 0, 0, 4));
    assert_eq!(instant(&view["closed_at"]), instant(&view["closes_at"]), "closed as of the deadline");
    assert_eq!(w.proposal(&p).await["status"], "passed");
    assert_eq!(w.get(&w.olga, &ballot_path(&b, "/minutes")).await["closed_by"], Value::Null);
}

async fn cancelling_returns_the_proposal_to_discussion(backend: Backend) {
    let w = world(backend).await;
    let p = w.amend(&w.ana, 0).await;
    let b = id(&w.open(&p, rule("simple", 0.5)).await);
    w.vote(&w.ana, &b, "yes").await;
    let cancel = ballot_path(&b, "/cancel");
    let reason = json!({"reason": "Falta debate."});
    for who in [&w.ana, &w.olga] {
        w.call(Some(who), Method::POST, &cancel, reason.clone(), 403).await;
    }
    for bad in [json!({"reason": ""}), json!({"reason": "   "}), json!({})] {
        w.call(Some(&w.admin), Method::POST, &cancel, bad, 422).await;
    }
    assert_eq!(w.proposal(&p).await["status"], "voting", "refused cancels change nothing");
    let cancelled = w.call(Some(&w.admin), Method::POST, &cancel, reason.clone(), 200).await;
    let fields = ["status", "cancelled_reason"];
    assert_eq!(pick(&cancelled, &fields), json!({"status": "cancelled", "cancelled_reason": "Falta debate."}));
    assert!(cancelled.get("result").is_none(), "{cancelled}");
    assert_eq!(w.ballot(&w.olga, &b).await["status"], "cancelled");
    assert_eq!(w.proposal(&p).await["status"], "open");
    // A cancelled ballot takes no votes, and is neither closed nor cancelled again.
    w.call(Some(&w.beto), Method::PUT, &ballot_path(&b, "/vote"), json!({"choice": "no"}), 409).await;
    w.call(Some(&w.admin), Method::POST, &ballot_path(&b, "/close"), Value::Null, 409).await;
    w.call(Some(&w.admin), Method::POST, &cancel, reason.clone(), 409).await;
    w.call(Some(&w.admin), Method::GET, &ballot_path(&b, "/minutes"), Value::Null, 409).await;

    // The text can change again, and go to a new ballot that starts afresh.
    let revise = format!("/api/v1/proposals/{p}/revisions");
    let revised = w.call(Some(&w.ana), Method::POST, &revise, json!({"body": YEARLY}), 201).await;
    assert_eq!(revised["revision"]["number"], 2, "{revised}");
    let again = w.open(&p, rule("simple", 0.0)).await;
    assert_ne!(id(&again), b);
    assert_eq!(again["participation"]["voted"], 0);
    assert_eq!(w.proposal(&p).await["ballot_id"], again["id"]);
    w.vote(&w.beto, &id(&again), "yes").await;
    w.close(&id(&again)).await;
    assert_eq!(w.get(&w.olga, &ballot_path(&id(&again), "/minutes")).await["text"], YEARLY);
    let cancel = ballot_path(&id(&again), "/cancel");
    w.call(Some(&w.admin), Method::POST, &cancel, reason, 409).await;
    assert_eq!(w.proposal(&p).await["status"], "passed");
}

async fn subscribers_follow_the_ballot_without_a_hidden_tally(backend: Backend) {
    let w = world(backend).await;
    let mut ws = w.app.ws(&w.dee).await;
    for live in [false, true] {
        let p = w.amend(&w.beto, usize::from(live)).await;
        let topic = format!("proposal:{p}");
        ws.subscribe(&topic, None).await;
        let b = id(&w.open(&p, with(rule("simple", 0.5), json!({"live_results": live}))).await);
        let mut kinds = Vec::new();
        let opened = loop {
            let event = next_event(&mut ws, &topic).await;
            kinds.push(event["kind"].as_str().unwrap().to_owned());
            if event["kind"] == "ballot.opened" {
                break event;
            }
        };
        assert!(kinds.iter().any(|k| k == "proposal.status"), "{kinds:?}");
        assert_eq!(ballot_data(&opened["data"])["id"], b.as_str(), "{opened}");
        assert_eq!(ballot_data(&opened["data"]).get("tally").is_some(), live, "{opened}");
        let votes =
            [(&w.ana, "yes", 1, [1, 0, 0]), (&w.beto, "yes", 2, [2, 0, 0]), (&w.carla, "abstain", 2, [1, 0, 1])];
        for (voter, choice, voted, [yes, no, abstain]) in votes {
            w.vote(voter, &b, choice).await;
            let event = next_event(&mut ws, &topic).await;
            assert_eq!(event["kind"], "ballot.participation", "live {live}: {event}");
            assert_eq!(ballot_data(&event["data"])["participation"]["voted"], voted, "{event}");
            let text = event["data"].to_string();
            assert!(!text.contains("\"yes\"") && !text.contains("tally"), "no choices in participation: {text}");
            if live {
                let event = next_event(&mut ws, &topic).await;
                assert_eq!(event["kind"], "ballot.tally", "{event}");
                assert_eq!(event["data"]["tally"], json!({"yes": yes, "no": no, "abstain": abstain}));
            }
        }
        w.close(&b).await;
        let closed = next_event(&mut ws, &topic).await;
        assert_eq!(closed["kind"], "ballot.closed", "live {live}: nothing else before the close: {closed}");
        assert_eq!(ballot_data(&closed["data"])["result"], outcome(true, true, 1, 0, 1, 4), "{closed}");
        // A public ballot's choices are chained at its close.
        assert_eq!(next_event(&mut ws, &topic).await["kind"], "ballot.choices");
        assert_eq!(next_event(&mut ws, &topic).await["kind"], "proposal.status");
        let log = w.get(&w.dee, &format!("/api/v1/events?topic={topic}")).await;
        let tallies = log.as_array().unwrap().iter().filter(|e| e["kind"] == "ballot.tally").count();
        assert_eq!(tallies, if live { 3 } else { 0 }, "the log agrees: {log}");
    }
}

async fn minutes_record_the_closed_ballot(backend: Backend) {
    let w = world(backend).await;
    let p = w.amend(&w.ana, 0).await;
    let b = id(&w.open(&p, rule("simple", 0.5)).await);
    let path = ballot_path(&b, "/minutes");
    for who in [&w.admin, &w.olga] {
        w.call(Some(who), Method::GET, &path, Value::Null, 409).await;
    }
    w.vote(&w.ana, &b, "yes").await;
    w.vote(&w.beto, &b, "yes").await;
    w.vote(&w.admin, &b, "abstain").await;
    let closed = w.close(&b).await;
    w.call(None, Method::GET, &path, Value::Null, 401).await;
    let minutes = w.get(&w.olga, &path).await;
    let fields = ["question", "revision", "text", "text_sha256", "majority", "quorum", "secret", "result"];
    let expected = json!({"question": "Reunión semestral", "revision": 1, "text": BODY, "text_sha256": BODY_SHA256,
        "majority": "simple", "quorum": 0.5, "secret": false, "result": outcome(true, true, 2, 0, 1, 4)});
    assert_eq!(pick(&minutes, &fields), expected, "text_sha256 is the SHA-256 of the text put to the vote");
    assert_eq!(names(&minutes["eligible"]), ["Org A", "Org B", "Org C", "Secretaría Técnica"]);
    assert_eq!(names(&minutes["participants"]), ["Org A", "Org B", "Secretaría Técnica"]);
    let choices = minutes["choices"].as_array().unwrap().iter();
    let choices: Vec<Value> =
        choices.map(|c| json!([c["organization"]["name"], c["choice"], c["cast_by"]["display_name"]])).collect();
    let expected = [["Org A", "yes", "ana"], ["Org B", "yes", "beto"], ["Secretaría Técnica", "abstain", "secretaria"]];
    assert_eq!(json!(choices), json!(expected));
    instant(&minutes["choices"][0]["cast_at"]);
    assert_eq!(instant(&minutes["opened_at"]), instant(&closed["opened_at"]));
    assert_eq!(instant(&minutes["closed_at"]), instant(&closed["closed_at"]));
    assert_eq!(minutes["opened_by"]["display_name"], "secretaria");
    assert_eq!(minutes["closed_by"]["id"], w.admin.id());

    let spanish = w.markdown(&path, "", None).await;
    for needle in ["Acta de votación", "APROBADA", BODY, BODY_SHA256, "Org A: a favor (ana", "Secretaría Técnica"] {
        assert!(spanish.contains(needle), "{needle} in {spanish}");
    }
    for english in [w.markdown(&path, "&lang=en", None).await, w.markdown(&path, "", Some("en")).await] {
        for needle in ["Ballot minutes", "PASSED", BODY_SHA256, "Org B: yes (beto"] {
            assert!(english.contains(needle), "{needle} in {english}");
        }
        assert!(!english.contains("APROBADA"), "{english}");
    }
    let pdf = format!("{path}?format=pdf");
    w.call(Some(&w.ana), Method::GET, &pdf, Value::Null, 422).await;

    // A secret ballot names who took part, never what each chose.
    let q = w.propose(&w.beto, json!({"kind": "amend", "section_id": w.articles[1]})).await;
    let b = id(&w.open(&q, with(rule("simple", 0.5), json!({"secret": true}))).await);
    w.vote(&w.ana, &b, "no").await;
    w.vote(&w.beto, &b, "no").await;
    w.close(&b).await;
    let minutes = w.get(&w.ana, &ballot_path(&b, "/minutes")).await;
    assert!(minutes.get("choices").is_none(), "{minutes}");
    let expected = json!({"question": "Reunión anual", "revision": 1, "text": YEARLY, "text_sha256": YEARLY_SHA256,
        "majority": "simple", "quorum": 0.5, "secret": true, "result": outcome(false, true, 0, 2, 0, 4)});
    assert_eq!(pick(&minutes, &fields), expected, "another text, another digest");
    assert_eq!(names(&minutes["participants"]), ["Org A", "Org B"]);
    let spanish = w.markdown(&ballot_path(&b, "/minutes"), "", None).await;
    assert!(spanish.contains("RECHAZADA") && !spanish.contains("en contra ("), "{spanish}");
}

async fn adopting_a_passed_amend_writes_a_new_version(backend: Backend) {
    let w = world(backend).await;
    let p = w.amend(&w.ana, 0).await;
    let rival = w.amend(&w.beto, 0).await;
    let elsewhere = w.amend(&w.dee, 1).await;
    let (open, rejected) = (w.amend(&w.dee, 2).await, w.amend(&w.dee, 2).await);
    let late = w.amend(&w.dee, 0).await;
    let b = id(&w.open(&rejected, rule("simple", 0.5)).await);
    w.vote(&w.ana, &b, "no").await;
    w.close(&b).await;
    w.pass(&p).await;
    let rival_ballot = id(&w.open(&rival, rule("simple", 0.0)).await);
    for proposal in [&open, &rejected] {
        w.adopt(&w.admin, proposal, 409).await;
    }
    for who in [&w.ana, &w.olga] {
        w.adopt(who, &p, 403).await;
    }
    assert_eq!(w.proposal(&p).await["status"], "passed", "refused adoptions change nothing");
    assert_eq!(w.proposal(&rival).await["outdated"], false);

    let before = w.document().await["version"].as_i64().unwrap();
    let adopted = w.adopt(&w.admin, &p, 200).await;
    assert_eq!(adopted["document_version"], before + 1, "{adopted}");
    let doc = w.document().await;
    assert_eq!(doc["version"], before + 1);
    let article = doc["sections"].as_array().unwrap().iter().find(|s| s["id"] == w.articles[0].as_str()).unwrap();
    assert_eq!(article["body"], BODY);
    assert_eq!(article["title"], "Artículo 1", "an amendment keeps the title");
    let versions = w.get(&w.olga, &format!("/api/v1/documents/{}/versions", w.doc)).await;
    let last = versions.as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["version"].clone(), last["proposal_id"].clone()), (json!(before + 1), json!(p)), "{versions}");
    assert_eq!(w.proposal(&p).await["status"], "adopted");
    w.adopt(&w.admin, &p, 409).await;

    // The rival amendment was written against the old text.
    let rival_now = w.proposal(&rival).await;
    assert_eq!((rival_now["status"].clone(), rival_now["outdated"].clone()), (json!("voting"), json!(true)));
    assert_eq!(w.proposal(&elsewhere).await["outdated"], false, "other articles are unaffected");
    w.vote(&w.ana, &rival_ballot, "yes").await;
    w.close(&rival_ballot).await;
    w.adopt(&w.admin, &rival, 409).await;
    assert_eq!(w.proposal(&rival).await["status"], "passed");
    assert_eq!(w.document().await["version"], before + 1, "a refused adoption writes nothing");

    // An outdated proposal still open is revised against the new text, which
    // becomes its base; it then passes and is adopted cleanly.
    assert_eq!(w.proposal(&late).await["outdated"], true);
    let revised = w
        .call(
            Some(&w.dee),
            Method::POST,
            &format!("/api/v1/proposals/{late}/revisions"),
            json!({"body": "Texto revisado."}),
            201,
        )
        .await;
    assert_eq!((revised["outdated"].clone(), revised["base_version"].clone()), (json!(false), json!(before + 1)));
    w.pass(&late).await;
    assert_eq!(w.adopt(&w.admin, &late, 200).await["document_version"], before + 2);
    let doc = w.document().await;
    let article = doc["sections"].as_array().unwrap().iter().find(|s| s["id"] == w.articles[0].as_str()).unwrap();
    assert_eq!(article["body"], "Texto revisado.");
}

async fn added_deleted_and_general_proposals_are_adopted(backend: Backend) {
    let w = world(backend).await;
    let add =
        w.propose(&w.ana, json!({"kind": "add", "after_section_id": w.articles[0], "title": "Artículo nuevo"})).await;
    let delete = w.propose(&w.beto, json!({"kind": "delete", "section_id": w.articles[1]})).await;
    let general = w.propose(&w.dee, json!({"kind": "general", "title": "Moción de orden"})).await;
    for proposal in [&add, &delete, &general] {
        w.pass(proposal).await;
    }
    let before = w.document().await["version"].as_i64().unwrap();
    assert_eq!(w.adopt(&w.admin, &add, 200).await["document_version"], before + 1);
    assert_eq!(w.articles().await, ["1 Artículo 1", "2 Artículo nuevo", "3 Artículo 2", "4 Artículo 3"]);
    let doc = w.document().await;
    let added = doc["sections"].as_array().unwrap().iter().find(|s| s["title"] == "Artículo nuevo").unwrap();
    assert_eq!(added["body"], YEARLY);
    // The deletion was proposed before the addition; its article is unchanged.
    assert_eq!(w.adopt(&w.admin, &delete, 200).await["document_version"], before + 2);
    assert_eq!(w.articles().await, ["1 Artículo 1", "2 Artículo nuevo", "3 Artículo 3"]);
    let versions_path = format!("/api/v1/documents/{}/versions", w.doc);
    let versions = w.get(&w.olga, &versions_path).await.as_array().unwrap().clone();
    assert_eq!(versions.last().unwrap()["proposal_id"], delete.as_str());
    // A general motion changes no text.
    assert_eq!(w.adopt(&w.admin, &general, 200).await["document_version"], before + 2);
    assert_eq!(w.proposal(&general).await["status"], "adopted");
    assert_eq!(w.get(&w.olga, &versions_path).await.as_array().unwrap().len(), versions.len(), "no new version");
    assert_eq!(w.document().await["version"], before + 2);
}
