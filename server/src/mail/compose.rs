//! What each mail says, in the recipient's language (Spanish, "usted", by
//! default), as plain text and as HTML. The words come from the
//! translation files; every value put into the HTML is escaped.

use chrono::{DateTime, Utc};

use crate::domain::account::Role;
use crate::domain::local_time::in_ecuador;
use crate::domain::mail::Composed;
use crate::domain::markdown::escape_html;
use crate::i18n::{fill, t, Lang};

/// A mail of paragraphs and one link: the text part and the HTML part say
/// the same, in the same order.
fn compose(lang: Lang, subject: String, before: &[String], link: &str, after: &[String]) -> Composed {
    let greeting = t(lang, "mail.greeting");
    let signature = t(lang, "mail.signature");
    let mut text = format!("{greeting}\n\n");
    for paragraph in before {
        text.push_str(&format!("{paragraph}\n\n"));
    }
    text.push_str(&format!("{link}\n\n"));
    for paragraph in after {
        text.push_str(&format!("{paragraph}\n\n"));
    }
    text.push_str(&format!("-- \n{signature}\n"));
    let paragraphs = |list: &[String]| list.iter().map(|p| format!("<p>{}</p>\n", escape_html(p))).collect::<String>();
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body style=\"font-family: sans-serif; line-height: 1.5; max-width: 36em\">\n<p>{greeting}</p>\n{before}\
         <p><a href=\"{link}\">{link}</a></p>\n{after}<p style=\"color: #555\">{signature}</p>\n</body></html>\n",
        lang = lang.code(),
        title = escape_html(&subject),
        greeting = escape_html(&greeting),
        before = paragraphs(before),
        link = escape_html(link),
        after = paragraphs(after),
        signature = escape_html(&signature),
    );
    Composed { subject, text, html }
}

pub fn invitation(lang: Lang, organization: &str, role: Role, link: &str, expires_at: DateTime<Utc>) -> Composed {
    let role = t(lang, &format!("mail.role.{}", role.as_str()));
    let subject = fill(lang, "mail.invitation.subject", &[("organization", organization)]);
    let intro = fill(lang, "mail.invitation.intro", &[("organization", organization), ("role", &role)]);
    let expires = fill(lang, "mail.invitation.expires", &[("expires", &in_ecuador(expires_at))]);
    compose(
        lang,
        subject,
        &[intro, t(lang, "mail.invitation.action")],
        link,
        &[expires, t(lang, "mail.invitation.ignore")],
    )
}

pub fn password_reset(lang: Lang, email: &str, link: &str, expires_at: DateTime<Utc>) -> Composed {
    let intro = fill(lang, "mail.reset.intro", &[("email", email)]);
    let expires = fill(lang, "mail.reset.expires", &[("expires", &in_ecuador(expires_at))]);
    compose(
        lang,
        t(lang, "mail.reset.subject"),
        &[intro, t(lang, "mail.reset.action")],
        link,
        &[expires, t(lang, "mail.reset.ignore")],
    )
}

/// One notification, mailed at once: its title is the subject.
pub fn notification(lang: Lang, title: &str, body: &str, link: &str, unsubscribe: &str) -> Composed {
    let before: Vec<String> = [title.to_owned(), body.to_owned(), t(lang, "mail.notice.open")]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    let mail = compose(lang, title.to_owned(), &before, link, &[t(lang, "mail.notice.why")]);
    with_unsubscribe(lang, mail, &[unsubscribe])
}

/// One entry of a digest.
pub struct DigestItem {
    pub title: String,
    pub body: String,
    pub link: String,
}

