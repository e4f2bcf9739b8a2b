//! The rules of Minga. Pure: no I/O, no HTTP, no SQL. Everything here can be
//! tested with plain values, and every rule can be found by its name.

pub mod account;
pub mod account_rules;
pub mod ids;
pub mod limits;
pub mod permissions;
pub mod rate_limit;

/// Why a rule refused a change: the input is wrong (`Invalid`, a 422), or it
/// clashes with the current state of things (`Conflict`, a 409).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Invalid(limits::Invalid),
    Conflict(String),
}

impl From<limits::Invalid> for Refusal {
    fn from(invalid: limits::Invalid) -> Self {
        Refusal::Invalid(invalid)
    }
}
#[cfg(test)]
pub(crate) mod fixtures;
