//! Ballot secrecy end to end, on both backends: everything every role can
//! read (REST bodies and websocket frames) is scanned for a hidden tally
//! before the close and for any sign of which organization chose what; a
//! non-secret ballot shows the scan can fail; and a close racing votes
//! counts exactly the votes that were accepted.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use minga_tests::ws::WAIT;
use minga_tests::{expect_status, on_both_backends, Backend, Session, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

on_both_backends!(
    a_secret_ballot_reveals_participation_and_never_who_chose_what,
    a_public_ballot_hides_the_tally_until_the_close_and_then_the_scan_sees_choices,
    a_secret_ballot_cannot_have_live_results,
    a_close_racing_votes_counts_exactly_the_accepted_votes,
);

const CHOICES: [&str; 3] = ["yes", "no", "abstain"];
/// How the Markdown minutes name a choice, in Spanish and in English.
const CHOICE_WORDS: [&str; 6] = ["a favor", "en contra", "abstención", "yes", "no", "abstain"];
const DELEGATES: [(&str, &str); 4] = [
    ("ana@esperanza.ec", "Fundación Esperanza"),
    ("beto@rutas.ec", "Asociación Rutas"),
    ("carla@red.ec", "Red de Mujeres Migrantes"),
    ("dario@frontera.ec", "Colectivo Frontera"),
];
/// (reader index, choice) in order: 0 is the secretariat (its own member
/// organization votes too), 1..=4 the delegates; Rutas changes its vote and
/// Frontera never votes. Final: yes 2, no 1, abstain 1 of 5 eligible.
const VOTES: [(usize, &str); 5] = [(1, "yes"), (2, "yes"), (3, "abstain"), (0, "yes"), (2, "no")];

#[derive(Clone, Copy, PartialEq, Debug)]
enum Phase {
    Open,
    Closed,
}

/// One thing a reader received: a response body or a websocket frame.
struct Seen {
    what: String,
    phase: Phase,
    /// The only `my_vote` this reader may be shown: its own organization's choice.
    own_vote: Option<String>,
    body: String,
}

struct Reader {
    label: String,
    session: Session,
    org: String,
}

struct Flow {
    seen: Vec<Seen>,
    /// Each websocket's frames, parsed, in arrival order.
    frames: Vec<Vec<Value>>,
    names: Vec<String>,
    voters: BTreeSet<String>,
    /// `GET /ballots/{id}` as the observer while open, and the close's answer.
    while_open: Value,
    closed: Value,
}

/// Everything wrong with what `seen` shows; `live` allows a tally while open.
fn violations(seen: &Seen, live: bool, names: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    match serde_json::from_str::<Value>(&seen.body) {
        Ok(value) => walk(&value, "", seen, live, &mut found),
        Err(_) => {
            for line in seen.body.lines() {
                if names.iter().any(|name| line.contains(name.as_str()))
                    && CHOICE_WORDS.iter().any(|w| has_word(line, w))
                {
                    found.push(format!("a line pairs an organization with a choice: {line}"));
                }
            }
        }
    }
    found.into_iter().map(|problem| format!("{} ({:?}): {problem}", seen.what, seen.phase)).collect()
}

fn walk(value: &Value, key: &str, seen: &Seen, live: bool, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match k.as_str() {
                    "choice" | "choices" | "votes" => found.push(format!("a per-organization `{k}`: {v}")),
                    "my_vote" if v.as_str() != seen.own_vote.as_deref() => {
                        found.push(format!("my_vote {v} to a reader whose organization chose {:?}", seen.own_vote))
                    }
                    "tally" if seen.phase == Phase::Open && !live => found.push(format!("a hidden tally: {v}")),
                    "result" if seen.phase == Phase::Open => found.push(format!("a result before the close: {v}")),
                    _ => {}
                }
                walk(v, k, seen, live, found);
            }
            if seen.phase == Phase::Open && !live && CHOICES.iter().any(|c| map.get(*c).is_some_and(Value::is_number)) {
                found.push(format!("counts before the close: {value}"));
            }
        }
        Value::Array(items) => items.iter().for_each(|item| walk(item, key, seen, live, found)),
        Value::String(text) if CHOICES.contains(&text.as_str()) && key != "my_vote" => {
            found.push(format!("a choice `{text}` under `{key}`"))
        }
        _ => {}
    }
}

