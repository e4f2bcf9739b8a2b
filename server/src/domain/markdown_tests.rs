use super::render_html;
use proptest::prelude::*;

/// One start tag of the rendered output, with its attributes; values have
/// their character references decoded, as a browser would see them.
#[derive(Debug)]
struct Tag {
    closing: bool,
    name: String,
    attributes: Vec<(String, String)>,
}

/// Reads the start and end tags of serialized HTML. It only has to understand
/// what html5ever's serializer writes (every `<` in text is escaped, attribute
/// values are double-quoted), and it refuses anything else loudly rather than
/// skipping it, so a surprise in the output fails the test instead of hiding.
fn tags(html: &str) -> Vec<Tag> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let closing = rest.starts_with('/');
        if closing {
            rest = &rest[1..];
        }
        let name_len = rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len());
        assert!(name_len > 0, "a bare `<` in the output: {html}");
        let name = rest[..name_len].to_ascii_lowercase();
        rest = &rest[name_len..];
        let mut attributes = Vec::new();
        loop {
            rest = rest.trim_start();
            if let Some(after) = rest.strip_prefix('>') {
                rest = after;
                break;
            }
            if let Some(after) = rest.strip_prefix("/>") {
                rest = after;
                break;
            }
            let attr_len = rest.find(|c: char| c == '=' || c == '>' || c.is_whitespace()).unwrap_or(rest.len());
            assert!(attr_len > 0, "unreadable attribute in: {html}");
            let attr = rest[..attr_len].to_ascii_lowercase();
            rest = &rest[attr_len..];
            let mut value = String::new();
            if let Some(after) = rest.strip_prefix("=\"") {
                let end = after.find('"').unwrap_or_else(|| panic!("unterminated attribute value in: {html}"));
                value = decode_entities(&after[..end]);
                rest = &after[end + 1..];
            } else {
                assert!(!rest.starts_with('='), "unquoted attribute value in: {html}");
            }
            attributes.push((attr, value));
        }
        found.push(Tag { closing, name, attributes });
    }
    found
}

/// Decodes the character references a browser would decode in an attribute.
fn decode_entities(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp + 1..];
        let end = rest.find(';').filter(|&end| end <= 32);
        let decoded = end.and_then(|end| {
            let entity = &rest[..end];
            let code = if let Some(hex) = entity.strip_prefix("#x").or_else(|| entity.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok()
            } else if let Some(dec) = entity.strip_prefix('#') {
                dec.parse().ok()
            } else {
                match entity.to_ascii_lowercase().as_str() {
                    "amp" => Some('&' as u32),
                    "lt" => Some('<' as u32),
                    "gt" => Some('>' as u32),
                    "quot" => Some('"' as u32),
                    "apos" => Some('\'' as u32),
                    "nbsp" => Some(0xa0),
                    "tab" => Some(9),
                    "newline" => Some(10),
                    "colon" => Some(':' as u32),
                    _ => None,
                }
            };
            code.and_then(char::from_u32).map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => out.push('&'),
        }
    }
    out.push_str(rest);
    out
}

/// The scheme of a URL as a browser finds it: surrounding spaces and controls
/// are ignored and tabs and newlines removed anywhere. `None` for a relative URL.
fn scheme(url: &str) -> Option<String> {
    let cleaned: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|&c| c != '\t' && c != '\n' && c != '\r')
        .collect::<String>()
        .to_ascii_lowercase();
    let colon = cleaned.find(':')?;
    let candidate = &cleaned[..colon];
    let mut chars = candidate.chars();
    let is_scheme = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.');
    is_scheme.then(|| candidate.to_string())
}

