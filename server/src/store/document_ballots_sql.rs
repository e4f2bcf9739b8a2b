//! Ballots on a whole document (alternatives, approval, block) and what a
//! ballot's close settles, written once for both backends (see
//! `accounts_sql.rs`). The rules are `domain::document_ballot`'s, checked
//! with the document row locked.

macro_rules! document_ballot_store {
    ($store:ty, $db:ty) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use $crate::domain::account::User;
            use $crate::domain::ballot;
            use $crate::domain::ballot_record::BallotRecord;
            use $crate::domain::ballot_subject::Subject;
            use $crate::domain::document_ballot as rules;
            use $crate::domain::event::NewEvent;
            use $crate::domain::event_payload::{BallotNews, PhaseData, ProposalChange};
            use $crate::domain::ids::{BallotId, DocumentId};
            use $crate::domain::phase::{self, Act, Phase, Stage};
            use $crate::domain::proposal::ProposalStatus;
            use $crate::i18n::{fill, t, Lang};
            use $crate::store::{DocumentBallot, DocumentBallotStore, NewDocumentBallot, StoreError, StoreResult};

            impl $store {
                /// The active member organizations now become the ballot's
                /// electorate, with their names as they are today; inside a
                /// session, only those present (the ballot keeps how many
                /// members there were, for the acta). Returns the session's
                /// event (its ballots changed), to follow the ballot's own.
                pub(crate) async fn freeze_electorate_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    ballot: uuid::Uuid,
                    session: Option<$crate::domain::ids::SessionId>,
                ) -> StoreResult<Option<$crate::domain::event::NewEvent>> {
                    let eligible: Vec<(uuid::Uuid, String)> = match session {
                        None => sqlx::query_as(
                            "SELECT id, name FROM organizations WHERE kind = 'member' AND active = TRUE ORDER BY name",
                        )
                        .fetch_all(&mut *conn)
                        .await
                        .map_err(Self::err)?,
                        Some(session) => {
                            let current = Self::lock_session_in(conn, session.0).await?;
                            if current.status != $crate::domain::assembly::SessionStatus::Open {
                                return Err(StoreError::Conflict(format!(
                                    "the session is {}; a ballot opens inside an open session",
                                    current.status.as_str()
                                )));
                            }
                            if current.present_organizations.is_empty() {
                                return Err(StoreError::Conflict("no member organization is present in the session".into()));
                            }
                            sqlx::query("UPDATE ballots SET session_id = $2, session_members = $3 WHERE id = $1")
                                .bind(ballot)
                                .bind(session.0)
                                .bind(i32::try_from(current.quorum.member_organizations).unwrap_or(i32::MAX))
                                .execute(&mut *conn)
                                .await
                                .map_err(Self::err)?;
                            current.present_organizations.into_iter().map(|o| (o.id.0, o.name)).collect()
                        }
                    };
                    if eligible.is_empty() {
                        return Err(StoreError::Conflict("no active member organization can vote".into()));
                    }
                    for (organization, name) in &eligible {
                        sqlx::query(
                            "INSERT INTO ballot_eligible (ballot_id, organization_id, organization_name) VALUES ($1, $2, $3)",
                        )
                        .bind(ballot)
                        .bind(organization)
                        .bind(name)
                        .execute(&mut *conn)
                        .await
                        .map_err(Self::err)?;
                    }
                    let Some(session) = session else { return Ok(None) };
                    let session = Self::session_in(conn, session.0).await?;
                    let news = $crate::domain::session_events::SessionNews::Updated;
                    Ok(Some($crate::domain::event::NewEvent::session(&session, news, &[])))
                }

                /// While the whole text is being approved, it does not change.
                pub(crate) async fn check_no_open_approval_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    document: uuid::Uuid,
                ) -> StoreResult<()> {
                    let open: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM ballots WHERE document_id = $1 AND kind = 'approval' AND status = 'open'",
                    )
                    .bind(document)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    if open > 0 {
                        return Err(StoreError::Conflict(
                            "the whole text is being voted on; it cannot change until that ballot closes".into(),
                        ));
                    }
                    Ok(())
                }

                /// What a closed ballot decides beyond itself: its proposals'
                /// status, or the document becoming final.
                pub(crate) async fn settle_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    ballot: &BallotRecord,
                ) -> StoreResult<Vec<NewEvent>> {
                    let passed = ballot.result.is_some_and(|result| result.passed);
                    let mut events = Vec::new();
                    match &ballot.subject {
                        Subject::Proposal { .. } | Subject::Alternatives { .. } => {
                            let winner = match &ballot.subject {
                                Subject::Alternatives { .. } => ballot.winning_proposal(),
                                _ => ballot.subject.proposal_id().filter(|_| passed),
                            };
                            for proposal in ballot.subject.proposals() {
                                let status =
                                    if Some(proposal) == winner { ProposalStatus::Passed } else { ProposalStatus::Rejected };
                                Self::set_proposal_status(conn, proposal.0, status, None).await?;
                                events.extend(Self::proposal_events(conn, proposal.0, ProposalChange::Status).await?.1);
                            }
                        }
                        Subject::Approval { document_id, version } if passed => {
                            sqlx::query(
                                "UPDATE documents SET phase = 'final', amendments_close_at = NULL, final_ballot_id = $2, \
                                 final_version = $3, final_sha256 = $4 WHERE id = $1",
                            )
                            .bind(document_id.0)
                            .bind(ballot.id.0)
                            .bind(*version)
                            .bind(&ballot.text_sha256)
                            .execute(&mut *conn)
                            .await
                            .map_err(Self::err)?;
                            let title = Self::document_row_in(conn, document_id.0, false).await?.title;
                            let stage = Stage { phase: Phase::Final, amendments_close_at: None };
                            events.push(NewEvent::phase(PhaseData { document_id: *document_id, title, stage }));
                        }
                        Subject::Approval { .. } | Subject::Block { .. } => {}
                    }
                    Ok(events)
                }
            }

            #[async_trait::async_trait]
            impl DocumentBallotStore for $store {
                async fn open_document_ballot(
                    &self,
                    document: DocumentId,
                    new: NewDocumentBallot,
                    actor: &User,
                ) -> StoreResult<BallotRecord> {
                    let mut tx = self.begin_write().await?;
                    let charter = Self::charter_in(&mut tx, document.0, true).await?;
                    phase::check_act(charter.stage, Act::OpenBallot, actor, chrono::Utc::now())?;
                    let numbers = $crate::domain::references::labels(&charter.sections);
                    let (subject, question, text) = match new.ballot {
                        DocumentBallot::Alternatives { proposal_ids, status_quo, method } => {
                            let mut found = Vec::new();
                            for id in &proposal_ids {
                                match Self::proposal_in(&mut tx, id.0).await {
                                    Ok(proposal) => found.push(proposal),
                                    Err(StoreError::NotFound(_)) => {}
                                    Err(other) => return Err(other),
                                }
                            }
                            let section = rules::check_alternatives(&charter, &proposal_ids, &found, status_quo)?;
                            let ordered: Vec<_> = proposal_ids
                                .iter()
                                .filter_map(|id| found.iter().find(|p| p.id == *id).cloned())
                                .collect();
                            let keep = status_quo.then(|| t(Lang::Es, "ballot.status_quo"));
                            let options = rules::options(&ordered, keep, uuid::Uuid::now_v7);
                            let label = numbers.get(&section).cloned().unwrap_or_default();
                            let question = fill(Lang::Es, "ballot.question.alternatives", &[("section", &label)]);
                            let text = ordered
                                .iter()
                                .map(|p| format!("## {}\n\n{}", p.title, p.revision.body))
                                .collect::<Vec<_>>()
                                .join("\n\n");
                            for proposal in &ordered {
                                Self::set_proposal_status(&mut tx, proposal.id.0, ProposalStatus::Voting, None).await?;
                            }
                            (Subject::Alternatives { document_id: document, section_id: section, method, options }, question, text)
                        }
                        DocumentBallot::Approval { version } => {
                            rules::check_approval(&charter, version)?;
                            Self::check_no_open_approval_in(&mut tx, document.0).await?;
                            let question = fill(
                                Lang::Es,
                                "ballot.question.approval",
                                &[("title", &charter.title), ("version", &version.to_string())],
                            );
                            (Subject::Approval { document_id: document, version }, question, charter.to_markdown())
                        }
                        DocumentBallot::Block { section_ids } => {
                            let said = Self::said_in(&mut tx, document.0).await?;
                            let contested = $crate::domain::stance::contested(&section_ids, &said);
                            rules::check_block(&charter, &section_ids, &contested)?;
                            let labels: Vec<String> =
                                section_ids.iter().filter_map(|id| numbers.get(id).cloned()).collect();
                            let question =
                                fill(Lang::Es, "ballot.question.block", &[("sections", &labels.join(", "))]);
                            let text = charter
                                .sections
                                .iter()
                                .filter(|s| section_ids.contains(&s.id))
                                .map(|s| format!("### {}\n\n{}", s.title, s.body))
                                .collect::<Vec<_>>()
                                .join("\n\n");
                            (Subject::Block { document_id: document, section_ids }, question, text)
                        }
                    };
                    let id = BallotId::new();
                    let subject_json =
                        serde_json::to_string(&subject).map_err(|err| StoreError::Corrupt(err.to_string()))?;
                    sqlx::query(
                        "INSERT INTO ballots (id, kind, document_id, subject, status, majority, quorum, secret, \
                         live_results, question, text, text_sha256, revision, opened_at, opened_by, closes_at) \
                         VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                    )
                    .bind(id.0)
                    .bind(subject.kind().as_str())
                    .bind(document.0)
                    .bind(subject_json)
                    .bind(new.rule.majority.as_str())
                    .bind(new.rule.quorum)
                    .bind(new.rule.secret)
                    .bind(new.rule.live_results)
                    .bind(&question)
                    .bind(&text)
                    .bind(ballot::text_digest(&text))
                    .bind(charter.version)
                    .bind(chrono::Utc::now())
                    .bind(actor.id.0)
                    .bind(new.rule.closes_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    let session_event = Self::freeze_electorate_in(&mut tx, id.0, new.rule.session).await?;
                    let mut events = Vec::new();
                    for proposal in subject.proposals() {
                        sqlx::query("UPDATE proposals SET ballot_id = $2 WHERE id = $1")
                            .bind(proposal.0)
                            .bind(id.0)
                            .execute(&mut *tx)
                            .await
                            .map_err(Self::err)?;
                        events.extend(Self::proposal_events(&mut tx, proposal.0, ProposalChange::Status).await?.1);
                    }
                    let ballot = Self::ballot_in(&mut tx, id.0, false).await?;
                    events.push(NewEvent::ballot(&ballot, BallotNews::Opened));
                    events.extend(session_event);
                    let events = Self::append_events(&mut tx, Some(actor), events).await?;
                    self.commit_and_publish(tx, events).await?;
                    Ok(ballot)
                }

                async fn document_ballots(&self, document: DocumentId) -> StoreResult<Vec<BallotRecord>> {
                    let mut conn = self.begin_read().await?;
                    Self::document_row_in(&mut conn, document.0, false).await?;
                    let ids: Vec<uuid::Uuid> = sqlx::query_scalar(
                        "SELECT id FROM ballots WHERE document_id = $1 AND kind <> 'proposal' ORDER BY id",
                    )
                    .bind(document.0)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    let mut ballots = Vec::with_capacity(ids.len());
                    for id in ids {
                        ballots.push(Self::ballot_in(&mut conn, id, false).await?);
                    }
                    Ok(ballots)
                }
            }
        };
    };
}

pub(crate) use document_ballot_store;
