//! Word-level diffs of charter text, and the section-by-section comparison of
//! two versions of a charter. Pure: no I/O.
//!
//! Delegates read these diffs to see what a proposal or a new version changes,
//! so text is compared as words, runs of whitespace and single punctuation
//! marks: a changed comma shows as a changed comma, not as a rewritten line.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use similar::Algorithm;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DiffTag {
    Equal,
    Insert,
    Delete,
}

/// One piece of a word diff, `{"op": "equal"|"insert"|"delete", "text": "..."}` on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DiffOp {
    pub op: DiffTag,
    pub text: String,
}

/// Compares two texts word by word.
///
/// The result reads in order: the `Equal` and `Delete` texts concatenated give
/// `old`, the `Equal` and `Insert` texts give `new`. No piece is empty, no two
/// neighbours share a tag, and where text was replaced the `Delete` comes first.
/// A long stretch with nothing in common may come back as one deletion and one
/// insertion rather than word by word (see `Bounds`).
pub fn word_diff(old: &str, new: &str) -> Vec<DiffOp> {
    diff_within(old, new, BOUNDS)
}

/// Limits that keep a diff of two 100,000-character articles fast and small in
/// memory. An exact diff costs length times number of differences, quadratic
/// for unrelated texts; so it only runs on stretches of at most `direct` tokens,
/// and longer ones are first cut at words (or phrases) found exactly once on
/// each side. A stretch still uncut after `depth` rounds is shown as deleted
/// and reinserted whole: coarser, but correct, and always the same answer for
/// the same input, which a wall-clock deadline would not give.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    direct: usize,
    depth: u32,
}

const BOUNDS: Bounds = Bounds { direct: 1_000, depth: 16 };

/// Anchor lengths in tokens, tried in turn. Single words come first because
/// they give the finest cut; repetitive text, where few words are unique, still
/// has unique phrases of a few words.
const ANCHOR_WIDTHS: [usize; 3] = [1, 4, 16];

/// Signs that may sit inside a word ("sub-comisión", "d'Alembert") when a
/// letter or digit follows, so a hyphenated word changes as one unit.
const JOINERS: [char; 4] = ['-', '\u{2010}', '\'', '\u{2019}'];

fn diff_within(old: &str, new: &str, bounds: Bounds) -> Vec<DiffOp> {
    if old == new {
        // Cheap and common: most sections of two versions are untouched.
        return if old.is_empty() { Vec::new() } else { vec![DiffOp { op: DiffTag::Equal, text: old.to_owned() }] };
    }
    let (old_cuts, new_cuts) = (token_cuts(old), token_cuts(new));
    // Comparing small integers is much cheaper than comparing strings, and the
    // anchor search needs hashable tokens anyway.
    let mut ids = HashMap::new();
    let a = intern(old, &old_cuts, &mut ids);
    let b = intern(new, &new_cuts, &mut ids);
    // The zero-length run at the start gives `slide` a left neighbour for an
    // edit at the very beginning.
    let mut runs = vec![Run::default()];
    align(&a, &b, (0, 0), 0, bounds, &mut runs);
    slide(&mut runs, &a, &b);
    render(old, &old_cuts, new, &new_cuts, &runs)
}

fn is_word_char(c: char) -> bool {
    // Combining accents belong to the word, so text in decomposed form (as
    // some macOS and Word exports produce it) does not split "año" in three.
    c.is_alphanumeric() || ('\u{300}'..='\u{36f}').contains(&c)
}

/// Byte offsets where tokens start, followed by the length of `text`.
fn token_cuts(text: &str) -> Vec<usize> {
    let mut cuts = vec![0];
    let mut rest = text;
    while let Some(first) = rest.chars().next() {
        let len = if is_word_char(first) {
            word_len(rest)
        } else if first.is_whitespace() {
            rest.find(|c: char| !c.is_whitespace()).unwrap_or(rest.len())
        } else {
            first.len_utf8()
        };
        rest = &rest[len..];
        cuts.push(text.len() - rest.len());
    }
    cuts
}

