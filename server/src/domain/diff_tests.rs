use std::collections::HashMap;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use uuid::Uuid;

use super::*;

fn op(op: DiffTag, text: &str) -> DiffOp {
    DiffOp { op, text: text.to_owned() }
}
fn eq(text: &str) -> DiffOp {
    op(DiffTag::Equal, text)
}
fn ins(text: &str) -> DiffOp {
    op(DiffTag::Insert, text)
}
fn del(text: &str) -> DiffOp {
    op(DiffTag::Delete, text)
}

/// The text on one side of a diff: `Equal` plus `Delete` for the old side,
/// `Equal` plus `Insert` for the new one.
fn side(ops: &[DiffOp], other: DiffTag) -> String {
    ops.iter().filter(|o| o.op == DiffTag::Equal || o.op == other).map(|o| o.text.as_str()).collect()
}

fn assert_well_formed(old: &str, new: &str, ops: &[DiffOp]) {
    assert_eq!(side(ops, DiffTag::Delete), old, "old side does not reconstruct");
    assert_eq!(side(ops, DiffTag::Insert), new, "new side does not reconstruct");
    assert!(ops.iter().all(|o| !o.text.is_empty()), "empty op in {ops:?}");
    for pair in ops.windows(2) {
        assert_ne!(pair[0].op, pair[1].op, "neighbours share a tag in {ops:?}");
        assert!(!(pair[0].op == DiffTag::Insert && pair[1].op == DiffTag::Delete), "insert before delete in {ops:?}");
    }
}

fn changed_chars(ops: &[DiffOp]) -> usize {
    ops.iter().filter(|o| o.op != DiffTag::Equal).map(|o| o.text.chars().count()).sum()
}

fn tokens(text: &str) -> Vec<&str> {
    token_cuts(text).windows(2).map(|c| &text[c[0]..c[1]]).collect()
}

#[test]
fn ops_serialize_as_op_and_text() {
    let json = serde_json::to_value(word_diff("a", "b")).unwrap();
    assert_eq!(json, serde_json::json!([{"op": "delete", "text": "a"}, {"op": "insert", "text": "b"}]));
    let back: Vec<DiffOp> = serde_json::from_value(json).unwrap();
    assert_eq!(back, vec![del("a"), ins("b")]);
}

#[test]
fn tokens_are_words_whitespace_runs_and_single_marks() {
    assert_eq!(
        tokens("¿Qué  año? La niña, sub-comisión d'Alembert -x 3,5"),
        vec![
            "¿",
            "Qué",
            "  ",
            "año",
            "?",
            " ",
            "La",
            " ",
            "niña",
            ",",
            " ",
            "sub-comisión",
            " ",
            "d'Alembert",
            " ",
            "-",
            "x",
            " ",
            "3",
            ",",
            "5"
        ]
    );
    // A joiner only joins when a letter follows it.
    assert_eq!(tokens("socio- y socia"), vec!["socio", "-", " ", "y", " ", "socia"]);
    // Decomposed accents (n + U+0303) stay inside the word.
    assert_eq!(tokens("an\u{303}o nuevo"), vec!["an\u{303}o", " ", "nuevo"]);
    assert_eq!(tokens("a\n\n b"), vec!["a", "\n\n ", "b"]);
    assert!(tokens("").is_empty());
}

#[test]
fn the_assembly_example_shows_only_the_changed_words() {
    let ops = word_diff("La asamblea se reunirá cada año.", "La asamblea general se reunirá cada seis meses.");
    assert_eq!(
        ops,
        vec![eq("La asamblea "), ins("general "), eq("se reunirá cada "), del("año"), ins("seis meses"), eq(".")]
    );
}

#[test]
fn a_removed_word_takes_its_following_space() {
    let ops = word_diff("La asamblea general se reunirá.", "La asamblea se reunirá.");
    assert_eq!(ops, vec![eq("La asamblea "), del("general "), eq("se reunirá.")]);
}

#[test]
fn a_moved_comma_is_a_small_change() {
    let ops = word_diff("Los miembros, reunidos en asamblea, deciden.", "Los miembros reunidos en asamblea deciden.");
    assert_eq!(ops, vec![eq("Los miembros"), del(","), eq(" reunidos en asamblea"), del(","), eq(" deciden.")]);
}

