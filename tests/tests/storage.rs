//! One storage scenario, run against the `Store` trait on both backends:
//! what the HTTP suites rely on, checked at the storage boundary itself.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use chrono::{Duration, Utc};
use minga::domain::account::{InvitationState, OrganizationKind, OrganizationPatch, Role, UserPatch};
use minga::domain::event_kind::EventKind;
use minga::domain::ids::{OrganizationId, UserId};
use minga::store::{self, KeptSecret, NewAccount, NewInvitation, NewOrganization, Page, Store, StoreError};
use minga_tests::{on_both_backends, Backend, TestDb};
use std::sync::Arc;

on_both_backends!(
    migrations_are_idempotent_and_jwt_secret_is_kept,
    organizations_round_trip_and_conflict,
    ensure_organization_finds_or_creates,
    invitations_are_accepted_exactly_once,
    accepting_fails_cleanly_and_leaves_nothing_half_done,
    user_patches_keep_the_rules,
    revoking_tokens_bumps_the_version,
    pages_are_ordered_oldest_first,
    versions_are_full_snapshots,
    failed_changes_leave_no_event,
    a_new_comment_is_what_is_read_back,
);

async fn open(backend: Backend) -> (TestDb, Arc<dyn Store>) {
    let db = TestDb::create(backend).await;
    let store = store::open(&db.url, minga::bus::LocalBus::new(64)).await.expect("open");
    (db, store)
}

fn org(name: &str, kind: OrganizationKind) -> NewOrganization {
    NewOrganization { name: name.into(), short_name: "X".into(), kind }
}

async fn invite(store: &Arc<dyn Store>, org: OrganizationId, email: &str, role: Role, hash: &str) {
    store
        .create_invitation(NewInvitation {
            token_hash: hash.into(),
            email: email.into(),
            organization_id: org,
            role,
            created_by: None,
            expires_at: Utc::now() + Duration::days(7),
            mail: None,
        })
        .await
        .expect("invitation");
}

async fn user(store: &Arc<dyn Store>, org: OrganizationId, email: &str, role: Role) -> UserId {
    let hash = format!("hash-of-{email}");
    invite(store, org, email, role, &hash).await;
    let account = NewAccount { display_name: email.into(), password_hash: "$argon2id$fake".into() };
    store.accept_invitation(&hash, account, Utc::now()).await.expect("accept").id
}

async fn migrations_are_idempotent_and_jwt_secret_is_kept(backend: Backend) {
    let (db, store) = open(backend).await;
    assert_eq!(
        store.backend(),
        match backend {
            Backend::Sqlite => store::Backend::Sqlite,
            Backend::Postgres => store::Backend::Postgres,
        }
    );
    store.ping().await.expect("ping");
    let first = store.kept_secret(KeptSecret::JwtSecret, "first-candidate").await.unwrap();
    assert_eq!(first, "first-candidate");
    let second = store.kept_secret(KeptSecret::JwtSecret, "second-candidate").await.unwrap();
    assert_eq!(second, "first-candidate", "the first secret stays");
    let signing = store.kept_secret(KeptSecret::SigningKey, "a-signing-seed").await.unwrap();
    assert_eq!(signing, "a-signing-seed", "each kept secret is its own");
    // Opening the same database again re-runs migrations harmlessly and keeps the data.
    let again = store::open(&db.url, minga::bus::LocalBus::new(64)).await.expect("reopen");
    assert_eq!(again.kept_secret(KeptSecret::JwtSecret, "third").await.unwrap(), "first-candidate");
}

async fn organizations_round_trip_and_conflict(backend: Backend) {
    let (_db, store) = open(backend).await;
    let created = store.create_organization(org("Fundación Ñandú", OrganizationKind::Observer), None).await.unwrap();
    assert_eq!(created.id.0.get_version_num(), 7, "ids are UUIDv7 made in Rust");
    assert_eq!(store.organization(created.id).await.unwrap(), created);
    assert_eq!(created.kind, OrganizationKind::Observer);
    assert!(created.active);
    let duplicate = store.create_organization(org("FUNDACIÓN ñandú ", OrganizationKind::Member), None).await;
    assert!(
        matches!(duplicate, Err(StoreError::Conflict(ref d)) if d == "an organization with this name already exists"),
        "{duplicate:?}"
    );
    let patched = store
        .update_organization(
            created.id,
            OrganizationPatch { short_name: Some("FÑ".into()), active: Some(false), ..Default::default() },
            None,
        )
        .await
        .unwrap();
    assert_eq!((patched.short_name.as_str(), patched.active, patched.name.as_str()), ("FÑ", false, "Fundación Ñandú"));
    let missing = store.organization(OrganizationId::new()).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))));
}

