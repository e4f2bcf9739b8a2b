use std::io::Write;

use super::*;
use crate::domain::legal_structure::ListKind;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A zip of (name, bytes) parts, deflated.
fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        out.start_file(*name, options).unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn docx(body: &str) -> Vec<u8> {
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    zip_of(&[("[Content_Types].xml", b"<Types/>"), ("word/document.xml", xml.as_bytes())])
}

#[test]
fn a_docx_gives_its_paragraphs_headings_lists_and_emphasis() {
    let file = docx(concat!(
        r#"<w:p><w:pPr><w:pStyle w:val="Ttulo"/></w:pPr><w:r><w:t>Estatuto</w:t></w:r></w:p>"#,
        r#"<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>De los fines</w:t></w:r></w:p>"#,
        r#"<w:p><w:r><w:t xml:space="preserve">El Foro es </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>autónomo</w:t></w:r>"#,
        r#"<w:r><w:rPr><w:i/><w:b w:val="0"/></w:rPr><w:t xml:space="preserve"> y *plural*</w:t></w:r><w:del><w:r><w:delText>borrado</w:delText></w:r></w:del></w:p>"#,
        r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/></w:numPr></w:pPr><w:r><w:t>uno &amp; dos</w:t></w:r></w:p>"#,
    ));
    let found = paragraphs(&file, Format::Docx).unwrap();
    assert_eq!(found.len(), 4, "{found:?}");
    assert_eq!((found[0].heading, found[0].text.as_str()), (Some(0), "Estatuto"));
    assert_eq!(found[1].heading, Some(1));
    assert_eq!(found[2].text, r"El Foro es **autónomo** *y \*plural\**");
    assert_eq!(found[3].list, Some(ListKind::Bullet));
    assert_eq!(found[3].text, r"uno \& dos");
    assert_eq!(Format::of_media_type(DOCX), Some(Format::Docx));
}

#[test]
fn an_odt_gives_its_paragraphs_with_styles_from_content_xml() {
    let content = concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="o" xmlns:style="s" xmlns:text="t" xmlns:fo="f">"#,
        r#"<office:automatic-styles><style:style style:name="T1" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>"#,
        r#"<style:style style:name="P1" style:family="paragraph" style:parent-style-name="Title"/></office:automatic-styles>"#,
        r#"<office:body><office:text><text:p text:style-name="P1">Estatuto</text:p>"#,
        r#"<text:h text:outline-level="2">CAPÍTULO I</text:h>"#,
        r#"<text:p>Art. 1.-<text:s/>El Foro es <text:span text:style-name="T1">autónomo</text:span>.</text:p>"#,
        r#"<text:list><text:list-item><text:p>primero</text:p></text:list-item></text:list>"#,
        r#"</office:text></office:body></office:document-content>"#,
    );
    let file = zip_of(&[("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", content.as_bytes())]);
    let found = paragraphs(&file, Format::Odt).unwrap();
    assert_eq!(found.len(), 4, "{found:?}");
    assert_eq!(found[0].heading, Some(0));
    assert_eq!((found[1].heading, found[1].text.as_str()), (Some(2), "CAPÍTULO I"));
    assert_eq!(found[2].text, "Art. 1.- El Foro es **autónomo**.");
    assert_eq!(found[3].list, Some(ListKind::Bullet));
}

#[test]
fn hostile_files_are_refused_with_bounded_work() {
    // Not a zip; an OLE container (encrypted OOXML, or .doc); a zip without the part.
    assert_eq!(paragraphs(b"hola", Format::Docx), Err(OfficeError::NotADocument("Word (.docx)")));
    assert_eq!(paragraphs(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1], Format::Docx), Err(OfficeError::Encrypted));
    assert_eq!(paragraphs(&zip_of(&[("a.txt", b"x")]), Format::Docx), Err(OfficeError::NotADocument("Word (.docx)")));
    // A zip bomb: 64 MiB of zeros in a few dozen KiB; reading stops at the bound.
    let zeros = vec![0u8; 64 * 1024 * 1024];
    let bomb = zip_of(&[("word/document.xml", &zeros)]);
    assert!(bomb.len() < 2 * 1024 * 1024, "{} bytes", bomb.len());
    assert_eq!(paragraphs(&bomb, Format::Docx), Err(OfficeError::TooLarge));
    // External entities: no DTD is read at all.
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><w:document><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"#;
    let file = zip_of(&[("word/document.xml", xxe.as_bytes())]);
    assert_eq!(paragraphs(&file, Format::Docx), Err(OfficeError::Doctype));
    // Tables nested ten thousand deep.
    let deep = format!("{}{}", "<w:tbl><w:tr><w:tc>".repeat(10_000), "</w:tc></w:tr></w:tbl>".repeat(10_000));
    assert_eq!(paragraphs(&docx(&deep), Format::Docx), Err(OfficeError::TooDeep));
    // An undeclared entity is damage, not text.
    assert!(matches!(
        paragraphs(&docx("<w:p><w:r><w:t>&x;</w:t></w:r></w:p>"), Format::Docx),
        Err(OfficeError::Malformed(_))
    ));
    // An ODT whose manifest says it is encrypted.
    let manifest = b"<manifest:manifest><manifest:encryption-data/></manifest:manifest>";
    let odt = zip_of(&[("mimetype", b"application/vnd.oasis.opendocument.text"), ("META-INF/manifest.xml", manifest)]);
    assert_eq!(paragraphs(&odt, Format::Odt), Err(OfficeError::Encrypted));
}
