//! Signed checkpoints: the head (last seq and hash) of every topic at one
//! moment, digested canonically and signed with the deployment's Ed25519
//! key. An organization that keeps one can later prove that the record has
//! not been rewritten behind it: every hash a checkpoint names must still be
//! in the chain at its seq, and only the deployment's key could have signed it.

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One topic's head at the checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Head {
    pub topic: String,
    pub seq: i64,
    pub hash: String,
}

/// A checkpoint as published: all hexadecimal, so it can be kept as a file
/// and checked by anyone with `sha256sum` and an Ed25519 tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Checkpoint {
    pub id: uuid::Uuid,
    pub at: DateTime<Utc>,
    /// Sorted by topic.
    pub heads: Vec<Head>,
    /// SHA-256 of the canonical JSON of `heads` (see `digest_of`).
    pub digest: String,
    /// Ed25519 signature of the 32 bytes of `digest`.
    pub signature: String,
    /// The deployment's Ed25519 public key.
    pub public_key: String,
}

/// What minutes and exports name of the latest checkpoint: enough to fetch
/// it (`GET /api/v1/checkpoints?after=`) and compare it with one kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CheckpointRef {
    pub id: uuid::Uuid,
    pub at: DateTime<Utc>,
    pub digest: String,
}

impl Checkpoint {
    pub fn reference(&self) -> CheckpointRef {
        CheckpointRef { id: self.id, at: self.at, digest: self.digest.clone() }
    }
}

/// The SHA-256 (hex) of the heads' canonical JSON, sorted by topic: an
/// array of `{"hash":…,"seq":…,"topic":…}` with no spaces.
pub fn digest_of(heads: &[Head]) -> String {
    let mut sorted = heads.to_vec();
    sorted.sort_by(|a, b| a.topic.as_bytes().cmp(b.topic.as_bytes()));
    hex(&Sha256::digest(super::canonical_json::to_canonical(&sorted).as_bytes()))
}

/// The deployment's key. `Debug` shows only the public half.
#[derive(Clone)]
pub struct CheckpointKey(SigningKey);

impl std::fmt::Debug for CheckpointKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CheckpointKey").field(&self.public_key()).finish()
    }
}

impl CheckpointKey {
    /// From the 32-byte seed, as 64 hexadecimal digits.
    pub fn from_hex(seed: &str) -> Result<Self, &'static str> {
        let bytes: [u8; 32] = unhex(seed.trim())
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or("the signing key must be 64 hexadecimal digits (a 32-byte Ed25519 seed)")?;
        Ok(Self(SigningKey::from_bytes(&bytes)))
    }

    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self(SigningKey::from_bytes(&seed))
    }

    pub fn seed_hex(&self) -> String {
        hex(&self.0.to_bytes())
    }

    pub fn public_key(&self) -> String {
        hex(self.0.verifying_key().as_bytes())
    }

    /// The checkpoint of `heads`, made at `at`.
    pub fn sign(&self, id: uuid::Uuid, at: DateTime<Utc>, mut heads: Vec<Head>) -> Checkpoint {
        heads.sort_by(|a, b| a.topic.as_bytes().cmp(b.topic.as_bytes()));
        let digest = digest_of(&heads);
        let digest_bytes = unhex(&digest).unwrap_or_default();
        let signature = hex(&self.0.sign(&digest_bytes).to_bytes());
        Checkpoint { id, at, heads, digest, signature, public_key: self.public_key() }
    }
}

/// What is wrong with a checkpoint on its own, before the record is asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointFault {
    #[error("its digest is not the digest of its heads")]
    Digest,
    #[error("its signature is not valid for its public key")]
    Signature,
    #[error("it was signed by another key ({0}), not this deployment's")]
    ForeignKey(String),
}

/// Checks the digest, the signature and that `expected_key` signed it.
pub fn check(checkpoint: &Checkpoint, expected_key: &str) -> Result<(), CheckpointFault> {
    if digest_of(&checkpoint.heads) != checkpoint.digest {
        return Err(CheckpointFault::Digest);
    }
    if !checkpoint.public_key.eq_ignore_ascii_case(expected_key) {
        return Err(CheckpointFault::ForeignKey(checkpoint.public_key.clone()));
    }
    let key = unhex(&checkpoint.public_key)
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .and_then(|bytes| VerifyingKey::from_bytes(&bytes).ok())
        .ok_or(CheckpointFault::Signature)?;
    let signature = unhex(&checkpoint.signature)
        .and_then(|bytes| <[u8; 64]>::try_from(bytes).ok())
        .map(|bytes| Signature::from_bytes(&bytes))
        .ok_or(CheckpointFault::Signature)?;
    let digest = unhex(&checkpoint.digest).ok_or(CheckpointFault::Digest)?;
    key.verify(&digest, &signature).map_err(|_| CheckpointFault::Signature)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 || !text.is_ascii() {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

#[cfg(test)]
#[path = "checkpoint_tests.rs"]
mod tests;