#[test]
fn an_item_added_to_a_list_reads_as_the_item_and_its_comma() {
    let ops = word_diff("migrantes, refugiados", "migrantes, desplazados, refugiados");
    assert_eq!(ops, vec![eq("migrantes, "), ins("desplazados, "), eq("refugiados")]);
}

#[test]
fn accented_words_change_as_whole_words() {
    let ops = word_diff("El niño y la niña.", "El niño y las niñas.");
    assert_eq!(ops, vec![eq("El niño y "), del("la niña"), ins("las niñas"), eq(".")]);
}

#[test]
fn identical_and_empty_inputs() {
    assert_eq!(word_diff("", ""), vec![]);
    assert_eq!(word_diff("Artículo único.", "Artículo único."), vec![eq("Artículo único.")]);
    assert_eq!(word_diff("", "Nuevo texto."), vec![ins("Nuevo texto.")]);
    assert_eq!(word_diff("Texto viejo.", ""), vec![del("Texto viejo.")]);
}

#[test]
fn a_stretch_without_anchors_beyond_the_bounds_is_replaced_whole() {
    let bounds = Bounds { direct: 4, depth: 3 };
    let ops = diff_within("x a a a a y", "x b b b b y", bounds);
    assert_eq!(ops, vec![eq("x "), del("a a a a"), ins("b b b b"), eq(" y")]);
    // With anchors the same bounds still find the small changes.
    let ops = diff_within("uno dos tres cuatro cinco", "uno DOS tres cuatro CINCO", bounds);
    assert_eq!(ops, vec![eq("uno "), del("dos"), ins("DOS"), eq(" tres cuatro "), del("cinco"), ins("CINCO")]);
}

#[test]
fn longest_increasing_keeps_the_largest_uncrossed_set() {
    assert_eq!(longest_increasing(&[(0, 3), (1, 0), (2, 1), (3, 4), (4, 2)]), vec![(1, 0), (2, 1), (4, 2)]);
    assert_eq!(longest_increasing(&[]), vec![]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn diffs_of_similar_spanish_text_are_well_formed(
        old in "[aeoñá ,.\n]{0,40}", new in "[aeoñá ,.\n]{0,40}",
    ) {
        assert_well_formed(&old, &new, &word_diff(&old, &new));
    }

    #[test]
    fn diffs_of_any_text_are_well_formed(old in "\\PC{0,30}", new in "\\PC{0,30}") {
        assert_well_formed(&old, &new, &word_diff(&old, &new));
    }

    #[test]
    fn diffs_stay_well_formed_when_the_bounds_force_anchors_and_fallbacks(
        old in "[ab c.]{0,60}", new in "[ab c.]{0,60}", direct in 0usize..12, depth in 0u32..4,
    ) {
        assert_well_formed(&old, &new, &diff_within(&old, &new, Bounds { direct, depth }));
    }

    #[test]
    fn identical_texts_give_one_equal_op(text in "\\PC{0,30}") {
        let expected = if text.is_empty() { vec![] } else { vec![eq(&text)] };
        prop_assert_eq!(word_diff(&text, &text), expected);
    }
}

fn words_strategy(len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<String>> {
    let word = prop_oneof![
        4 => proptest::sample::select(WORDS).prop_map(str::to_owned),
        1 => proptest::sample::select(&[" ", ", ", ". ", "\n\n", "-", "’"][..]).prop_map(str::to_owned),
    ];
    proptest::collection::vec(word, len)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Texts long enough to go through the anchor search with the real bounds.
    #[test]
    fn diffs_of_long_edited_texts_are_well_formed(
        words in words_strategy(300..900),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0..3u8, proptest::sample::select(WORDS)), 0..40),
    ) {
        let old: String = words.join(" ");
        let mut edited = words.clone();
        for (at, kind, word) in edits {
            let at = at.index(edited.len());
            match kind {
                0 => edited[at] = word.to_owned(),
                1 => edited.insert(at, word.to_owned()),
                _ => drop(edited.remove(at)),
            }
        }
        let new = edited.join(" ");
        assert_well_formed(&old, &new, &word_diff(&old, &new));
    }
}

// --- document_diff ---------------------------------------------------------

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn article(n: u128, number: u32, title: &'static str, body: &'static str) -> SectionText<'static> {
    SectionText { id: id(n), kind: SectionKind::Article, number, title, body }
}

