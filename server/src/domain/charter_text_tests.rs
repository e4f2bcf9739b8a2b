use super::*;
use proptest::prelude::*;
use SectionKind::{Article, Chapter};

const STATUTE: &str = "# Estatuto de la Red de Organizaciones Sociales del Ecuador

## CAPÍTULO I.- DENOMINACIÓN, NATURALEZA Y DOMICILIO

### Art. 1.- Denominación

Se constituye la **Red de Organizaciones Sociales del Ecuador** (en adelante, «la Red»),
como una organización de derecho privado, sin fines de lucro.

### Art. 2.- Naturaleza

La Red es una corporación de segundo grado, conforme al Código Civil y al
Reglamento para el otorgamiento de personalidad jurídica.

### Art. 3.- Domicilio
Su domicilio es el Distrito Metropolitano de Quito, provincia de Pichincha.


## CAPÍTULO II: FINES Y OBJETIVOS

### Artículo 4.- Fines

Son fines de la Red:

1. Promover la participación ciudadana y el ejercicio de los derechos.
2. Fortalecer a las organizaciones miembro, en especial las de mujeres, jóvenes y pueblos y nacionalidades.
3. Defender la libertad de asociación.

#### Fines específicos

- Capacitación en gestión asociativa.
- Incidencia en políticas públicas.

### Artículo 5 – Objetivos

¿Cómo se cumplen los fines? ¡Con la minga de todas las organizaciones!

### Art. 6.-

## Capítulo III — De los miembros

### ARTÍCULO 7. Clases de miembros

| Clase | Derecho a voto |
|-------|----------------|
| Fundadores | Sí |
| Adherentes | Sí |
| Honorarios | No |

### Art 8: Derechos

Los miembros tienen derecho a:

* elegir y ser elegidos;
* presentar propuestas de reforma;
* recibir información.

### Artículo 9º.- Obligaciones ##

Cumplir el presente estatuto.
";

fn section(kind: SectionKind, title: &str, body: &str) -> ImportedSection {
    ImportedSection { kind, title: title.to_owned(), body: body.to_owned() }
}

fn statute_sections() -> Vec<ImportedSection> {
    vec![
        section(Chapter, "DENOMINACIÓN, NATURALEZA Y DOMICILIO", ""),
        section(
            Article,
            "Denominación",
            "Se constituye la **Red de Organizaciones Sociales del Ecuador** (en adelante, «la Red»),\n\
             como una organización de derecho privado, sin fines de lucro.",
        ),
        section(
            Article,
            "Naturaleza",
            "La Red es una corporación de segundo grado, conforme al Código Civil y al\n\
             Reglamento para el otorgamiento de personalidad jurídica.",
        ),
        section(Article, "Domicilio", "Su domicilio es el Distrito Metropolitano de Quito, provincia de Pichincha."),
        section(Chapter, "FINES Y OBJETIVOS", ""),
        section(
            Article,
            "Fines",
            "Son fines de la Red:\n\n\
             1. Promover la participación ciudadana y el ejercicio de los derechos.\n\
             2. Fortalecer a las organizaciones miembro, en especial las de mujeres, jóvenes y pueblos y nacionalidades.\n\
             3. Defender la libertad de asociación.\n\n\
             #### Fines específicos\n\n\
             - Capacitación en gestión asociativa.\n\
             - Incidencia en políticas públicas.",
        ),
        section(Article, "Objetivos", "¿Cómo se cumplen los fines? ¡Con la minga de todas las organizaciones!"),
        section(Article, "", ""),
        section(Chapter, "De los miembros", ""),
        section(
            Article,
            "Clases de miembros",
            "| Clase | Derecho a voto |\n|-------|----------------|\n\
             | Fundadores | Sí |\n| Adherentes | Sí |\n| Honorarios | No |",
        ),
        section(
            Article,
            "Derechos",
            "Los miembros tienen derecho a:\n\n\
             * elegir y ser elegidos;\n* presentar propuestas de reforma;\n* recibir información.",
        ),
        section(Article, "Obligaciones", "Cumplir el presente estatuto."),
    ]
}