async fn ensure_organization_finds_or_creates(backend: Backend) {
    let (_db, store) = open(backend).await;
    let a = store.ensure_organization(org("Red Migrante", OrganizationKind::Member)).await.unwrap();
    let b = store.ensure_organization(org("red migrante", OrganizationKind::Member)).await.unwrap();
    assert_eq!(a.id, b.id);
    let all = store.list_organizations(Page::all()).await.unwrap();
    assert_eq!(all.len(), 1);
}

async fn invitations_are_accepted_exactly_once(backend: Backend) {
    let (_db, store) = open(backend).await;
    let member = store.create_organization(org("Org", OrganizationKind::Member), None).await.unwrap();
    invite(&store, member.id, "Ana@Example.org", Role::Delegate, "h1").await;
    let invitation = store.invitation("h1").await.unwrap();
    assert_eq!(invitation.state_at(Utc::now()), InvitationState::Usable);
    assert_eq!(invitation.organization, member);

    let accepts = (0..6).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            let account = NewAccount { display_name: format!("Ana {i}"), password_hash: "$argon2id$x".into() };
            store.accept_invitation("h1", account, Utc::now()).await
        })
    });
    let mut made = 0;
    for outcome in futures_join(accepts).await {
        match outcome {
            Ok(user) => {
                made += 1;
                assert_eq!(user.email, "Ana@Example.org");
                assert_eq!(user.role, Role::Delegate);
            }
            Err(StoreError::InvitationUnusable(InvitationState::Used)) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(made, 1, "exactly one account from one invitation");
    assert_eq!(store.invitation("h1").await.unwrap().state_at(Utc::now()), InvitationState::Used);
    let credentials = store.credentials("ana@EXAMPLE.org").await.unwrap().expect("found ignoring case");
    assert_eq!(credentials.password_hash, "$argon2id$x");
    assert!(format!("{credentials:?}").contains("<redacted>"), "Debug hides the hash");
}

async fn futures_join<T>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        out.push(handle.await.expect("task"));
    }
    out
}

async fn accepting_fails_cleanly_and_leaves_nothing_half_done(backend: Backend) {
    let (_db, store) = open(backend).await;
    let member = store.create_organization(org("Org", OrganizationKind::Member), None).await.unwrap();
    user(&store, member.id, "taken@example.org", Role::Delegate).await;
    // A second invitation for an address that already has an account: the
    // account insert fails, and the invitation must stay unused.
    invite(&store, member.id, "TAKEN@example.org", Role::Delegate, "h2").await;
    let account = NewAccount { display_name: "Dup".into(), password_hash: "x".into() };
    let outcome = store.accept_invitation("h2", account.clone(), Utc::now()).await;
    assert!(
        matches!(outcome, Err(StoreError::Conflict(ref d)) if d == "an account with this email already exists"),
        "{outcome:?}"
    );
    assert_eq!(store.invitation("h2").await.unwrap().used_at, None, "rolled back whole");
    assert_eq!(store.list_users(Page::all()).await.unwrap().len(), 1);
    // Expired and unknown.
    invite(&store, member.id, "late@example.org", Role::Delegate, "h3").await;
    let later = Utc::now() + Duration::days(8);
    let outcome = store.accept_invitation("h3", account.clone(), later).await;
    assert!(matches!(outcome, Err(StoreError::InvitationUnusable(InvitationState::Expired))));
    assert!(matches!(store.accept_invitation("nope", account.clone(), Utc::now()).await, Err(StoreError::NotFound(_))));
    // A role that no longer fits (the organization changed kind since).
    let observer_org = store.create_organization(org("Obs", OrganizationKind::Member), None).await.unwrap();
    invite(&store, observer_org.id, "x@example.org", Role::Delegate, "h4").await;
    let patch = OrganizationPatch { kind: Some(OrganizationKind::Observer), ..Default::default() };
    store.update_organization(observer_org.id, patch, None).await.unwrap();
    let outcome = store.accept_invitation("h4", account, Utc::now()).await;
    assert!(matches!(outcome, Err(StoreError::Invalid(_))), "{outcome:?}");
    // Unknown organization for a new invitation is a validation error, not a crash.
    let outcome = store
        .create_invitation(NewInvitation {
            token_hash: "h5".into(),
            email: "y@example.org".into(),
            organization_id: OrganizationId::new(),
            role: Role::Delegate,
            created_by: None,
            expires_at: Utc::now(),
            mail: None,
        })
        .await;
    assert!(matches!(outcome, Err(StoreError::Invalid(_))), "{outcome:?}");
}