fn summary(diffs: &[SectionDiff]) -> Vec<(u128, Change, Option<u32>, Option<u32>)> {
    diffs.iter().map(|d| (d.section_id.as_u128(), d.change, d.from_number, d.to_number)).collect()
}

#[test]
fn sections_are_added_removed_changed_unchanged_and_renumbered() {
    let chapter = SectionText { id: id(9), kind: SectionKind::Chapter, number: 1, title: "Principios", body: "" };
    let from =
        [chapter, article(1, 1, "Nombre", "Foro."), article(2, 2, "Sede", "Quito."), article(3, 3, "Fines", "A.")];
    let to =
        [chapter, article(4, 1, "Objeto", "B."), article(1, 2, "Nombre", "Foro."), article(3, 3, "Fines", "A y B.")];
    let diffs = document_diff(&from, &to);
    assert_eq!(
        summary(&diffs),
        vec![
            (9, Change::Unchanged, Some(1), Some(1)),
            (4, Change::Added, None, Some(1)),
            (1, Change::Unchanged, Some(1), Some(2)),
            (2, Change::Removed, Some(2), None),
            (3, Change::Changed, Some(3), Some(3)),
        ]
    );
    assert_eq!(diffs[0].kind, SectionKind::Chapter);
    assert_eq!(diffs[0].title, vec![eq("Principios")]);
    assert_eq!(diffs[0].body, vec![]);
    assert_eq!((diffs[1].title.clone(), diffs[1].body.clone()), (vec![ins("Objeto")], vec![ins("B.")]));
    assert_eq!((diffs[2].title.clone(), diffs[2].body.clone()), (vec![eq("Nombre")], vec![eq("Foro.")]));
    assert_eq!((diffs[3].title.clone(), diffs[3].body.clone()), (vec![del("Sede")], vec![del("Quito.")]));
    assert_eq!(diffs[4].body, vec![eq("A"), ins(" y B"), eq(".")]);
}

#[test]
fn a_changed_title_alone_makes_a_section_changed() {
    let diffs = document_diff(&[article(1, 1, "Sede", "Quito.")], &[article(1, 1, "Domicilio", "Quito.")]);
    assert_eq!(diffs[0].change, Change::Changed);
    assert_eq!(diffs[0].title, vec![del("Sede"), ins("Domicilio")]);
    assert_eq!(diffs[0].body, vec![eq("Quito.")]);
}

#[test]
fn a_changed_kind_makes_a_section_changed_and_shows_the_new_kind() {
    let mut chapter = article(1, 1, "Fines", "");
    chapter.kind = SectionKind::Chapter;
    let diffs = document_diff(&[article(1, 1, "Fines", "")], &[chapter]);
    assert_eq!((diffs[0].change, diffs[0].kind), (Change::Changed, SectionKind::Chapter));
}

#[test]
fn removed_sections_follow_their_old_predecessor_in_their_old_order() {
    // from: 1 2 3 4 5 6; to: 6 4 1 7. 2 and 3 go after 1, 5 after 4.
    let from: Vec<_> = (1..=6).map(|n| article(n, n as u32, "t", "b")).collect();
    let to = [article(6, 1, "t", "b"), article(4, 2, "t", "b"), article(1, 3, "t", "b"), article(7, 4, "t", "b")];
    let order: Vec<u128> = document_diff(&from, &to).iter().map(|d| d.section_id.as_u128()).collect();
    assert_eq!(order, vec![6, 4, 5, 1, 2, 3, 7]);
}

#[test]
fn removed_sections_that_opened_the_document_open_the_diff() {
    let from = [article(1, 1, "a", ""), article(2, 2, "b", ""), article(3, 3, "c", "")];
    let to = [article(4, 1, "d", ""), article(3, 2, "c", "")];
    let diffs = document_diff(&from, &to);
    assert_eq!(
        summary(&diffs),
        vec![
            (1, Change::Removed, Some(1), None),
            (2, Change::Removed, Some(2), None),
            (4, Change::Added, None, Some(1)),
            (3, Change::Unchanged, Some(3), Some(2)),
        ]
    );
}