/// Everything the output must never contain, checked on the parsed tags and not
/// by grepping, so that encoded or split payloads cannot slip past the check.
fn assert_safe(input: &str, html: &str) {
    let context = || format!("input: {input:?}\noutput: {html}");
    for tag in tags(html).into_iter().filter(|tag| !tag.closing) {
        assert!(super::ALLOWED_TAGS.contains(&tag.name.as_str()), "tag <{}> survived\n{}", tag.name, context());
        for (name, value) in &tag.attributes {
            assert!(!name.starts_with("on"), "event handler {name}\n{}", context());
            let allowed =
                matches!((tag.name.as_str(), name.as_str()), ("a", "href" | "title" | "rel") | ("ol", "start"));
            assert!(allowed, "attribute {name} on <{}>\n{}", tag.name, context());
            if name == "href" || name == "src" {
                if let Some(scheme) = scheme(value) {
                    assert!(matches!(scheme.as_str(), "http" | "https" | "mailto"), "scheme {scheme}\n{}", context());
                }
                let compact: String =
                    value.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect::<String>().to_lowercase();
                for bad in ["javascript:", "vbscript:", "data:"] {
                    assert!(!compact.starts_with(bad), "{bad} URL\n{}", context());
                }
            }
            if name == "rel" {
                assert_eq!(value, "noopener noreferrer nofollow", "{}", context());
            }
        }
        if tag.name == "a" {
            assert!(tag.attributes.iter().any(|(name, _)| name == "rel"), "link without rel\n{}", context());
        }
    }
    let lower = html.to_lowercase();
    for needle in ["<script", "<iframe", "<object", "<embed", "<style", "<form", "<img", "<svg", "<math"] {
        assert!(!lower.contains(needle), "{needle} survived\n{}", context());
    }
}

#[test]
fn renders_everyday_markdown() {
    let html = render_html(
        "¿Por qué **Minga**? ¡Porque _juntos_ avanzamos! Año, señal, acción.\n\n\
         - uno\n- dos\n\n1. primero\n2. segundo\n\n\
         [Constitución](https://www.asambleanacional.gob.ec/) y [relativo](/documentos/1)\n\n\
         | Organización | Votos |\n|---|:-:|\n| Fundación Ñukanchik | 3 |\n\n\
         ~~tachado~~ `código` > cita\n\n## Título\n\n---\n\n```\nbloque <b>\n```",
    );
    assert!(html.contains("¿Por qué <strong>Minga</strong>? ¡Porque <em>juntos</em> avanzamos! Año, señal, acción."));
    assert!(html.contains("<ul>\n<li>uno</li>\n<li>dos</li>\n</ul>"), "{html}");
    assert!(html.contains("<ol>\n<li>primero</li>"), "{html}");
    assert!(html.contains(
        "<a href=\"https://www.asambleanacional.gob.ec/\" rel=\"noopener noreferrer nofollow\">Constitución</a>"
    ));
    assert!(html.contains("<a href=\"/documentos/1\" rel=\"noopener noreferrer nofollow\">relativo</a>"), "{html}");
    assert!(html.contains("<table><thead><tr><th>Organización</th><th>Votos</th></tr></thead>"), "{html}");
    assert!(html.contains("<td>Fundación Ñukanchik</td><td>3</td>"), "{html}");
    assert!(html.contains("<del>tachado</del> <code>código</code>"), "{html}");
    assert!(html.contains("<h2>Título</h2>") && html.contains("<hr>"), "{html}");
    assert!(html.contains("<pre><code>bloque &lt;b&gt;\n</code></pre>"), "{html}");
    assert_safe("everyday", &html);
}

#[test]
fn keeps_mail_links_numbered_lists_and_harmless_raw_html() {
    let html = render_html("<mailto:secretaria@minga.ec>\n\n3. tres\n4. cuatro\n\nun <em>énfasis</em> crudo");
    assert!(html.contains("<a href=\"mailto:secretaria@minga.ec\" rel=\"noopener noreferrer nofollow\">"), "{html}");
    assert!(html.contains("<ol start=\"3\">"), "{html}");
    assert!(html.contains("un <em>énfasis</em> crudo"), "{html}");
}

#[test]
fn empty_and_whitespace_input_render_to_nothing() {
    assert_eq!(render_html(""), "");
    assert_eq!(render_html("  \n\n\t\n"), "");
}