async fn user_patches_keep_the_rules(backend: Backend) {
    let (_db, store) = open(backend).await;
    let member = store.create_organization(org("Org", OrganizationKind::Member), None).await.unwrap();
    let sec = user(&store, member.id, "sec@example.org", Role::Secretariat).await;
    let del = user(&store, member.id, "del@example.org", Role::Delegate).await;
    assert_eq!(store.count_active_secretariat().await.unwrap(), 1);
    let demote = store.update_user(sec, UserPatch { role: Some(Role::Delegate), active: None }, None).await;
    assert!(matches!(demote, Err(StoreError::Conflict(_))));
    let wrong_kind = store.update_user(del, UserPatch { role: Some(Role::Observer), active: None }, None).await;
    assert!(matches!(wrong_kind, Err(StoreError::Invalid(_))));
    let promoted =
        store.update_user(del, UserPatch { role: Some(Role::Secretariat), active: None }, None).await.unwrap();
    assert_eq!(promoted.role, Role::Secretariat);
    assert_eq!(store.count_active_secretariat().await.unwrap(), 2);
    // Two secretariats deactivating each other at once: one must remain.
    let (a, b) = tokio::join!(
        store.update_user(sec, UserPatch { role: None, active: Some(false) }, None),
        store.update_user(del, UserPatch { role: None, active: Some(false) }, None),
    );
    assert_eq!(a.is_ok() as u8 + b.is_ok() as u8, 1, "{a:?} {b:?}");
    assert_eq!(store.count_active_secretariat().await.unwrap(), 1);
    let deactivated = if a.is_ok() { sec } else { del };
    let gone = store.user(deactivated).await.unwrap();
    assert!(!gone.active);
    assert_eq!(gone.token_version, 1, "deactivation revokes tokens");
    // Secretariat accounts fit any kind of organization; a delegate does not.
    let organization_patch = OrganizationPatch { kind: Some(OrganizationKind::Observer), ..Default::default() };
    let other = store.create_organization(org("Other", OrganizationKind::Member), None).await.unwrap();
    user(&store, other.id, "d2@example.org", Role::Delegate).await;
    let refused = store.update_organization(other.id, organization_patch.clone(), None).await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))), "{refused:?}");
    let allowed = store.update_organization(member.id, organization_patch, None).await.unwrap();
    assert_eq!(allowed.kind, OrganizationKind::Observer);
}

async fn revoking_tokens_bumps_the_version(backend: Backend) {
    let (_db, store) = open(backend).await;
    let member = store.create_organization(org("Org", OrganizationKind::Member), None).await.unwrap();
    let id = user(&store, member.id, "a@example.org", Role::Delegate).await;
    assert_eq!(store.user(id).await.unwrap().token_version, 0);
    store.revoke_tokens(id).await.unwrap();
    store.revoke_tokens(id).await.unwrap();
    assert_eq!(store.user(id).await.unwrap().token_version, 2);
    assert!(matches!(store.revoke_tokens(UserId::new()).await, Err(StoreError::NotFound(_))));
}

async fn pages_are_ordered_oldest_first(backend: Backend) {
    let (_db, store) = open(backend).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(store.create_organization(org(&format!("Org {i}"), OrganizationKind::Member), None).await.unwrap().id);
    }
    let all = store.list_organizations(Page::all()).await.unwrap();
    assert_eq!(all.iter().map(|o| o.id).collect::<Vec<_>>(), ids);
    let page = store.list_organizations(Page { after: Some(ids[1].0), limit: 2 }).await.unwrap();
    assert_eq!(page.iter().map(|o| o.id).collect::<Vec<_>>(), ids[2..4]);
}

async fn secretariat_user(store: &Arc<dyn Store>) -> minga::domain::account::User {
    let org = store.create_organization(org("Secretaría", OrganizationKind::Member), None).await.unwrap();
    let id = user(store, org.id, "sec@example.org", Role::Secretariat).await;
    store.user(id).await.unwrap()
}

async fn versions_are_full_snapshots(backend: Backend) {
    use minga::domain::charter::SectionKind;
    use minga::store::NewSection;
    let (_db, store) = open(backend).await;
    let admin = secretariat_user(&store).await;
    let charter = store.create_document("Estatuto".into(), &admin).await.unwrap();
    assert_eq!(charter.version, 1);
    let article = |title: &str, body: &str| NewSection {
        kind: SectionKind::Article,
        title: title.into(),
        body: body.into(),
        after: None,
    };
    let (charter, first) = store.insert_section(charter.id, article("Objeto", "texto original"), &admin).await.unwrap();
    assert_eq!(charter.version, 2);
    let (charter, _) = store
        .insert_section(charter.id, NewSection { after: Some(first), ..article("Sede", "Quito") }, &admin)
        .await
        .unwrap();
    assert_eq!(charter.version, 3);
    let (charter, _) = store.update_section(first, None, Some("texto nuevo".into()), &admin).await.unwrap();
    assert_eq!(charter.version, 4);
    let titles: Vec<_> = charter.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["Objeto", "Sede"]);
    let old = store.charter_at(charter.id, 3).await.unwrap();
    assert_eq!(old.sections[0].body, "texto original", "an old version keeps its text");
    assert_eq!(store.charter(charter.id).await.unwrap().sections[0].body, "texto nuevo");
    let summaries: Vec<_> = store.versions(charter.id).await.unwrap().into_iter().map(|v| v.summary).collect();
    assert_eq!(summaries, ["created", "section_added", "section_added", "section_edited"]);
    let events = store.events(minga::domain::event::Topic::Document(charter.id), 0, 100).await.unwrap();
    let versions: Vec<_> = events.iter().map(|e| e.data["version"].as_i64().unwrap()).collect();
    assert_eq!(versions, [1, 2, 3, 4], "each version announced once, in order");
    assert!(matches!(store.charter_at(charter.id, 9).await, Err(StoreError::NotFound(_))));
}