#[test]
fn empty_documents() {
    assert_eq!(document_diff(&[], &[]), vec![]);
    let sections = [article(1, 1, "Nombre", "Foro."), article(2, 2, "Sede", "")];
    let added = document_diff(&[], &sections);
    assert_eq!(summary(&added), vec![(1, Change::Added, None, Some(1)), (2, Change::Added, None, Some(2))]);
    assert_eq!(added[1].body, vec![]);
    let removed = document_diff(&sections, &[]);
    assert_eq!(summary(&removed), vec![(1, Change::Removed, Some(1), None), (2, Change::Removed, Some(2), None)]);
    assert_eq!(removed[0].title, vec![del("Nombre")]);
}

#[test]
fn identical_documents_are_all_unchanged() {
    let sections = [article(1, 1, "Nombre", "El Foro."), article(2, 2, "", "")];
    let diffs = document_diff(&sections, &sections);
    assert_eq!(
        summary(&diffs),
        vec![(1, Change::Unchanged, Some(1), Some(1)), (2, Change::Unchanged, Some(2), Some(2))]
    );
    assert_eq!((diffs[0].title.clone(), diffs[0].body.clone()), (vec![eq("Nombre")], vec![eq("El Foro.")]));
    assert_eq!((diffs[1].title.clone(), diffs[1].body.clone()), (vec![], vec![]));
}

#[test]
fn a_repeated_id_is_still_accounted_for() {
    let from = [article(1, 1, "a", ""), article(1, 2, "b", "")];
    let to = [article(1, 1, "a", ""), article(1, 2, "c", "")];
    let changes: Vec<Change> = document_diff(&from, &to).iter().map(|d| d.change).collect();
    assert_eq!(changes, vec![Change::Unchanged, Change::Removed, Change::Added]);
}

#[test]
fn section_diffs_serialize_in_snake_case() {
    let diffs = document_diff(&[], &[article(1, 1, "Sede", "")]);
    let json = serde_json::to_value(&diffs[0]).unwrap();
    assert_eq!(json["change"], "added");
    assert_eq!(json["kind"], "article");
    assert_eq!(json["from_number"], serde_json::Value::Null);
    assert_eq!(json["title"], serde_json::json!([{"op": "insert", "text": "Sede"}]));
}

/// One section in two versions: whether it is in each, where, and its text in each.
type Versions = (bool, bool, u8, u8, String, String, String, String);

fn versions() -> impl Strategy<Value = Vec<Versions>> {
    let text = "[ab .]{0,8}";
    proptest::collection::vec((any::<bool>(), any::<bool>(), any::<u8>(), any::<u8>(), text, text, text, text), 0..12)
}

fn arrange(pool: &[Versions], old: bool) -> Vec<SectionText<'_>> {
    let mut picked: Vec<(u8, usize)> = pool
        .iter()
        .enumerate()
        .filter(|(_, v)| if old { v.0 } else { v.1 })
        .map(|(i, v)| (if old { v.2 } else { v.3 }, i))
        .collect();
    picked.sort_unstable();
    picked
        .iter()
        .enumerate()
        .map(|(position, &(_, i))| {
            let v = &pool[i];
            let (title, body) = if old { (&v.4, &v.6) } else { (&v.5, &v.7) };
            let kind = if i % 3 == 0 { SectionKind::Chapter } else { SectionKind::Article };
            SectionText { id: id(i as u128), kind, number: position as u32 + 1, title, body }
        })
        .collect()
}

