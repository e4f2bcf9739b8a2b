//! The charter: documents, sections, Markdown import, versions, diffs and
//! export, each permission tried both ways, on both backends.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use minga_tests::{expect_problem, expect_status, on_both_backends, Backend, Session, TestApp};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};

on_both_backends!(
    only_the_secretariat_writes_the_charter,
    any_signed_in_user_reads_the_charter,
    documents_start_empty_at_version_one,
    sections_are_placed_and_numbered_by_position,
    section_bodies_are_sanitized_html,
    section_requests_are_validated,
    sections_are_edited_into_new_versions,
    a_spanish_statute_is_imported,
    import_replaces_every_section,
    import_errors_name_the_line,
    import_takes_markdown_up_to_two_mebibytes,
    versions_keep_every_snapshot,
    diffs_compare_versions_word_by_word,
    markdown_export_imports_back_to_the_same_text,
    html_export_is_a_printable_page,
);

const STATUTE: &str = "# Estatuto del Foro Permanente por la Movilidad Humana en Ecuador

## CAPÍTULO I.- Naturaleza, domicilio y fines
### Art. 1.- Naturaleza
El Foro es una red de organizaciones de la sociedad civil, sin fines de lucro.
### Art. 2.- Domicilio
El Foro tiene su domicilio en Quito y podrá actuar en todo el territorio nacional.
### Art. 3.- Fines
Son fines del Foro:

- promover los derechos de las personas en situación de movilidad humana;
- articular la acción de sus organizaciones miembro;
- dialogar con el Estado y la cooperación internacional.

## CAPÍTULO II.- De los miembros
### Art. 4.- Clases de miembros
Las instituciones públicas y las universidades participan como **observadoras**.
### Art. 5.- Derechos
Los miembros plenos tienen derecho a:

1. voz y voto en la Asamblea General;
2. proponer reformas a este Estatuto.
### Art. 6.- Pérdida de la calidad de miembro
La calidad de miembro se pierde por renuncia o por resolución de la Asamblea General.

## CAPÍTULO III.- Del gobierno del Foro
### Art. 7.- Asamblea General
La Asamblea General es la máxima instancia del Foro; se reúne una vez al año.
### Art. 8.- Secretaría Técnica
La Secretaría Técnica conjunta coordina el trabajo del Foro y custodia sus actas.
";

/// The statute's sections as [`outline`] shows them.
#[rustfmt::skip]
const STATUTE_OUTLINE: [&str; 11] = [
    "chapter 1 Naturaleza, domicilio y fines", "article 1 Naturaleza", "article 2 Domicilio", "article 3 Fines",
    "chapter 2 De los miembros", "article 4 Clases de miembros", "article 5 Derechos",
    "article 6 Pérdida de la calidad de miembro",
    "chapter 3 Del gobierno del Foro", "article 7 Asamblea General", "article 8 Secretaría Técnica",
];

struct World {
    app: TestApp,
    admin: Session,
    delegate: Session,
    observer: Session,
}

async fn world(backend: Backend) -> World {
    let app = TestApp::spawn(backend).await;
    let admin = app.secretariat().await;
    let delegate = app.delegate("delegada@ong.ec", "Fundación Esperanza").await;
    let observer = app.observer("observador@uni.ec", "Universidad Central").await;
    World { app, admin, delegate, observer }
}

/// A request as `who`, or anonymous for `None`.
fn call(app: &TestApp, who: Option<&Session>, method: Method, path: &str) -> RequestBuilder {
    match who {
        Some(session) => app.as_user(session, method, path),
        None => app.request(method, path),
    }
}

async fn send(request: RequestBuilder) -> Response {
    request.send().await.unwrap()
}

fn import_request(app: &TestApp, who: Option<&Session>, doc: &str, text: &str) -> RequestBuilder {
    call(app, who, Method::POST, &format!("/api/v1/documents/{doc}/import"))
        .header("content-type", "text/markdown")
        .body(text.to_owned())
}

fn section_json(kind: &str, title: &str, body: &str, after: Option<&str>) -> Value {
    json!({"kind": kind, "title": title, "body": body, "after_section_id": after})
}