/// Length of the word at the start of `rest`, which starts with a word character.
fn word_len(rest: &str) -> usize {
    let mut end = 0;
    let mut chars = rest.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if is_word_char(c) {
            end = at + c.len_utf8();
        } else if !(JOINERS.contains(&c) && chars.peek().is_some_and(|&(_, next)| is_word_char(next))) {
            break;
        }
    }
    end
}

fn intern<'t>(text: &'t str, cuts: &[usize], ids: &mut HashMap<&'t str, usize>) -> Vec<usize> {
    cuts.windows(2)
        .map(|cut| {
            let next = ids.len();
            *ids.entry(&text[cut[0]..cut[1]]).or_insert(next)
        })
        .collect()
}

/// A stretch of `len` tokens equal in both texts, at token `old` and `new`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Run {
    old: usize,
    new: usize,
    len: usize,
}

fn push_run(runs: &mut Vec<Run>, old: usize, new: usize, len: usize) {
    match runs.last_mut() {
        _ if len == 0 => {}
        Some(last) if last.old + last.len == old && last.new + last.len == new => last.len += len,
        _ => runs.push(Run { old, new, len }),
    }
}

/// Appends to `runs` the equal stretches of `a` and `b`, which sit at token
/// offsets `at` of the whole texts.
fn align(a: &[usize], b: &[usize], at: (usize, usize), depth: u32, bounds: Bounds, runs: &mut Vec<Run>) {
    let head = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let tail = a[head..].iter().rev().zip(b[head..].iter().rev()).take_while(|(x, y)| x == y).count();
    push_run(runs, at.0, at.1, head);
    let (a_mid, b_mid) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let mid = (at.0 + head, at.1 + head);
    if !a_mid.is_empty() && !b_mid.is_empty() {
        if a_mid.len() + b_mid.len() <= bounds.direct {
            // Patience keeps frequent words ("de", "la", spaces) from being
            // matched across unrelated sentences, which reads better than Myers.
            for op in similar::capture_diff_slices(Algorithm::Patience, a_mid, b_mid) {
                if let similar::DiffOp::Equal { old_index, new_index, len } = op {
                    push_run(runs, mid.0 + old_index, mid.1 + new_index, len);
                }
            }
        } else if depth < bounds.depth {
            let (anchors, width) = find_anchors(a_mid, b_mid);
            if !anchors.is_empty() {
                let (mut i, mut j) = (0, 0);
                for (x, y) in anchors {
                    align(&a_mid[i..x], &b_mid[j..y], (mid.0 + i, mid.1 + j), depth + 1, bounds, runs);
                    push_run(runs, mid.0 + x, mid.1 + y, width);
                    (i, j) = (x + width, y + width);
                }
                align(&a_mid[i..], &b_mid[j..], (mid.0 + i, mid.1 + j), depth + 1, bounds, runs);
            }
        }
    }
    push_run(runs, at.0 + a.len() - tail, at.1 + b.len() - tail, tail);
}

/// Positions of token sequences that occur exactly once in each of `a` and
/// `b`, in the same order on both sides and not overlapping; and their width.
fn find_anchors(a: &[usize], b: &[usize]) -> (Vec<(usize, usize)>, usize) {
    for width in ANCHOR_WIDTHS {
        // Per sequence: count and last position in `a`, then the same in `b`.
        let mut seen: HashMap<&[usize], (u32, usize, u32, usize)> = HashMap::new();
        for (i, window) in a.windows(width).enumerate() {
            let entry = seen.entry(window).or_default();
            (entry.0, entry.1) = (entry.0.saturating_add(1), i);
        }
        for (j, window) in b.windows(width).enumerate() {
            // Sequences absent from `a` can never anchor, so they are not stored.
            if let Some(entry) = seen.get_mut(window) {
                (entry.2, entry.3) = (entry.2.saturating_add(1), j);
            }
        }
        let mut pairs: Vec<(usize, usize)> =
            seen.into_values().filter(|s| s.0 == 1 && s.2 == 1).map(|s| (s.1, s.3)).collect();
        pairs.sort_unstable();
        let mut anchors: Vec<(usize, usize)> = Vec::new();
        for (x, y) in longest_increasing(&pairs) {
            // Windows wider than one token may overlap their predecessor.
            if anchors.last().is_none_or(|&(px, py)| x >= px + width && y >= py + width) {
                anchors.push((x, y));
            }
        }
        if !anchors.is_empty() {
            return (anchors, width);
        }
    }
    (Vec::new(), 1)
}

