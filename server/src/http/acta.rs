//! The acta of a session as JSON, Markdown or a printable HTML page,
//! Spanish by default.

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::error::{ApiError, ApiResult, Problem};
use super::extract::{Json, Path, Query};
use super::minutes::{choice_key, majority_key, MinutesQuery};
use super::session::CurrentUser;
use crate::domain::acta::{Acta, ActaBallot};
use crate::domain::assembly::{Member, Modality, Standing};
use crate::domain::ballot_record::BallotStatus;
use crate::domain::ids::SessionId;
use crate::domain::local_time::in_ecuador;
use crate::domain::markdown_quote::inline;
use crate::i18n::{fill, t, Lang};
use crate::state::AppState;

fn modality_key(modality: Modality) -> &'static str {
    match modality {
        Modality::InPerson => "acta.modality.in_person",
        Modality::Online => "acta.modality.online",
        Modality::Hybrid => "acta.modality.hybrid",
    }
}

fn bullets(lines: Vec<String>, lang: Lang) -> String {
    if lines.is_empty() {
        format!("- {}", t(lang, "minutes.none"))
    } else {
        lines.into_iter().map(|line| format!("- {line}")).collect::<Vec<_>>().join("\n")
    }
}

fn ballot_section(number: usize, ballot: &ActaBallot, acta: &Acta, lang: Lang) -> String {
    let when = |at| in_ecuador(at);
    let org_name = |id| {
        acta.organizations
            .iter()
            .find(|o| o.organization.id == id)
            .map(|o| inline(&o.organization.name))
            .unwrap_or_default()
    };
    let mut facts = vec![fill(
        lang,
        "acta.ballot.present",
        &[
            ("present", &ballot.present_organizations.to_string()),
            ("members", &ballot.member_organizations.to_string()),
        ],
    )];
    let Some(minutes) = &ballot.minutes else {
        let status = t(
            lang,
            if ballot.status == BallotStatus::Cancelled { "acta.ballot.cancelled" } else { "acta.ballot.open" },
        );
        facts.push(status);
        return format!("### {number}. {}\n\n{}\n", inline(&ballot.question), bullets(facts, lang));
    };
    facts.push(format!(
        "{}: {} · {}: {}% · {}: {}",
        t(lang, "minutes.rule"),
        t(lang, majority_key(minutes.majority)),
        t(lang, "minutes.quorum"),
        (minutes.quorum * 100.0).round(),
        t(lang, "minutes.secret"),
        t(lang, if minutes.secret { "minutes.yes" } else { "minutes.no" })
    ));
    facts.push(format!("{}: {} – {}", t(lang, "minutes.opened"), when(minutes.opened_at), when(minutes.closed_at)));
    facts.push(format!("{} ({}): {}", t(lang, "minutes.participants"), minutes.participants.len(), {
        let names: Vec<String> = minutes.participants.iter().map(|o| inline(&o.name)).collect();
        if names.is_empty() {
            t(lang, "minutes.none")
        } else {
            names.join(", ")
        }
    }));
    let hand = t(lang, "acta.by_hand");
    match &minutes.choices {
        None => facts.push(t(lang, "minutes.choices_secret")),
        Some(choices) => {
            for choice in choices {
                let said = choice.choice.map_or_else(|| t(lang, "acta.ranked"), |c| t(lang, choice_key(c)));
                let mark = if choice.by_hand { format!(" ({hand})") } else { String::new() };
                facts.push(format!("{}: {said}{mark}", inline(&choice.organization.name)));
            }
        }
    }
    if minutes.choices.is_none() && !ballot.hand_votes.is_empty() {
        let names: Vec<String> = ballot.hand_votes.iter().map(|id| org_name(*id)).collect();
        facts.push(format!("{}: {}", t(lang, "acta.hand_votes"), names.join(", ")));
    }
    if !ballot.corrected_hand_votes.is_empty() {
        let names: Vec<String> = ballot.corrected_hand_votes.iter().map(|id| org_name(*id)).collect();
        facts.push(format!("{}: {}", t(lang, "acta.corrected"), names.join(", ")));
    }
    let result = &minutes.result;
    facts.push(format!(
        "{}: **{}** ({}). {}: {} · {}: {} · {}: {}",
        t(lang, "minutes.result"),
        t(lang, if result.passed { "minutes.passed" } else { "minutes.rejected" }),
        t(lang, if result.quorum_met { "minutes.quorum_met" } else { "minutes.quorum_missed" }),
        t(lang, "choice.yes"),
        result.yes,
        t(lang, "choice.no"),
        result.no,
        t(lang, "choice.abstain"),
        result.abstain
    ));
    facts.push(format!("{}: `{}`", t(lang, "minutes.digest"), ballot.text_sha256));
    format!("### {number}. {}\n\n{}\n", inline(&ballot.question), bullets(facts, lang))
}

