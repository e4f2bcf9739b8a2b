//! Durability: `minga serve` is killed with SIGKILL in the middle of a burst
//! of comments and votes from concurrent clients; after a restart on the same
//! database every acknowledged write is there, the event log has no gap, and
//! `minga verify` finds the record intact. On SQLite and on PostgreSQL.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{accept_invitation, drop_database, minga, postgres_database, run, secretariat, Api, Dir, Server};
use rand::Rng;
use reqwest::Method;
use serde_json::{json, Value};

/// Member organizations, each with one delegate.
const ORGANIZATIONS: usize = 3;
/// Comment-posting clients per delegate (each delegate also runs one voter).
const COMMENTERS: usize = 2;
/// The burst must have been acknowledged this many writes before the kill.
const MIN_ACKED: usize = 30;
const CHOICES: [&str; 3] = ["yes", "no", "abstain"];

struct Setup {
    secretariat: Api,
    delegates: Vec<(String, Api)>,
    proposal: String,
    ballot: String,
}

/// A member organization with one signed-in delegate; returns (organization id, delegate).
async fn delegate(secretariat: &Api, base: &str, n: usize) -> (String, Api) {
    let org = json!({"name": format!("Organización {n}"), "short_name": format!("O{n}"), "kind": "member"});
    let org = secretariat.call(base, Method::POST, "/api/v1/organizations", Some(org)).await;
    let org_id = org["id"].as_str().expect("id").to_owned();
    let invitation = json!({"email": format!("delegada{n}@foro.ec"), "organization_id": org_id, "role": "delegate"});
    let invitation = secretariat.call(base, Method::POST, "/api/v1/invitations", Some(invitation)).await;
    let token = invitation["token"].as_str().expect("token");
    (org_id, accept_invitation(base, token, &format!("Delegada {n}")).await)
}

/// Organizations and delegates, a charter with an article, an amendment and an open ballot on it.
async fn set_up(dir: &Path, env: &[(&str, &str)], base: &str) -> Setup {
    let secretariat = secretariat(dir, env, base).await;
    let mut delegates = Vec::new();
    for n in 0..ORGANIZATIONS {
        delegates.push(delegate(&secretariat, base, n).await);
    }
    let document = secretariat.call(base, Method::POST, "/api/v1/documents", Some(json!({"title": "Estatuto"}))).await;
    let document = document["id"].as_str().expect("id").to_owned();
    let text = "# Estatuto\n\n## Disposiciones generales\n\n### Art. 1.- Sede\n\nLa asamblea sesiona en Quito.\n";
    let imported: Value = secretariat
        .client
        .post(format!("{base}/api/v1/documents/{document}/import"))
        .bearer_auth(&secretariat.token)
        .header("content-type", "text/markdown")
        .body(text)
        .send()
        .await
        .expect("import")
        .json()
        .await
        .expect("json");
    let sections = imported["sections"].as_array().expect("sections");
    let article = sections.iter().find(|s| s["kind"] == "article").expect("an article")["id"].clone();
    let amendment = json!({"kind": "amend", "section_id": article, "title": "Sede rotativa",
        "body": "La asamblea sesiona cada año en una provincia distinta.", "rationale": "Más participación."});
    let path = format!("/api/v1/documents/{document}/proposals");
    let proposal = delegates[0].1.call(base, Method::POST, &path, Some(amendment)).await;
    let proposal = proposal["id"].as_str().expect("id").to_owned();
    let settings = json!({"majority": "simple", "quorum": 0.5, "secret": false, "live_results": false});
    let path = format!("/api/v1/proposals/{proposal}/ballot");
    let ballot = secretariat.call(base, Method::POST, &path, Some(settings)).await;
    let ballot = ballot["id"].as_str().expect("id").to_owned();
    Setup { secretariat, delegates, proposal, ballot }
}

