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
    let mut check = ChainCheck::default();
    links.into_iter().find_map(|(link, stored)| check.push(&link, stored).err())
}

/// A chain checked a page at a time, so a long topic is never held in
/// memory whole: where it has got to (the last seq and hash accepted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCheck {
    pub seq: i64,
    pub hash: String,
}

impl Default for ChainCheck {
    fn default() -> Self {
        ChainCheck { seq: 0, hash: GENESIS.to_owned() }
    }
}

impl ChainCheck {
    /// Accepts the next link, or says where the chain breaks: `(seq, expected)`.
    pub fn push(&mut self, link: &Link<'_>, stored: &str) -> Result<(), (i64, String)> {
        let expected = link_hash(&self.hash, link);
        if link.seq != self.seq + 1 || stored != expected {
            return Err((link.seq, expected));
        }
        self.seq = link.seq;
        self.hash = expected;
        Ok(())
    }

    /// Whether the chain ends exactly at the head read for it; if not, the
    /// seq where it breaks (a truncated tail is a break too).
    pub fn reaches(&self, head_seq: i64, head_hash: &str) -> Result<(), i64> {
        if (self.seq, self.hash.as_str()) == (head_seq, head_hash) {
            Ok(())
        } else {
            Err(self.seq + 1)
        }
    }
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
    fn a_chain_checked_in_pages_must_end_at_its_head() {
        let links = chain(&["{\"a\":1}", "{\"a\":2}"]);
        let mut check = ChainCheck::default();
        assert_eq!(check.reaches(0, GENESIS), Ok(()), "an empty topic reaches an empty head");
        for (link, hash) in &links {
            assert_eq!(check.push(link, hash), Ok(()));
        }
        assert_eq!(check.reaches(2, &links[1].1), Ok(()));
        assert_eq!(check.reaches(3, "later"), Err(3), "a truncated tail breaks where the next event is missing");
    }

    #[test]
    fn fields_cannot_slide_into_each_other() {
        let a = Link { kind: "ab", data: "c", ..link(1, "") };
        let b = Link { kind: "a", data: "bc", ..link(1, "") };
        assert_ne!(link_hash(GENESIS, &a), link_hash(GENESIS, &b));
    }
}