/// The longest chain of `pairs` (sorted by their first position) whose second
/// positions also increase: the largest set of anchors that do not cross.
fn longest_increasing(pairs: &[(usize, usize)]) -> Vec<(usize, usize)> {
    // tails[len] is the pair ending the best chain of length len + 1 so far.
    let mut tails: Vec<usize> = Vec::new();
    let mut before: Vec<Option<usize>> = Vec::with_capacity(pairs.len());
    for &(_, y) in pairs {
        let len = tails.partition_point(|&t| pairs[t].1 < y);
        before.push(len.checked_sub(1).map(|l| tails[l]));
        if len == tails.len() {
            tails.push(before.len() - 1);
        } else {
            tails[len] = before.len() - 1;
        }
    }
    let mut chain = Vec::with_capacity(tails.len());
    let mut next = tails.last().copied();
    while let Some(k) = next {
        chain.push(pairs[k]);
        next = before[k];
    }
    chain.reverse();
    chain
}

/// Moves each pure insertion or deletion as far right as its text allows.
/// "La asamblea se" -> "La asamblea general se" can be read as inserting
/// " general" or "general "; a reader expects the word with its following
/// space, and a fixed rule keeps the output the same whichever algorithm
/// produced the alignment.
fn slide(runs: &mut [Run], a: &[usize], b: &[usize]) {
    for k in 1..runs.len() {
        let (mut before, mut after) = (runs[k - 1], runs[k]);
        let gap_old = after.old - (before.old + before.len);
        let gap_new = after.new - (before.new + before.len);
        let (tokens, inserted) = match (gap_old, gap_new) {
            (0, n) if n > 0 => (b, true),
            (n, 0) if n > 0 => (a, false),
            _ => continue,
        };
        // Keeping one token of `after` keeps the two runs apart, so the edit
        // never merges into the next one.
        while after.len > 1 {
            let (start, next) =
                if inserted { (before.new + before.len, after.new) } else { (before.old + before.len, after.old) };
            if tokens[start] != tokens[next] {
                break;
            }
            before.len += 1;
            after = Run { old: after.old + 1, new: after.new + 1, len: after.len - 1 };
        }
        runs[k - 1] = before;
        runs[k] = after;
    }
}

/// Turns equal runs back into text. "la niña" -> "las niñas" is one change to
/// a reader, not two changes around an unchanged space, so a lone space (not a
/// line break) between two changes is folded into them.
fn render(old: &str, old_cuts: &[usize], new: &str, new_cuts: &[usize], runs: &[Run]) -> Vec<DiffOp> {
    let end = Run { old: old_cuts.len() - 1, new: new_cuts.len() - 1, len: 0 };
    let mut ops = Vec::new();
    let (mut i, mut j) = (0, 0);
    for (k, run) in runs.iter().chain([&end]).enumerate() {
        let text = &old[old_cuts[run.old]..old_cuts[run.old + run.len]];
        // Runs are maximal, so any run after the first has a change before it,
        // and one that does not end both texts has a change after it.
        let between_changes = k > 0 && (run.old + run.len, run.new + run.len) != (end.old, end.new);
        if between_changes && run.len == 1 && text.chars().all(|c| c.is_whitespace() && c != '\n' && c != '\r') {
            continue;
        }
        push_op(&mut ops, DiffTag::Delete, &old[old_cuts[i]..old_cuts[run.old]]);
        push_op(&mut ops, DiffTag::Insert, &new[new_cuts[j]..new_cuts[run.new]]);
        push_op(&mut ops, DiffTag::Equal, text);
        (i, j) = (run.old + run.len, run.new + run.len);
    }
    ops
}