/// Whether `word` occurs in `line` (case-insensitively) as whole words.
fn has_word(line: &str, word: &str) -> bool {
    let line = line.to_lowercase();
    line.match_indices(word).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

fn all_violations(flow: &Flow, live: bool) -> Vec<String> {
    flow.seen.iter().flat_map(|seen| violations(seen, live, &flow.names)).collect()
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, String) {
    let response = request.send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn open_ballot(app: &TestApp, admin: &Session, proposal: &str, secret: bool, live: bool) -> Value {
    let path = format!("/api/v1/proposals/{proposal}/ballot");
    let rule = json!({"majority": "simple", "quorum": 0.5, "secret": secret, "live_results": live});
    expect_status(app.as_user(admin, Method::POST, &path).json(&rule).send().await.unwrap(), StatusCode::CREATED).await
}

/// A websocket reading every text frame into a shared list in the background.
struct Listener {
    label: String,
    frames: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Listener {
    async fn start(app: &TestApp, reader: &Reader, topics: &[String]) -> Listener {
        let mut client = app.ws(&reader.session).await;
        for topic in topics {
            client.send(json!({"type": "subscribe", "topic": topic})).await;
        }
        let frames = Arc::new(Mutex::new(Vec::new()));
        let sink = frames.clone();
        let task = tokio::spawn(async move {
            while let Some(Ok(message)) = client.socket.next().await {
                if let Message::Text(text) = message {
                    sink.lock().unwrap().push(text.to_string());
                }
            }
        });
        Listener { label: reader.label.clone(), frames, task }
    }

    fn parsed(&self) -> Vec<Value> {
        self.frames.lock().unwrap().iter().map(|frame| serde_json::from_str(frame).unwrap()).collect()
    }

    async fn wait_for(&self, what: &str, done: impl Fn(&[Value]) -> bool) {
        let deadline = Instant::now() + WAIT;
        loop {
            let frames = self.parsed();
            if done(&frames) {
                return;
            }
            assert!(Instant::now() < deadline, "{}: {what} never came: {frames:?}", self.label);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn reached(frames: &[Value], topic: &str, head: i64) -> bool {
    frames.iter().any(|f| f["type"] == "event" && f["topic"] == topic && f["seq"].as_i64().unwrap() >= head)
}

/// Every read endpoint as `reader`, collected; the ballot's `my_vote` checked.
async fn read_everything(app: &TestApp, reader: &Reader, ids: [&str; 3], phase: Phase, own: Option<&str>) -> Vec<Seen> {
    let [ballot, proposal, document] = ids;
    let mut reads = vec![
        (format!("/api/v1/ballots/{ballot}"), StatusCode::OK, false),
        (format!("/api/v1/proposals/{proposal}"), StatusCode::OK, false),
        (format!("/api/v1/documents/{document}/proposals"), StatusCode::OK, false),
        (format!("/api/v1/events?topic=proposal:{proposal}&limit=1000"), StatusCode::OK, true),
        (format!("/api/v1/events?topic=document:{document}&limit=1000"), StatusCode::OK, true),
    ];
    let minutes = format!("/api/v1/ballots/{ballot}/minutes");
    match phase {
        Phase::Open => reads.push((minutes, StatusCode::CONFLICT, false)),
        Phase::Closed => {
            for query in ["format=json", "format=markdown&lang=es", "format=markdown&lang=en"] {
                reads.push((format!("{minutes}?{query}"), StatusCode::OK, false));
            }
        }
    }
    let mut seen = Vec::new();
    for (path, expected, shared) in reads {
        let (status, body) = send(app.as_user(&reader.session, Method::GET, &path)).await;
        assert_eq!(status, expected, "{} GET {path}: {body}", reader.label);
        if path.ends_with(ballot) {
            let view: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(view["my_vote"], json!(own), "{} sees its own organization's vote", reader.label);
        }
        let own_vote = if shared { None } else { own.map(str::to_owned) };
        seen.push(Seen { what: format!("{} GET {path}", reader.label), phase, own_vote, body });
    }
    seen
}

/// The whole flow of one ballot: listen as every role, open, vote, read
/// everything as everyone, close, read again; returns all that was seen.
async fn vote_and_read(backend: Backend, secret: bool, live: bool) -> Flow {
    let app = TestApp::spawn(backend).await;
    let reader = |label: &str, session: Session| Reader {
        label: label.to_owned(),
        org: session.user["organization"]["id"].as_str().unwrap().to_owned(),
        session,
    };
    let admin = app.secretariat().await;
    let mut readers = vec![reader("secretariat", admin.clone())];
    for (email, org) in DELEGATES {
        readers.push(reader(email, app.delegate(email, org).await));
    }
    readers.push(reader("observer", app.observer("olga@uni.ec", "Universidad Central").await));
    let names: Vec<String> =
        readers.iter().map(|r| r.session.user["organization"]["name"].as_str().unwrap().to_owned()).collect();
    let (doc, articles) = app.charter(&admin, 2).await;
    let proposal = id(&app.proposal(&readers[1].session, &doc, &articles[0]).await);
    let topics = [format!("proposal:{proposal}"), format!("document:{doc}")];

    let mut listeners = Vec::new();
    for (n, reader) in readers.iter().enumerate() {
        let mut mine = topics.to_vec();
        if n == 0 {
            mine.push("moderation".to_owned());
        }
        let listener = Listener::start(&app, reader, &mine).await;
        let subscribed = |f: &[Value]| f.iter().filter(|f| f["type"] == "subscribed").count() == mine.len();
        listener.wait_for("the subscriptions", subscribed).await;
        listeners.push(listener);
    }

    let mut seen = Vec::new();
    let opened = open_ballot(&app, &admin, &proposal, secret, live).await;
    let ballot = id(&opened);
    seen.push(Seen { what: "open".into(), phase: Phase::Open, own_vote: None, body: opened.to_string() });
    let vote_path = format!("/api/v1/ballots/{ballot}/vote");
    let mut finals: Vec<Option<&str>> = vec![None; readers.len()];
    for (n, choice) in VOTES {
        let (status, body) =
            send(app.as_user(&readers[n].session, Method::PUT, &vote_path).json(&json!({"choice": choice}))).await;
        assert_eq!(status, StatusCode::OK, "{} votes {choice}: {body}", readers[n].label);
        let what = format!("{} PUT {choice}", readers[n].label);
        seen.push(Seen { what, phase: Phase::Open, own_vote: Some(choice.to_owned()), body });
        finals[n] = Some(choice);
    }
    let observer = readers.last().unwrap();
    let (status, body) =
        send(app.as_user(&observer.session, Method::PUT, &vote_path).json(&json!({"choice": "no"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an observer never votes: {body}");
    seen.push(Seen { what: "observer PUT".into(), phase: Phase::Open, own_vote: None, body });

    let ids = [ballot.as_str(), proposal.as_str(), doc.as_str()];
    for (reader, own) in readers.iter().zip(&finals) {
        seen.extend(read_everything(&app, reader, ids, Phase::Open, *own).await);
    }
    let while_open =
        serde_json::from_str(&seen.iter().rev().find(|s| s.what.ends_with(&ballot)).unwrap().body).unwrap();

    let (status, body) = send(app.as_user(&admin, Method::POST, &format!("/api/v1/ballots/{ballot}/close"))).await;
    assert_eq!(status, StatusCode::OK, "close: {body}");
    let closed = serde_json::from_str(&body).unwrap();
    // A secret ballot's choices are erased at the close: not even an
    // organization's own vote can be shown to it afterwards.
    let kept = |own: &Option<&str>| if secret { None } else { own.map(str::to_owned) };
    seen.push(Seen { what: "close".into(), phase: Phase::Closed, own_vote: kept(&finals[0]), body });
    for (reader, own) in readers.iter().zip(&finals) {
        seen.extend(read_everything(&app, reader, ids, Phase::Closed, kept(own).as_deref()).await);
    }

    let mut heads = Vec::new();
    for topic in &topics {
        let path = format!("/api/v1/events?topic={topic}&limit=1000");
        let events = expect_status(app.as_user(&admin, Method::GET, &path).send().await.unwrap(), StatusCode::OK).await;
        heads.push((topic.clone(), events.as_array().unwrap().last().unwrap()["seq"].as_i64().unwrap()));
    }
    let mut frames = Vec::new();
    for listener in listeners {
        listener.wait_for("the last events", |f| heads.iter().all(|(t, head)| reached(f, t, *head))).await;
        listener.task.abort();
        let parsed = listener.parsed();
        let mut phase = Phase::Open;
        for (frame, value) in listener.frames.lock().unwrap().iter().zip(&parsed) {
            if value["kind"] == "ballot.closed" {
                phase = Phase::Closed;
            }
            let what = format!("{} websocket {}", listener.label, value["kind"]);
            seen.push(Seen { what, phase, own_vote: None, body: frame.clone() });
        }
        frames.push(parsed);
    }
    let voters = readers.iter().zip(&finals).filter(|(_, f)| f.is_some()).map(|(r, _)| r.org.clone()).collect();
    Flow { seen, frames, names, voters, while_open, closed }
}

fn body_of<'a>(flow: &'a Flow, what: &str) -> &'a str {
    &flow.seen.iter().find(|s| s.what.ends_with(what)).unwrap_or_else(|| panic!("nothing read as {what}")).body
}

fn events_of<'a>(frames: &'a [Value], kind: &str) -> Vec<&'a Value> {
    frames.iter().filter(|f| f["type"] == "event" && f["kind"] == kind).collect()
}

/// Participation is public: who took part and how many, before and after the close.
fn assert_participation(flow: &Flow) {
    for view in [&flow.while_open, &flow.closed] {
        let participation = &view["participation"];
        assert_eq!(participation["voted"], 4, "{view}");
        assert_eq!(participation["eligible"], 5, "{view}");
        let organizations: BTreeSet<String> =
            participation["organizations"].as_array().unwrap().iter().map(|o| o.as_str().unwrap().to_owned()).collect();
        assert_eq!(organizations, flow.voters, "{view}");
    }
    for frames in &flow.frames {
        let participation = events_of(frames, "ballot.participation");
        assert_eq!(participation.len(), VOTES.len(), "one participation event per accepted vote");
        assert_eq!(participation.last().unwrap()["data"]["participation"]["voted"], 4);
        assert_eq!(events_of(frames, "ballot.opened").len(), 1);
        assert_eq!(events_of(frames, "ballot.closed").len(), 1);
    }
    let result = &flow.closed["result"];
    assert_eq!((&result["yes"], &result["no"], &result["abstain"]), (&json!(2), &json!(1), &json!(1)), "{result}");
    assert_eq!(result["passed"], true);
}

fn report(flow: &Flow, name: &str) {
    let frames: usize = flow.frames.iter().map(Vec::len).sum();
    eprintln!("{name}: scanned {} responses and {frames} websocket frames", flow.seen.len() - frames);
}

async fn a_secret_ballot_reveals_participation_and_never_who_chose_what(backend: Backend) {
    let flow = vote_and_read(backend, true, false).await;
    report(&flow, "secret");
    let leaks = all_violations(&flow, false);
    assert!(leaks.is_empty(), "the secret ballot leaked:\n{}", leaks.join("\n"));
    assert_participation(&flow);
    assert!(flow.while_open.get("tally").is_none(), "{}", flow.while_open);
    assert!(body_of(&flow, "lang=es").contains("La votación fue secreta"), "{}", body_of(&flow, "lang=es"));
    assert!(body_of(&flow, "lang=en").contains("The ballot was secret"), "{}", body_of(&flow, "lang=en"));
    let minutes: Value = serde_json::from_str(body_of(&flow, "format=json")).unwrap();
    assert_eq!(minutes["secret"], true);
    assert_eq!(minutes["participants"].as_array().unwrap().len(), 4, "who took part is public: {minutes}");
}

async fn a_public_ballot_hides_the_tally_until_the_close_and_then_the_scan_sees_choices(backend: Backend) {
    let flow = vote_and_read(backend, false, false).await;
    report(&flow, "public");
    assert_participation(&flow);
    let leaks = all_violations(&flow, false);
    let early: Vec<_> = leaks.iter().filter(|l| l.contains("(Open)")).collect();
    assert!(early.is_empty(), "before the close nothing shows the tally or a choice: {early:#?}");
    // At the close a public ballot's choices are chained (`ballot.choices`),
    // so the record names them too, as the minutes do; nothing else does.
    let in_the_record = |l: &&String| l.contains("\"ballot.choices\"") || l.contains("GET /api/v1/events?");
    let elsewhere: Vec<_> = leaks.iter().filter(|l| !l.contains("/minutes?") && !in_the_record(l)).collect();
    assert!(elsewhere.is_empty(), "only the minutes and the record name choices: {elsewhere:#?}");
    assert!(leaks.iter().any(|l| l.contains("\"ballot.choices\"")), "the choices were chained at the close");
    // The minutes of a public ballot show each organization's choice, and the scan says so.
    let expected = [
        ("Secretaría Técnica", "a favor", "yes"),
        ("Fundación Esperanza", "a favor", "yes"),
        ("Asociación Rutas", "en contra", "no"),
        ("Red de Mujeres Migrantes", "abstención", "abstain"),
    ];
    for (name, es, en) in expected {
        let es_line = format!("{name}: {es} (");
        let en_line = format!("{name}: {en} (");
        assert!(leaks.iter().any(|l| l.contains("lang=es") && l.contains(&es_line)), "{es_line} in {leaks:#?}");
        assert!(leaks.iter().any(|l| l.contains("lang=en") && l.contains(&en_line)), "{en_line} in {leaks:#?}");
    }
    assert!(!leaks.iter().any(|l| l.contains("Colectivo Frontera")), "Frontera never voted");
    assert!(leaks.iter().any(|l| l.contains("format=json") && l.contains("`choices`")), "{leaks:#?}");
    let minutes: Value = serde_json::from_str(body_of(&flow, "format=json")).unwrap();
    assert_eq!(minutes["choices"].as_array().unwrap().len(), 4, "{minutes}");
    assert!(!body_of(&flow, "lang=es").contains("La votación fue secreta"));
}

async fn a_secret_ballot_cannot_have_live_results(backend: Backend) {
    // Each change of a live tally, next to the participation that changed
    // with it, would tell who chose what: the server refuses the pair.
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate(DELEGATES[0].0, DELEGATES[0].1).await;
    let (document, articles) = app.charter(&admin, 1).await;
    let proposal = id(&app.proposal(&ana, &document, &articles[0]).await);
    let path = format!("/api/v1/proposals/{proposal}/ballot");
    let rule = json!({"majority": "simple", "quorum": 0.5, "secret": true, "live_results": true});
    let refused = app.as_user(&admin, Method::POST, &path).json(&rule).send().await.unwrap();
    let problem = minga_tests::expect_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert_eq!(problem["field"], "live_results");
    let proposal_view = expect_status(
        app.as_user(&admin, Method::GET, &format!("/api/v1/proposals/{proposal}")).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(proposal_view["status"], "open", "nothing was opened");
    // A live public ballot shows its tally while open.
    let ballot = open_ballot(&app, &admin, &proposal, false, true).await;
    let vote = app
        .as_user(&ana, Method::PUT, &format!("/api/v1/ballots/{}/vote", id(&ballot)))
        .json(&json!({"choice": "yes"}));
    let seen = expect_status(vote.send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(seen["tally"], json!({"yes": 1, "no": 0, "abstain": 0}));
}

const RACES: usize = 10;
const RACERS: usize = 6;

async fn a_close_racing_votes_counts_exactly_the_accepted_votes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let mut delegates = Vec::new();
    for n in 0..RACERS {
        delegates.push(app.delegate(&format!("d{n}@org{n}.ec"), &format!("Organización {n}")).await);
    }
    let (doc, articles) = app.charter(&admin, RACES).await;
    let mut counted = Vec::new();
    for (run, article) in articles.iter().enumerate() {
        let proposal = id(&app.proposal(&delegates[0], &doc, article).await);
        let ballot = id(&open_ballot(&app, &admin, &proposal, run % 2 == 0, false).await);
        let barrier = Arc::new(tokio::sync::Barrier::new(RACERS + 1));
        let votes: Vec<_> = delegates
            .iter()
            .enumerate()
            .map(|(n, delegate)| {
                let choice = CHOICES[(n + run) % 3];
                let request = app
                    .as_user(delegate, Method::PUT, &format!("/api/v1/ballots/{ballot}/vote"))
                    .json(&json!({"choice": choice}));
                let org = delegate.user["organization"]["id"].as_str().unwrap().to_owned();
                let barrier = barrier.clone();
                tokio::spawn(async move {
                    barrier.wait().await;
                    (org, choice, send(request).await)
                })
            })
            .collect();
        let close = app.as_user(&admin, Method::POST, &format!("/api/v1/ballots/{ballot}/close"));
        let delay = Duration::from_millis(2 * run as u64);
        let barrier = barrier.clone();
        let close = tokio::spawn(async move {
            barrier.wait().await;
            tokio::time::sleep(delay).await;
            send(close).await
        });
        let mut accepted = Vec::new();
        for vote in votes {
            let (org, choice, (status, body)) = vote.await.unwrap();
            assert!(matches!(status, StatusCode::OK | StatusCode::CONFLICT), "run {run}: vote got {status}: {body}");
            if status == StatusCode::OK {
                accepted.push((org, choice));
            } else {
                assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["code"], "conflict", "{body}");
            }
        }
        let (status, body) = close.await.unwrap();
        assert_eq!(status, StatusCode::OK, "run {run}: close: {body}");
        let closed: Value = serde_json::from_str(&body).unwrap();
        let shown = expect_status(
            app.as_user(&admin, Method::GET, &format!("/api/v1/ballots/{ballot}")).send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(shown["status"], "closed");
        assert_eq!(shown["result"], closed["result"], "run {run}: the stored result is the close's");
        let count = |c: &str| accepted.iter().filter(|(_, choice)| *choice == c).count();
        let result = &shown["result"];
        for choice in CHOICES {
            assert_eq!(result[choice], count(choice), "run {run}: {choice} counts the accepted votes: {shown}");
        }
        assert_eq!(shown["participation"]["voted"], accepted.len(), "run {run}: {shown}");
        let organizations: BTreeSet<&str> =
            shown["participation"]["organizations"].as_array().unwrap().iter().map(|o| o.as_str().unwrap()).collect();
        assert_eq!(organizations, accepted.iter().map(|(org, _)| org.as_str()).collect(), "run {run}");
        counted.push(accepted.len());
    }
    eprintln!("votes counted per race: {counted:?}");
}
