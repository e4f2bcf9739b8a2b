//! The OpenAPI document, generated from the handlers' annotations.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::extract::Json;
use super::openapi_responses::StandardResponses;
use super::{
    accounts, acta, admin, ballots, checkpoints, comments, comparison, cosponsors, document_ballots, documents, events,
    export, hand_votes, health, import, invitations, minutes, notifications, outbox, password_reset, pending, people,
    preferences, proposals, references, representatives, sessions, speakers, stances, structure,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Minga API", version = "1", description = "Drafting an assembly's founding charter together, in real time."),
    paths(
        health::healthz, health::readyz, health::metrics, document,
        accounts::login, accounts::logout, accounts::logout_all, accounts::me,
        accounts::invitation, accounts::accept_invitation,
        admin::list_organizations, admin::create_organization, admin::update_organization,
        admin::list_users, admin::update_user,
        invitations::create_invitation, invitations::list, invitations::resend, invitations::revoke,
        documents::list, documents::create, documents::show, documents::add_section, documents::edit_section,
        import::import, documents::versions, documents::version, documents::diff, export::export,
        structure::update_document, structure::delete_section, structure::move_section,
        proposals::list, proposals::create, proposals::show, proposals::revisions, proposals::revise,
        proposals::diff, proposals::withdraw, proposals::lock, proposals::unlock,
        cosponsors::invite, cosponsors::accept,
        comments::list, comments::create, comments::edit, comments::history, comments::delete,
        comments::hide, comments::unhide, comments::flag, comments::flags, comments::resolve,
        events::replay, crate::ws::upgrade,
        ballots::open, ballots::show, ballots::vote, ballots::close, ballots::cancel, ballots::adopt,
        document_ballots::open, document_ballots::list, stances::set, stances::map, references::list,
        minutes::minutes, comparison::comparison,
        checkpoints::latest, checkpoints::list, checkpoints::make,
        outbox::list, outbox::retry, notifications::list, notifications::mark_read,
        preferences::show, preferences::replace, preferences::unsubscribe_page, preferences::unsubscribe,
        pending::pending, people::people,
        password_reset::request_reset, password_reset::reset, password_reset::access_link,
        password_reset::change_password,
        representatives::list, representatives::show, representatives::nominate, representatives::confirm,
        sessions::convene, sessions::list, sessions::show, sessions::update, sessions::check_in, sessions::attendance,
        speakers::ask, speakers::withdraw, speakers::update, hand_votes::record, acta::acta,
    ),
    modifiers(&SessionSchemes, &StandardResponses),
    security(("bearer" = []), ("cookie" = [])),
)]
pub struct ApiDoc;

struct SessionSchemes;

impl Modify for SessionSchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(super::session::COOKIE_NAME))),
        );
    }
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "health", security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn document() -> Json<serde_json::Value> {
    let mut document = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    state_text_rule(&mut document);
    Json(document)
}

/// The per-kind choices of `PUT /api/v1/me/preferences`: a property for
/// each kind of notification, none other, each one of the deliveries.
pub fn notification_choices_schema() -> utoipa::openapi::Object {
    use crate::domain::notification::NoticeKind;
    use crate::domain::preferences::Delivery;
    use utoipa::openapi::schema::{AdditionalProperties, Type};
    let delivery = || {
        let words: Vec<&str> = Delivery::ALL.iter().map(|delivery| delivery.as_str()).collect();
        utoipa::openapi::ObjectBuilder::new().schema_type(Type::String).enum_values(Some(words))
    };
    NoticeKind::ALL
        .iter()
        .fold(utoipa::openapi::ObjectBuilder::new().schema_type(Type::Object), |object, kind| {
            object.property(kind.as_str(), delivery())
        })
        .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        .build()
}

