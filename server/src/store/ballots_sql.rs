//! Ballots, votes and adoption, written once for both backends (see
//! `accounts_sql.rs`). The ballot row is locked by every change, so a close
//! and a late vote are ordered: the vote is counted or refused, never both.

macro_rules! ballot_store {
    ($store:ty, $db:ty, for_update = $for_update:literal) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use $crate::domain::ballot;
            use $crate::domain::account::User;
            use $crate::domain::ballot_subject::Cast;
            use $crate::domain::ballot_record::{BallotRecord, Vote};
            use $crate::domain::decision::Decision;
            use $crate::domain::event::NewEvent;
            use $crate::domain::event_payload::{BallotNews, ProposalChange};
            use $crate::domain::ids::{BallotId, ProposalId, SectionId};
            use $crate::domain::proposal::Proposal;
            use $crate::store::{BallotStore, Closer, NewBallot, StoreError, StoreResult};

            #[async_trait::async_trait]
            impl BallotStore for $store {
                async fn open_ballot(
                    &self,
                    proposal: ProposalId,
                    new: NewBallot,
                    actor: &User,
                ) -> StoreResult<BallotRecord> {
                    use $crate::domain::proposal::ProposalStatus;
                    let mut tx = self.begin_write().await?;
                    let current = Self::lock_proposal(&mut tx, proposal.0).await?;
                    Self::check_phase_in(&mut tx, current.document_id, $crate::domain::phase::Act::OpenBallot, actor).await?;
                    if current.status != ProposalStatus::Open {
                        return Err(StoreError::Conflict(format!(
                            "the proposal is {}; only an open proposal can be put to the vote",
                            current.status.as_str()
                        )));
                    }
                    let id = BallotId::new();
                    let text = current.revision.body.clone();
                    let base = Self::charter_at_in(&mut tx, current.document_id, current.base_version).await?;
                    let decision = Decision::of(&current, &base);
                    sqlx::query(
                        "INSERT INTO ballots (id, proposal_id, status, majority, quorum, secret, live_results, question, \
                         text, text_sha256, revision, opened_at, opened_by, closes_at, decision) \
                         VALUES ($1, $2, 'open', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                    )
                    .bind(id.0)
                    .bind(proposal.0)
                    .bind(new.majority.as_str())
                    .bind(new.quorum)
                    .bind(new.secret)
                    .bind(new.live_results)
                    .bind(&current.title)
                    .bind(&text)
                    .bind(ballot::text_digest(&text))
                    .bind(current.revision.number)
                    .bind(chrono::Utc::now())
                    .bind(actor.id.0)
                    .bind(new.closes_at)
                    .bind(decision.canonical())
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    let session_event = Self::freeze_electorate_in(&mut tx, id.0, new.session).await?;
                    Self::set_proposal_status(&mut tx, proposal.0, ProposalStatus::Voting, Some(id.0)).await?;
                    let ballot = Self::ballot_in(&mut tx, id.0, false).await?;
                    let (_, mut events) = Self::proposal_events(&mut tx, proposal.0, ProposalChange::Status).await?;
                    events.push(NewEvent::ballot(&ballot, BallotNews::Opened));
                    events.extend(session_event);
                    let events = Self::append_events(&mut tx, Some(actor), events).await?;
                    self.commit_and_publish(tx, events).await?;
                    Ok(ballot)
                }

                async fn ballot(
                    &self,
                    id: BallotId,
                ) -> StoreResult<BallotRecord> {
                    let mut conn = self.begin_read().await?;
                    Self::ballot_in(&mut conn, id.0, false).await
                }

                async fn cast_vote(
                    &self,
                    id: BallotId,
                    cast: Cast,
                    actor: &User,
                ) -> StoreResult<BallotRecord> {
                    use $crate::domain::ballot_record::may_vote;
                    let mut tx = self.begin_write().await?;
                    let ballot = Self::ballot_in(&mut tx, id.0, true).await?;
                    if !ballot.accepts_votes(chrono::Utc::now()) {
                        return Err(StoreError::Conflict("the ballot is closed".into()));
                    }
                    if !may_vote(actor, &ballot) {
                        return Err(StoreError::Forbidden(
                            "only a delegate or secretariat member of an eligible member organization may vote".into(),
                        ));
                    }
                    if let Some(session) = ballot.session {
                        use $crate::domain::assembly::{check_session_voter, member_of};
                        let session = Self::session_in(&mut tx, session.session_id.0).await?;
                        session.status.check_not_closed()?;
                        let members = Self::members_in(&mut tx).await?;
                        check_session_voter(actor, member_of(&members, actor.organization.id), &session.attendance)?;
                    }
                    let ballot = Self::record_vote_in(&mut tx, &ballot, actor.organization.id, cast, actor, false).await?;
                    let events = Self::vote_events(&ballot);
                    let events = Self::append_events(&mut tx, Some(actor), events).await?;
                    self.commit_and_publish(tx, events).await?;
                    Ok(ballot)
                }

                async fn close_ballot(
                    &self,
                    id: BallotId,
                    by: Closer<'_>,
                ) -> StoreResult<Option<BallotRecord>> {
                    use $crate::domain::ballot_record::BallotStatus;
                    use $crate::store::Closer;
                    let mut tx = self.begin_write().await?;
                    let ballot = Self::ballot_in(&mut tx, id.0, true).await?;
                    // Under the lock, as in cast_vote.
                    let now = chrono::Utc::now();
                    let actor = match by {
                        Closer::Secretariat(user) => Some(user),
                        Closer::Deadline => None,
                    };
                    if ballot.status != BallotStatus::Open {
                        return match actor {
                            Some(_) => Err(StoreError::Conflict(format!(
                                "the ballot is already {}",
                                if ballot.status == BallotStatus::Closed { "closed" } else { "cancelled" }
                            ))),
                            None => Ok(None),
                        };
                    }
                    if actor.is_none() && ballot.closes_at.is_none_or(|deadline| deadline > now) {
                        return Ok(None);
                    }
                    let (result, alternatives) = ballot.compute_result();
                    let closed_at = match (actor, ballot.closes_at) {
                        (None, Some(deadline)) => deadline,
                        _ => now,
                    };
                    sqlx::query(
                        "UPDATE ballots SET status = 'closed', closed_at = $2, closed_by = $3, result = $4, \
                         alternatives_result = $5 WHERE id = $1",
                    )
                    .bind(id.0)
                    .bind(closed_at)
                    .bind(actor.map(|user| user.id.0))
                    .bind(serde_json::to_string(&result).map_err(|err| StoreError::Corrupt(err.to_string()))?)
                    .bind(
                        alternatives
                            .map(|alternatives| serde_json::to_string(&alternatives))
                            .transpose()
                            .map_err(|err| StoreError::Corrupt(err.to_string()))?,
                    )
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    Self::erase_secret_choices(&mut tx, &ballot).await?;
                    let ballot = Self::ballot_in(&mut tx, id.0, false).await?;
                    let mut events = vec![NewEvent::ballot(&ballot, BallotNews::Closed)];
                    // A public ballot's choices join the chain when they become
                    // public, at the close (before it the tally may be hidden).
                    if !ballot.secret {
                        let casts = Self::casts_in(&mut tx, id.0).await?;
                        events.push(NewEvent::ballot(&ballot, BallotNews::Choices { casts: &casts }));
                    }
                    // After the ballot's own news, as the readers expect it.
                    events.extend(Self::settle_in(&mut tx, &ballot).await?);
                    let events = Self::append_events(&mut tx, actor, events).await?;
                    self.commit_and_publish(tx, events).await?;
                    Ok(Some(ballot))
                }

                async fn cancel_ballot(
                    &self,
                    id: BallotId,
                    reason: String,
                    actor: &User,
                ) -> StoreResult<BallotRecord> {
                    use $crate::domain::ballot_record::BallotStatus;
                    use $crate::domain::proposal::ProposalStatus;
                    let mut tx = self.begin_write().await?;
                    let ballot = Self::ballot_in(&mut tx, id.0, true).await?;
                    if ballot.status != BallotStatus::Open {
                        return Err(StoreError::Conflict("only an open ballot can be cancelled".into()));
                    }
                    sqlx::query("UPDATE ballots SET status = 'cancelled', cancelled_reason = $2, closed_at = $3, closed_by = $4 WHERE id = $1")
                        .bind(id.0)
                        .bind(&reason)
                        .bind(chrono::Utc::now())
                        .bind(actor.id.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                    Self::erase_secret_choices(&mut tx, &ballot).await?;
                    let ballot = Self::ballot_in(&mut tx, id.0, false).await?;
                    let mut events = vec![NewEvent::ballot(&ballot, BallotNews::Cancelled { reason: &reason })];
                    for proposal in ballot.subject.proposals() {
                        Self::set_proposal_status(&mut tx, proposal.0, ProposalStatus::Open, None).await?;
                        events.extend(Self::proposal_events(&mut tx, proposal.0, ProposalChange::Status).await?.1);
                    }
                    let events = Self::append_events(&mut tx, Some(actor), events).await?;
                    self.commit_and_publish(tx, events).await?;
                    Ok(ballot)
                }

                async fn due_ballots(
                    &self,
                    now: chrono::DateTime<chrono::Utc>,
                ) -> StoreResult<Vec<BallotId>> {
                    let ids: Vec<uuid::Uuid> = sqlx::query_scalar(
                        "SELECT id FROM ballots WHERE status = 'open' AND closes_at IS NOT NULL AND closes_at <= $1 ORDER BY closes_at",
                    )
                    .bind(now)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(Self::err)?;
                    Ok(ids.into_iter().map(Into::into).collect())
                }

                async fn vote_history(
                    &self,
                    id: BallotId,
                ) -> StoreResult<Vec<Vote>> {
                    let mut conn = self.pool.acquire().await.map_err(Self::err)?;
                    Self::casts_in(&mut conn, id.0).await
                }

                async fn adopt(
                    &self,
                    proposal: ProposalId,
                    force: bool,
                    actor: &User,
                ) -> StoreResult<(Proposal, i64)> {
                    use $crate::domain::adoption::{adopt, Change};
                    use $crate::domain::proposal::{ProposalKind, ProposalStatus};
                    let mut tx = self.begin_write().await?;
                    let current = Self::lock_proposal(&mut tx, proposal.0).await?;
                    if current.status != ProposalStatus::Passed {
                        return Err(StoreError::Conflict(format!(
                            "the proposal is {}; only a passed proposal can be adopted",
                            current.status.as_str()
                        )));
                    }
                    let mut charter = Self::charter_in(&mut tx, current.document_id.0, true).await?;
                    $crate::domain::phase::check_act(charter.stage, $crate::domain::phase::Act::Adopt, actor, chrono::Utc::now())?;
                    Self::check_no_open_approval_in(&mut tx, current.document_id.0).await?;
                    let base = Self::charter_at_in(&mut tx, current.document_id, current.base_version).await?;
                    if let (ProposalKind::Delete, Some(section), false) = (current.kind, current.section_id, force) {
                        let removed = [section];
                        let mut breaks = $crate::domain::references::breaks_in_text(&removed, &charter.sections);
                        breaks.extend(
                            Self::proposal_breaks_in(&mut tx, current.document_id.0, &removed)
                                .await?
                                .into_iter()
                                .filter(|broken| broken.from_id != proposal.0),
                        );
                        if !breaks.is_empty() {
                            return Err(StoreError::WouldBreak(breaks));
                        }
                    }
                    let change = Change {
                        kind: current.kind,
                        section_id: current.section_id,
                        after_section_id: current.after_section_id,
                        title: &current.title,
                        body: &current.revision.body,
                        section_title: current.revision.section_title.as_deref(),
                    };
                    let mut events = Vec::new();
                    if let Some(sections) = adopt(&change, &base.sections, &charter.sections, SectionId::new())? {
                        charter.sections = sections;
                        events.push(Self::save_version(&mut tx, &mut charter, "proposal_adopted", actor, Some(proposal.0)).await?);
                        if matches!(current.kind, ProposalKind::Amend | ProposalKind::Delete) {
                            // Other proposals on this article were written against the old text.
                            sqlx::query(
                                "UPDATE proposals SET outdated = TRUE WHERE section_id = $1 AND id <> $2 \
                                 AND status IN ('open', 'voting')",
                            )
                            .bind(current.section_id.map(|s| s.0))
                            .bind(proposal.0)
                            .execute(&mut *tx)
                            .await
                            .map_err(Self::err)?;
                        }
                    }
                    Self::set_proposal_status(&mut tx, proposal.0, ProposalStatus::Adopted, None).await?;
                    let (adopted, proposal_events) = Self::proposal_events(&mut tx, proposal.0, ProposalChange::Status).await?;
                    events.extend(proposal_events);
                    let events = Self::append_events(&mut tx, Some(actor), events).await?;
                    self.commit_and_publish(tx, events).await?;
                    Ok((adopted, charter.version))
                }
            }
        };
    };
}

pub(crate) use ballot_store;
