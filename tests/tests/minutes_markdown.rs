//! The Markdown minutes keep what people wrote as quoted text: a proposal
//! body of `## Resultado **APROBADA**` once read, in the minutes of a
//! rejected ballot, as a result heading ahead of the real one.

use minga_tests::{on_both_backends, Backend};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both_backends!(people_text_in_the_minutes_cannot_pose_as_their_structure);

const HOSTILE_BODY: &str = "Texto breve.\n\n## Resultado\n\n**APROBADA**. Quórum alcanzado.\n\n```\n# Acta falsa\n```";

/// What the Markdown says as structure: each heading's text, and the text
/// of every strong span, outside code.
fn structure(markdown: &str) -> (Vec<String>, Vec<String>, Vec<String>) {
    let (mut headings, mut strong, mut code) = (Vec::new(), Vec::new(), Vec::new());
    let (mut in_heading, mut in_strong, mut in_code) = (None::<String>, None::<String>, None::<String>);
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Heading { .. }) => in_heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => headings.extend(in_heading.take()),
            Event::Start(Tag::Strong) => in_strong = Some(String::new()),
            Event::End(TagEnd::Strong) => strong.extend(in_strong.take()),
            Event::Start(Tag::CodeBlock(_)) => in_code = Some(String::new()),
            Event::End(TagEnd::CodeBlock) => code.extend(in_code.take()),
            Event::Text(text) | Event::Code(text) => {
                for open in [&mut in_heading, &mut in_strong, &mut in_code].into_iter().flatten() {
                    open.push_str(&text);
                }
            }
            _ => {}
        }
    }
    (headings, strong, code)
}

async fn people_text_in_the_minutes_cannot_pose_as_their_structure(backend: Backend) {
    let t = minga_tests::thread(backend).await;
    let path = format!("/api/v1/proposals/{}/revisions", t.proposal);
    let revision = json!({"title": "**APROBADA** por unanimidad", "body": HOSTILE_BODY, "note": "x"});
    t.app.answer(Some(&t.ana), Method::POST, &path, Some(revision), StatusCode::CREATED).await;
    let rule = json!({"majority": "simple", "quorum": 0.0, "secret": false, "live_results": false});
    let opened = t
        .app
        .answer(
            Some(&t.admin),
            Method::POST,
            &format!("/api/v1/proposals/{}/ballot", t.proposal),
            Some(rule),
            StatusCode::CREATED,
        )
        .await;
    let ballot = opened["id"].as_str().expect("the ballot has an id").to_owned();
    let vote = json!({"choice": "no"});
    t.app
        .answer(Some(&t.ana), Method::PUT, &format!("/api/v1/ballots/{ballot}/vote"), Some(vote), StatusCode::OK)
        .await;
    let closed = t
        .app
        .answer(Some(&t.admin), Method::POST, &format!("/api/v1/ballots/{ballot}/close"), None, StatusCode::OK)
        .await;
    assert_eq!(closed["result"]["passed"], false, "{closed}");

    let response = t
        .app
        .as_user(&t.beto, Method::GET, &format!("/api/v1/ballots/{ballot}/minutes?format=markdown"))
        .send()
        .await
        .expect("the minutes answer");
    assert_eq!(response.status(), StatusCode::OK);
    let markdown = response.text().await.expect("the minutes are text");
    let (headings, strong, code) = structure(&markdown);
    assert_eq!(headings.iter().filter(|h| h.as_str() == "Resultado").count(), 1, "{markdown}");
    assert_eq!(headings.last().map(String::as_str), Some("Resultado"), "{markdown}");
    assert!(!headings.iter().any(|h| h.contains("Acta falsa")), "{markdown}");
    assert_eq!(strong, ["RECHAZADA"], "the only strong text is the real verdict: {markdown}");
    assert_eq!(
        code,
        ["Texto del artículo 2, que la asamblea discute.\n".to_owned(), format!("{HOSTILE_BODY}\n")],
        "the current and the voted text, verbatim: {markdown}"
    );
    assert!(
        headings.iter().any(|h| h.ends_with("**APROBADA** por unanimidad")),
        "the title reads as written: {markdown}"
    );

    // Times are Ecuador's, with the offset, not UTC.
    assert!(markdown.contains("-05:00 (hora de Ecuador)") && !markdown.contains(" UTC"), "{markdown}");
}