/// An email address as a request carries it: `limits::email`, with only
/// spaces, tabs and line breaks around it (`\s` would let a form feed
/// through, which the text rule refuses), 254 characters in all.
pub fn email_schema() -> utoipa::openapi::Object {
    use crate::domain::limits::EMAIL_CHARS;
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .min_length(Some(EMAIL_CHARS.0))
        .max_length(Some(EMAIL_CHARS.1))
        .pattern(Some(
            r"^[ \t\r\n]*[^\s@\x00-\x1f\x7f-\x9f]+@[^\s@.\x00-\x1f\x7f-\x9f][^\s@\x00-\x1f\x7f-\x9f]*\.[^\s@\x00-\x1f\x7f-\x9f]*[^\s@.\x00-\x1f\x7f-\x9f][ \t\r\n]*$",
        ))
        .build()
}

/// The server's one rule for request text (`limits::request_text`: no
/// control character but tab and line breaks), as a JSON Schema pattern.
pub const REQUEST_TEXT_PATTERN: &str = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";

/// States the text rule once for the whole document, on every string and
/// property name a request body may carry (a field's own stricter pattern
/// stays), so the document says what the server refuses.
fn state_text_rule(document: &mut serde_json::Value) {
    use serde_json::Value;
    fn collect_refs(schema: &Value, names: &mut Vec<String>) {
        match schema {
            Value::Object(fields) => {
                if let Some(name) = fields.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next()) {
                    names.push(name.to_owned());
                }
                fields.values().for_each(|value| collect_refs(value, names));
            }
            Value::Array(items) => items.iter().for_each(|item| collect_refs(item, names)),
            _ => {}
        }
    }
    fn apply(schema: &mut Value) {
        let Value::Object(fields) = schema else { return };
        let is_string = match fields.get("type") {
            Some(Value::String(kind)) => kind == "string",
            Some(Value::Array(kinds)) => kinds.iter().any(|kind| kind == "string"),
            _ => false,
        };
        if is_string && !fields.contains_key("format") && !fields.contains_key("enum") {
            match fields.get("pattern").and_then(Value::as_str) {
                None => {
                    fields.insert("pattern".into(), REQUEST_TEXT_PATTERN.into());
                }
                // A field's own pattern that lets control characters through
                // (`\S`: "something besides spaces") is kept beside the rule.
                Some(own) if !own.contains(r"\x00-\x1f") => {
                    fields.entry("allOf").or_insert_with(|| serde_json::json!([{ "pattern": REQUEST_TEXT_PATTERN }]));
                }
                Some(_) => {}
            }
        }
        if fields.contains_key("properties") || fields.get("type").is_some_and(|kind| kind == "object") {
            fields.entry("propertyNames").or_insert_with(|| serde_json::json!({ "pattern": REQUEST_TEXT_PATTERN }));
        }
        for key in ["properties", "items", "oneOf", "anyOf", "allOf", "additionalProperties"] {
            match fields.get_mut(key) {
                Some(Value::Object(inner)) if key == "properties" => inner.values_mut().for_each(apply),
                Some(Value::Array(inner)) => inner.iter_mut().for_each(apply),
                Some(inner @ Value::Object(_)) => apply(inner),
                _ => {}
            }
        }
    }
    let mut names = Vec::new();
    if let Some(Value::Object(paths)) = document.get_mut("paths") {
        for operation in paths.values_mut().filter_map(Value::as_object_mut).flat_map(|item| item.values_mut()) {
            if let Some(Value::Object(content)) = operation.pointer_mut("/requestBody/content") {
                for media in content.values_mut() {
                    if let Some(schema) = media.get_mut("schema") {
                        collect_refs(schema, &mut names);
                        apply(schema);
                    }
                }
            }
        }
    }
    let Some(Value::Object(schemas)) = document.pointer_mut("/components/schemas") else { return };
    let mut seen = std::collections::HashSet::new();
    while let Some(name) = names.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = schemas.get_mut(&name) {
            collect_refs(schema, &mut names);
            apply(schema);
        }
    }
}