const XSS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt >alert(1)</sCrIpT >",
    "<script\n>alert(1)</script\n>",
    "<script/src=//evil.example/x.js></script>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    "<script>alert(1)",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<img src=x onerror=alert(1)//",
    "![x](javascript:alert(1))",
    "![x](https://evil.example/track.png)",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math href=\"javascript:alert(1)\">x</math>",
    "<math><maction actiontype=statusline xlink:href=javascript:alert(1)>x</maction></math>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))",
    "[x]( javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](\u{1}javascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<vbscript:msgbox(1)>",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "[r]\n\n[r]: <javascript:alert(1)> \"t\"",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"java&#x09;script:alert(1)\">x</a>",
    "<a href=\"java\tscript:alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<a href=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)\">x</a>",
    "<a href=\"  javascript:alert(1)\">x</a>",
    "<a href=\"&#x20;javascript:alert(1)\">x</a>",
    "<a href=javascript:alert(1)>x</a>",
    "<a href='vbscript:msgbox(1)'>x</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
    "<a href=\"x\" onclick=\"alert(1)\">x</a>",
    "<a href=\"x\"onmouseover=alert(1)>x</a>",
    "<a href=\"https://ok.example\" style=\"position:fixed;top:0\">x</a>",
    "<a href=\"x\" rel=\"opener\" target=\"_blank\">x</a>",
    "<a href=\"\" title=\"\" onfocus=\"alert(1)\" autofocus>x</a>",
    "<a title=\"x\"\" onmouseover=\"alert(1)\">x</a>",
    "<p title=\"</p><script>alert(1)</script>\">x</p>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\">",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<form action=\"javascript:alert(1)\"><button>x</button></form>",
    "<form><input formaction=javascript:alert(1) type=submit></form>",
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<div onpointerover=alert(1)>x</div>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<link rel=stylesheet href=\"javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<table background=\"javascript:alert(1)\"><tr><td>x</td></tr></table>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<template><script>alert(1)</script></template>",
    "<textarea><script>alert(1)</script></textarea>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<div><p><em><a href=\"javascript:alert(1)\"><strong>",
    "<a href=\"https://ok.example\"><a href=\"javascript:alert(1)\">nested</a></a>",
    "**<img src=x onerror=alert(1)>**",
    "`<script>` is code but <script>alert(1)</script> is not",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "> <iframe src=//evil.example>",
    "- [x](javascript:alert(1))\n- <svg/onload=alert(1)>",
    "<x onclick=alert(1)>y</x>",
    "<a href=\"javascript:alert(1)\"\n>x</a>",
    "<a\nhref=\"javascript:alert(1)\">x</a>",
];

#[test]
fn the_xss_corpus_is_neutralized() {
    assert!(XSS.len() >= 40);
    for payload in XSS {
        assert_safe(payload, &render_html(payload));
    }
}

#[test]
fn harmful_links_lose_their_target_but_keep_their_text() {
    let html = render_html("[pulse aquí](javascript:alert(1))");
    assert_eq!(html, "<p><a rel=\"noopener noreferrer nofollow\">pulse aquí</a></p>\n");
}

#[test]
fn the_checker_itself_catches_what_it_should() {
    let bad = [
        "<p onclick=\"x\">a</p>",
        "<a href=\"&#106;avascript:x\" rel=\"noopener noreferrer nofollow\">a</a>",
        "<a href=\" java&#x09;script:x\" rel=\"noopener noreferrer nofollow\">a</a>",
        "<a href=\"DATA:text/html,x\" rel=\"noopener noreferrer nofollow\">a</a>",
        "<a href=\"https://x\">no rel</a>",
        "<img src=\"x\">",
        "<span>x</span>",
    ];
    for html in bad {
        let caught = std::panic::catch_unwind(|| assert_safe("checker", html)).is_err();
        assert!(caught, "the checker let through {html}");
    }
}

/// The deepest element nesting in the output (`br` and `hr` have no end tag).
fn depth(html: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for tag in tags(html) {
        match (tag.closing, tag.name.as_str()) {
            (false, "br" | "hr") => {}
            (false, _) => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (true, _) => depth = depth.saturating_sub(1),
        }
    }
    deepest
}

