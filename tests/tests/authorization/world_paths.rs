//! Where each row of the authorization table points: the concrete path of
//! an operation for one caller, on the objects the world made for it.

use minga_tests::Session;
use reqwest::Method;

use super::{id, json_of, rule, World};

impl World {
    /// The id of a new, pending invitation for `email`.
    pub async fn fresh_invitation(&self, email: &str) -> String {
        let token = self.app.invitation(email, "Org A", "member", "delegate").await;
        let hash = minga::auth::link_token_hash(&token);
        self.app.store().invitation(&hash).await.unwrap().id.to_string()
    }

    pub async fn ballot(&self, author: &Session) -> String {
        let proposal = id(&self.app.proposal(author, &self.doc, &self.article).await);
        let path = format!("/api/v1/proposals/{proposal}/ballot");
        id(&json_of(&self.app, &self.admin, Method::POST, &path, Some(rule()), 201).await)
    }

    /// The concrete path of `method template`, for the caller in column `caller`.
    pub async fn path(&self, method: &str, template: &str, caller: usize) -> String {
        let p = |s: &str| template.replace("{id}", s);
        if let Some(assembly) = &self.assembly {
            if template == "/api/v1/sessions/{id}/speakers/{speaker_id}" {
                return assembly.speaker_path(method);
            }
            if let Some(path) = assembly.path(template) {
                return path;
            }
        }
        match template {
            "/api/v1/invitations/{token}" if method == "delete" => {
                template.replace("{token}", &self.fresh_invitation(&format!("retirar{caller}@a.ec")).await)
            }
            "/api/v1/invitations/{id}/resend" => p(&self.fresh_invitation(&format!("renovar{caller}@a.ec")).await),
            "/api/v1/outbox/{id}/retry" => {
                let mail = self.app.store().outbox(None, minga::store::Page::all()).await.unwrap();
                p(&mail[0].id.to_string())
            }
            "/api/v1/invitations/{token}" => template.replace("{token}", &self.unused_invitation),
            "/api/v1/auth/password-reset/{token}" => template.replace("{token}", "no-such-link"),
            "/api/v1/invitations/{token}/accept" => {
                let email = format!("invitado{caller}@a.ec");
                template.replace("{token}", &self.app.invitation(&email, "Org A", "member", "delegate").await)
            }
            "/api/v1/organizations/{id}" => p(&self.org_b),
            "/api/v1/users/{id}" => p(&self.deactivated_id),
            "/api/v1/users/{id}/access-link" => p(&self.active_id),
            "/api/v1/sections/{id}" if method == "delete" => p(&self.deletable[caller]),
            "/api/v1/sections/{id}" | "/api/v1/sections/{id}/move" | "/api/v1/sections/{id}/stance" => p(&self.article),
            "/api/v1/documents/{id}/import" => p(&self.import_doc),
            "/api/v1/documents/{id}/versions/{version}" => p(&self.doc).replace("{version}", "1"),
            t if t.starts_with("/api/v1/documents/{id}") => p(&self.doc),
            "/api/v1/proposals/{id}/withdraw" => p(&self.withdrawn),
            "/api/v1/proposals/{id}/lock"
            | "/api/v1/proposals/{id}/unlock"
            | "/api/v1/proposals/{id}/cosponsors"
            | "/api/v1/proposals/{id}/cosponsors/accept" => p(&self.lockable),
            "/api/v1/proposals/{id}/ballot" => p(&self.unballoted),
            t if t.starts_with("/api/v1/proposals/{id}") => p(&self.proposal),
            "/api/v1/comments/{id}" if method == "patch" => p(&self.comment_edit),
            "/api/v1/comments/{id}" => p(&self.comment_delete),
            "/api/v1/comments/{id}/history" | "/api/v1/comments/{id}/hide" | "/api/v1/comments/{id}/unhide" => {
                p(&self.comment_moderate)
            }
            "/api/v1/comments/{id}/flag" => p(&self.comment_edit),
            "/api/v1/moderation/flags/{id}/resolve" => p(&self.flag),
            "/api/v1/ballots/{id}" | "/api/v1/ballots/{id}/vote" => p(&self.ballot_vote),
            "/api/v1/ballots/{id}/close" => p(&self.ballot_close),
            "/api/v1/ballots/{id}/cancel" => p(&self.ballot_cancel),
            "/api/v1/ballots/{id}/minutes" => p(&self.ballot_closed),
            "/api/v1/events" => template.to_owned(),
            other => {
                assert!(!other.contains('{'), "no ids for {other}");
                other.to_owned()
            }
        }
    }
}
