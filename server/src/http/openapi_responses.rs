//! The answers every operation can give besides its own, written into the
//! OpenAPI document in one place rather than repeated on each handler: a
//! client (or schemathesis) reading the document then knows every status the
//! server really sends, and that failures are `application/problem+json`.

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response};
use utoipa::Modify;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// Adds the shared failure answers to each operation and marks every failure
/// as a problem document.
pub struct StandardResponses;

impl Modify for StandardResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        let secured_by_default = openapi.security.as_ref().is_some_and(|requirements| !requirements.is_empty());
        for item in openapi.paths.paths.values_mut() {
            for (writes, operation) in operations(item) {
                complete(operation, writes, secured_by_default);
            }
        }
    }
}

/// Each operation of a path, with whether it changes anything.
fn operations(item: &mut PathItem) -> Vec<(bool, &mut Operation)> {
    [
        (false, item.get.as_mut()),
        (true, item.post.as_mut()),
        (true, item.put.as_mut()),
        (true, item.patch.as_mut()),
        (true, item.delete.as_mut()),
    ]
    .into_iter()
    .filter_map(|(writes, operation)| operation.map(|operation| (writes, operation)))
    .collect()
}

fn complete(operation: &mut Operation, writes: bool, secured_by_default: bool) {
    // `security(())` on a handler writes one empty requirement: anyone may call it.
    let public = match &operation.security {
        Some(requirements) => requirements.iter().all(is_empty_requirement),
        None => !secured_by_default,
    };
    let has_body = operation.request_body.is_some();
    let has_parameters = operation.parameters.as_ref().is_some_and(|parameters| !parameters.is_empty());

    let mut shared: Vec<(&str, &str)> = Vec::new();
    if has_body {
        shared.push(("400", "The body is not well-formed JSON"));
        shared.push(("413", "The body is larger than the limit"));
        shared.push(("415", "The body is not of the declared content type"));
    }
    if has_body || has_parameters {
        shared.push(("422", "A field or parameter breaks a rule; `field` names it"));
    }
    if !public {
        shared.push(("401", "No valid session"));
    }
    if writes {
        shared.push(("429", "Too many attempts or writes; see Retry-After"));
    }
    shared.push(("503", "The database is not answering; try again shortly"));

    let responses = &mut operation.responses.responses;
    for (status, description) in shared {
        responses.entry(status.to_owned()).or_insert_with(|| RefOr::T(problem_response(description)));
    }
    for (status, response) in responses.iter_mut() {
        if let (true, RefOr::T(response)) = (is_failure(status), response) {
            as_problem(response);
        }
    }
}

fn is_empty_requirement(requirement: &utoipa::openapi::security::SecurityRequirement) -> bool {
    serde_json::to_value(requirement).is_ok_and(|value| value.as_object().is_some_and(|object| object.is_empty()))
}

fn is_failure(status: &str) -> bool {
    status.starts_with('4') || status.starts_with('5')
}

fn problem_content() -> Content {
    Content::new(Some(Ref::from_schema_name("Problem")))
}

fn problem_response(description: &str) -> Response {
    let mut response = Response::new(description);
    response.content.insert(PROBLEM_JSON.to_owned(), problem_content());
    response
}

/// A failure's body is always a problem document, whatever the handler's
/// annotation said its content type was.
fn as_problem(response: &mut Response) {
    response.content.clear();
    response.content.insert(PROBLEM_JSON.to_owned(), problem_content());
}