#[test]
fn imports_a_realistic_statute() {
    let charter = parse_import(STATUTE).unwrap();
    assert_eq!(charter.title.as_deref(), Some("Estatuto de la Red de Organizaciones Sociales del Ecuador"));
    assert_eq!(charter.sections, statute_sections());
}

#[test]
fn crlf_lone_cr_and_a_byte_order_mark_read_the_same() {
    let expected = parse_import(STATUTE).unwrap();
    assert_eq!(parse_import(&format!("\u{feff}{}", STATUTE.replace('\n', "\r\n"))).unwrap(), expected);
    assert_eq!(parse_import(&STATUTE.replace('\n', "\r")).unwrap(), expected);
}

#[test]
fn the_title_line_is_optional() {
    let charter = parse_import("\n\n## Único\n### Art. 1.- Objeto\nTexto").unwrap();
    assert_eq!(charter.title, None);
    assert_eq!(charter.sections, vec![section(Chapter, "Único", ""), section(Article, "Objeto", "Texto")]);
}

#[test]
fn written_numbers_are_dropped_from_titles() {
    let cases = [
        ("## CAPÍTULO I", Chapter, ""),
        ("## Capítulo II.- De los socios", Chapter, "De los socios"),
        ("## capitulo 3: Fines", Chapter, "Fines"),
        ("## Chapter XIV — Scope", Chapter, "Scope"),
        ("## Capítulo C. Cien", Chapter, "Cien"),
        ("## Capítulo Único", Chapter, "Capítulo Único"),
        ("## Capítulo Civil", Chapter, "Capítulo Civil"),
        ("## Capítulo IIII. Mal escrito", Chapter, "Capítulo IIII. Mal escrito"),
        ("## Capítulos finales", Chapter, "Capítulos finales"),
        ("## Artículo 1. Un artículo como capítulo", Chapter, "Artículo 1. Un artículo como capítulo"),
        ("### Art. 1.- Objeto", Article, "Objeto"),
        ("### Art.2.-Fines", Article, "Fines"),
        ("### Artículo 5", Article, ""),
        ("### ARTICULO 12.– Quórum", Article, "Quórum"),
        ("### Art 7 - Votación", Article, "Votación"),
        ("### Article 3: Scope", Article, "Scope"),
        ("### artículo 1º.- Denominación", Article, "Denominación"),
        ("### Art. IV Reformas", Article, "Reformas"),
        ("### Art. 10 ###", Article, ""),
        ("### Art. 1.- Art. 2", Article, "Art. 2"),
        ("### Arte y cultura", Article, "Arte y cultura"),
        ("### Artix", Article, "Artix"),
        ("### Artículo 5A.- Insertado", Article, "Artículo 5A.- Insertado"),
        ("### Disposición transitoria primera", Article, "Disposición transitoria primera"),
        ("## C#", Chapter, "C#"),
        ("## Lenguajes: C# y F# ##", Chapter, "Lenguajes: C# y F#"),
        ("##", Chapter, ""),
        ("## ", Chapter, ""),
        ("###\tTabulado\t", Article, "Tabulado"),
        ("### ###", Article, ""),
    ];
    for (heading, kind, title) in cases {
        let charter = parse_import(heading).unwrap();
        assert_eq!(charter.sections, vec![section(kind, title, "")], "{heading}");
    }
}

fn error(text: &str) -> (usize, String) {
    let error = parse_import(text).unwrap_err();
    (error.line, error.message)
}

#[test]
fn text_outside_any_section_names_its_line() {
    let (line, message) = error("# Estatuto\n\nPreámbulo de la Red.\n\n## Capítulo I");
    assert_eq!((line, message.as_str()), (3, "this text is not under any chapter (##) or article (###) heading"));
    assert_eq!(error("\\## escapado\n## C").0, 1);
    assert_eq!(error("```\n## C\n```\n## D").0, 1);
}