proptest! {
    #[test]
    fn every_section_appears_once_and_both_versions_reconstruct(pool in versions()) {
        let (from, to) = (arrange(&pool, true), arrange(&pool, false));
        let diffs = document_diff(&from, &to);
        let by_id = |list: &[SectionText<'_>]| -> HashMap<Uuid, (usize, String, String)> {
            list.iter().enumerate().map(|(i, s)| (s.id, (i, s.title.to_owned(), s.body.to_owned()))).collect()
        };
        let (old, new) = (by_id(&from), by_id(&to));

        let mut seen: Vec<Uuid> = diffs.iter().map(|d| d.section_id).collect();
        seen.sort_unstable();
        let mut expected: Vec<Uuid> = old.keys().chain(new.keys()).copied().collect();
        expected.sort_unstable();
        expected.dedup();
        prop_assert_eq!(seen, expected);

        // Leaving out the removed sections gives `to` in its order.
        let kept: Vec<Uuid> = diffs.iter().filter(|d| d.change != Change::Removed).map(|d| d.section_id).collect();
        prop_assert_eq!(kept, to.iter().map(|s| s.id).collect::<Vec<_>>());

        for (at, d) in diffs.iter().enumerate() {
            let was = old.get(&d.section_id);
            let is = new.get(&d.section_id);
            let texts = |v: Option<&(usize, String, String)>| v.map_or((String::new(), String::new()), |v| (v.1.clone(), v.2.clone()));
            let (was_text, is_text) = (texts(was), texts(is));
            prop_assert_eq!((side(&d.title, DiffTag::Delete), side(&d.body, DiffTag::Delete)), was_text.clone());
            prop_assert_eq!((side(&d.title, DiffTag::Insert), side(&d.body, DiffTag::Insert)), is_text.clone());
            assert_well_formed(&was_text.0, &is_text.0, &d.title);
            assert_well_formed(&was_text.1, &is_text.1, &d.body);
            prop_assert_eq!(d.from_number, was.map(|v| v.0 as u32 + 1));
            prop_assert_eq!(d.to_number, is.map(|v| v.0 as u32 + 1));
            let same_kind = was.is_some() && is.is_some();
            let expected = match (was, is) {
                (Some(_), None) => Change::Removed,
                (None, _) => Change::Added,
                _ if same_kind && was_text == is_text => Change::Unchanged,
                _ => Change::Changed,
            };
            prop_assert_eq!(d.change, expected);
            // A removed section sits right after its predecessor in `from`.
            if let (Change::Removed, Some(&(position, _, _))) = (d.change, was) {
                match position.checked_sub(1) {
                    Some(before) => prop_assert_eq!(diffs[at - 1].section_id, from[before].id),
                    None => prop_assert_eq!(at, 0),
                }
            }
        }
    }
}

// --- large inputs ----------------------------------------------------------

/// A small deterministic generator, so the large cases are the same every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

const WORDS: &[&str] = &[
    "la",
    "el",
    "de",
    "del",
    "los",
    "las",
    "y",
    "en",
    "que",
    "por",
    "para",
    "con",
    "se",
    "su",
    "sus",
    "una",
    "un",
    "asamblea",
    "foro",
    "organización",
    "organizaciones",
    "miembros",
    "miembro",
    "secretaría",
    "técnica",
    "conjunta",
    "movilidad",
    "humana",
    "personas",
    "migrantes",
    "refugiadas",
    "derechos",
    "Ecuador",
    "estatuto",
    "artículo",
    "capítulo",
    "votación",
    "mayoría",
    "quórum",
    "reunirá",
    "podrá",
    "deberá",
    "será",
    "año",
    "meses",
    "sesión",
    "ordinaria",
    "extraordinaria",
    "convocatoria",
    "delegado",
    "delegada",
    "observadoras",
    "acuerdo",
    "resolución",
    "propuesta",
    "reforma",
    "aprobación",
    "vigencia",
    "participación",
    "niñas",
    "niños",
    "adolescentes",
    "género",
    "interculturalidad",
    "protección",
    "integración",
    "coordinación",
    "cooperación",
    "instituciones",
    "públicas",
];

/// At least `chars` characters of charter-like prose: sentences of common
/// words, commas, the odd number, paragraphs.
fn prose(seed: u64, chars: usize, words: &[&str]) -> Vec<String> {
    let mut rng = Rng(seed);
    let mut pieces: Vec<String> = Vec::new();
    let mut len = 0;
    let mut push = |piece: String| {
        len += piece.chars().count();
        pieces.push(piece);
        len
    };
    while push(String::new()) < chars {
        let sentence = 6 + rng.below(20);
        for w in 0..sentence {
            push(match rng.below(40) {
                0 => (1 + rng.below(500)).to_string(),
                _ => words[rng.below(words.len())].to_owned(),
            });
            push(match (w + 1 == sentence, rng.below(8)) {
                (true, _) => ".".into(),
                (false, 0) => ", ".into(),
                (false, _) => " ".into(),
            });
        }
        push(if rng.below(5) == 0 { "\n\n".into() } else { " ".into() });
    }
    pieces.retain(|piece| !piece.is_empty());
    pieces
}

/// `count` scattered edits: words replaced, inserted, dropped, commas added.
fn edit(pieces: &[String], seed: u64, count: usize, words: &[&str]) -> Vec<String> {
    let mut rng = Rng(seed);
    let mut edited = pieces.to_vec();
    for _ in 0..count {
        let at = rng.below(edited.len());
        match rng.below(4) {
            0 => edited[at] = words[rng.below(words.len())].to_owned(),
            1 => edited.insert(at, format!("{} ", words[rng.below(words.len())])),
            2 => drop(edited.remove(at)),
            _ => edited.insert(at, ",".into()),
        }
    }
    edited
}