/// The secretariat's successful calls.
impl World {
    fn as_admin(&self, method: Method, path: &str) -> RequestBuilder {
        call(&self.app, Some(&self.admin), method, path)
    }

    async fn get(&self, path: impl AsRef<str>) -> Value {
        expect_status(send(self.as_admin(Method::GET, path.as_ref())).await, StatusCode::OK).await
    }

    async fn write(&self, method: Method, path: &str, body: Value, status: StatusCode) -> Value {
        expect_status(send(self.as_admin(method, path).json(&body)).await, status).await
    }

    async fn create(&self, title: &str) -> String {
        id(&self.write(Method::POST, "/api/v1/documents", json!({"title": title}), StatusCode::CREATED).await)
    }

    async fn add(&self, doc: &str, kind: &str, title: &str, body: &str, after: Option<&str>) -> Value {
        let path = format!("/api/v1/documents/{doc}/sections");
        self.write(Method::POST, &path, section_json(kind, title, body, after), StatusCode::CREATED).await
    }

    async fn edit(&self, section: &str, patch: Value) -> Value {
        self.write(Method::PATCH, &format!("/api/v1/sections/{section}"), patch, StatusCode::OK).await
    }

    async fn import(&self, doc: &str, text: &str) -> Value {
        expect_status(send(import_request(&self.app, Some(&self.admin), doc, text)).await, StatusCode::OK).await
    }