#[test]
fn the_title_line_comes_once_and_first() {
    let (line, message) = error("# Uno\n# Dos\n## Capítulo I");
    assert_eq!((line, message.as_str()), (2, "there can be only one title line (#)"));
    let (line, message) = error("## Capítulo I\nTexto\n\n# Tarde");
    assert_eq!(line, 4);
    assert_eq!(message, "the title line (#) must come before the first chapter (##) or article (###)");
    assert_eq!(error("## C\n#").0, 2);
}

#[test]
fn titles_are_limited_to_200_characters() {
    let ok = format!("# {}\n## {}\n### Art. 1.- {}", "é".repeat(200), "ñ".repeat(200), "á".repeat(200));
    assert!(parse_import(&ok).is_ok());
    let (line, message) = error(&format!("## C\n\n### Art. 1.- {}", "á".repeat(201)));
    assert_eq!((line, message.as_str()), (3, "this title is longer than 200 characters"));
    assert_eq!(error(&format!("# {}\n## C", "x".repeat(201))).0, 1);
    assert_eq!(error(&format!("# T\n## {}\n", "x".repeat(201))).0, 2);
}

#[test]
fn bodies_are_limited_to_100_000_characters() {
    let fits = format!("## C\n### A\n\n\n{}\n\n   \n", "ñ".repeat(100_000));
    assert_eq!(parse_import(&fits).unwrap().sections[1].body.chars().count(), 100_000);
    let lines = format!("{}\n{}", "a".repeat(50_000), "b".repeat(49_999));
    assert!(parse_import(&format!("## C\n{lines}")).is_ok());
    let (line, message) = error(&format!("## C\n\n### A\n{}\n## D", "ñ".repeat(100_001)));
    assert_eq!((line, message.as_str()), (3, "the text under this heading is longer than 100000 characters"));
    assert_eq!(error(&format!("## C\n{}\n{}", "a".repeat(50_000), "b".repeat(50_000))).0, 1);
}

#[test]
fn a_text_without_sections_is_refused_at_line_1() {
    let expected = (1, "the text has no chapter (##) or article (###) heading".to_owned());
    for text in ["", "\u{feff}", "Solo un párrafo.\n\nY otro.", "# Solo el título", "#### Subtítulo", "```\n## C\n```"]
    {
        assert_eq!(error(text), expected, "{text:?}");
    }
}

#[test]
fn headings_inside_code_fences_are_body_text() {
    let text = "## C\n```markdown\n## no\n# tampoco\n```\n### A\n~~~~\n### no\n~~~\n~~~~~\n## D\n";
    let charter = parse_import(text).unwrap();
    assert_eq!(
        charter.sections,
        vec![
            section(Chapter, "C", "```markdown\n## no\n# tampoco\n```"),
            section(Article, "A", "~~~~\n### no\n~~~\n~~~~~"),
            section(Chapter, "D", ""),
        ]
    );
    // Not fences: a backtick in the info string, four spaces of indentation.
    let charter = parse_import("## C\n``` a`b\n## D\n    ```\n### E").unwrap();
    assert_eq!(charter.sections.len(), 3);
    // A closing fence has nothing after its run; a shorter run does not close.
    let charter = parse_import("## C\n````\n``` no cierra\n```\n## sigue\n````\n## D").unwrap();
    assert_eq!(charter.sections[0].body, "````\n``` no cierra\n```\n## sigue\n````");
    assert_eq!(charter.sections.len(), 2);
    // An unclosed fence runs to the end, as in any Markdown reader.
    let charter = parse_import("## C\n  ```\n## D").unwrap();
    assert_eq!(charter.sections, vec![section(Chapter, "C", "  ```\n## D")]);
}

