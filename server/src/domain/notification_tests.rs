use chrono::TimeZone;

use super::*;

fn people() -> Vec<(UserId, String)> {
    ["Ana", "Ana María Quishpe", "José Ñusta", "  "].iter().map(|name| (UserId::new(), (*name).to_owned())).collect()
}

#[test]
fn a_mention_is_the_longest_name_after_an_at_and_ends_with_a_word() {
    let people = people();
    let (ana, ana_maria, jose) = (people[0].0, people[1].0, people[2].0);
    assert_eq!(mentioned("Gracias @ana maría quishpe.", &people), vec![ana_maria], "case folded, longest wins");
    assert_eq!(mentioned("@Ana y @José Ñusta, ¿y @Ana otra vez?", &people), vec![ana, jose], "each person once");
    assert!(mentioned("@Anabel no está", &people).is_empty(), "a longer word is another name");
    assert!(mentioned("escriba a ana@fundacion.ec", &people).is_empty(), "an address is no mention");
    assert!(mentioned("@Nadie", &people).is_empty(), "unknown names are plain text");
    assert!(mentioned("@", &people).is_empty(), "a blank name matches nothing");
}

#[test]
fn the_latest_due_reminder_is_sent_and_the_earlier_ones_are_passed() {
    let close = Utc.with_ymd_and_hms(2026, 12, 10, 17, 0, 0).single().unwrap_or_default();
    let opened = close - Duration::days(7);
    let due = |before: Duration| due_reminders(close - before, opened, close);
    let sends = |hours: i64, passed: Vec<i64>| DueReminders { send: Some(hours), passed };
    assert_eq!(due(Duration::hours(30)), DueReminders::default(), "nothing is due a day and a quarter before");
    assert_eq!(due(Duration::hours(24)), sends(24, vec![]), "due at its moment");
    assert_eq!(due(Duration::hours(5)), sends(24, vec![]), "and until the next one");
    assert_eq!(due(Duration::hours(2)), sends(2, vec![24]), "a server down all day sends one, not two");
    assert_eq!(due(Duration::minutes(1)), sends(2, vec![24]));
    assert_eq!(due(Duration::zero()), DueReminders::default(), "a closing ballot reminds nobody");
}

#[test]
fn a_ballot_opened_inside_a_reminder_window_is_not_reminded_of_it() {
    let close = Utc.with_ymd_and_hms(2026, 12, 10, 17, 0, 0).single().unwrap_or_default();
    let opened = close - Duration::hours(3);
    let at = |before: i64| due_reminders(close - Duration::hours(before), opened, close);
    assert_eq!(at(3), DueReminders { send: None, passed: vec![24] }, "the opening told everyone");
    assert_eq!(at(2), DueReminders { send: Some(2), passed: vec![24] }, "the 2-hour one still goes");
}

#[test]
fn kinds_are_their_words_both_ways() {
    for kind in NoticeKind::ALL {
        assert_eq!(NoticeKind::parse(kind.as_str()), Some(*kind));
        assert_eq!(serde_json::to_value(kind).ok(), Some(Value::String(kind.as_str().to_owned())));
    }
}

#[test]
fn mention_candidates_match_the_start_of_any_word_of_a_name_case_aside() {
    let people = ["Ana Quishpe", "Mariana Ruiz", "Álvaro Andrade", "Beto"];
    let named = |typed: &str| mention_candidates(typed, &people, |p| p, 10).into_iter().copied().collect::<Vec<_>>();
    assert_eq!(named("an"), ["Ana Quishpe", "Álvaro Andrade"], "Mariana does not start a word with 'an'");
    assert_eq!(named("ÁL"), ["Álvaro Andrade"]);
    assert_eq!(named("ruiz"), ["Mariana Ruiz"]);
    assert!(named("").is_empty() && named("  ").is_empty());
    assert!(named("zz").is_empty());
    assert_eq!(mention_candidates("a", &people, |p| p, 1).len(), 1, "at most the limit");
}
