//! The minutes of a closed ballot as JSON or Markdown, Spanish by default.

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::error::{ApiError, ApiResult, Problem};
use super::extract::{Json, Path, Query};
use super::session::CurrentUser;
use crate::domain::ballot::{Choice, Majority};
use crate::domain::ballot_subject::BallotKind;
use crate::domain::charter::SectionKind;
use crate::domain::decision::SectionAtBase;
use crate::domain::ids::BallotId;
use crate::domain::local_time::in_ecuador;
use crate::domain::markdown_quote::{fenced, inline};
use crate::domain::minutes::Minutes;
use crate::domain::proposal::ProposalKind;
use crate::i18n::{t, Lang};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MinutesQuery {
    /// `json` (default) or `markdown` (and `html`, for a session's acta).
    #[param(pattern = "^(json|markdown|html)$")]
    pub format: Option<String>,
    /// `es` (default) or `en`; `Accept-Language: en` also works.
    pub lang: Option<String>,
}

pub(super) fn choice_key(choice: Choice) -> &'static str {
    match choice {
        Choice::Yes => "choice.yes",
        Choice::No => "choice.no",
        Choice::Abstain => "choice.abstain",
    }
}

pub(super) fn majority_key(majority: Majority) -> &'static str {
    match majority {
        Majority::Simple => "minutes.majority.simple",
        Majority::Absolute => "minutes.majority.absolute",
        Majority::TwoThirds => "minutes.majority.two_thirds",
    }
}

fn kind_key(kind: ProposalKind) -> &'static str {
    match kind {
        ProposalKind::Amend => "minutes.kind.amend",
        ProposalKind::Add => "minutes.kind.add",
        ProposalKind::Delete => "minutes.kind.delete",
        ProposalKind::General => "minutes.kind.general",
    }
}

fn section_label(section: &SectionAtBase, lang: Lang) -> String {
    let kind = t(lang, if section.kind == SectionKind::Chapter { "charter.chapter" } else { "charter.article" });
    if section.title.is_empty() {
        format!("{kind} {}", section.number)
    } else {
        format!("{kind} {}. {}", section.number, inline(&section.title))
    }
}

/// What was put to the vote: the decision in full when the ballot recorded
/// it (which article, its text then, the text proposed, and the digest of
/// the whole statement), else the voted text alone.
fn statement(minutes: &Minutes, lang: Lang) -> String {
    let text_digest = format!("{}: `{}`", t(lang, "minutes.digest"), minutes.text_sha256);
    let (Some(decision), Some(digest)) = (&minutes.decision, &minutes.decision_sha256) else {
        return format!(
            "### {} ({} {})\n\n{}\n\n{text_digest}",
            t(lang, "minutes.text"),
            t(lang, "minutes.revision"),
            minutes.revision,
            fenced(&minutes.text)
        );
    };
    let mut facts = vec![
        format!("{}: {}", t(lang, "minutes.kind"), t(lang, kind_key(decision.kind))),
        format!(
            "{}: {} ({} {})",
            t(lang, "minutes.document"),
            inline(&decision.document_title),
            t(lang, "minutes.base_version"),
            decision.base_version
        ),
    ];
    match decision.kind {
        ProposalKind::Amend | ProposalKind::Delete => facts.push(format!(
            "{}: {}",
            t(lang, "minutes.target"),
            decision.target.as_ref().map_or_else(|| t(lang, "minutes.target_missing"), |s| section_label(s, lang))
        )),
        ProposalKind::Add => facts.push(match &decision.insert_after {
            Some(after) => format!("{}: {}", t(lang, "minutes.insert_after"), section_label(after, lang)),
            None => t(lang, "minutes.insert_first"),
        }),
        ProposalKind::General => {}
    }
    if !decision.cosponsors.is_empty() {
        facts.push(format!(
            "{}: {}",
            t(lang, "minutes.cosponsors"),
            decision.cosponsors.iter().map(|name| inline(name)).collect::<Vec<_>>().join(", ")
        ));
    }
    let mut out = format!("### {}\n\n{}\n", t(lang, "minutes.decision"), list(facts.into_iter(), lang));
    if matches!(decision.kind, ProposalKind::Amend | ProposalKind::Delete) {
        out.push_str(&format!("\n#### {}\n\n{}\n", t(lang, "minutes.current_text"), fenced(&decision.current_text)));
    }
    if decision.kind != ProposalKind::Delete {
        out.push_str(&format!(
            "\n#### {} ({} {})\n\n{}\n",
            t(lang, "minutes.proposed_text"),
            t(lang, "minutes.revision"),
            decision.revision,
            fenced(&decision.proposed_text)
        ));
    }
    out.push_str(&format!("\n{}: `{digest}`\n\n{text_digest}", t(lang, "minutes.decision_digest")));
    out
}

fn list(names: impl Iterator<Item = String>, lang: Lang) -> String {
    let lines: Vec<String> = names.map(|name| format!("- {name}")).collect();
    if lines.is_empty() {
        format!("- {}", t(lang, "minutes.none"))
    } else {
        lines.join("\n")
    }
}