/// A secretariat member and a general proposal of theirs on a new charter.
async fn proposal_by_the_secretariat(
    store: &Arc<dyn Store>,
) -> (minga::domain::account::User, minga::domain::proposal::Proposal) {
    let admin = secretariat_user(store).await;
    let charter = store.create_document("Estatuto".into(), &admin).await.unwrap();
    let new = store::NewProposal {
        kind: minga::domain::proposal::ProposalKind::General,
        section_id: None,
        after_section_id: None,
        title: "Moción".into(),
        body: "texto de la moción".into(),
        rationale: String::new(),
        section_title: None,
        supersedes: Vec::new(),
    };
    let proposal = store.create_proposal(charter.id, new, &admin).await.unwrap();
    (admin, proposal)
}

async fn failed_changes_leave_no_event(backend: Backend) {
    use minga::domain::comment::Anchor;
    use minga::domain::event::Topic;
    use minga::store::NewComment;
    let (_db, store) = open(backend).await;
    let (admin, proposal) = proposal_by_the_secretariat(&store).await;
    let topic = Topic::Proposal(proposal.id);
    let head = store.head(topic).await.unwrap();
    let bad_anchor = NewComment {
        body: "cita".into(),
        parent_id: None,
        anchor: Some(Anchor { revision: 1, quote: "no está".into() }),
    };
    assert!(matches!(store.create_comment(proposal.id, bad_anchor, &admin).await, Err(StoreError::Invalid(_))));
    assert_eq!(store.head(topic).await.unwrap(), head, "a refused change appends nothing");
    assert!(store.comments(proposal.id, Page::all()).await.unwrap().is_empty());
    let locked = store.set_locked(proposal.id, true, &admin).await.unwrap();
    assert!(locked.locked);
    let plain = NewComment { body: "hola".into(), parent_id: None, anchor: None };
    assert!(matches!(store.create_comment(proposal.id, plain, &admin).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.head(topic).await.unwrap(), head + 1, "only the lock was recorded");
}

/// A new comment is built without reading it back: what the writer gets,
/// what the event carries and what a reader finds later must all agree.
async fn a_new_comment_is_what_is_read_back(backend: Backend) {
    use minga::domain::comment::Anchor;
    use minga::domain::event::Topic;
    use minga::domain::ids::ProposalId;
    use minga::store::NewComment;
    let (_db, store) = open(backend).await;
    let (admin, proposal) = proposal_by_the_secretariat(&store).await;
    let quoted = NewComment {
        body: "Sobre **esto**".into(),
        parent_id: None,
        anchor: Some(Anchor { revision: 1, quote: "de la moción".into() }),
    };
    let first = store.create_comment(proposal.id, quoted, &admin).await.unwrap();
    let reply = NewComment { body: "respuesta".into(), parent_id: Some(first.id), anchor: None };
    let second = store.create_comment(proposal.id, reply, &admin).await.unwrap();
    assert_eq!(second.parent_id, Some(first.id));
    assert_eq!(first.body_html.trim(), "<p>Sobre <strong>esto</strong></p>");
    assert_eq!(first.organization, admin.organization);
    for written in [&first, &second] {
        assert_eq!(&store.comment(written.id).await.unwrap(), written, "read back as written");
    }
    assert_eq!(store.comments(proposal.id, Page::all()).await.unwrap(), [first.clone(), second.clone()]);
    let events = store.events(Topic::Proposal(proposal.id), 0, 100).await.unwrap();
    let announced: Vec<_> =
        events.iter().filter(|e| e.kind == EventKind::CommentCreated).map(|e| &e.data["comment"]).collect();
    assert_eq!(announced, [&serde_json::to_value(&first).unwrap(), &serde_json::to_value(&second).unwrap()]);
    let nowhere = NewComment { body: "hola".into(), parent_id: None, anchor: None };
    let missing = store.create_comment(ProposalId::new(), nowhere, &admin).await;
    assert!(matches!(missing, Err(StoreError::NotFound("proposal"))), "{missing:?}");
}
