//! Passwords and session tokens.

pub mod password;
pub mod token;

use sha2::{Digest, Sha256};

/// Invitation tokens are stored only as this hash, so a copy of the
/// database does not hand out usable invitations.
pub fn invitation_token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}
