//! What each person wants to hear, and how: per kind of notification, not at
//! all, in the app, by mail at once, or in the day's digest; and in which
//! language Minga writes to them. Unset kinds follow `default_delivery`.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use super::lang::Lang;
use super::local_time::ECUADOR_OFFSET_SECONDS;
use super::notification::NoticeKind;
use super::string_enum::string_enum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    /// Not recorded at all.
    Off,
    /// In the inbox only.
    App,
    /// In the inbox and by mail at once.
    Email,
    /// In the inbox and in the daily digest, if still unread then.
    Digest,
}
string_enum!(Delivery { Off => "off", App => "app", Email => "email", Digest => "digest" });

/// Decisions with a deadline reach people by mail at once (an organization
/// that only reads its mail must not miss a vote); conversation waits for
/// the digest; the secretariat's queue stays in the app.
pub fn default_delivery(kind: NoticeKind) -> Delivery {
    match kind {
        NoticeKind::BallotOpened | NoticeKind::BallotReminder | NoticeKind::BallotClosed => Delivery::Email,
        NoticeKind::SessionConvened => Delivery::Email,
        NoticeKind::DocumentPhase => Delivery::Email,
        NoticeKind::CommentReply | NoticeKind::CommentMention | NoticeKind::ProposalStatus => Delivery::Digest,
        NoticeKind::FlagCreated => Delivery::App,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preferences {
    pub lang: Lang,
    /// Only the kinds the person chose; the others take the default.
    pub chosen: BTreeMap<NoticeKind, Delivery>,
}

impl Preferences {
    pub fn delivery(&self, kind: NoticeKind) -> Delivery {
        self.chosen.get(&kind).copied().unwrap_or_else(|| default_delivery(kind))
    }

    /// What a mail's unsubscribe link does: that kind stays in the app, no
    /// longer by mail (a kind already off stays off).
    pub fn stop_mail(&mut self, kind: NoticeKind) {
        if self.delivery(kind) != Delivery::Off {
            self.chosen.insert(kind, Delivery::App);
        }
    }

    /// Every kind with how it is delivered, as the API shows it.
    pub fn all(&self) -> BTreeMap<&'static str, Delivery> {
        NoticeKind::ALL.iter().map(|kind| (kind.as_str(), self.delivery(*kind))).collect()
    }

    /// The stored form of `chosen`: `{"ballot.opened":"email",...}`.
    pub fn chosen_json(&self) -> String {
        let map: BTreeMap<&str, &str> = self.chosen.iter().map(|(k, d)| (k.as_str(), d.as_str())).collect();
        serde_json::to_string(&map).unwrap_or_else(|_| "{}".to_owned())
    }

    /// Reads the stored form; unknown kinds or words (from a newer or older
    /// release) are skipped, so they fall back to the default.
    pub fn from_stored(lang: &str, chosen: &str) -> Preferences {
        let map: BTreeMap<String, String> = serde_json::from_str(chosen).unwrap_or_default();
        Preferences {
            lang: Lang::parse(lang).unwrap_or_default(),
            chosen: map
                .iter()
                .filter_map(|(kind, delivery)| Some((NoticeKind::parse(kind)?, Delivery::parse(delivery)?)))
                .collect(),
        }
    }
}

/// The local time at which the day's digest goes out (America/Guayaquil).
pub const DIGEST_AT: (u32, u32) = (18, 0);

/// The latest digest time at or before `now`: what was recorded up to then
/// and is still unread goes into the digest sent once `now` reaches it.
pub fn digest_cutoff(now: DateTime<Utc>) -> DateTime<Utc> {
    let Some(offset) = FixedOffset::east_opt(ECUADOR_OFFSET_SECONDS) else { return now };
    let today = now
        .with_timezone(&offset)
        .date_naive()
        .and_hms_opt(DIGEST_AT.0, DIGEST_AT.1, 0)
        .and_then(|local| local.and_local_timezone(offset).single())
        .map_or(now, |at| at.with_timezone(&Utc));
    if today <= now {
        today
    } else {
        today - Duration::days(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_send_ballots_by_mail_and_conversation_by_digest() {
        let prefs = Preferences::default();
        assert_eq!(prefs.lang, Lang::Es);
        assert_eq!(prefs.delivery(NoticeKind::BallotOpened), Delivery::Email);
        assert_eq!(prefs.delivery(NoticeKind::BallotReminder), Delivery::Email);
        assert_eq!(prefs.delivery(NoticeKind::CommentReply), Delivery::Digest);
        assert_eq!(prefs.delivery(NoticeKind::CommentMention), Delivery::Digest);
        assert_eq!(prefs.all().len(), NoticeKind::ALL.len());
    }

    #[test]
    fn the_stored_form_round_trips_and_skips_what_it_does_not_know() {
        let mut prefs = Preferences { lang: Lang::En, ..Preferences::default() };
        prefs.chosen.insert(NoticeKind::CommentReply, Delivery::Off);
        let again = Preferences::from_stored("en", &prefs.chosen_json());
        assert_eq!(again, prefs);
        let odd = Preferences::from_stored("fr", r#"{"comment.reply":"loud","dance":"app","flag.created":"email"}"#);
        assert_eq!(odd.lang, Lang::Es);
        assert_eq!(odd.delivery(NoticeKind::CommentReply), Delivery::Digest, "an unknown word: the default");
        assert_eq!(odd.delivery(NoticeKind::FlagCreated), Delivery::Email);
        assert_eq!(Preferences::from_stored("es", "not json"), Preferences::default());
    }

    #[test]
    fn stopping_mail_keeps_a_kind_in_the_app_and_an_off_kind_off() {
        let mut prefs = Preferences::default();
        prefs.chosen.insert(NoticeKind::CommentReply, Delivery::Off);
        prefs.stop_mail(NoticeKind::BallotOpened);
        prefs.stop_mail(NoticeKind::CommentReply);
        assert_eq!(prefs.delivery(NoticeKind::BallotOpened), Delivery::App);
        assert_eq!(prefs.delivery(NoticeKind::CommentReply), Delivery::Off);
        assert_eq!(prefs.delivery(NoticeKind::BallotClosed), Delivery::Email, "only that kind");
    }

    #[test]
    fn the_digest_cutoff_is_the_last_six_in_the_evening_in_ecuador() {
        let at = |text: &str| text.parse::<DateTime<Utc>>().unwrap_or_default();
        // 18:00 in Guayaquil is 23:00 UTC (no daylight saving time).
        assert_eq!(digest_cutoff(at("2026-12-07T23:00:00Z")), at("2026-12-07T23:00:00Z"));
        assert_eq!(digest_cutoff(at("2026-12-07T22:59:59Z")), at("2026-12-06T23:00:00Z"));
        assert_eq!(digest_cutoff(at("2026-12-08T03:00:00Z")), at("2026-12-07T23:00:00Z"), "after midnight UTC");
        assert_eq!(digest_cutoff(at("2026-12-08T12:00:00Z")), at("2026-12-07T23:00:00Z"));
    }
}
