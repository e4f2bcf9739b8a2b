//! The ballot reads and writes that the ballot methods share inside their
//! transactions: the ballot with its votes, the casts, the erasure of a
//! secret ballot's choices (see `accounts_sql.rs` for how the macros are used).

/// A `VoteRow` from `votes` (the current choices) or `vote_casts` (every cast).
macro_rules! vote_select {
    ($table:literal) => {
        concat!(
            "SELECT v.organization_id, v.choice, v.ranking, v.cast_by, u.display_name AS cast_by_name, v.cast_at, v.by_hand FROM ",
            $table,
            " v JOIN users u ON u.id = v.cast_by"
        )
    };
}

macro_rules! ballot_lookups {
    ($store:ty, $db:ty, for_update = $for_update:literal) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use $crate::domain::ballot_record::{BallotRecord, Vote};
            use $crate::domain::proposal::ProposalStatus;
            use $crate::store::{ballot_lookups_sql, StoreError, StoreResult};
            use $crate::store::rows_ballots::{BallotRow, VoteRow};

            impl $store {
                async fn ballot_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    id: uuid::Uuid,
                    lock: bool,
                ) -> StoreResult<BallotRecord> {
                    if lock {
                        let found: Option<uuid::Uuid> =
                            sqlx::query_scalar(concat!("SELECT id FROM ballots WHERE id = $1", $for_update))
                                .bind(id)
                                .fetch_optional(&mut *conn)
                                .await
                                .map_err(Self::err)?;
                        found.ok_or(StoreError::NotFound("ballot"))?;
                    }
                    let row: Option<BallotRow> = sqlx::query_as(
                        "SELECT b.id, b.proposal_id, b.subject, b.status, b.majority, b.quorum, b.secret, b.live_results, b.question, \
                         b.text, b.text_sha256, b.decision, b.revision, b.opened_at, b.opened_by, o.display_name AS opened_by_name, \
                         b.closes_at, b.closed_at, b.closed_by, c.display_name AS closed_by_name, b.cancelled_reason, \
                         b.result, b.alternatives_result, b.session_id, b.session_members FROM ballots b JOIN users o ON o.id = b.opened_by LEFT JOIN users c ON c.id = b.closed_by \
                         WHERE b.id = $1",
                    )
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    let row = row.ok_or(StoreError::NotFound("ballot"))?;
                    let eligible: Vec<(uuid::Uuid, String)> = sqlx::query_as(
                        "SELECT organization_id, organization_name FROM ballot_eligible WHERE ballot_id = $1 \
                         ORDER BY organization_name",
                    )
                    .bind(id)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    let votes: Vec<VoteRow> = sqlx::query_as(
                        concat!(ballot_lookups_sql::vote_select!("votes"), " WHERE v.ballot_id = $1 ORDER BY v.cast_at"),
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
                    status: ProposalStatus,
                    ballot: Option<uuid::Uuid>,
                ) -> StoreResult<()> {
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

                async fn casts_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    id: uuid::Uuid,
                ) -> StoreResult<Vec<Vote>> {
                    let rows: Vec<VoteRow> = sqlx::query_as(
                        concat!(ballot_lookups_sql::vote_select!("vote_casts"), " WHERE v.ballot_id = $1 ORDER BY v.id"),
                    )
                    .bind(id)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    rows.into_iter().map(TryInto::try_into).collect()
                }

                /// Records `organization`'s vote (the last one counts) and
                /// the cast in the history, under the ballot's lock (taken by
                /// `ballot_in(.., true)` before): its time is ordered against a
                /// close's. Refused once closed or past the deadline.
                pub(crate) async fn record_vote_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    ballot: &BallotRecord,
                    organization: $crate::domain::ids::OrganizationId,
                    cast: $crate::domain::ballot_subject::Cast,
                    actor: &$crate::domain::account::User,
                    by_hand: bool,
                ) -> StoreResult<BallotRecord> {
                    use $crate::domain::ballot_subject::{check_cast, Kept};
                    let now = chrono::Utc::now();
                    if !ballot.accepts_votes(now) {
                        return Err(StoreError::Conflict("the ballot is closed".into()));
                    }
                    let (choice_text, ranking) = match check_cast(&ballot.subject, cast).map_err(StoreError::Invalid)? {
                        Kept::Choice(choice) => (Some(choice.as_str()), None),
                        Kept::Ranking(ids) => (
                            None,
                            Some(serde_json::to_string(&ids).map_err(|err| StoreError::Corrupt(err.to_string()))?),
                        ),
                    };
                    sqlx::query(
                        "INSERT INTO votes (ballot_id, organization_id, choice, ranking, cast_by, cast_at, by_hand) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (ballot_id, organization_id) \
                         DO UPDATE SET choice = $3, ranking = $4, cast_by = $5, cast_at = $6, by_hand = $7",
                    )
                    .bind(ballot.id.0)
                    .bind(organization.0)
                    .bind(choice_text)
                    .bind(&ranking)
                    .bind(actor.id.0)
                    .bind(now)
                    .bind(by_hand)
                    .execute(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    sqlx::query(
                        "INSERT INTO vote_casts (id, ballot_id, organization_id, choice, ranking, cast_by, cast_at, by_hand) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(uuid::Uuid::now_v7())
                    .bind(ballot.id.0)
                    .bind(organization.0)
                    .bind(choice_text)
                    .bind(&ranking)
                    .bind(actor.id.0)
                    .bind(now)
                    .bind(by_hand)
                    .execute(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    Self::ballot_in(conn, ballot.id.0, false).await
                }

                /// What a vote tells the ballot's readers: participation, and
                /// the tally when results are live.
                pub(crate) fn vote_events(ballot: &BallotRecord) -> Vec<$crate::domain::event::NewEvent> {
                    use $crate::domain::event::NewEvent;
                    use $crate::domain::event_payload::BallotNews;
                    let mut events = vec![NewEvent::ballot(ballot, BallotNews::Participation)];
                    if ballot.live_results {
                        events.push(NewEvent::ballot(ballot, BallotNews::Tally));
                    }
                    events
                }

                /// A secret ballot keeps who took part and when, never what
                /// anyone chose, once its result is stored or it is cancelled.
                async fn erase_secret_choices(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    ballot: &BallotRecord,
                ) -> StoreResult<()> {
                    if !ballot.secret {
                        return Ok(());
                    }
                    for statement in [
                        "UPDATE votes SET choice = NULL, ranking = NULL WHERE ballot_id = $1",
                        "UPDATE vote_casts SET choice = NULL, ranking = NULL WHERE ballot_id = $1",
                    ] {
                        sqlx::query(statement).bind(ballot.id.0).execute(&mut *conn).await.map_err(Self::err)?;
                    }
                    Ok(())
                }
            }
        };
    };
}

pub(crate) use {ballot_lookups, vote_select};
