//! Ballots, votes and adoption, written once for both backends (see
//! `accounts_sql.rs`). The ballot row is locked by every change, so a close
//! and a late vote are ordered: the vote is counted or refused, never both.

macro_rules! ballot_store {
    ($store:ty, $db:ty, for_update = $for_update:literal) => {
        impl $store {
            async fn ballot_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                id: uuid::Uuid,
                lock: bool,
            ) -> $crate::store::StoreResult<$crate::domain::ballot_record::BallotRecord> {
                if lock {
                    let found: Option<uuid::Uuid> =
                        sqlx::query_scalar(concat!("SELECT id FROM ballots WHERE id = $1", $for_update))
                            .bind(id)
                            .fetch_optional(&mut *conn)
                            .await
                            .map_err(Self::err)?;
                    found.ok_or($crate::store::StoreError::NotFound("ballot"))?;
                }
                let row: Option<$crate::store::rows_ballots::BallotRow> = sqlx::query_as(
                    "SELECT b.id, b.proposal_id, b.status, b.majority, b.quorum, b.secret, b.live_results, b.question, \
                     b.text, b.text_sha256, b.decision, b.revision, b.opened_at, b.opened_by, o.display_name AS opened_by_name, \
                     b.closes_at, b.closed_at, b.closed_by, c.display_name AS closed_by_name, b.cancelled_reason, \
                     b.result FROM ballots b JOIN users o ON o.id = b.opened_by LEFT JOIN users c ON c.id = b.closed_by \
                     WHERE b.id = $1",
                )
                .bind(id)
                .fetch_optional(&mut *conn)
                .await
                .map_err(Self::err)?;
                let row = row.ok_or($crate::store::StoreError::NotFound("ballot"))?;
                let eligible: Vec<(uuid::Uuid, String)> = sqlx::query_as(
                    "SELECT organization_id, organization_name FROM ballot_eligible WHERE ballot_id = $1 \
                     ORDER BY organization_name",
                )
                .bind(id)
                .fetch_all(&mut *conn)
                .await
                .map_err(Self::err)?;
                let votes: Vec<$crate::store::rows_ballots::VoteRow> = sqlx::query_as(
                    "SELECT v.organization_id, v.choice, v.cast_by, u.display_name AS cast_by_name, v.cast_at \
                     FROM votes v JOIN users u ON u.id = v.cast_by WHERE v.ballot_id = $1 ORDER BY v.cast_at",
                )
                .bind(id)
                .fetch_all(&mut *conn)
                .await
                .map_err(Self::err)?;
                row.into_record(eligible, votes)
            }

            async fn set_proposal_status(
                conn: &mut <$db as sqlx::Database>::Connection,
                id: uuid::Uuid,
                status: $crate::domain::proposal::ProposalStatus,
                ballot: Option<uuid::Uuid>,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query("UPDATE proposals SET status = $2, ballot_id = COALESCE($3, ballot_id), updated_at = $4 WHERE id = $1")
                    .bind(id)
                    .bind(status.as_str())
                    .bind(ballot)
                    .bind(chrono::Utc::now())
                    .execute(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                Ok(())
            }

            fn ballot_event(
                ballot: &$crate::domain::ballot_record::BallotRecord,
                kind: &'static str,
                data: serde_json::Value,
            ) -> $crate::domain::event::NewEvent {
                $crate::domain::event::NewEvent::new($crate::domain::event::Topic::Proposal(ballot.proposal_id), kind, data)
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::BallotStore for $store {
            async fn open_ballot(
                &self,
                proposal: $crate::domain::ids::ProposalId,
                new: $crate::store::NewBallot,
                actor: &$crate::domain::account::User,
            ) -> $crate::store::StoreResult<$crate::domain::ballot_record::BallotRecord> {
                use $crate::domain::proposal::ProposalStatus;
                let mut tx = self.begin_write().await?;
                let current = Self::lock_proposal(&mut tx, proposal.0).await?;
                if current.status != ProposalStatus::Open {
                    return Err($crate::store::StoreError::Conflict(format!(
                        "the proposal is {}; only an open proposal can be put to the vote",
                        current.status.as_str()
                    )));
                }
                let eligible: Vec<(uuid::Uuid, String)> = sqlx::query_as(
                    "SELECT id, name FROM organizations WHERE kind = 'member' AND active = TRUE ORDER BY name",
                )
                .fetch_all(&mut *tx)
                .await
                .map_err(Self::err)?;
                if eligible.is_empty() {
                    return Err($crate::store::StoreError::Conflict("no active member organization can vote".into()));
                }
                let id = $crate::domain::ids::BallotId::new();
                let text = current.revision.body.clone();
                let base = Self::charter_at_in(&mut tx, current.document_id, current.base_version).await?;
                let decision = $crate::domain::decision::Decision::of(&current, &base);
                sqlx::query(
                    "INSERT INTO ballots (id, proposal_id, status, majority, quorum, secret, live_results, question, \
                     text, text_sha256, revision, opened_at, opened_by, closes_at, decision) \
                     VALUES ($1, $2, 'open', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                )
                .bind(id.0)
                .bind(proposal.0)
                .bind($crate::store::rows_ballots::majority_text(new.majority))
                .bind(new.quorum)
                .bind(new.secret)
                .bind(new.live_results)
                .bind(&current.title)
                .bind(&text)
                .bind($crate::domain::ballot::text_digest(&text))
                .bind(current.revision.number)
                .bind(chrono::Utc::now())
                .bind(actor.id.0)
                .bind(new.closes_at)
                .bind(decision.canonical())
                .execute(&mut *tx)
                .await
                .map_err(Self::err)?;
                for (organization, name) in &eligible {
                    sqlx::query(
                        "INSERT INTO ballot_eligible (ballot_id, organization_id, organization_name) VALUES ($1, $2, $3)",
                    )
                    .bind(id.0)
                    .bind(organization)
                    .bind(name)
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                }
                Self::set_proposal_status(&mut tx, proposal.0, ProposalStatus::Voting, Some(id.0)).await?;
                let ballot = Self::ballot_in(&mut tx, id.0, false).await?;
                let (_, mut events) = Self::proposal_events(&mut tx, proposal.0, "proposal.status").await?;
                events.push(Self::ballot_event(&ballot, "ballot.opened", serde_json::json!({ "ballot": ballot.view_for(None) })));
                let events = Self::append_events(&mut tx, Some(actor), events).await?;
                self.commit_and_publish(tx, events).await?;
                Ok(ballot)
            }

            async fn ballot(
                &self,
                id: $crate::domain::ids::BallotId,
            ) -> $crate::store::StoreResult<$crate::domain::ballot_record::BallotRecord> {
                let mut conn = self.begin_read().await?;
                Self::ballot_in(&mut conn, id.0, false).await
            }

            async fn cast_vote(
                &self,
                id: $crate::domain::ids::BallotId,
                choice: $crate::domain::ballot::Choice,
                actor: &$crate::domain::account::User,
            ) -> $crate::store::StoreResult<$crate::domain::ballot_record::BallotRecord> {
                use $crate::domain::ballot_record::{may_vote, BallotStatus};
                use $crate::store::StoreError;
                let mut tx = self.begin_write().await?;
                let ballot = Self::ballot_in(&mut tx, id.0, true).await?;
                // Under the ballot's lock, so a cast's time and a close's are
                // in the order the lock gave them.
                let now = chrono::Utc::now();
                if ballot.status != BallotStatus::Open || ballot.closes_at.is_some_and(|deadline| deadline <= now) {
                    return Err(StoreError::Conflict("the ballot is closed".into()));
                }
                if !may_vote(actor, &ballot) {
                    return Err(StoreError::Forbidden(
                        "only a delegate or secretariat member of an eligible member organization may vote".into(),
                    ));
                }
                let choice_text = $crate::store::rows_ballots::choice_text(choice);
                let organization = actor.organization.id.0;
                sqlx::query(
                    "INSERT INTO votes (ballot_id, organization_id, choice, cast_by, cast_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (ballot_id, organization_id) DO UPDATE SET choice = $3, cast_by = $4, cast_at = $5",
                )
                .bind(id.0)
                .bind(organization)
                .bind(choice_text)
                .bind(actor.id.0)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(Self::err)?;
                sqlx::query(
                    "INSERT INTO vote_casts (id, ballot_id, organization_id, choice, cast_by, cast_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(uuid::Uuid::now_v7())
                .bind(id.0)
                .bind(organization)
                .bind(choice_text)
                .bind(actor.id.0)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(Self::err)?;
                let ballot = Self::ballot_in(&mut tx, id.0, false).await?;
                let mut events = vec![Self::ballot_event(
                    &ballot,
                    "ballot.participation",
                    serde_json::json!({ "ballot_id": ballot.id, "participation": ballot.participation() }),
                )];
                if ballot.live_results {
                    events.push(Self::ballot_event(
                        &ballot,
                        "ballot.tally",
                        serde_json::json!({ "ballot_id": ballot.id, "tally": ballot.tally() }),
                    ));
                }
                let events = Self::append_events(&mut tx, Some(actor), events).await?;
                self.commit_and_publish(tx, events).await?;
                Ok(ballot)
            }

            async fn close_ballot(
                &self,
                id: $crate::domain::ids::BallotId,
                by: $crate::store::Closer<'_>,
            ) -> $crate::store::StoreResult<Option<$crate::domain::ballot_record::BallotRecord>> {
                use $crate::domain::ballot_record::BallotStatus;
                use $crate::domain::proposal::ProposalStatus;
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
                        Some(_) => Err($crate::store::StoreError::Conflict(format!(
                            "the ballot is already {}",
                            if ballot.status == BallotStatus::Closed { "closed" } else { "cancelled" }
                        ))),
                        None => Ok(None),
                    };
                }
                if actor.is_none() && ballot.closes_at.is_none_or(|deadline| deadline > now) {
                    return Ok(None);
                }
                let result = ballot.compute_result();
                let closed_at = match (actor, ballot.closes_at) {
                    (None, Some(deadline)) => deadline,
                    _ => now,
                };
                sqlx::query(
                    "UPDATE ballots SET status = 'closed', closed_at = $2, closed_by = $3, result = $4 WHERE id = $1",
                )
                .bind(id.0)
                .bind(closed_at)
                .bind(actor.map(|user| user.id.0))
                .bind(serde_json::to_string(&result).map_err(|err| $crate::store::StoreError::Corrupt(err.to_string()))?)
                .execute(&mut *tx)
                .await
                .map_err(Self::err)?;
                let status = if result.passed { ProposalStatus::Passed } else { ProposalStatus::Rejected };
                Self::set_proposal_status(&mut tx, ballot.proposal_id.0, status, None).await?;
                let ballot = Self::ballot_in(&mut tx, id.0, false).await?;
                let mut events = vec![Self::ballot_event(
                    &ballot,
                    "ballot.closed",
                    serde_json::json!({ "ballot": ballot.view_for(None) }),
                )];
                events.extend(Self::proposal_events(&mut tx, ballot.proposal_id.0, "proposal.status").await?.1);
                let events = Self::append_events(&mut tx, actor, events).await?;
                self.commit_and_publish(tx, events).await?;
                Ok(Some(ballot))
            }

            async fn cancel_ballot(
                &self,
                id: $crate::domain::ids::BallotId,
                reason: String,
                actor: &$crate::domain::account::User,
            ) -> $crate::store::StoreResult<$crate::domain::ballot_record::BallotRecord> {
                use $crate::domain::ballot_record::BallotStatus;
                use $crate::domain::proposal::ProposalStatus;
                let mut tx = self.begin_write().await?;
                let ballot = Self::ballot_in(&mut tx, id.0, true).await?;
                if ballot.status != BallotStatus::Open {
                    return Err($crate::store::StoreError::Conflict("only an open ballot can be cancelled".into()));
                }
                sqlx::query("UPDATE ballots SET status = 'cancelled', cancelled_reason = $2, closed_at = $3, closed_by = $4 WHERE id = $1")
                    .bind(id.0)
                    .bind(&reason)
                    .bind(chrono::Utc::now())
                    .bind(actor.id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                Self::set_proposal_status(&mut tx, ballot.proposal_id.0, ProposalStatus::Open, None).await?;
                let ballot = Self::ballot_in(&mut tx, id.0, false).await?;
                let mut events = vec![Self::ballot_event(
                    &ballot,
                    "ballot.cancelled",
                    serde_json::json!({ "ballot_id": ballot.id, "reason": reason }),
                )];
                events.extend(Self::proposal_events(&mut tx, ballot.proposal_id.0, "proposal.status").await?.1);
                let events = Self::append_events(&mut tx, Some(actor), events).await?;
                self.commit_and_publish(tx, events).await?;
                Ok(ballot)
            }

            async fn due_ballots(
                &self,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<Vec<$crate::domain::ids::BallotId>> {
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
                id: $crate::domain::ids::BallotId,
            ) -> $crate::store::StoreResult<Vec<$crate::domain::ballot_record::Vote>> {
                let rows: Vec<$crate::store::rows_ballots::VoteRow> = sqlx::query_as(
                    "SELECT v.organization_id, v.choice, v.cast_by, u.display_name AS cast_by_name, v.cast_at \
                     FROM vote_casts v JOIN users u ON u.id = v.cast_by WHERE v.ballot_id = $1 ORDER BY v.id",
                )
                .bind(id.0)
                .fetch_all(&self.pool)
                .await
                .map_err(Self::err)?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn adopt(
                &self,
                proposal: $crate::domain::ids::ProposalId,
                actor: &$crate::domain::account::User,
            ) -> $crate::store::StoreResult<($crate::domain::proposal::Proposal, i64)> {
                use $crate::domain::adoption::{adopt, Change};
                use $crate::domain::proposal::{ProposalKind, ProposalStatus};
                let mut tx = self.begin_write().await?;
                let current = Self::lock_proposal(&mut tx, proposal.0).await?;
                if current.status != ProposalStatus::Passed {
                    return Err($crate::store::StoreError::Conflict(format!(
                        "the proposal is {}; only a passed proposal can be adopted",
                        current.status.as_str()
                    )));
                }
                let mut charter = Self::charter_in(&mut tx, current.document_id.0, true).await?;
                let base = Self::charter_at_in(&mut tx, current.document_id, current.base_version).await?;
                let change = Change {
                    kind: current.kind,
                    section_id: current.section_id,
                    after_section_id: current.after_section_id,
                    title: &current.title,
                    body: &current.revision.body,
                };
                let mut events = Vec::new();
                if let Some(sections) = adopt(&change, &base.sections, &charter.sections, $crate::domain::ids::SectionId::new())? {
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
                let (adopted, proposal_events) = Self::proposal_events(&mut tx, proposal.0, "proposal.status").await?;
                events.extend(proposal_events);
                let events = Self::append_events(&mut tx, Some(actor), events).await?;
                self.commit_and_publish(tx, events).await?;
                Ok((adopted, charter.version))
            }
        }
    };
}

pub(crate) use ballot_store;