#[test]
fn exports_in_the_documented_shape() {
    let sections = [
        ExportSection { kind: Chapter, number: 1, title: "Disposiciones generales", body: "" },
        ExportSection { kind: Article, number: 1, title: "Objeto", body: "\n\nLa Red tiene por objeto...\n\n" },
        ExportSection { kind: Article, number: 2, title: "", body: "Texto" },
        ExportSection { kind: Article, number: 3, title: "C#", body: "" },
    ];
    assert_eq!(
        to_markdown("Estatuto", &sections),
        "# Estatuto\n\n## Capítulo 1. Disposiciones generales\n\n### Artículo 1. Objeto\n\n\
         La Red tiene por objeto...\n\n### Artículo 2\n\nTexto\n\n### Artículo 3. C# #\n"
    );
}

#[test]
fn body_lines_that_look_like_structure_are_escaped_and_come_back() {
    let body = "## no es capítulo\n# ni título\n\\## ya escapado\n\\\\### doble\n#### se queda\n\
                ```\n## dentro de un bloque\n```\n~~~ sin cerrar\n### después";
    let exported = to_markdown("T", &[ExportSection { kind: Article, number: 1, title: "A", body }]);
    assert_eq!(
        exported,
        "# T\n\n### Artículo 1. A\n\n\\## no es capítulo\n\\# ni título\n\\\\## ya escapado\n\\\\\\### doble\n\
         #### se queda\n```\n## dentro de un bloque\n```\n\\~~~ sin cerrar\n\\### después\n"
    );
    let charter = parse_import(&exported).unwrap();
    assert_eq!(charter.sections, vec![section(Article, "A", body)]);
}

#[test]
fn export_then_import_gives_back_the_statute() {
    let original = statute_sections();
    let numbers = [1, 1, 2, 3, 2, 4, 5, 6, 3, 7, 8, 9];
    let export: Vec<ExportSection<'_>> = original
        .iter()
        .zip(numbers)
        .map(|(s, number)| ExportSection { kind: s.kind, number, title: &s.title, body: &s.body })
        .collect();
    let charter = parse_import(&to_markdown("Estatuto de la Red", &export)).unwrap();
    assert_eq!(charter.title.as_deref(), Some("Estatuto de la Red"));
    assert_eq!(charter.sections, original);
}

#[test]
fn kinds_serialize_in_snake_case_and_errors_display_their_line() {
    let json = serde_json::to_string(&section(Chapter, "Fines", "")).unwrap();
    assert_eq!(json, r#"{"kind":"chapter","title":"Fines","body":""}"#);
    assert_eq!(serde_json::to_string(&Article).unwrap(), r#""article""#);
    assert_eq!(ImportError { line: 7, message: "mal".into() }.to_string(), "line 7: mal");
}

#[test]
fn normalize_body_only_touches_line_endings_and_outer_blank_lines() {
    assert_eq!(normalize_body(" \r\n\t\n  sangría\r\n\r\nfin  \r \n\n"), "  sangría\n\nfin  ");
    assert_eq!(normalize_body("\n \n"), "");
}

// ---- properties ----

const TITLE_BITS: &[&str] =
    &["#", " #", "##", "Capítulo 1", "Art. 2.-", "IV", ".-", " ", "º", "\\", "`", "Ñandú", "—", ":", "Artículo"];

fn title() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        // Titles are single-line and free of control characters.
        2 => any::<char>().prop_map(|c| if c.is_control() { '·' } else { c }).prop_map(String::from),
        1 => prop::sample::select(TITLE_BITS).prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..30).prop_map(|pieces| pieces.concat().chars().take(200).collect())
}

const LINE_BITS: &[&str] = &[
    "",
    " ",
    "\t",
    "#",
    "##",
    "###",
    "####",
    "# x",
    "## x",
    "### x",
    "#x",
    "\\# x",
    "\\\\## x",
    "\\",
    "```",
    "````",
    "```rust",
    "``` a`b",
    "~~~",
    "~~~~",
    "  ```",
    "    ```",
    "    ## x",
    " ## x",
    "```   ",
    "> ## x",
    "- item",
    "Art. 1.- Objeto",
    "texto con ñ y ¿¡",
    "\u{feff}",
    "\u{3000}",
];