    async fn document(&self, doc: &str) -> Value {
        self.get(format!("/api/v1/documents/{doc}")).await
    }
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

fn sections(doc: &Value) -> &[Value] {
    doc["sections"].as_array().unwrap()
}

/// "kind number title" per section, in reading order; checks `position` too.
fn outline(doc: &Value) -> Vec<String> {
    let sections = sections(doc);
    for (index, section) in sections.iter().enumerate() {
        assert_eq!(section["position"], index, "positions follow the reading order: {section}");
    }
    sections
        .iter()
        .map(|s| format!("{} {} {}", s["kind"].as_str().unwrap(), s["number"], s["title"].as_str().unwrap()))
        .collect()
}

/// What an import must reproduce: (kind, title, body) per section.
fn texts(doc: &Value) -> Vec<(Value, Value, Value)> {
    sections(doc).iter().map(|s| (s["kind"].clone(), s["title"].clone(), s["body"].clone())).collect()
}

/// "kind number @position" of one section.
fn place(section: &Value) -> String {
    format!("{} {} @{}", section["kind"].as_str().unwrap(), section["number"], section["position"])
}

fn changes(diff: &Value) -> Vec<&str> {
    sections(diff).iter().map(|s| s["change"].as_str().unwrap()).collect()
}

fn ops(pairs: &[(&str, &str)]) -> Value {
    pairs.iter().map(|(op, text)| json!({"op": op, "text": text})).collect()
}

async fn only_the_secretariat_writes_the_charter(backend: Backend) {
    let w = world(backend).await;
    let doc = w.create("Estatuto").await;
    let chapter = id(&w.add(&doc, "chapter", "Disposiciones generales", "", None).await);
    let refused = [
        (Some(&w.delegate), StatusCode::FORBIDDEN, "forbidden"),
        (Some(&w.observer), StatusCode::FORBIDDEN, "forbidden"),
        (None, StatusCode::UNAUTHORIZED, "unauthenticated"),
    ];
    let article = section_json("article", "Objeto", "Texto.", Some(&chapter));
    for (who, status, code) in refused {
        let attempts = [
            call(&w.app, who, Method::POST, "/api/v1/documents").json(&json!({"title": "Otro estatuto"})),
            call(&w.app, who, Method::POST, &format!("/api/v1/documents/{doc}/sections")).json(&article),
            call(&w.app, who, Method::PATCH, &format!("/api/v1/sections/{chapter}")).json(&json!({"title": "Otro"})),
            import_request(&w.app, who, &doc, STATUTE),
        ];
        for attempt in attempts {
            expect_problem(send(attempt).await, status, code).await;
        }
    }
    let unchanged = w.document(&doc).await;
    assert_eq!(unchanged["version"], 2, "refused writes make no version");
    assert_eq!(outline(&unchanged), ["chapter 1 Disposiciones generales"]);
    assert_eq!(w.get("/api/v1/documents").await.as_array().unwrap().len(), 1);
    // The secretariat's own writes (create and add above) went through; so do these.
    assert_eq!(w.edit(&chapter, json!({"title": "Principios"})).await["version"], 3);
    assert_eq!(w.import(&doc, STATUTE).await["version"], 4);
}

async fn any_signed_in_user_reads_the_charter(backend: Backend) {
    let w = world(backend).await;
    let (doc, articles) = w.app.charter(&w.admin, 2).await;
    w.edit(&articles[0], json!({"body": "Texto nuevo."})).await;
    let reads = ["", "/versions", "/versions/1", "/diff?from=2&to=3", "/export?format=markdown", "/export?format=html"];
    let paths = reads.map(|read| format!("/api/v1/documents/{doc}{read}"));
    for path in ["/api/v1/documents"].iter().copied().chain(paths.iter().map(String::as_str)) {
        let expected = send(w.as_admin(Method::GET, path)).await.text().await.unwrap();
        for who in [&w.delegate, &w.observer] {
            let response = send(call(&w.app, Some(who), Method::GET, path)).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert_eq!(response.text().await.unwrap(), expected, "everyone reads the same text: {path}");
        }
        expect_problem(send(call(&w.app, None, Method::GET, path)).await, StatusCode::UNAUTHORIZED, "unauthenticated")
            .await;
    }
}

async fn documents_start_empty_at_version_one(backend: Backend) {
    let w = world(backend).await;
    for title in [String::new(), "a".repeat(201)] {
        let request = w.as_admin(Method::POST, "/api/v1/documents").json(&json!({"title": title}));
        let problem = expect_problem(send(request).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert_eq!(problem["field"], "title");
    }
    let first = w.create("Estatuto del Foro").await;
    let longest = "ñ".repeat(200); // characters, not bytes
    let second = w.create(&longest).await;
    let doc = w.document(&second).await;
    assert_eq!(doc["title"], longest.as_str());
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["sections"], json!([]));
    let list = w.get("/api/v1/documents").await;
    let list = list.as_array().unwrap();
    assert_eq!(list.iter().map(id).collect::<Vec<_>>(), [first, second], "oldest first");
    for entry in list {
        let updated_at = chrono::DateTime::parse_from_rfc3339(entry["updated_at"].as_str().unwrap());
        assert!(entry["version"] == 1 && entry["title"].is_string() && updated_at.is_ok(), "{entry}");
    }
}

async fn sections_are_placed_and_numbered_by_position(backend: Backend) {
    let w = world(backend).await;
    let doc = w.create("Estatuto").await;
    let principles = w.add(&doc, "chapter", "Principios", "", None).await;
    assert_eq!(place(&principles), "chapter 1 @0");
    let object = w.add(&doc, "article", "Objeto", "El Foro existe.", Some(&id(&principles))).await;
    let organization = w.add(&doc, "chapter", "Organización", "", Some(&id(&object))).await;
    let assembly = w.add(&doc, "article", "Asamblea", "", Some(&id(&organization))).await;
    assert_eq!(place(&assembly), "article 2 @3");
    // Inserted in the middle: the articles after it are renumbered.
    let aims = w.add(&doc, "article", "Fines", "", Some(&id(&object))).await;
    assert_eq!(place(&aims), "article 2 @2");
    // No `after_section_id`: first.
    let preamble = w.add(&doc, "article", "Preámbulo", "", None).await;
    assert_eq!(place(&preamble), "article 1 @0");
    let versions: Vec<&Value> =
        [&principles, &object, &organization, &assembly, &aims, &preamble].iter().map(|s| &s["version"]).collect();
    assert_eq!(versions, [2, 3, 4, 5, 6, 7], "each change makes one version");
    let current = w.document(&doc).await;
    assert_eq!(current["version"], 7);
    #[rustfmt::skip]
    let expected = ["article 1 Preámbulo", "chapter 1 Principios", "article 2 Objeto", "article 3 Fines",
        "chapter 2 Organización", "article 4 Asamblea"];
    assert_eq!(outline(&current), expected);
    assert_eq!(sections(&current)[2]["body"], "El Foro existe.");
}

async fn section_bodies_are_sanitized_html(backend: Backend) {
    let w = world(backend).await;
    let doc = w.create("Estatuto").await;
    let body =
        "La **asamblea** decide.\n\n<script>alert('x')</script>\n\n- uno\n- dos\n\n[enlace](javascript:alert(1))";
    let added = w.add(&doc, "article", "Objeto", body, None).await;
    assert_eq!(added["body"], body, "the Markdown is kept as written");
    for html in [&added["body_html"], &sections(&w.document(&doc).await)[0]["body_html"]] {
        let html = html.as_str().unwrap();
        assert!(html.contains("<strong>asamblea</strong>") && html.contains("<li>uno</li>"), "{html}");
        assert!(!html.contains("<script") && !html.contains("alert") && !html.contains("javascript:"), "{html}");
    }
    let edited = w.edit(&id(&added), json!({"body": "Cada *seis* meses."})).await;
    assert_eq!(edited["body_html"].as_str().unwrap().trim(), "<p>Cada <em>seis</em> meses.</p>");
}

async fn section_requests_are_validated(backend: Backend) {
    let w = world(backend).await;
    let doc = w.create("Estatuto").await;
    let other = w.create("Otro documento").await;
    let elsewhere = id(&w.add(&other, "article", "Ajeno", "", None).await);
    let invalid =
        |doc: &str, body: Value| w.as_admin(Method::POST, &format!("/api/v1/documents/{doc}/sections")).json(&body);
    let unknown = uuid::Uuid::now_v7().to_string();
    let cases = [
        (invalid(&doc, section_json("article", "X", "", Some(&unknown))), Some("after_section_id")),
        (invalid(&doc, section_json("article", "X", "", Some(&elsewhere))), Some("after_section_id")),
        (invalid(&doc, section_json("article", "X", &"ñ".repeat(100_001), None)), Some("body")),
        (invalid(&doc, section_json("preamble", "X", "", None)), None),
        (invalid("no-es-un-uuid", section_json("article", "X", "", None)), None),
        (w.as_admin(Method::GET, "/api/v1/documents/no-es-un-uuid"), None),
        (w.as_admin(Method::PATCH, "/api/v1/sections/no-es-un-uuid").json(&json!({"title": "X"})), None),
    ];
    for (request, field) in cases {
        let problem = expect_problem(send(request).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        if let Some(field) = field {
            assert_eq!(problem["field"], field, "{problem}");
        }
    }
    for request in [
        invalid(&unknown, section_json("article", "X", "", None)),
        w.as_admin(Method::GET, &format!("/api/v1/documents/{unknown}")),
        w.as_admin(Method::PATCH, &format!("/api/v1/sections/{unknown}")).json(&json!({"title": "X"})),
    ] {
        expect_problem(send(request).await, StatusCode::NOT_FOUND, "not_found").await;
    }
    let longest = "ñ".repeat(100_000);
    assert_eq!(w.add(&doc, "article", "Largo", &longest, None).await["body"], longest.as_str());
    assert_eq!(w.document(&doc).await["version"], 2, "refused requests make no version");
}

async fn sections_are_edited_into_new_versions(backend: Backend) {
    let w = world(backend).await;
    let (doc, articles) = w.app.charter(&w.admin, 3).await;
    let body = "La asamblea se reúne **cada seis meses**.";
    let edited = w.edit(&articles[1], json!({"body": body})).await;
    assert_eq!(
        (&edited["id"], &edited["version"], place(&edited)),
        (&json!(articles[1]), &json!(3), "article 2 @2".into())
    );
    assert_eq!((&edited["title"], &edited["body"]), (&json!("Artículo 2"), &json!(body)), "the title stays");
    assert!(edited["body_html"].as_str().unwrap().contains("<strong>cada seis meses</strong>"));
    let retitled = w.edit(&articles[1], json!({"title": "Reuniones"})).await;
    assert_eq!(retitled["version"], 4);
    assert_eq!((&retitled["title"], &retitled["body"]), (&json!("Reuniones"), &json!(body)), "the body stays");
    let current = w.document(&doc).await;
    assert_eq!(current["version"], 4);
    assert_eq!(
        outline(&current),
        ["chapter 1 Disposiciones generales", "article 1 Artículo 1", "article 2 Reuniones", "article 3 Artículo 3"]
    );
    assert_eq!(sections(&current)[1]["body"], "Texto del artículo 1, que la asamblea discute.", "others untouched");
}

async fn a_spanish_statute_is_imported(backend: Backend) {
    let w = world(backend).await;
    let doc = w.create("Borrador").await;
    let imported = w.import(&doc, STATUTE).await;
    assert_eq!(imported["version"], 2);
    assert_eq!(outline(&imported), STATUTE_OUTLINE, "numbers written in headings are dropped");
    let sections = sections(&imported);
    assert_eq!(sections[0]["body"], "", "a chapter without text");
    assert_eq!(sections[1]["body"], "El Foro es una red de organizaciones de la sociedad civil, sin fines de lucro.");
    assert_eq!(
        sections[3]["body"],
        "Son fines del Foro:\n\n- promover los derechos de las personas en situación de movilidad humana;\n\
         - articular la acción de sus organizaciones miembro;\n- dialogar con el Estado y la cooperación internacional."
    );
    let rights = "Los miembros plenos tienen derecho a:\n\n1. voz y voto en la Asamblea General;\n2. proponer reformas";
    assert_eq!(sections[6]["body"], format!("{rights} a este Estatuto."));
    let html = |i: usize| sections[i]["body_html"].as_str().unwrap().to_owned();
    assert!(html(3).contains("<ul>") && html(3).contains("<li>promover los derechos"), "{}", html(3));
    assert!(html(5).contains("<strong>observadoras</strong>"), "{}", html(5));
    assert!(html(6).contains("<ol>"), "{}", html(6));
    assert_eq!(w.document(&doc).await["sections"], imported["sections"], "the import is what is stored");
}

async fn import_replaces_every_section(backend: Backend) {
    let w = world(backend).await;
    let (doc, old) = w.app.charter(&w.admin, 3).await;
    let first = w.import(&doc, STATUTE).await;
    assert_eq!(first["version"], 3);
    assert_eq!(outline(&first), STATUTE_OUTLINE);
    assert_eq!(first["title"], "Estatuto del Foro", "the `# ` title line is ignored: the document keeps its title");
    assert!(sections(&first).iter().all(|s| !old.contains(&id(s))), "the old sections are gone");
    let second = w.import(&doc, "## Capítulo único\n\n### Art. 1.- Objeto\n\nTexto único.\n").await;
    assert_eq!(second["version"], 4);
    assert_eq!(outline(&w.document(&doc).await), ["chapter 1 Capítulo único", "article 1 Objeto"]);
    assert_eq!(sections(&second)[1]["body"], "Texto único.");
}

async fn import_errors_name_the_line(backend: Backend) {
    let w = world(backend).await;
    let (doc, _) = w.app.charter(&w.admin, 2).await;
    let before = w.document(&doc).await;
    let cases = [
        ("# Estatuto\n\nUn preámbulo sin encabezado.\n\n## Capítulo I\n\n### Art. 1.- Objeto\n\nTexto.\n", 3),
        ("# Estatuto\n\n## Capítulo I\n\n# Segundo título\n\n### Art. 1.- Objeto\n", 5),
        ("# Estatuto\n# Segundo título\n\n## Capítulo I\n\n### Art. 1.- Objeto\n", 2),
    ];
    for (text, line) in cases {
        let response = send(import_request(&w.app, Some(&w.admin), &doc, text)).await;
        let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        let detail = problem["detail"].as_str().unwrap();
        let numbers: Vec<&str> = detail.split(|c: char| !c.is_ascii_digit()).filter(|n| !n.is_empty()).collect();
        assert!(detail.contains("line") && numbers.contains(&line.to_string().as_str()), "line {line}: {detail}");
    }
    assert_eq!(w.document(&doc).await, before, "a refused import changes nothing");
}

async fn import_takes_markdown_up_to_two_mebibytes(backend: Backend) {
    let w = world(backend).await;
    let doc = w.create("Estatuto").await;
    let path = format!("/api/v1/documents/{doc}/import");
    let as_json = w.as_admin(Method::POST, &path).json(&json!({"text": STATUTE}));
    expect_problem(send(as_json).await, StatusCode::UNSUPPORTED_MEDIA_TYPE, "validation").await;
    let over = format!("## Capítulo\n\n{}", "a".repeat(2 * 1024 * 1024));
    let response = send(import_request(&w.app, Some(&w.admin), &doc, &over)).await;
    expect_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    // 1.5 MiB of valid text: over the general limit of 1 MiB, under the import's.
    let body = "La asamblea delibera y decide. ".repeat(3_190);
    let mut big = String::from("## Capítulo único\n");
    for n in 1..=16 {
        big.push_str(&format!("\n### Art. {n}.- Artículo {n}\n\n{}\n", body.trim_end()));
    }
    assert!(big.len() > 1536 * 1024 && big.len() < 2 * 1024 * 1024, "{}", big.len());
    let imported = w.import(&doc, &big).await;
    assert_eq!(sections(&imported).len(), 17);
    assert_eq!(sections(&imported)[16]["body"], body.trim_end());
    // The general limit still holds for the other writes.
    let request = w
        .as_admin(Method::POST, &format!("/api/v1/documents/{doc}/sections"))
        .json(&section_json("article", "Grande", &big, None));
    expect_problem(send(request).await, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

async fn versions_keep_every_snapshot(backend: Backend) {
    let w = world(backend).await;
    let doc = w.create("Estatuto").await;
    let chapter = id(&w.add(&doc, "chapter", "Gobierno", "", None).await);
    let article = id(&w.add(&doc, "article", "Asamblea", "La asamblea se reúne cada año.", Some(&chapter)).await);
    w.edit(&article, json!({"body": "La asamblea se reúne cada seis meses."})).await;
    w.import(&doc, STATUTE).await;
    let versions = w.get(format!("/api/v1/documents/{doc}/versions")).await;
    let versions = versions.as_array().unwrap();
    let numbers: Vec<&Value> = versions.iter().map(|v| &v["version"]).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5], "oldest first");
    let summaries: Vec<&Value> = versions.iter().map(|v| &v["summary"]).collect();
    assert_eq!(summaries, ["created", "section_added", "section_added", "section_edited", "imported"]);
    for version in versions {
        assert_eq!(version["created_by"], w.admin.id());
        assert!(chrono::DateTime::parse_from_rfc3339(version["created_at"].as_str().unwrap()).is_ok(), "{version}");
    }
    let at = |v: i64| w.get(format!("/api/v1/documents/{doc}/versions/{v}"));
    let first = at(1).await;
    assert_eq!((&first["version"], &first["sections"]), (&json!(1), &json!([])));
    let third = at(3).await;
    assert_eq!(outline(&third), ["chapter 1 Gobierno", "article 1 Asamblea"]);
    assert_eq!(sections(&third)[1]["body"], "La asamblea se reúne cada año.", "the text as it was then");
    assert_eq!(sections(&at(4).await)[1]["body"], "La asamblea se reúne cada seis meses.");
    assert_eq!(at(5).await["sections"], w.document(&doc).await["sections"]);
    for missing in
        [format!("/api/v1/documents/{doc}/versions/6"), format!("/api/v1/documents/{}/versions", uuid::Uuid::now_v7())]
    {
        expect_problem(send(w.as_admin(Method::GET, &missing)).await, StatusCode::NOT_FOUND, "not_found").await;
    }
}

async fn diffs_compare_versions_word_by_word(backend: Backend) {
    let w = world(backend).await;
    let (doc, articles) = w.app.charter(&w.admin, 3).await;
    w.edit(&articles[1], json!({"body": "Texto del artículo 2, que la asamblea general aprueba."})).await;
    let diff = |query: &str| w.get(format!("/api/v1/documents/{doc}/diff{query}"));
    let edited = diff("?from=2&to=3").await;
    assert_eq!((&edited["from"], &edited["to"]), (&json!(2), &json!(3)));
    assert_eq!(changes(&edited), ["unchanged", "unchanged", "changed", "unchanged"]);
    let changed = &edited["sections"][2];
    assert_eq!((&changed["section_id"], &changed["kind"]), (&json!(articles[1]), &json!("article")));
    assert_eq!(changed["title"], ops(&[("equal", "Artículo 2")]));
    #[rustfmt::skip]
    let expected = ops(&[("equal", "Texto del artículo 2, que la asamblea "), ("delete", "discute"),
        ("insert", "general aprueba"), ("equal", ".")]);
    assert_eq!(changed["body"], expected);
    assert_eq!(edited["sections"][1]["body"], ops(&[("equal", "Texto del artículo 1, que la asamblea discute.")]));
    assert_eq!(diff("").await, edited, "by default, the previous version against the current one");
    let added = id(&w.add(&doc, "article", "Nuevo", "Texto nuevo.", Some(&articles[2])).await);
    let grown = diff("").await;
    assert_eq!(changes(&grown), ["unchanged", "unchanged", "unchanged", "unchanged", "added"]);
    assert_eq!(grown["sections"][4]["section_id"], added.as_str());
    assert_eq!(grown["sections"][4]["body"], ops(&[("insert", "Texto nuevo.")]));
    let backwards = diff("?from=4&to=2").await;
    assert_eq!(changes(&backwards), ["unchanged", "unchanged", "changed", "unchanged", "removed"]);
    assert_eq!(changes(&diff("?from=1&to=4").await), ["added"; 5]);
    let missing = w.as_admin(Method::GET, &format!("/api/v1/documents/{doc}/diff?from=2&to=9"));
    expect_problem(send(missing).await, StatusCode::NOT_FOUND, "not_found").await;
}

async fn export(w: &World, doc: &str, query: &str) -> (String, String, String) {
    let response = send(w.as_admin(Method::GET, &format!("/api/v1/documents/{doc}/export?{query}"))).await;
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let (content_type, policy) = (header("content-type"), header("content-security-policy"));
    (content_type, policy, response.text().await.unwrap())
}

/// The statute and an article whose text looks like structure and markup.
async fn exported_charter(w: &World) -> String {
    let doc = w.create("Estatuto").await;
    let last = id(sections(&w.import(&doc, STATUTE).await).last().unwrap());
    let tricky =
        "Un texto con **negrita**.\n\n## Esto no es un capítulo\n\n```\n### ni esto\n```\n\n<script>alert(1)</script>";
    w.add(&doc, "article", "Disposición final", tricky, Some(&last)).await;
    doc
}

async fn markdown_export_imports_back_to_the_same_text(backend: Backend) {
    let w = world(backend).await;
    let doc = exported_charter(&w).await;
    let (content_type, _, markdown) = export(&w, &doc, "format=markdown").await;
    assert!(content_type.starts_with("text/markdown"), "{content_type}");
    let copy = w.create("Copia").await;
    let imported = w.import(&copy, &markdown).await;
    let original = w.document(&doc).await;
    assert_eq!(texts(&imported), texts(&original), "exported:\n{markdown}");
    assert_eq!(outline(&imported), outline(&original));
}

async fn html_export_is_a_printable_page(backend: Backend) {
    let w = world(backend).await;
    let doc = exported_charter(&w).await;
    let (content_type, policy, page) = export(&w, &doc, "format=html").await;
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(policy.contains("default-src 'none'") && !policy.contains("script-src"), "no script may run: {policy}");
    assert!(page.to_lowercase().starts_with("<!doctype html>"), "{page}");
    for expected in ["Capítulo 1. Naturaleza, domicilio", "Artículo 2. Domicilio", "@page", "@media print", "<strong>"]
    {
        assert!(page.contains(expected), "{expected} in {page}");
    }
    assert!(!page.to_lowercase().contains("<script"), "{page}");
    let (_, _, english) = export(&w, &doc, "format=html&lang=en").await;
    assert!(english.contains("Chapter 1. Naturaleza") && english.contains("Article 2. Domicilio"), "{english}");
    assert!(!english.contains("Capítulo 1.") && !english.contains("Artículo 2."), "{english}");
    let unknown = w.as_admin(Method::GET, &format!("/api/v1/documents/{doc}/export?format=pdf"));
    expect_problem(send(unknown).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    let missing = w.as_admin(Method::GET, &format!("/api/v1/documents/{}/export?format=html", uuid::Uuid::now_v7()));
    expect_problem(send(missing).await, StatusCode::NOT_FOUND, "not_found").await;
}
