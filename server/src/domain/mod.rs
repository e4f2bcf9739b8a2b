//! The rules of Minga. Pure: no I/O, no HTTP, no SQL. Everything here can be
//! tested with plain values, and every rule can be found by its name.

pub mod account;
pub mod account_events;
pub mod account_rules;
pub mod acta;
pub mod adoption;
pub mod alternatives;
pub mod assembly;
pub mod ballot;
pub mod ballot_record;
pub mod ballot_subject;
pub mod canonical_json;
pub mod chain;
pub mod charter;
pub mod charter_text;
pub mod checkpoint;
pub mod comment;
pub mod consolidation;
pub mod decision;
pub mod diff;
pub mod document_ballot;
pub mod event;
pub mod event_kind;
pub mod event_payload;
pub mod ids;
pub mod lang;
pub mod legal_structure;
pub mod limits;
pub mod local_time;
pub mod login_throttle;
pub mod mail;
pub mod mandate;
pub mod markdown;
pub mod markdown_quote;
pub mod minutes;
pub mod notification;
pub mod pending;
pub mod permissions;
pub mod phase;
pub mod preferences;
pub mod proposal;
pub mod rate_limit;
pub mod references;
pub mod session_events;
pub mod stance;
pub mod string_enum;
pub mod structure;

/// Why a rule refused a change: the input is wrong (`Invalid`, a 422), the
/// caller may not (`Forbidden`, a 403), or it clashes with the current state
/// of things (`Conflict`, a 409).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Invalid(limits::Invalid),
    Forbidden(String),
    Conflict(String),
}

impl From<limits::Invalid> for Refusal {
    fn from(invalid: limits::Invalid) -> Self {
        Refusal::Invalid(invalid)
    }
}
#[cfg(test)]
pub(crate) mod fixtures;
