//! A read of several statements sees one snapshot (defect 13 of the
//! integrity issue): `charter()` read the document's version and then its
//! sections in two statements outside a transaction, so a version committed
//! in between gave version N with the sections of N+1.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use minga::domain::charter::SectionKind;
use minga::store::NewSection;
use minga_tests::{on_both_backends, Backend, TestApp};

on_both_backends!(a_charter_is_read_at_one_version_while_sections_are_added);

async fn a_charter_is_read_at_one_version_while_sections_are_added(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.secretariat().await;
    let admin = app.store().credentials("secretaria@foro.ec").await.unwrap().unwrap().user;
    let charter = app.store().create_document("Estatuto".into(), &admin).await.unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (store, admin, stop) = (app.store().clone(), admin.clone(), stop.clone());
        tokio::spawn(async move {
            let mut added = 0;
            while !stop.load(Ordering::Relaxed) && added < 400 {
                let new = NewSection {
                    kind: SectionKind::Article,
                    title: format!("Artículo {added}"),
                    body: "Texto.".into(),
                    after: None,
                };
                store.insert_section(charter.id, new, &admin).await.unwrap();
                added += 1;
            }
            added
        })
    };
    let mut reads = 0;
    while !writer.is_finished() && reads < 400 {
        let read = app.store().charter(charter.id).await.unwrap();
        let at_version = app.store().charter_at(charter.id, read.version).await.unwrap();
        assert_eq!(
            read.sections.len(),
            at_version.sections.len(),
            "read {reads}: version {} read with the sections of another version",
            read.version
        );
        reads += 1;
    }
    stop.store(true, Ordering::Relaxed);
    let added = writer.await.unwrap();
    assert!(added > 10 && reads > 10, "the reads overlapped the writes ({added} sections, {reads} reads)");
}
