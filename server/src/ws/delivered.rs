//! What one connection has sent of each topic it follows: the last seq, so
//! an event arriving twice (live and in the replay) is written once.
//!
//! Looked up for every frame written, so it is a short list, not a hash
//! map: a connection follows a handful of topics, and the hub hands out the
//! same shared name for a topic with every event, so the lookup is mostly a
//! pointer comparison instead of hashing and comparing the whole name.

use std::sync::Arc;

#[derive(Debug, Default)]
pub struct Delivered {
    topics: Vec<(Arc<str>, i64)>,
}

impl Delivered {
    fn position(&self, topic: &str) -> Option<usize> {
        self.topics.iter().position(|(name, _)| std::ptr::eq::<str>(&**name, topic) || **name == *topic)
    }

    /// Starts following `topic`, everything up to `last` already sent.
    pub fn follow(&mut self, topic: Arc<str>, last: i64) {
        match self.position(&topic) {
            Some(at) => self.topics[at] = (topic, last),
            None => self.topics.push((topic, last)),
        }
    }

    /// Stops following `topic`; tells whether it was followed.
    pub fn unfollow(&mut self, topic: &str) -> bool {
        self.position(topic).map(|at| self.topics.swap_remove(at)).is_some()
    }

    /// Records `seq` as sent and says so if it is new on a followed topic;
    /// `false` for a duplicate, an old seq, or a topic not followed.
    pub fn advance(&mut self, topic: &str, seq: i64) -> bool {
        let Some(at) = self.position(topic) else { return false };
        let last = &mut self.topics[at].1;
        if seq <= *last {
            return false;
        }
        *last = seq;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_new_seqs_of_followed_topics_pass() {
        let mut delivered = Delivered::default();
        let shared: Arc<str> = Arc::from("proposal:a");
        assert!(!delivered.advance("proposal:a", 1), "not followed yet");
        delivered.follow(shared.clone(), 3);
        assert!(!delivered.advance(&shared, 3), "already sent by the replay");
        assert!(delivered.advance(&shared, 4));
        assert!(!delivered.advance(&shared, 4), "a duplicate");
        // Another allocation of the same name is the same topic.
        assert!(delivered.advance(&String::from("proposal:a"), 5));
        assert!(!delivered.advance("proposal:b", 9));
        assert!(delivered.unfollow("proposal:a"));
        assert!(!delivered.unfollow("proposal:a"));
        assert!(!delivered.advance(&shared, 6), "no longer followed");
    }

    #[test]
    fn following_again_resets_the_last_seq() {
        let mut delivered = Delivered::default();
        delivered.follow(Arc::from("moderation"), 10);
        delivered.follow(Arc::from("moderation"), 2);
        assert!(delivered.advance("moderation", 3));
        assert!(delivered.unfollow("moderation"));
        assert!(!delivered.unfollow("moderation"), "followed once, not twice");
    }
}