fn timed(name: &str, old: &str, new: &str) -> (Vec<DiffOp>, Duration) {
    let started = Instant::now();
    let ops = word_diff(old, new);
    let took = started.elapsed();
    eprintln!("{name}: {} vs {} chars, {} ops, {took:?}", old.chars().count(), new.chars().count(), ops.len());
    assert_well_formed(old, new, &ops);
    // Debug builds are many times slower; the bound that matters is for release.
    if !cfg!(debug_assertions) {
        assert!(took < Duration::from_millis(500), "{name} took {took:?}");
    }
    (ops, took)
}

#[test]
fn large_mostly_similar_articles_diff_quickly_and_finely() {
    let old = prose(1, 100_000, WORDS);
    let new = edit(&old, 2, 100, WORDS);
    let (old, new) = (old.concat(), new.concat());
    let (ops, _) = timed("100k mostly similar", &old, &new);
    // About 100 edits of a word or two each: a few thousand characters at most.
    assert!(changed_chars(&ops) < 3_000, "{} changed characters", changed_chars(&ops));
}

#[test]
fn large_mostly_similar_repetitive_articles_diff_finely() {
    // Five words only: no single word is unique, so anchors must be phrases.
    let words = &["de", "la", "asamblea", "foro", "y"];
    let old = prose(3, 100_000, words);
    let new = edit(&old, 4, 100, words);
    let (old, new) = (old.concat(), new.concat());
    let (ops, _) = timed("100k mostly similar, five-word vocabulary", &old, &new);
    assert!(changed_chars(&ops) < 5_000, "{} changed characters", changed_chars(&ops));
}

#[test]
fn large_unrelated_articles_diff_quickly() {
    let (old, new) = (prose(5, 100_000, WORDS).concat(), prose(6, 100_000, WORDS).concat());
    timed("100k unrelated, same vocabulary", &old, &new);
}

#[test]
fn large_articles_with_nothing_in_common_diff_quickly() {
    let old: String = prose(7, 100_000, WORDS).concat();
    // Upper-case words and tildes for everything else: not one token in common.
    let new: String =
        prose(8, 100_000, WORDS).concat().chars().map(|c| if c.is_alphabetic() { c } else { '~' }).collect();
    let new = new.to_uppercase();
    let (ops, _) = timed("100k nothing in common", &old, &new);
    assert_eq!(ops, vec![del(&old), ins(&new)]);
}

#[test]
fn a_large_global_rename_diffs_quickly() {
    let old = prose(9, 100_000, WORDS).concat();
    let new = old.replace("asamblea", "Asamblea General");
    let (ops, _) = timed("100k global rename", &old, &new);
    // Every change is a renamed word: nothing else is deleted or inserted.
    let renames = old.matches("asamblea").count();
    let texts = |tag| ops.iter().filter(|o| o.op == tag).map(|o| o.text.as_str()).collect::<Vec<_>>().join(" ");
    let (deleted, inserted) = (texts(DiffTag::Delete), texts(DiffTag::Insert));
    assert_eq!(deleted.split_whitespace().collect::<Vec<_>>(), vec!["asamblea"; renames]);
    assert_eq!(inserted.split_whitespace().collect::<Vec<_>>(), ["Asamblea", "General"].repeat(renames));
}

#[test]
fn the_worst_case_for_the_exact_algorithm_stays_fast() {
    // Unique anchors every few hundred words, and between them words that
    // never match: every stretch goes to the exact algorithm at its largest
    // size, where it has the most work to do.
    let (mut old, mut new) = (String::new(), String::new());
    for block in 0.. {
        if old.chars().count() >= 100_000 {
            break;
        }
        let anchor = format!("ancla{block} ");
        old.push_str(&anchor);
        new.push_str(&anchor);
        for i in 0..BOUNDS.direct / 4 {
            old.push_str(if (i + block) % 3 == 0 { "a " } else { "b " });
            new.push_str(if (i + block) % 3 == 0 { "c " } else { "d " });
        }
    }
    timed("100k worst case for the exact algorithm", &old, &new);
}
