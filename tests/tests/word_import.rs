//! A draft statute arrives as a Word or OpenDocument file: a dry run shows
//! the chapters and articles found and changes nothing; the import then
//! replaces the text. Hostile or unreadable files get a clear 4xx and the
//! text stays as it was. On both backends.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::io::Write;

use minga_tests::{expect_problem, expect_status, on_both_backends, Backend, Session, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::Value;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const ODT: &str = "application/vnd.oasis.opendocument.text";

on_both_backends!(
    a_word_statute_is_previewed_then_imported,
    files_saved_by_libreoffice_import,
    unreadable_and_hostile_files_change_nothing
);

fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        out.start_file(*name, options).expect("zip entry");
        out.write_all(bytes).expect("zip write");
    }
    out.finish().expect("zip").into_inner()
}

fn paragraph(style: Option<&str>, runs: &[(&str, bool)]) -> String {
    let style = style.map(|s| format!(r#"<w:pPr><w:pStyle w:val="{s}"/></w:pPr>"#)).unwrap_or_default();
    let runs: String = runs
        .iter()
        .map(|(text, bold)| {
            let props = if *bold { "<w:rPr><w:b/></w:rPr>" } else { "" };
            format!(r#"<w:r>{props}<w:t xml:space="preserve">{text}</w:t></w:r>"#)
        })
        .collect();
    format!("<w:p>{style}{runs}</w:p>")
}

/// A Word file as Word lays it out: the content types, the relationships and the document part.
fn docx(paragraphs: &[String]) -> Vec<u8> {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{}<w:sectPr/></w:body></w:document>"#,
        paragraphs.concat()
    );
    zip_of(&[
        ("[Content_Types].xml", br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#),
        ("_rels/.rels", br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#),
        ("word/document.xml", document.as_bytes()),
    ])
}

fn statute_docx() -> Vec<u8> {
    docx(&[
        paragraph(Some("Title"), &[("ESTATUTO DEL FORO PERMANENTE POR LA MOVILIDAD HUMANA", false)]),
        paragraph(None, &[("CAPÍTULO I", true)]),
        paragraph(None, &[("DE LA NATURALEZA", true)]),
        paragraph(
            None,
            &[
                ("Art. 1.- Naturaleza.- ", true),
                ("El Foro es un espacio ", false),
                ("autónomo", true),
                (" de articulación.", false),
            ],
        ),
        paragraph(None, &[("Art. 2.- El Foro tiene su domicilio en Quito.", false)]),
        paragraph(None, &[("CAPÍTULO II.- DE LOS MIEMBROS", false)]),
        paragraph(None, &[("Artículo 3. Miembros", false)]),
        paragraph(None, &[("Son miembros las organizaciones que suscriben este estatuto.", false)]),
        paragraph(None, &[("DISPOSICIONES TRANSITORIAS", true)]),
        paragraph(None, &[("PRIMERA.- La primera asamblea se reunirá en noventa días.", false)]),
    ])
}

fn statute_odt() -> Vec<u8> {
    let content = concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0">"#,
        r#"<office:automatic-styles><style:style style:name="T1" style:family="text"><style:text-properties fo:font-style="italic"/></style:style></office:automatic-styles>"#,
        r#"<office:body><office:text><text:h text:outline-level="1">TÍTULO I DE LOS FINES</text:h>"#,
        r#"<text:p>Art. 1.- Fines.- Son fines del Foro:</text:p>"#,
        r#"<text:list><text:list-item><text:p>articular a las <text:span text:style-name="T1">organizaciones</text:span>;</text:p></text:list-item>"#,
        r#"<text:list-item><text:p>incidir en la política pública.</text:p></text:list-item></text:list>"#,
        r#"</office:text></office:body></office:document-content>"#,
    );
    zip_of(&[
        ("mimetype", ODT.as_bytes()),
        ("META-INF/manifest.xml", br#"<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>"#),
        ("content.xml", content.as_bytes()),
    ])
}

async fn send(
    app: &TestApp,
    who: &Session,
    doc: &str,
    query: &str,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    app.as_user(who, Method::POST, &format!("/api/v1/documents/{doc}/import{query}"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("request")
}

fn outline(doc: &Value) -> Vec<(String, String)> {
    doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["kind"].as_str().unwrap().to_owned(), s["title"].as_str().unwrap().to_owned()))
        .collect()
}

async fn a_word_statute_is_previewed_then_imported(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let ana = app.delegate("ana@ong.ec", "Fundación Esperanza").await;
    let (doc, _) = app.charter(&admin, 2).await;
    let before = app.answer(Some(&admin), Method::GET, &format!("/api/v1/documents/{doc}"), None, StatusCode::OK).await;

    // Only the secretariat, even for a look.
    expect_problem(
        send(&app, &ana, &doc, "?dry_run=true", DOCX, statute_docx()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    let preview =
        expect_status(send(&app, &admin, &doc, "?dry_run=true", DOCX, statute_docx()).await, StatusCode::OK).await;
    assert_eq!(
        (preview["dry_run"].as_bool(), preview["chapters"].as_u64(), preview["articles"].as_u64()),
        (Some(true), Some(3), Some(4)),
        "{preview}"
    );
    let titles: Vec<&str> =
        preview["sections"].as_array().unwrap().iter().map(|s| s["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "DE LA NATURALEZA",
            "Naturaleza",
            "El Foro tiene su domicilio en…",
            "DE LOS MIEMBROS",
            "Miembros",
            "DISPOSICIONES TRANSITORIAS",
            "Primera"
        ]
    );
    assert_eq!(preview["sections"][1]["body"], "El Foro es un espacio **autónomo** de articulación.");
    assert!(preview["markdown"].as_str().unwrap().starts_with("# ESTATUTO DEL FORO"), "{preview}");
    let unchanged =
        app.answer(Some(&admin), Method::GET, &format!("/api/v1/documents/{doc}"), None, StatusCode::OK).await;
    assert_eq!(unchanged["version"], before["version"], "a dry run changes nothing");

    let imported = expect_status(send(&app, &admin, &doc, "", DOCX, statute_docx()).await, StatusCode::OK).await;
    assert_eq!(imported["version"].as_i64(), before["version"].as_i64().map(|v| v + 1));
    assert_eq!(outline(&imported).len(), 7);
    assert_eq!(
        imported["sections"][1]["body_html"],
        "<p>El Foro es un espacio <strong>autónomo</strong> de articulación.</p>\n"
    );
    assert_eq!(imported["sections"][4]["number"], 3, "articles are numbered by position");

    // ODT: an outline heading, a list, italic.
    let odt = expect_status(send(&app, &admin, &doc, "", ODT, statute_odt()).await, StatusCode::OK).await;
    assert_eq!(outline(&odt), [("chapter".into(), "DE LOS FINES".into()), ("article".into(), "Fines".into())]);
    assert_eq!(
        odt["sections"][1]["body"],
        "Son fines del Foro:\n\n- articular a las *organizaciones*;\n- incidir en la política pública."
    );
}

async fn unreadable_and_hostile_files_change_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let (doc, _) = app.charter(&admin, 2).await;
    let before = app.answer(Some(&admin), Method::GET, &format!("/api/v1/documents/{doc}"), None, StatusCode::OK).await;
    let refused = |detail: &'static str| {
        move |problem: Value| {
            assert!(problem["detail"].as_str().unwrap().contains(detail), "{problem}");
        }
    };

    // Not a document; an old or encrypted file; a zip bomb; external entities; tables nested deep.
    let not_a_document = send(&app, &admin, &doc, "", DOCX, b"esto no es un documento".to_vec()).await;
    refused("not a Word (.docx) document")(
        expect_problem(not_a_document, StatusCode::UNPROCESSABLE_ENTITY, "validation").await,
    );
    let ole = send(&app, &admin, &doc, "", DOCX, vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]).await;
    refused("password")(expect_problem(ole, StatusCode::UNPROCESSABLE_ENTITY, "validation").await);
    let bomb = zip_of(&[("word/document.xml", &vec![b' '; 48 * 1024 * 1024])]);
    assert!(bomb.len() < 1024 * 1024, "the bomb is small: {} bytes", bomb.len());
    refused("MiB unpacked")(
        expect_problem(send(&app, &admin, &doc, "", DOCX, bomb).await, StatusCode::UNPROCESSABLE_ENTITY, "validation")
            .await,
    );
    let xxe = br#"<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]><w:document><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"#;
    let xxe = send(&app, &admin, &doc, "", DOCX, zip_of(&[("word/document.xml", xxe)])).await;
    refused("DTD")(expect_problem(xxe, StatusCode::UNPROCESSABLE_ENTITY, "validation").await);
    let deep = docx(&["<w:tbl><w:tr><w:tc>".repeat(5_000) + &"</w:tc></w:tr></w:tbl>".repeat(5_000)]);
    refused("nested")(
        expect_problem(send(&app, &admin, &doc, "", DOCX, deep).await, StatusCode::UNPROCESSABLE_ENTITY, "validation")
            .await,
    );
    // A file with no chapter or article at all says so.
    let plain = docx(&[paragraph(None, &[("Una carta sin estructura.", false)])]);
    let plain = expect_problem(
        send(&app, &admin, &doc, "?dry_run=true", DOCX, plain).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(plain["detail"].as_str().unwrap().contains("no chapter or article was found"), "{plain}");
    // Over the import limit; a kind of file Minga does not read.
    let huge = vec![0u8; 2 * 1024 * 1024 + 1];
    expect_status(send(&app, &admin, &doc, "", DOCX, huge).await, StatusCode::PAYLOAD_TOO_LARGE).await;
    expect_problem(
        send(&app, &admin, &doc, "", "application/pdf", b"%PDF-1.7".to_vec()).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "validation",
    )
    .await;

    let after = app.answer(Some(&admin), Method::GET, &format!("/api/v1/documents/{doc}"), None, StatusCode::OK).await;
    assert_eq!(after["version"], before["version"]);
    assert_eq!(outline(&after), outline(&before), "nothing refused touched the text");
}

async fn files_saved_by_libreoffice_import(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let (doc, _) = app.charter(&admin, 1).await;
    let expected: Vec<(String, String)> = [
        ("chapter", "DE LA NATURALEZA Y LOS FINES"),
        ("article", "Naturaleza"),
        ("article", "Domicilio"),
        ("article", "Fines"),
        ("chapter", "DE LOS MIEMBROS"),
        ("article", "Miembros"),
        ("chapter", "DISPOSICIONES TRANSITORIAS"),
        ("article", "Primera"),
    ]
    .iter()
    .map(|(k, t)| ((*k).to_owned(), (*t).to_owned()))
    .collect();
    let files: [(&str, &[u8]); 2] = [
        (DOCX, include_bytes!("../fixtures/estatuto-libreoffice.docx")),
        (ODT, include_bytes!("../fixtures/estatuto-libreoffice.odt")),
    ];
    for (content_type, file) in files {
        let imported =
            expect_status(send(&app, &admin, &doc, "", content_type, file.to_vec()).await, StatusCode::OK).await;
        assert_eq!(outline(&imported), expected, "{content_type}");
        let article = |i: usize| imported["sections"][i]["body"].as_str().unwrap().to_owned();
        assert!(article(1).contains("*autónomo*"), "{content_type}: {}", article(1));
        assert!(article(3).contains("- articular a las organizaciones"), "{content_type}: {}", article(3));
    }
}
