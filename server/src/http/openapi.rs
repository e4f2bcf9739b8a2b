//! The OpenAPI document, generated from the handlers' annotations.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::extract::Json;
use super::openapi_responses::StandardResponses;
use super::{accounts, admin, ballots, comments, comparison, documents, events, export, health, minutes, proposals};

#[derive(OpenApi)]
#[openapi(
    info(title = "Minga API", version = "1", description = "Drafting an assembly's founding charter together, in real time."),
    paths(
        health::healthz, health::readyz, health::metrics, document,
        accounts::login, accounts::logout, accounts::logout_all, accounts::me,
        accounts::invitation, accounts::accept_invitation,
        admin::list_organizations, admin::create_organization, admin::update_organization,
        admin::list_users, admin::update_user, admin::create_invitation,
        documents::list, documents::create, documents::show, documents::add_section, documents::edit_section,
        documents::import, documents::versions, documents::version, documents::diff, export::export,
        proposals::list, proposals::create, proposals::show, proposals::revisions, proposals::revise,
        proposals::diff, proposals::withdraw, proposals::lock, proposals::unlock,
        comments::list, comments::create, comments::edit, comments::history, comments::delete,
        comments::hide, comments::unhide, comments::flag, comments::flags, comments::resolve,
        events::replay, crate::ws::upgrade,
        ballots::open, ballots::show, ballots::vote, ballots::close, ballots::cancel, ballots::adopt,
        minutes::minutes, comparison::comparison,
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
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
