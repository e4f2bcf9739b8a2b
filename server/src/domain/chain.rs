//! The tamper-evident record: every event's hash covers its canonical form
//! and the previous event's hash on the same topic, so changing, removing
//! or reordering any stored event breaks the chain from there on.

use sha2::{Digest, Sha256};

/// The fields of a stored event that the hash covers, as stored.
#[derive(Debug, Clone, Copy)]
pub struct Link<'a> {
    pub topic: &'a str,
    pub seq: i64,
    pub kind: &'a str,
    /// The JSON text exactly as stored.
    pub data: &'a str,
    pub actor: Option<uuid::Uuid>,
    /// RFC 3339 with microseconds, the precision both backends keep.
    pub at: &'a str,
}

/// The hash of the first event's predecessor.
pub const GENESIS: &str = "";

/// SHA-256 (hex) over the previous hash and the event's fields, each
/// length-prefixed so no two different events share an encoding.
pub fn link_hash(previous: &str, link: &Link<'_>) -> String {
    let mut hasher = Sha256::new();
    let actor = link.actor.map(|id| id.to_string()).unwrap_or_default();
    let seq = link.seq.to_string();
    for part in [previous, link.topic, &seq, link.kind, link.data, &actor, link.at] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The first link of a topic's chain whose stored hash is not what its
/// contents and predecessor give: `(seq, expected)`. Links must be in seq
/// order starting at 1; a missing seq is a break too.
pub fn first_break<'a>(links: impl IntoIterator<Item = (Link<'a>, &'a str)>) -> Option<(i64, String)> {
    let mut previous = GENESIS.to_owned();
    for (expected_seq, (link, stored)) in (1..).zip(links) {
        let expected = link_hash(&previous, &link);
        if link.seq != expected_seq || stored != expected {
            return Some((link.seq, expected));
        }
        previous = expected;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(seq: i64, data: &'static str) -> Link<'static> {
        Link { topic: "proposal:x", seq, kind: "comment.created", data, actor: None, at: "2026-11-29T10:00:00.000000Z" }
    }

    fn chain(datas: &[&'static str]) -> Vec<(Link<'static>, String)> {
        let mut previous = GENESIS.to_owned();
        datas
            .iter()
            .enumerate()
            .map(|(i, data)| {
                let l = link(i as i64 + 1, data);
                previous = link_hash(&previous, &l);
                (l, previous.clone())
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies_and_any_change_breaks_it_there() {
        let links = chain(&["{\"a\":1}", "{\"a\":2}", "{\"a\":3}"]);
        assert_eq!(first_break(links.iter().map(|(l, h)| (*l, h.as_str()))), None);
        let mut edited = links.clone();
        edited[1].0.data = "{\"a\":9}";
        assert_eq!(first_break(edited.iter().map(|(l, h)| (*l, h.as_str()))).map(|b| b.0), Some(2));
        let mut removed = links.clone();
        removed.remove(1);
        assert_eq!(first_break(removed.iter().map(|(l, h)| (*l, h.as_str()))).map(|b| b.0), Some(3));
        let mut rehashed = links;
        rehashed[0].1 = "0".repeat(64);
        assert_eq!(first_break(rehashed.iter().map(|(l, h)| (*l, h.as_str()))).map(|b| b.0), Some(1));
    }

    #[test]
    fn fields_cannot_slide_into_each_other() {
        let a = Link { kind: "ab", data: "c", ..link(1, "") };
        let b = Link { kind: "a", data: "bc", ..link(1, "") };
        assert_ne!(link_hash(GENESIS, &a), link_hash(GENESIS, &b));
    }
}