/// The minutes as a Markdown document in `lang`. Everything people wrote
/// is quoted (names and the question escaped, the voted text fenced), so
/// none of it can pose as a heading or a result of the minutes themselves.
pub fn markdown(minutes: &Minutes, lang: Lang) -> String {
    let zone = t(lang, "minutes.time_zone");
    let when = |at: chrono::DateTime<chrono::Utc>| format!("{} ({zone})", in_ecuador(at));
    let closed_by = match &minutes.closed_by {
        Some(person) => format!("{} {}", t(lang, "minutes.by"), inline(&person.display_name)),
        None => t(lang, "minutes.deadline"),
    };
    let result = &minutes.result;
    let verdict = t(lang, if result.passed { "minutes.passed" } else { "minutes.rejected" });
    let quorum = t(lang, if result.quorum_met { "minutes.quorum_met" } else { "minutes.quorum_missed" });
    let choices = match &minutes.choices {
        None => t(lang, "minutes.choices_secret"),
        Some(choices) => list(
            choices.iter().map(|c| {
                let said = match (&c.choice, &c.ranking) {
                    (Some(choice), _) => t(lang, choice_key(*choice)),
                    (None, Some(ranking)) => ranking
                        .iter()
                        .filter_map(|id| minutes.options.iter().position(|o| o.id == *id).map(|i| (i + 1).to_string()))
                        .collect::<Vec<_>>()
                        .join(" > "),
                    (None, None) => String::new(),
                };
                let hand = if c.by_hand { format!(", {}", t(lang, "acta.by_hand")) } else { String::new() };
                format!(
                    "{}: {} ({}, {}{hand})",
                    inline(&c.organization.name),
                    said,
                    inline(&c.cast_by.display_name),
                    when(c.cast_at)
                )
            }),
            lang,
        ),
    };
    let checkpoint = match &minutes.checkpoint {
        Some(checkpoint) => {
            format!("\n{}: `{}` ({})\n", t(lang, "record.checkpoint"), checkpoint.digest, when(checkpoint.at))
        }
        None => String::new(),
    };
    let (tally, alternatives) = match &minutes.alternatives {
        Some(result) => (String::new(), super::minutes_ranking::section(&minutes.options, result, lang)),
        None => (
            format!(
                " {}: {} · {}: {} · {}: {}.",
                t(lang, "choice.yes"),
                result.yes,
                t(lang, "choice.no"),
                result.no,
                t(lang, "choice.abstain"),
                result.abstain
            ),
            String::new(),
        ),
    };
    let subject = t(lang, if minutes.kind == BallotKind::Proposal { "minutes.proposal" } else { "minutes.subject" });
    format!(
        "# {title}\n\n## {proposal}: {question}\n\n{statement}\n\n\
         ## {rule_label}\n\n- {rule}\n- {quorum_label}: {quorum_pct}%\n- {secret_label}: {secret}\n\n\
         - {opened_label}: {opened} {by} {opened_by}\n- {closed_label}: {closed} {closed_by}\n\n\
         ## {eligible_label} ({eligible_count})\n\n{eligible}\n\n## {participants_label} ({participant_count})\n\n{participants}\n\n\
         ## {choices_label}\n\n{choices}\n\n## {result_label}\n\n**{verdict}**. {quorum}.{tally}\n\n{alternatives}{checkpoint}",
        title = t(lang, "minutes.title"),
        proposal = subject,
        question = inline(&minutes.question),
        statement = statement(minutes, lang),
        rule_label = t(lang, "minutes.rule"),
        rule = t(lang, majority_key(minutes.majority)),
        quorum_label = t(lang, "minutes.quorum"),
        quorum_pct = (minutes.quorum * 100.0 * 100.0).round() / 100.0,
        secret_label = t(lang, "minutes.secret"),
        secret = t(lang, if minutes.secret { "minutes.yes" } else { "minutes.no" }),
        opened_label = t(lang, "minutes.opened"),
        opened = when(minutes.opened_at),
        by = t(lang, "minutes.by"),
        opened_by = inline(&minutes.opened_by.display_name),
        closed_label = t(lang, "minutes.closed"),
        closed = when(minutes.closed_at),
        eligible_label = t(lang, "minutes.eligible"),
        eligible_count = minutes.eligible.len(),
        eligible = list(minutes.eligible.iter().map(|org| inline(&org.name)), lang),
        participants_label = t(lang, "minutes.participants"),
        participant_count = minutes.participants.len(),
        participants = list(minutes.participants.iter().map(|org| inline(&org.name)), lang),
        choices_label = t(lang, "minutes.choices"),
        result_label = t(lang, "minutes.result"),
    )
}

/// The minutes of a closed ballot.
#[utoipa::path(get, path = "/api/v1/ballots/{id}/minutes", tag = "ballots", params(("id" = Uuid, Path), MinutesQuery),
    responses((status = 200, content((Minutes = "application/json"), (String = "text/markdown"))), (status = 404, body = Problem),
        (status = 409, description = "The ballot is not closed", body = Problem), (status = 422, body = Problem)))]
pub async fn minutes(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(id): Path<Uuid>,
    Query(query): Query<MinutesQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let ballot = state.store.ballot(BallotId(id)).await?;
    let casts = if ballot.secret { Vec::new() } else { state.store.vote_history(ballot.id).await? };
    let checkpoint = state.store.latest_checkpoint().await?.map(|latest| latest.reference());
    let minutes = Minutes::of(&ballot, casts, checkpoint)
        .ok_or_else(|| ApiError::Conflict("the ballot is not closed yet".into()))?;
    let lang = Lang::choose(query.lang.as_deref(), &headers);
    match query.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(minutes).into_response()),
        "markdown" => Ok((
            [(header::CONTENT_TYPE, "text/markdown; charset=utf-8"), (header::CONTENT_LANGUAGE, lang.code())],
            markdown(&minutes, lang),
        )
            .into_response()),
        _ => Err(ApiError::validation("format", "must be json or markdown")),
    }
}
