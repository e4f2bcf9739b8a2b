//! The part of an alternatives ballot's minutes that says how the winner
//! was found: the options in order, and for a ranked ballot the pairwise
//! matrix and the strengths of the strongest paths, each explained in a
//! sentence, so that anyone can check the result by hand.

use crate::domain::ballot_subject::{AlternativesResult, BallotOption, Method};
use crate::domain::markdown_quote::inline;
use crate::i18n::{fill, t, Lang};

/// "1. Mantener el texto vigente" ...: options are numbered in ballot order,
/// and the tables name them by that number.
fn numbered(options: &[BallotOption]) -> String {
    options.iter().enumerate().map(|(i, o)| format!("{}. {}", i + 1, inline(&o.label))).collect::<Vec<_>>().join("\n")
}

fn table(options: &[BallotOption], cells: &[Vec<u32>]) -> String {
    let head: Vec<String> = (1..=options.len()).map(|n| n.to_string()).collect();
    let mut out =
        format!("| |{}|\n|---|{}|\n", head.join("|"), head.iter().map(|_| "---").collect::<Vec<_>>().join("|"));
    for (i, row) in cells.iter().enumerate() {
        let cells: Vec<String> =
            row.iter().enumerate().map(|(j, n)| if i == j { "—".to_owned() } else { n.to_string() }).collect();
        out.push_str(&format!("|**{}**|{}|\n", i + 1, cells.join("|")));
    }
    out
}

pub fn section(options: &[BallotOption], result: &AlternativesResult, lang: Lang) -> String {
    let label = |id: &uuid::Uuid| {
        options
            .iter()
            .position(|o| o.id == *id)
            .map_or_else(String::new, |i| format!("{}. {}", i + 1, inline(&options[i].label)))
    };
    let order: Vec<String> = result.order.iter().map(label).collect();
    let winner = match &result.winner {
        Some(id) => fill(lang, "minutes.alternatives.winner", &[("option", &label(id))]),
        None => t(lang, "minutes.alternatives.no_winner"),
    };
    let mut out = format!(
        "## {}\n\n{}\n\n{}\n\n**{}**\n\n{}:\n\n{}\n",
        t(lang, "minutes.alternatives.options"),
        numbered(options),
        t(
            lang,
            if result.method == Method::Ranked {
                "minutes.alternatives.ranked"
            } else {
                "minutes.alternatives.plurality"
            }
        ),
        winner,
        t(lang, "minutes.alternatives.order"),
        order.iter().map(|o| format!("- {o}")).collect::<Vec<_>>().join("\n"),
    );
    if result.tie_broken {
        out.push_str(&format!("\n{}\n", t(lang, "minutes.alternatives.tie")));
    }
    match result.method {
        Method::Ranked => {
            out.push_str(&format!(
                "\n### {}\n\n{}\n\n{}\n### {}\n\n{}\n\n{}",
                t(lang, "minutes.alternatives.pairwise"),
                t(lang, "minutes.alternatives.pairwise_help"),
                table(options, &result.pairwise),
                t(lang, "minutes.alternatives.strengths"),
                t(lang, "minutes.alternatives.strengths_help"),
                table(options, &result.strengths),
            ));
        }
        Method::Plurality => {
            let counts: Vec<String> =
                options.iter().zip(&result.counts).map(|(o, n)| format!("- {}: {n}", inline(&o.label))).collect();
            out.push_str(&format!("\n### {}\n\n{}\n", t(lang, "minutes.alternatives.counts"), counts.join("\n")));
        }
    }
    out
}
