use super::*;
use crate::domain::charter_text::{parse_import, SectionKind};

fn p(text: &str) -> Paragraph {
    Paragraph { text: text.into(), ..Paragraph::default() }
}

fn heading(level: u8, text: &str) -> Paragraph {
    Paragraph { text: text.into(), heading: Some(level), list: None }
}

fn item(text: &str) -> Paragraph {
    Paragraph { text: text.into(), heading: None, list: Some(ListKind::Bullet) }
}

/// (kind, title, body) of each section the charter import finds.
fn sections(paragraphs: &[Paragraph]) -> (Option<String>, Vec<(SectionKind, String, String)>) {
    let markdown = to_import_markdown(paragraphs).expect("a structure");
    let charter = parse_import(&markdown).unwrap_or_else(|err| panic!("{err}:\n{markdown}"));
    (charter.title, charter.sections.into_iter().map(|s| (s.kind, s.title, s.body)).collect())
}

#[test]
fn ecuadorian_statute_patterns_become_chapters_and_articles() {
    let (title, found) = sections(&[
        p("**ESTATUTO DEL FORO PERMANENTE POR LA MOVILIDAD HUMANA**"),
        p("TÍTULO I"),
        p("DE LA NATURALEZA Y LOS FINES"),
        p("CAPÍTULO I.- DEL NOMBRE"),
        p("Art. 1.- Denominación.- El Foro se denomina **Foro Permanente**."),
        p("**Art. 2.-** El Foro tiene su domicilio en Quito, provincia de Pichincha."),
        p("Artículo 3. Fines"),
        p("Son fines del Foro:"),
        item("articular a las organizaciones;"),
        item("incidir en la *política pública*."),
        p("DISPOSICIONES TRANSITORIAS"),
        p("PRIMERA.- La primera asamblea se reunirá en noventa días."),
        p("SEGUNDA.- Transición.- La secretaría técnica seguirá en funciones."),
    ]);
    assert_eq!(title.as_deref(), Some("ESTATUTO DEL FORO PERMANENTE POR LA MOVILIDAD HUMANA"));
    let heads: Vec<(SectionKind, &str)> = found.iter().map(|(k, t, _)| (*k, t.as_str())).collect();
    assert_eq!(
        heads,
        [
            (SectionKind::Chapter, "DE LA NATURALEZA Y LOS FINES"),
            (SectionKind::Chapter, "DEL NOMBRE"),
            (SectionKind::Article, "Denominación"),
            (SectionKind::Article, "El Foro tiene su domicilio en…"),
            (SectionKind::Article, "Fines"),
            (SectionKind::Chapter, "DISPOSICIONES TRANSITORIAS"),
            (SectionKind::Article, "Primera"),
            (SectionKind::Article, "Transición"),
        ]
    );
    assert_eq!(found[2].2, "El Foro se denomina **Foro Permanente**.");
    assert_eq!(found[3].2, "El Foro tiene su domicilio en Quito, provincia de Pichincha.");
    assert_eq!(
        found[4].2,
        "Son fines del Foro:\n\n- articular a las organizaciones;\n- incidir en la *política pública*."
    );
    assert_eq!(found[6].2, "La primera asamblea se reunirá en noventa días.");
}

#[test]
fn outline_levels_serve_when_there_are_no_patterns() {
    let (title, found) = sections(&[
        heading(0, "Estatuto"),
        heading(1, "De los miembros"),
        heading(3, "Admisión"),
        p("La asamblea admite a los miembros."),
        heading(2, "De la asamblea"),
    ]);
    assert_eq!(title.as_deref(), Some("Estatuto"));
    let heads: Vec<&str> = found.iter().map(|(_, t, _)| t.as_str()).collect();
    assert_eq!(heads, ["De los miembros", "Admisión", "De la asamblea"]);
    assert_eq!(found[1].2, "La asamblea admite a los miembros.");
}

#[test]
fn text_before_any_section_is_a_preamble_and_nothing_is_lost() {
    let (title, found) =
        sections(&[p("Considerando que las organizaciones trabajan juntas,"), p("Art. 1.- Objeto.- Unir.")]);
    assert_eq!(title, None);
    assert_eq!(
        found[0],
        (SectionKind::Article, "Preámbulo".into(), "Considerando que las organizaciones trabajan juntas,".into())
    );
    assert_eq!(found[1].1, "Objeto");
}

#[test]
fn words_that_only_look_like_patterns_stay_text() {
    let (_, found) = sections(&[
        p("CAPÍTULO I"),
        p("Artículos varios se tratarán luego."),
        p("Arte y cultura son fines del Foro."),
        p("Primeramente, el Foro se organiza."),
    ]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, "Sin título");
    assert!(found[0].2.contains("Primeramente"), "{found:?}");
}

#[test]
fn a_file_without_any_structure_is_refused_not_guessed() {
    assert_eq!(to_import_markdown(&[p("Querida secretaría:"), p("Le envío el borrador.")]), Err(NoStructure));
}
