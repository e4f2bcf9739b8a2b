//! The assembly's rows of the authorization table, and the session, the
//! speakers and the ballot they work on (made before the table runs, while
//! the account to be deactivated is still active).

use minga_tests::{Session, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

use super::{id, json_of, Expect, SECRETARIAT, SECRETARIAT_201, SIGNED_IN, SIGNED_IN_201};

pub fn rows() -> Vec<(&'static str, &'static str, &'static str, Expect)> {
    vec![
        ("get", "/api/v1/representatives", "", SIGNED_IN),
        ("get", "/api/v1/organizations/{id}/representatives", "", SIGNED_IN),
        // For Org B: its own delegate and the secretariat propose.
        (
            "put",
            "/api/v1/organizations/{id}/representatives",
            "",
            [&[401], &[403], &[403], &[200], &[200], &[401], &[401]],
        ),
        // A proposal waits for Org B from the setup on, whatever ran before.
        ("post", "/api/v1/organizations/{id}/representatives/confirm", "", SECRETARIAT),
        ("post", "/api/v1/sessions", "", SECRETARIAT_201),
        ("get", "/api/v1/sessions", "", SIGNED_IN),
        ("get", "/api/v1/sessions/{id}", "", SIGNED_IN),
        ("patch", "/api/v1/sessions/{id}", "", SECRETARIAT),
        ("post", "/api/v1/sessions/{id}/check-in", "", SIGNED_IN),
        // Marking Org B's delegate: the secretariat, and he himself.
        (
            "put",
            "/api/v1/sessions/{id}/attendance/{user_id}",
            "",
            [&[401], &[403], &[403], &[200], &[200], &[401], &[401]],
        ),
        // Everyone signed in was checked in by the setup and asks once.
        ("post", "/api/v1/sessions/{id}/speakers", "", SIGNED_IN_201),
        ("patch", "/api/v1/sessions/{id}/speakers/{speaker_id}", "", SECRETARIAT),
        // The deactivated account's request: only the secretariat takes it back.
        ("delete", "/api/v1/sessions/{id}/speakers/{speaker_id}", "", SECRETARIAT),
        ("get", "/api/v1/sessions/{id}/minutes", "?format=json", SIGNED_IN),
        // Org B, present, in the session's ballot.
        ("put", "/api/v1/ballots/{id}/votes/{organization_id}", "", SECRETARIAT),
    ]
}

pub struct Assembly {
    session: String,
    org_b: String,
    beto: String,
    speaker_patch: String,
    speaker_delete: String,
    ballot: String,
}

/// Callers: the observer, the author delegate (Org A), the other delegate
/// (Org B), the secretariat, and the account about to be deactivated.
pub struct Callers<'a> {
    pub observer: &'a Session,
    pub ana: &'a Session,
    pub beto: &'a Session,
    pub admin: &'a Session,
    pub dora: &'a Session,
}

fn org_of(session: &Session) -> String {
    session.user["organization"]["id"].as_str().unwrap().to_owned()
}

