//! What waits for an organization, written once for both backends.

macro_rules! pending_store {
    ($store:ty, $db:ty) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use chrono::{DateTime, Utc};
            use $crate::domain::ballot_record::BallotRecord;
            use $crate::domain::ids::{DocumentId, OrganizationId, ProposalId};
            use $crate::domain::pending::{PendingProposal, IN_PLAY};
            use $crate::domain::proposal::ProposalStatus;
            use $crate::store::pending::PendingStore;
            use $crate::store::{StoreError, StoreResult};

            #[async_trait::async_trait]
            impl PendingStore for $store {
                async fn open_ballots_for(&self, org: OrganizationId) -> StoreResult<Vec<BallotRecord>> {
                    let mut conn = self.pool.acquire().await.map_err(Self::err)?;
                    let ids: Vec<uuid::Uuid> = sqlx::query_scalar(
                        "SELECT b.id FROM ballots b JOIN ballot_eligible e ON e.ballot_id = b.id \
                         WHERE b.status = 'open' AND e.organization_id = $1 \
                         ORDER BY b.closes_at IS NULL, b.closes_at, b.opened_at",
                    )
                    .bind(org.0)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    let mut ballots = Vec::with_capacity(ids.len());
                    for id in ids {
                        ballots.push(Self::ballot_in(&mut *conn, id, false).await?);
                    }
                    Ok(ballots)
                }

                async fn proposals_in_play(
                    &self,
                    org: OrganizationId,
                    since: DateTime<Utc>,
                    limit: u32,
                ) -> StoreResult<Vec<PendingProposal>> {
                    let rows: Vec<(uuid::Uuid, uuid::Uuid, String, String, i64)> = sqlx::query_as(
                        "SELECT p.id, p.document_id, p.title, p.status, \
                         (SELECT COUNT(*) FROM comments c WHERE c.proposal_id = p.id AND c.organization_id <> $1 \
                          AND NOT c.deleted AND c.created_at > $2) AS new_comments \
                         FROM proposals p WHERE p.organization_id = $1 AND p.status IN ($3, $4, $5) \
                         ORDER BY new_comments DESC, p.title, p.id LIMIT $6",
                    )
                    .bind(org.0)
                    .bind(since)
                    .bind(IN_PLAY[0].as_str())
                    .bind(IN_PLAY[1].as_str())
                    .bind(IN_PLAY[2].as_str())
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(Self::err)?;
                    rows.into_iter()
                        .map(|(id, document, title, status, new_comments)| {
                            Ok(PendingProposal {
                                id: ProposalId(id),
                                document_id: DocumentId(document),
                                title,
                                status: ProposalStatus::parse(&status)
                                    .ok_or_else(|| StoreError::Corrupt(format!("proposal status: {status:?}")))?,
                                new_comments: u32::try_from(new_comments).unwrap_or(u32::MAX),
                            })
                        })
                        .collect()
                }
            }
        };
    };
}

pub(crate) use pending_store;