/// The acta as Markdown in `lang`; what people wrote is quoted.
pub fn markdown(acta: &Acta, lang: Lang) -> String {
    let zone = t(lang, "minutes.time_zone");
    let when = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map_or_else(|| "—".to_owned(), |at| format!("{} ({zone})", in_ecuador(at)))
    };
    let standing = |s: Option<Standing>| match s {
        Some(Standing::Titular) => t(lang, "acta.titular"),
        Some(Standing::Alternate) => t(lang, "acta.alternate"),
        None => String::new(),
    };
    let mode =
        |m| t(lang, if m == crate::domain::assembly::AttendanceMode::Room { "acta.in_room" } else { "acta.online" });
    let organizations = acta
        .organizations
        .iter()
        .map(|org| {
            if !org.attended {
                return format!("{}: {}", inline(&org.organization.name), t(lang, "acta.absent"));
            }
            let by: Vec<String> = org
                .attended_by
                .iter()
                .map(|a| {
                    format!(
                        "{} ({}, {}, {})",
                        inline(&a.person.display_name),
                        standing(a.standing),
                        mode(a.mode),
                        in_ecuador(a.first_at)
                    )
                })
                .collect();
            format!("{}: {} — {}", inline(&org.organization.name), t(lang, "acta.attended"), by.join("; "))
        })
        .collect();
    let others = acta
        .other_attendees
        .iter()
        .map(|a| format!("{} ({}, {})", inline(&a.person.display_name), inline(&a.organization.name), mode(a.mode)))
        .collect();
    let agenda: Vec<String> =
        acta.agenda.iter().enumerate().map(|(i, item)| format!("{}. {}", i + 1, inline(&item.title))).collect();
    let speakers = acta
        .speakers
        .iter()
        .map(|s| {
            let spoke = match (s.started_at, s.stopped_at) {
                (Some(start), Some(stop)) => {
                    let seconds = (stop - start).num_seconds().max(0);
                    format!("{} – {} ({} min {} s)", in_ecuador(start), in_ecuador(stop), seconds / 60, seconds % 60)
                }
                (Some(start), None) => in_ecuador(start),
                _ => String::new(),
            };
            format!("{} ({}): {spoke}", inline(&s.person.display_name), inline(&s.organization.name))
        })
        .collect();
    let ballots = if acta.ballots.is_empty() {
        format!("- {}", t(lang, "minutes.none"))
    } else {
        acta.ballots
            .iter()
            .enumerate()
            .map(|(i, b)| ballot_section(i + 1, b, acta, lang))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let checkpoint = acta.checkpoint.as_ref().map_or_else(String::new, |c| {
        format!("\n{}: `{}` ({})\n", t(lang, "record.checkpoint"), c.digest, when(Some(c.at)))
    });
    let quorum = fill(
        lang,
        if acta.quorum.met { "acta.quorum.met" } else { "acta.quorum.missed" },
        &[
            ("present", &acta.quorum.present_organizations.to_string()),
            ("members", &acta.quorum.member_organizations.to_string()),
        ],
    );
    format!(
        "# {heading}: {title}\n\n{facts}\n\n## {attendance}\n\n{organizations}\n\n### {others_label}\n\n{others}\n\n\
         ## {agenda_label}\n\n{agenda}\n\n## {speakers_label}\n\n{speakers}\n\n## {ballots_label}\n\n{ballots}\n{checkpoint}",
        heading = t(lang, "acta.title"),
        title = inline(&acta.title),
        facts = bullets(
            vec![
                format!("{}: {}", t(lang, "acta.place"), inline(&acta.place)),
                format!("{}: {}", t(lang, "acta.modality"), t(lang, modality_key(acta.modality))),
                format!("{}: {}", t(lang, "acta.starts_at"), when(Some(acta.starts_at))),
                format!("{}: {}", t(lang, "acta.opened_at"), when(acta.opened_at)),
                format!("{}: {}", t(lang, "acta.closed_at"), when(acta.closed_at)),
                format!("{}: {}", t(lang, "acta.convened_by"), inline(&acta.convened_by.display_name)),
                quorum,
            ],
            lang
        ),
        attendance = t(lang, "acta.attendance"),
        organizations = bullets(organizations, lang),
        others_label = t(lang, "acta.others"),
        others = bullets(others, lang),
        agenda_label = t(lang, "acta.agenda"),
        agenda = if agenda.is_empty() { format!("- {}", t(lang, "minutes.none")) } else { agenda.join("\n") },
        speakers_label = t(lang, "acta.speakers"),
        speakers = bullets(speakers, lang),
        ballots_label = t(lang, "acta.ballots"),
    )
}

/// The acta of a session (any signed-in user): JSON, Markdown or HTML.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/minutes", tag = "assembly", params(("id" = Uuid, Path), MinutesQuery),
    responses((status = 200, content((Acta = "application/json"), (String = "text/markdown"), (String = "text/html"))),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn acta(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(id): Path<Uuid>,
    Query(query): Query<MinutesQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let lang = Lang::choose(query.lang.as_deref(), &headers);
    let format = query.format.as_deref().unwrap_or("json");
    if !matches!(format, "json" | "markdown" | "html") {
        return Err(ApiError::validation("format", "must be json, markdown or html"));
    }
    let session = state.store.session(SessionId(id)).await?;
    let members: Vec<Member> = state.store.all_representatives().await?.into_iter().map(Member::from).collect();
    let checkpoint = state.store.latest_checkpoint().await?.map(|latest| latest.reference());
    let mut ballots = Vec::with_capacity(session.ballot_ids.len());
    for ballot_id in &session.ballot_ids {
        let ballot = state.store.ballot(*ballot_id).await?;
        let casts = state.store.vote_history(ballot.id).await?;
        ballots.push(ActaBallot::of(&ballot, casts, checkpoint.clone()));
    }
    let acta = Acta::of(&session, &members, ballots, checkpoint);
    let language = (header::CONTENT_LANGUAGE, lang.code());
    Ok(match format {
        "markdown" => {
            ([(header::CONTENT_TYPE, "text/markdown; charset=utf-8"), language], markdown(&acta, lang)).into_response()
        }
        "html" => {
            let page = super::export::printable_page(
                &acta.title,
                &crate::domain::markdown::render_html(&markdown(&acta, lang)),
                lang,
            );
            (
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    language,
                    (header::CONTENT_SECURITY_POLICY, super::export::EXPORT_POLICY),
                ],
                page,
            )
                .into_response()
        }
        _ => Json(acta).into_response(),
    })
}
