//! Markdown written by people (comments, charter articles) turned into HTML
//! that is safe to put in a page.
//!
//! The HTML is built on the server so that every client shows the same thing
//! and no client has to be trusted to sanitize. Rendering and sanitizing are two
//! separate steps on purpose: pulldown-cmark passes raw HTML through untouched
//! (CommonMark says it must), so everything it produces is treated as hostile
//! and filtered by ammonia against an allow-list. Anything not on the list is
//! dropped, which is why new markup (images, say) has to be added here
//! deliberately rather than slipping in with a library upgrade.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};
use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};

/// The tags a rendered text may contain. No `img`: pictures would let a comment
/// make every reader's browser fetch a URL of the author's choosing.
#[rustfmt::skip]
const ALLOWED_TAGS: &[&str] = &[
    "p", "br", "em", "strong", "del", "code", "pre", "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "a", "hr",
];

/// Tags dropped together with everything inside them. Keeping their content as
/// text (ammonia's default for unknown tags) would show script source or SVG
/// markup to readers, which is noise at best.
const DROPPED_WITH_CONTENT: &[&str] = &[
    "script", "style", "iframe", "object", "embed", "noscript", "noembed", "noframes", "template", "svg", "math",
    "xmp", "title", "textarea", "select",
];

/// Only schemes that open a page or a mail client; `javascript:`, `data:`,
/// `vbscript:` and every other scheme lose their `href`. Relative links are
/// kept: they resolve against Minga itself, or (`//host/...`) are plain http(s)
/// links.
const URL_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// Links are written by third parties, so the page they open must not get a
/// handle on ours (`noopener`), learn where the reader came from
/// (`noreferrer`), or earn search ranking from us (`nofollow`).
const LINK_REL: &str = "noopener noreferrer nofollow";

/// How deeply elements may nest. html5ever (inside ammonia) takes time
/// quadratic in the nesting depth, so 40,000 characters of `> > > ...` would
/// cost seconds per render; real texts rarely go beyond five levels.
const MAX_DEPTH: usize = 32;

/// How many raw HTML tags (counted as `<` characters in raw HTML) a text may
/// carry before the rest of its raw HTML is shown as plain text. Raw HTML can
/// nest as deeply as it likes, so it needs a cap of its own for the same
/// reason as [`MAX_DEPTH`]; a thousand is far beyond the odd `<br>` in a table.
const RAW_HTML_TAGS: usize = 1_000;

/// Built once: the configuration is fixed and ammonia's builder is `Sync`.
static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(sanitizer);

fn sanitizer() -> Builder<'static> {
    let tag_attributes: HashMap<&str, HashSet<&str>> = HashMap::from([
        ("a", HashSet::from(["href", "title"])),
        // pulldown-cmark writes `start` for lists that do not begin at 1, and
        // charters often continue a numbered list after a paragraph.
        ("ol", HashSet::from(["start"])),
    ]);
    let mut builder = Builder::empty();
    builder
        .tags(ALLOWED_TAGS.iter().copied().collect())
        .clean_content_tags(DROPPED_WITH_CONTENT.iter().copied().collect())
        .generic_attributes(HashSet::new())
        .generic_attribute_prefixes(HashSet::new())
        .tag_attributes(tag_attributes)
        .url_schemes(URL_SCHEMES.iter().copied().collect())
        .url_relative(UrlRelative::PassThrough)
        .link_rel(Some(LINK_REL))
        .strip_comments(true);
    builder
}

/// Renders CommonMark (with tables and strikethrough) to sanitized HTML.
///
/// Table column alignment is lost: pulldown-cmark expresses it as a `style`
/// attribute, and no `style` attribute survives sanitizing.
pub fn render_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events =
        Tamed { events: Parser::new_ext(markdown, options), kept: Vec::new(), depth: 0, html_budget: RAW_HTML_TAGS };
    let mut unsafe_html = String::with_capacity(markdown.len() + markdown.len() / 2);
    html::push_html(&mut unsafe_html, events);
    SANITIZER.clean(&unsafe_html).to_string()
}

/// Bounds what reaches the sanitizer: nesting beyond [`MAX_DEPTH`] is
/// flattened (the text stays, the extra elements go), raw HTML beyond
/// [`RAW_HTML_TAGS`] becomes text, and images become their description, since
/// the sanitizer would otherwise drop them together with the words.
struct Tamed<'a, I: Iterator<Item = Event<'a>>> {
    events: I,
    /// For each open element, whether its start was passed on, so that its end
    /// is passed on too (or not).
    kept: Vec<bool>,
    depth: usize,
    html_budget: usize,
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Tamed<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            match self.events.next()? {
                Event::Start(Tag::Image { .. }) => self.kept.push(false),
                Event::Start(tag) => {
                    let keep = self.depth < MAX_DEPTH;
                    self.kept.push(keep);
                    if keep {
                        self.depth += 1;
                        return Some(Event::Start(tag));
                    }
                }
                Event::End(tag) => {
                    if self.kept.pop().unwrap_or(false) {
                        self.depth = self.depth.saturating_sub(1);
                        return Some(Event::End(tag));
                    }
                }
                Event::Html(raw) => return Some(self.spend_on_html(raw, Event::Html)),
                Event::InlineHtml(raw) => return Some(self.spend_on_html(raw, Event::InlineHtml)),
                other => return Some(other),
            }
        }
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Tamed<'a, I> {
    fn spend_on_html(&mut self, raw: CowStr<'a>, as_html: fn(CowStr<'a>) -> Event<'a>) -> Event<'a> {
        let tags = raw.matches('<').count();
        match self.html_budget.checked_sub(tags) {
            Some(left) => {
                self.html_budget = left;
                as_html(raw)
            }
            None => {
                self.html_budget = 0;
                Event::Text(raw)
            }
        }
    }
}

/// Plain text (a name, a title, a subject) put into HTML as text: the
/// exports, the comparison table and the mails use this one.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
#[path = "markdown_tests.rs"]
mod tests;