/// One write a client made: a comment (id once acknowledged, and its body) or a vote.
#[derive(Debug, Clone)]
enum Write {
    Comment { id: Option<String>, body: String },
    Vote { organization: String, choice: &'static str },
}

/// What one client saw: the writes answered 2xx, in order, and the one it
/// was waiting on when the server died (it may or may not have committed).
#[derive(Debug, Default)]
struct Outcome {
    acked: Vec<Write>,
    in_flight: Option<Write>,
}

/// Writes until the server stops answering. `voter` is `Some(organization)`
/// for a client that votes; otherwise it comments. A status other than 2xx
/// during the burst fails the test: the server must not refuse under load.
/// A client's credentials, and the burst-wide count of acknowledged writes.
struct Writer {
    token: String,
    acked: Arc<AtomicUsize>,
}

async fn client_loop(base: String, api: Writer, target: String, voter: Option<String>, tag: String) -> Outcome {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("client");
    let mut outcome = Outcome::default();
    for n in 0.. {
        let (request, write) = match &voter {
            Some(organization) => {
                let choice = CHOICES[n % CHOICES.len()];
                let request =
                    client.put(format!("{base}/api/v1/ballots/{target}/vote")).json(&json!({"choice": choice}));
                (request, Write::Vote { organization: organization.clone(), choice })
            }
            None => {
                let body = format!("Comentario {tag}-{n}: *la sede* debería rotar — «{n}».");
                let request =
                    client.post(format!("{base}/api/v1/proposals/{target}/comments")).json(&json!({"body": body}));
                (request, Write::Comment { id: None, body })
            }
        };
        let response = match request.bearer_auth(&api.token).send().await {
            Ok(response) => response,
            Err(err) => {
                // Refused before connecting: the request never reached a server.
                if !err.is_connect() {
                    outcome.in_flight = Some(write);
                }
                return outcome;
            }
        };
        let status = response.status();
        let Ok(body) = response.json::<Value>().await else {
            outcome.in_flight = Some(write);
            return outcome;
        };
        assert!(status.is_success(), "a write was refused during the burst: {status} {body}");
        let write = match write {
            Write::Comment { body: text, .. } => {
                assert_eq!(body["body"], text.as_str());
                Write::Comment { id: Some(body["id"].as_str().expect("id").to_owned()), body: text }
            }
            Write::Vote { organization, choice } => {
                assert_eq!(body["my_vote"], choice, "{body}");
                Write::Vote { organization, choice }
            }
        };
        outcome.acked.push(write);
        api.acked.fetch_add(1, Ordering::SeqCst);
    }
    outcome
}

/// Every item of a paged list (`?limit=1000&after=<last id>`).
async fn all_pages(api: &Api, base: &str, path: &str) -> Vec<Value> {
    let mut items: Vec<Value> = Vec::new();
    loop {
        let after = items.last().map(|item| format!("&after={}", item["id"].as_str().expect("id"))).unwrap_or_default();
        let page = api.call(base, Method::GET, &format!("{path}?limit=1000{after}"), None).await;
        let page = page.as_array().expect("a list").clone();
        let done = page.len() < 1000;
        items.extend(page);
        if done {
            return items;
        }
    }
}

/// The topic's whole event log, read back over REST in pages.
async fn all_events(api: &Api, base: &str, topic: &str) -> Vec<Value> {
    let mut events: Vec<Value> = Vec::new();
    loop {
        let after = events.last().map_or(0, |event| event["seq"].as_i64().expect("seq"));
        let path = format!("/api/v1/events?topic={topic}&after={after}&limit=1000");
        let page = api.call(base, Method::GET, &path, None).await.as_array().expect("events").clone();
        let done = page.len() < 1000;
        events.extend(page);
        if done {
            return events;
        }
    }
}

async fn sigkill_during_a_burst(backend: &str, dir: &Path, env: &[(&str, &str)]) {
    let started = Instant::now();
    let mut server = Server::start(dir, env);
    server.wait_ready().await;
    let base = server.base.clone();
    let setup = set_up(dir, env, &base).await;
    // Acknowledged writes across every client of the burst.
    let acked = Arc::new(AtomicUsize::new(0));

    let mut clients = Vec::new();
    for (n, (organization, api)) in setup.delegates.iter().enumerate() {
        let voter = Writer { token: api.token.clone(), acked: acked.clone() };
        let run = client_loop(base.clone(), voter, setup.ballot.clone(), Some(organization.clone()), format!("v{n}"));
        clients.push(tokio::spawn(run));
        for c in 0..COMMENTERS {
            let commenter = Writer { token: api.token.clone(), acked: acked.clone() };
            let run = client_loop(base.clone(), commenter, setup.proposal.clone(), None, format!("d{n}.{c}"));
            clients.push(tokio::spawn(run));
        }
    }
    let burst = Duration::from_millis(rand::thread_rng().gen_range(300..=800));
    let burst_start = Instant::now();
    while burst_start.elapsed() < burst || acked.load(Ordering::SeqCst) < MIN_ACKED {
        assert!(burst_start.elapsed() < Duration::from_secs(60), "the burst did not get {MIN_ACKED} writes through");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let acked_at_kill = acked.load(Ordering::SeqCst);
    let burst = burst_start.elapsed();
    server.kill();

    let mut outcomes = Vec::new();
    for client in clients {
        outcomes
            .push(tokio::time::timeout(Duration::from_secs(60), client).await.expect("clients end").expect("client"));
    }
    let acked_writes: Vec<&Write> = outcomes.iter().flat_map(|outcome| &outcome.acked).collect();
    let in_flight: Vec<&Write> = outcomes.iter().filter_map(|outcome| outcome.in_flight.as_ref()).collect();
    assert!(acked_writes.len() >= acked_at_kill && acked_writes.len() >= MIN_ACKED);

    let mut again = Server::start(dir, env);
    again.wait_ready().await;
    let (api, base) = (&setup.secretariat, again.base.clone());

    // Comments: every acknowledged one, with its exact text; nothing that no client sent.
    let comments = all_pages(api, &base, &format!("/api/v1/proposals/{}/comments", setup.proposal)).await;
    let mut found = 0;
    let mut acked_comments = 0;
    for write in &acked_writes {
        if let Write::Comment { id: Some(id), body } = write {
            acked_comments += 1;
            let comment = comments.iter().find(|c| c["id"] == id.as_str());
            let comment = comment.unwrap_or_else(|| panic!("acknowledged comment {id} ({body}) lost after SIGKILL"));
            assert_eq!(comment["body"], body.as_str(), "comment {id} kept its exact text");
            found += 1;
        }
    }
    let in_flight_bodies: Vec<&str> = in_flight
        .iter()
        .filter_map(|write| match write {
            Write::Comment { body, .. } => Some(body.as_str()),
            Write::Vote { .. } => None,
        })
        .collect();
    let landed_comments =
        comments.iter().filter(|c| in_flight_bodies.contains(&c["body"].as_str().unwrap_or(""))).count();
    assert_eq!(comments.len(), acked_comments + landed_comments, "no comment that no client sent or got lost");
    let proposal = api.call(&base, Method::GET, &format!("/api/v1/proposals/{}", setup.proposal), None).await;
    assert_eq!(proposal["comment_count"], comments.len(), "{proposal}");

    // Votes: per organization, the recorded casts are exactly the acknowledged
    // ones in order, plus at most the one in flight; the counted vote is the last.
    let ballot = api.call(&base, Method::POST, &format!("/api/v1/ballots/{}/close", setup.ballot), None).await;
    assert_eq!(ballot["status"], "closed");
    let minutes = api.call(&base, Method::GET, &format!("/api/v1/ballots/{}/minutes", setup.ballot), None).await;
    let casts = minutes["casts"].as_array().expect("casts");
    let (mut acked_votes, mut landed_votes) = (0, 0);
    for (organization, _) in &setup.delegates {
        let choices_of = |writes: Vec<&Write>| -> Vec<String> {
            writes
                .into_iter()
                .filter_map(|write| match write {
                    Write::Vote { organization: org, choice } if org == organization => Some((*choice).to_owned()),
                    _ => None,
                })
                .collect()
        };
        let acked = choices_of(acked_writes.clone());
        let pending = choices_of(in_flight.clone());
        let recorded: Vec<String> = casts
            .iter()
            .filter(|cast| cast["organization_id"] == organization.as_str())
            .map(|cast| cast["choice"].as_str().expect("choice").to_owned())
            .collect();
        assert!(recorded.len() >= acked.len(), "{organization}: acked {acked:?}, recorded {recorded:?}");
        assert_eq!(recorded[..acked.len()], acked[..], "{organization}: every acknowledged vote, in order");
        assert!(recorded[acked.len()..].is_empty() || recorded[acked.len()..] == pending[..], "only the one in flight");
        let counted = minutes["choices"]
            .as_array()
            .expect("choices")
            .iter()
            .find(|c| c["organization"]["id"] == organization.as_str());
        assert_eq!(counted.map(|c| c["choice"].clone()), recorded.last().map(|c| json!(c)), "the last cast counts");
        acked_votes += acked.len();
        landed_votes += recorded.len() - acked.len();
    }

    // The event log: seqs 1..N with no gap, one comment.created per comment,
    // one ballot.participation per cast.
    let topic = format!("proposal:{}", setup.proposal);
    let events = all_events(api, &base, &topic).await;
    for (n, event) in events.iter().enumerate() {
        assert_eq!(event["seq"], n + 1, "the log of {topic} has no gap: {event}");
    }
    let of_kind = |kind: &str| events.iter().filter(|event| event["kind"] == kind).collect::<Vec<_>>();
    let created = of_kind("comment.created");
    assert_eq!(created.len(), comments.len(), "one comment.created per comment");
    for comment in &comments {
        assert!(created.iter().any(|e| e["data"]["comment"]["id"] == comment["id"]), "event of {comment}");
    }
    assert_eq!(of_kind("ballot.participation").len(), casts.len(), "one participation event per cast");
    assert!(again.terminate().success());

    let verify = run(minga(dir, env).arg("verify"));
    let printed = String::from_utf8_lossy(&verify.stdout).to_string();
    assert!(verify.status.success(), "minga verify after SIGKILL: {printed}");
    assert!(printed.contains("intact"), "{printed}");

    let acked_total = acked_comments + acked_votes;
    eprintln!(
        "durability {backend}: {acked_total} writes acknowledged ({acked_comments} comments, {acked_votes} votes) \
         in a {} ms burst from {} clients, {} found after SIGKILL and restart; {} in flight at the kill, {} of them \
         committed; event log seq 1..{} gap-free; minga verify: intact ({:.1} s)",
        burst.as_millis(),
        outcomes.len(),
        found + acked_votes,
        in_flight.len(),
        landed_comments + landed_votes,
        events.len(),
        started.elapsed().as_secs_f64()
    );
}

const SECRET: &str = "a-secret-kept-across-the-sigkill-00000";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_a_burst_loses_no_acknowledged_write_on_sqlite() {
    let dir = Dir::new();
    let env = [("MINGA_JWT_SECRET", SECRET), ("MINGA_WRITES_PER_MINUTE", "1000000")];
    sigkill_during_a_burst("sqlite", &dir.0, &env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_a_burst_loses_no_acknowledged_write_on_postgres() {
    let dir = Dir::new();
    let (url, name) = postgres_database().await;
    let env =
        [("MINGA_DATABASE_URL", url.as_str()), ("MINGA_JWT_SECRET", SECRET), ("MINGA_WRITES_PER_MINUTE", "1000000")];
    sigkill_during_a_burst("postgres", &dir.0, &env).await;
    drop_database(&name).await;
}
