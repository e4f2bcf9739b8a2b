//! Passwords and session tokens.

pub mod password;
pub mod token;

use sha2::{Digest, Sha256};

/// The tokens of links sent to people (invitations, password links) are
/// stored only as this hash, so a copy of the database hands out no usable link.
pub fn link_token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}