fn body() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        3 => prop::sample::select(LINE_BITS).prop_map(String::from),
        1 => ".{0,20}",
        1 => any::<String>().prop_map(|s| s.chars().take(20).collect()),
    ];
    let ending = prop::sample::select(&["\n", "\n", "\r\n", "\r"][..]);
    prop::collection::vec((line, ending), 0..15)
        .prop_map(|lines| lines.into_iter().flat_map(|(line, ending)| [line, ending.to_owned()]).collect::<String>())
}

fn kind() -> impl Strategy<Value = SectionKind> {
    prop_oneof![Just(Chapter), Just(Article)]
}

/// The structure of an imported charter is exported and imported again.
fn reimported(charter: &ImportedCharter) -> Result<ImportedCharter, ImportError> {
    let export: Vec<ExportSection<'_>> = charter
        .sections
        .iter()
        .map(|s| ExportSection { kind: s.kind, number: 1, title: &s.title, body: &s.body })
        .collect();
    parse_import(&to_markdown(charter.title.as_deref().unwrap_or_default(), &export))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn export_then_import_round_trips(
        document_title in title(),
        sections in prop::collection::vec((kind(), title(), body()), 1..8),
    ) {
        let export: Vec<ExportSection<'_>> = sections
            .iter()
            .enumerate()
            .map(|(i, (kind, title, body))| ExportSection { kind: *kind, number: i as u32 + 1, title, body })
            .collect();
        let text = to_markdown(&document_title, &export);
        let charter = parse_import(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(charter.title.as_deref(), Some(document_title.trim()));
        let expected: Vec<ImportedSection> = sections
            .iter()
            .map(|(kind, title, body)| section(*kind, title.trim(), &normalize_body(body)))
            .collect();
        prop_assert_eq!(charter.sections, expected, "{}", text);
    }

    #[test]
    fn import_never_panics_on_arbitrary_text(text in any::<String>()) {
        let _ = parse_import(&text);
    }

    #[test]
    fn whatever_imports_exports_and_imports_the_same(text in body(), headings in body()) {
        // Interleave heading-ish lines so that most inputs do import.
        let text: String = headings.split('\n').zip(text.split('\n')).flat_map(|(h, t)| ["## ", h, "\n", t, "\n"]).collect();
        if let Ok(charter) = parse_import(&text) {
            for section in &charter.sections {
                prop_assert!(section.title.chars().count() <= 200);
                prop_assert_eq!(&normalize_body(&section.body), &section.body);
            }
            let again = reimported(&charter).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(again.title, Some(charter.title.unwrap_or_default()));
            prop_assert_eq!(again.sections, charter.sections);
        }
    }

    /// Fully arbitrary text (any characters, any line breaks) under headings:
    /// most of it is accepted, and what is accepted comes back unchanged; what
    /// is refused names a line the text has.
    #[test]
    fn arbitrary_text_under_headings_is_kept_or_refused_at_a_real_line(
        title in prop::option::of(any::<String>()),
        parts in prop::collection::vec((prop::sample::select(&["## ", "### ", "#### ", "", "\\## "][..]), any::<String>()), 1..5),
    ) {
        let mut text: String = title.map(|title| format!("# {title}\n")).unwrap_or_default();
        for (heading, content) in &parts {
            text.push_str(heading);
            text.push_str(content);
            text.push('\n');
        }
        match parse_import(&text) {
            Ok(charter) => {
                let again = reimported(&charter).map_err(|e| TestCaseError::fail(format!("{e}\n{text:?}")))?;
                prop_assert_eq!(again.title, Some(charter.title.unwrap_or_default()));
                prop_assert_eq!(again.sections, charter.sections, "{:?}", text);
            }
            Err(error) => {
                let lines = unify_line_endings(text.strip_prefix('\u{feff}').unwrap_or(&text)).split('\n').count();
                prop_assert!((1..=lines).contains(&error.line), "line {} of {}: {:?}", error.line, lines, text);
                prop_assert!(!error.message.is_empty());
            }
        }
    }
}