/// The day's digest: each notification with its link, then one unsubscribe
/// link per kind in it.
pub fn digest(lang: Lang, items: &[DigestItem], unsubscribe: &[&str]) -> Composed {
    let subject = fill(lang, "mail.digest.subject", &[("count", &items.len().to_string())]);
    let greeting = t(lang, "mail.greeting");
    let intro = t(lang, "mail.digest.intro");
    let signature = t(lang, "mail.signature");
    let mut text = format!("{greeting}\n\n{intro}\n\n");
    let mut list = String::new();
    for item in items {
        text.push_str(&format!("* {}\n", item.title));
        if !item.body.is_empty() {
            text.push_str(&format!("  {}\n", item.body));
        }
        text.push_str(&format!("  {}\n\n", item.link));
        let body = if item.body.is_empty() { String::new() } else { format!("<br>{}", escape_html(&item.body)) };
        list.push_str(&format!(
            "<li><a href=\"{link}\">{title}</a>{body}</li>\n",
            link = escape_html(&item.link),
            title = escape_html(&item.title),
        ));
    }
    text.push_str(&format!("-- \n{signature}\n"));
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body style=\"font-family: sans-serif; line-height: 1.5; max-width: 36em\">\n<p>{greeting}</p>\n<p>{intro}</p>\n\
         <ul>\n{list}</ul>\n<p style=\"color: #555\">{signature}</p>\n</body></html>\n",
        lang = lang.code(),
        title = escape_html(&subject),
        greeting = escape_html(&greeting),
        intro = escape_html(&intro),
        signature = escape_html(&signature),
    );
    with_unsubscribe(lang, Composed { subject, text, html }, unsubscribe)
}

/// Adds the unsubscribe links under the signature of both parts.
fn with_unsubscribe(lang: Lang, mut mail: Composed, links: &[&str]) -> Composed {
    let say = t(lang, "mail.unsubscribe");
    let mut html = String::new();
    for link in links {
        mail.text.push_str(&format!("\n{say}\n{link}\n"));
        html.push_str(&format!(
            "<p style=\"color: #555; font-size: small\">{say} <a href=\"{link}\">{link}</a></p>\n",
            say = escape_html(&say),
            link = escape_html(link),
        ));
    }
    mail.html = mail.html.replace("</body></html>", &format!("{html}</body></html>"));
    mail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_says_who_for_what_and_until_when_in_both_parts() {
        let at: DateTime<Utc> = "2026-12-10T17:00:00Z".parse().unwrap_or_default();
        let mail = invitation(Lang::Es, "Fundación <Esperanza>", Role::Delegate, "https://m.ec/invitations/t0k", at);
        assert_eq!(mail.subject, "Invitación para participar en Minga: Fundación <Esperanza>");
        assert!(mail.text.contains("en nombre de Fundación <Esperanza>, como delegado/a"), "{}", mail.text);
        assert!(mail.text.contains("https://m.ec/invitations/t0k"));
        assert!(mail.text.contains("hasta el 2026-12-10 12:00 -05:00"), "{}", mail.text);
        assert!(mail.html.contains("Fundación &lt;Esperanza&gt;"), "escaped: {}", mail.html);
        assert!(!mail.html.contains("<Esperanza>"));
        assert!(mail.html.contains("<a href=\"https://m.ec/invitations/t0k\">"));
        let english = invitation(Lang::En, "Rutas", Role::Observer, "https://m.ec/i", at);
        assert!(english.text.contains("as observer"), "{}", english.text);
    }

    #[test]
    fn a_notification_mail_and_a_digest_carry_their_links_and_unsubscribe_in_both_parts() {
        let mail = notification(
            Lang::Es,
            "Se abrió <la> votación",
            "Cierra mañana.",
            "https://m.ec/p/1",
            "https://m.ec/u?t=x",
        );
        assert_eq!(mail.subject, "Se abrió <la> votación");
        for part in [&mail.text, &mail.html] {
            assert!(part.contains("https://m.ec/p/1") && part.contains("https://m.ec/u?t=x"), "{part}");
            assert!(part.contains("Cierra mañana."));
        }
        assert!(mail.html.contains("Se abrió &lt;la&gt; votación") && !mail.html.contains("<la>"));
        let items = [
            DigestItem { title: "Ana respondió".into(), body: String::new(), link: "https://m.ec/a".into() },
            DigestItem { title: "Beto <b>".into(), body: "y 2 más".into(), link: "https://m.ec/b".into() },
        ];
        let digest = digest(Lang::En, &items, &["https://m.ec/u1", "https://m.ec/u2"]);
        assert!(digest.subject.contains('2'), "{}", digest.subject);
        for part in [&digest.text, &digest.html] {
            for link in ["https://m.ec/a", "https://m.ec/b", "https://m.ec/u1", "https://m.ec/u2"] {
                assert!(part.contains(link), "{link} in {part}");
            }
        }
        assert!(digest.html.contains("Beto &lt;b&gt;"));
    }
}
