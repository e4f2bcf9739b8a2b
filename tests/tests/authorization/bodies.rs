//! The request bodies of the authorization table's rows.

use minga_tests::PASSWORD;
use serde_json::{json, Value};

use super::{rule, World};

/// A minimal valid body, unique where the server wants it unique.
pub enum Body {
    None,
    Json(Value),
    Markdown(&'static str),
}

pub fn body(method: &str, template: &str, world: &World, n: usize) -> Body {
    let json = |value: Value| Body::Json(value);
    if let Some(value) = world.assembly.as_ref().and_then(|assembly| assembly.body(method, template, n)) {
        return json(value);
    }
    match (method, template) {
        ("post", "/api/v1/auth/login") => {
            json(json!({"email": format!("nadie{n}@x.ec"), "password": "no es la contraseña"}))
        }
        ("post", "/api/v1/auth/password-reset") => json(json!({"email": format!("olvido{n}@x.ec")})),
        ("post", "/api/v1/me/notifications/read") => json(json!({"all": true})),
        ("put", "/api/v1/me/preferences") => json(json!({"lang": "es", "notifications": {"comment.reply": "app"}})),
        ("post", "/api/v1/auth/password-reset/{token}") => json(json!({"password": PASSWORD})),
        ("post", "/api/v1/me/password") => {
            json(json!({"current_password": "no es la contraseña", "new_password": "otra contraseña larga"}))
        }
        ("post", "/api/v1/invitations/{token}/accept") => {
            json(json!({"display_name": format!("Invitado {n}"), "password": PASSWORD}))
        }
        ("post", "/api/v1/organizations") => {
            json(json!({"name": format!("Organización {n}"), "short_name": "X", "kind": "member"}))
        }
        ("patch", "/api/v1/organizations/{id}") => json(json!({"short_name": "OB"})),
        ("patch", "/api/v1/users/{id}") => json(json!({"active": false})),
        ("post", "/api/v1/invitations") => {
            json(json!({"email": format!("nuevo{n}@x.ec"), "organization_id": world.org_b, "role": "delegate"}))
        }
        ("post", "/api/v1/documents") => json(json!({"title": "Reglamento"})),
        ("post", "/api/v1/documents/{id}/sections") => json(json!({"kind": "article", "title": "Nuevo", "body": "t"})),
        ("patch", "/api/v1/sections/{id}") => json(json!({"body": format!("Texto {n}.")})),
        ("patch", "/api/v1/documents/{id}") => json(json!({"phase": "amendments"})),
        ("post", "/api/v1/documents/{id}/ballots") => {
            json(json!({"kind": "block", "section_ids": [world.article], "majority": "simple", "quorum": 0.0}))
        }
        ("put", "/api/v1/sections/{id}/stance") => json(json!({"stance": "agree"})),
        ("post", "/api/v1/sections/{id}/move") => json(json!({"after_section_id": null})),
        ("post", "/api/v1/documents/{id}/import") => Body::Markdown("## C\n\n### A\n\nt\n"),
        ("post", "/api/v1/documents/{id}/proposals") => json(json!({
            "kind": "amend", "section_id": world.article, "title": "Otra", "body": "Otro texto.", "rationale": "r"
        })),
        ("post", "/api/v1/proposals/{id}/cosponsors") => json(json!({"organization_id": world.org_b})),
        ("post", "/api/v1/proposals/{id}/revisions") => json(json!({"body": format!("Revisión {n}.")})),
        ("post", "/api/v1/proposals/{id}/comments") | ("patch", "/api/v1/comments/{id}") => json(json!({"body": "x"})),
        ("post", "/api/v1/comments/{id}/hide") | ("post", "/api/v1/comments/{id}/flag") => json(json!({"reason": "r"})),
        ("post", "/api/v1/moderation/flags/{id}/resolve") => json(json!({"action": "dismiss"})),
        ("post", "/api/v1/proposals/{id}/ballot") => json(rule()),
        ("put", "/api/v1/ballots/{id}/vote") => json(json!({"choice": "yes"})),
        ("post", "/api/v1/ballots/{id}/cancel") => json(json!({"reason": "r"})),
        _ => Body::None,
    }
}