fn push_op(ops: &mut Vec<DiffOp>, op: DiffTag, text: &str) {
    if text.is_empty() {
        return;
    }
    match ops.last_mut() {
        Some(last) if last.op == op => last.text.push_str(text),
        _ => ops.push(DiffOp { op, text: text.to_owned() }),
    }
}

pub use super::charter::SectionKind;

/// A section of one version of the charter, as the diff needs to see it. The
/// id stays the same across versions; the number follows the position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionText<'a> {
    pub id: Uuid,
    pub kind: SectionKind,
    pub number: u32,
    pub title: &'a str,
    pub body: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Added,
    Removed,
    Changed,
    Unchanged,
}

/// How one section differs between two versions. A section that only moved or
/// was renumbered is `Unchanged`: its text is what the assembly votes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SectionDiff {
    pub section_id: Uuid,
    pub kind: SectionKind,
    pub change: Change,
    pub from_number: Option<u32>,
    pub to_number: Option<u32>,
    pub title: Vec<DiffOp>,
    pub body: Vec<DiffOp>,
}

/// Compares two versions of a charter section by section, matching sections by
/// id. The result follows the reading order of `to`; a removed section appears
/// right after the section that preceded it in `from`, so a reader sees it
/// where it used to be. A run of removed sections stays together in its old
/// order, and one that opened `from` opens the result.
///
/// Ids are unique within a version. Should one repeat anyway, its first
/// occurrence in `from` is matched once and any other copy counts as added
/// or removed, so the result still accounts for every section given.
pub fn document_diff(from: &[SectionText<'_>], to: &[SectionText<'_>]) -> Vec<SectionDiff> {
    // Inserted back to front, so the first of any repeated id is the one kept.
    let mut unmatched: HashMap<Uuid, usize> = from.iter().enumerate().rev().map(|(i, s)| (s.id, i)).collect();
    // Removing on a match pairs each section of `from` with at most one of `to`.
    let matched: Vec<Option<usize>> = to.iter().map(|section| unmatched.remove(&section.id)).collect();
    let mut kept = vec![false; from.len()];
    for &i in matched.iter().flatten() {
        kept[i] = true;
    }

    // Removed sections hang off the nearest earlier section that survived.
    let mut opening = Vec::new();
    let mut hanging: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut survivor = None;
    for (i, &is_kept) in kept.iter().enumerate() {
        match (is_kept, survivor) {
            (true, _) => survivor = Some(i),
            (false, None) => opening.push(i),
            (false, Some(s)) => hanging.entry(s).or_default().push(i),
        }
    }

    let removed = |&i: &usize| section_diff(&from[i], Some(&from[i]), None);
    let mut diffs: Vec<SectionDiff> = opening.iter().map(removed).collect();
    for (section, found) in to.iter().zip(matched) {
        match found {
            Some(i) => {
                diffs.push(section_diff(section, Some(&from[i]), Some(section)));
                diffs.extend(hanging.get(&i).into_iter().flatten().map(removed));
            }
            None => diffs.push(section_diff(section, None, Some(section))),
        }
    }
    diffs
}

/// `shown` gives the id and kind: the newer side where the section exists in both.
fn section_diff(shown: &SectionText<'_>, from: Option<&SectionText<'_>>, to: Option<&SectionText<'_>>) -> SectionDiff {
    let change = match (from, to) {
        (Some(f), Some(t)) if f.kind == t.kind && f.title == t.title && f.body == t.body => Change::Unchanged,
        (Some(_), Some(_)) => Change::Changed,
        (Some(_), None) => Change::Removed,
        (None, _) => Change::Added,
    };
    SectionDiff {
        section_id: shown.id,
        kind: shown.kind,
        change,
        from_number: from.map(|f| f.number),
        to_number: to.map(|t| t.number),
        title: word_diff(from.map_or("", |f| f.title), to.map_or("", |t| t.title)),
        body: word_diff(from.map_or("", |f| f.body), to.map_or("", |t| t.body)),
    }
}

#[cfg(test)]
#[path = "diff_tests.rs"]
mod tests;
