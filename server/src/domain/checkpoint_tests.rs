use chrono::Utc;
use proptest::prelude::*;

use super::*;

fn key(byte: u8) -> CheckpointKey {
    CheckpointKey::from_hex(&format!("{byte:02x}").repeat(32)).expect("a seed")
}

fn heads() -> Vec<Head> {
    vec![
        Head { topic: "proposal:b".into(), seq: 3, hash: "cc".into() },
        Head { topic: "document:a".into(), seq: 7, hash: "aa".into() },
    ]
}

#[test]
fn a_signed_checkpoint_checks_and_its_heads_are_sorted() {
    let key = key(7);
    let checkpoint = key.sign(uuid::Uuid::now_v7(), Utc::now(), heads());
    assert_eq!(checkpoint.heads[0].topic, "document:a");
    assert_eq!(check(&checkpoint, &key.public_key()), Ok(()));
    assert_eq!(checkpoint.digest.len(), 64);
    assert_eq!(checkpoint.signature.len(), 128);
}

#[test]
fn the_digest_is_of_the_canonical_heads_whatever_their_order() {
    let mut reversed = heads();
    reversed.reverse();
    assert_eq!(digest_of(&heads()), digest_of(&reversed));
    let canonical = r#"[{"hash":"aa","seq":7,"topic":"document:a"},{"hash":"cc","seq":3,"topic":"proposal:b"}]"#;
    assert_eq!(digest_of(&heads()), hex(&Sha256::digest(canonical.as_bytes())));
}

#[test]
fn a_changed_head_a_forged_signature_or_another_key_is_refused() {
    let key = key(7);
    let good = key.sign(uuid::Uuid::now_v7(), Utc::now(), heads());
    let mut changed = good.clone();
    changed.heads[0].hash = "ab".into();
    assert_eq!(check(&changed, &key.public_key()), Err(CheckpointFault::Digest));
    let mut redigested = changed.clone();
    redigested.digest = digest_of(&redigested.heads);
    assert_eq!(check(&redigested, &key.public_key()), Err(CheckpointFault::Signature));
    let other = super::CheckpointKey::from_hex(&"01".repeat(32)).expect("a seed");
    let foreign = other.sign(uuid::Uuid::now_v7(), Utc::now(), heads());
    assert!(matches!(check(&foreign, &key.public_key()), Err(CheckpointFault::ForeignKey(_))));
}

#[test]
fn a_seed_must_be_32_bytes_of_hex() {
    assert!(CheckpointKey::from_hex("abc").is_err());
    assert!(CheckpointKey::from_hex(&"zz".repeat(32)).is_err());
    let seed = "0a".repeat(32);
    assert_eq!(CheckpointKey::from_hex(&seed).expect("a seed").seed_hex(), seed);
    assert!(!format!("{:?}", key(9)).contains(&"09".repeat(32)), "Debug never shows the seed");
}

proptest! {
    #[test]
    fn any_change_to_a_signed_checkpoint_is_caught(seq in 1i64..1_000_000, flip in 0usize..64) {
        let key = key(3);
        let mut checkpoint = key.sign(uuid::Uuid::now_v7(), Utc::now(), vec![Head { topic: "moderation".into(), seq, hash: "00".repeat(32) }]);
        let mut signature = checkpoint.signature.into_bytes();
        signature[flip] = if signature[flip] == b'0' { b'1' } else { b'0' };
        checkpoint.signature = String::from_utf8(signature).expect("ascii");
        prop_assert_eq!(check(&checkpoint, &key.public_key()), Err(CheckpointFault::Signature));
    }
}