#[test]
fn deep_nesting_is_flattened_and_does_not_exhaust_a_small_stack() {
    let inputs = [
        "> ".repeat(50_000),
        "1. ".repeat(33_000),
        "> - ".repeat(25_000),
        (0..2_000).map(|level| format!("{}- nivel {level}\n", "  ".repeat(level))).collect(),
        "<blockquote>".repeat(1_000),
        "<ul><li>".repeat(500),
        "<div>".repeat(20_000),
        "*_".repeat(25_000) + "x" + &"_*".repeat(25_000),
        "[".repeat(50_000) + &"]".repeat(50_000),
        "*".repeat(100_000),
    ];
    // Tokio's worker threads have 2 MiB stacks; rendering happens there.
    let worker = std::thread::Builder::new().stack_size(2 * 1024 * 1024).spawn(move || {
        for input in &inputs {
            let html = render_html(input);
            assert_safe("deep", &html);
            // Raw HTML under the tag budget may add its own levels on top.
            assert!(depth(&html) <= super::MAX_DEPTH + super::RAW_HTML_TAGS, "{}", depth(&html));
            if !input.contains('<') {
                assert!(depth(&html) <= super::MAX_DEPTH, "{} levels for {:?}", depth(&html), &input[..20]);
            }
        }
    });
    assert!(worker.unwrap().join().is_ok());
}

#[test]
fn nesting_within_the_limit_is_kept() {
    let input: String = (0..10).map(|level| format!("{}- nivel {level}\n", "  ".repeat(level))).collect();
    assert_eq!(depth(&render_html(&input)), 20);
    assert_eq!(depth(&render_html(&("> ".repeat(20) + "cita"))), 21);
}

#[test]
fn raw_html_beyond_the_budget_is_shown_as_text() {
    let few = render_html(&("<em>".repeat(10) + "x"));
    assert!(few.contains("<em>") && !few.contains("&lt;em"), "{few}");
    let many = render_html(&"<em>x</em>".repeat(super::RAW_HTML_TAGS));
    assert!(many.contains("<em>x</em>") && many.contains("&lt;em&gt;x&lt;/em&gt;"));
}

#[test]
fn images_become_their_description() {
    let html = render_html("![Logo de la Fundación Ñukanchik](https://evil.example/pixel.png)");
    assert_eq!(html, "<p>Logo de la Fundación Ñukanchik</p>\n");
}

/// Pieces of attacks, glued together in random orders so that the sanitizer
/// also meets combinations nobody thought of.
const FRAGMENTS: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "\"",
    "'",
    "=",
    " ",
    "\n",
    "\t",
    "&#",
    "&#x",
    "6A;",
    "106;",
    ";",
    "&colon;",
    "&",
    "javascript:",
    "JaVaScRiPt:",
    "java\tscript:",
    "vbscript:",
    "data:text/html,",
    "alert(1)",
    "script",
    "SCRIPT",
    "img",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "style",
    "form",
    "a",
    "href",
    "src",
    "onerror",
    "onload",
    "onclick",
    " on",
    "[x](",
    ")",
    "[r]",
    "[r]: ",
    "](",
    "<javascript:",
    "![",
    "`",
    "```\n",
    "> ",
    "- ",
    "| a |\n|---|\n| ",
    "**",
    "_",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "\\",
    "xlink:href",
    "<a href=",
    "<p title=",
    "ñ",
    "¿¡",
];

fn fragments() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..40).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_renders_safely(input in any::<String>()) {
        assert_safe(&input, &render_html(&input));
    }

    #[test]
    fn glued_attack_fragments_render_safely(input in fragments()) {
        assert_safe(&input, &render_html(&input));
    }

    #[test]
    fn spanish_text_survives_intact(text in "[a-zA-Z0-9 áéíóúüñÁÉÍÓÚÜÑ¿¡?!,]{1,80}") {
        let html = render_html(&text);
        let trimmed = text.trim();
        prop_assume!(!trimmed.is_empty());
        prop_assert!(html.contains(trimmed), "{} not in {}", trimmed, html);
    }
}