impl Assembly {
    pub async fn setup(app: &TestApp, who: Callers<'_>, doc: &str, article: &str) -> Assembly {
        let Callers { observer, ana, beto, admin, dora } = who;
        let (org_a, org_b) = (org_of(ana), org_of(beto));
        for (delegate, org) in [(ana, &org_a), (beto, &org_b)] {
            let path = format!("/api/v1/organizations/{org}/representatives");
            json_of(app, delegate, Method::PUT, &path, Some(json!({"titular": delegate.id()})), 200).await;
            json_of(app, admin, Method::POST, &format!("{path}/confirm"), None, 200).await;
        }
        let again = format!("/api/v1/organizations/{org_b}/representatives");
        json_of(app, beto, Method::PUT, &again, Some(json!({"titular": beto.id()})), 200).await;
        let session = id(&json_of(app, admin, Method::POST, "/api/v1/sessions", Some(convocation()), 201).await);
        let base = format!("/api/v1/sessions/{session}");
        json_of(app, admin, Method::PATCH, &base, Some(json!({"status": "open"})), 200).await;
        for person in [observer, ana, beto, admin, dora] {
            json_of(app, person, Method::POST, &format!("{base}/check-in"), None, 200).await;
        }
        let eva = app.delegate("eva@a.ec", "Org A").await;
        json_of(app, &eva, Method::POST, &format!("{base}/check-in"), None, 200).await;
        let speakers = format!("{base}/speakers");
        json_of(app, &eva, Method::POST, &speakers, Some(json!({})), 201).await;
        let listed = json_of(app, dora, Method::POST, &speakers, Some(json!({})), 201).await;
        let turns = listed["speakers"].as_array().unwrap();
        let turn = |person: &str| id(turns.iter().find(|s| s["person"]["id"] == person).unwrap());
        let proposal = id(&app.proposal(ana, doc, article).await);
        let rule = json!({"majority": "simple", "quorum": 0.0, "session_id": session});
        let path = format!("/api/v1/proposals/{proposal}/ballot");
        let ballot = id(&json_of(app, admin, Method::POST, &path, Some(rule), 201).await);
        Assembly {
            session,
            org_b,
            beto: beto.id().to_owned(),
            speaker_patch: turn(eva.id()),
            speaker_delete: turn(dora.id()),
            ballot,
        }
    }

    /// The concrete path of an assembly row's template.
    pub fn path(&self, template: &str) -> Option<String> {
        let s = |rest: &str| Some(format!("/api/v1/sessions/{}{rest}", self.session));
        match template {
            "/api/v1/organizations/{id}/representatives" | "/api/v1/organizations/{id}/representatives/confirm" => {
                Some(template.replace("{id}", &self.org_b))
            }
            "/api/v1/sessions/{id}" => s(""),
            "/api/v1/sessions/{id}/check-in" => s("/check-in"),
            "/api/v1/sessions/{id}/attendance/{user_id}" => s(&format!("/attendance/{}", self.beto)),
            "/api/v1/sessions/{id}/speakers" => s("/speakers"),
            "/api/v1/sessions/{id}/speakers/{speaker_id}" => None,
            "/api/v1/sessions/{id}/minutes" => s("/minutes"),
            "/api/v1/ballots/{id}/votes/{organization_id}" => {
                Some(format!("/api/v1/ballots/{}/votes/{}", self.ballot, self.org_b))
            }
            _ => None,
        }
    }

    /// The speaker rows differ by method: one turn is changed, another taken back.
    pub fn speaker_path(&self, method: &str) -> String {
        let turn = if method == "patch" { &self.speaker_patch } else { &self.speaker_delete };
        format!("/api/v1/sessions/{}/speakers/{turn}", self.session)
    }

    /// A minimal valid body for an assembly row.
    pub fn body(&self, method: &str, template: &str, n: usize) -> Option<Value> {
        Some(match (method, template) {
            ("put", "/api/v1/organizations/{id}/representatives") => json!({"titular": self.beto}),
            ("post", "/api/v1/sessions") => convocation(),
            ("patch", "/api/v1/sessions/{id}") => json!({"title": format!("Asamblea {n}")}),
            ("put", "/api/v1/sessions/{id}/attendance/{user_id}") => json!({"present": true}),
            ("post", "/api/v1/sessions/{id}/speakers") => json!({}),
            ("patch", "/api/v1/sessions/{id}/speakers/{speaker_id}") => json!({"limit_seconds": 120}),
            ("put", "/api/v1/ballots/{id}/votes/{organization_id}") => json!({"choice": "abstain"}),
            _ => return None,
        })
    }
}

fn convocation() -> Value {
    json!({"title": "Asamblea", "starts_at": "2026-12-12T15:00:00Z", "place": "Puembo", "modality": "hybrid"})
}
