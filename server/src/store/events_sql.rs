//! The event log, written once for both backends (see `accounts_sql.rs`).
//! `append_events` runs inside the transaction of the change it records.

/// The event row, written with the topic head's new hash: the statement
/// recording the event, and the one moving the head if it is separate.
/// PostgreSQL does both in one (a round trip fewer on every write); SQLite,
/// which has no data-modifying `WITH` but no network either, in two.
macro_rules! record_event_sql {
    (one_statement) => {
        (
            "WITH recorded AS (INSERT INTO events (topic, seq, kind, data, actor_id, actor_name, comment_id, at, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING topic) \
             UPDATE topic_heads SET hash = $9 FROM recorded WHERE topic_heads.topic = recorded.topic",
            None::<&str>,
        )
    };
    (two_statements) => {
        (
            "INSERT INTO events (topic, seq, kind, data, actor_id, actor_name, comment_id, at, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            Some("UPDATE topic_heads SET hash = $2 WHERE topic = $1"),
        )
    };
}

macro_rules! event_store {
    ($store:ty, $db:ty, record = $record:ident) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use $crate::domain::chain;
            use $crate::domain::account::User;
            use $crate::domain::chain::{ChainCheck, Link};
            use $crate::domain::event::{Event, NewEvent, Topic};
            use $crate::store::{ChainReport, EventStore, StoreError, StoreResult, events_sql, rows};
            use $crate::store::rows_drafting::{ChainRow, EventRow};

            impl $store {
                /// Appends `events` with the next seq of each topic. Topics are
                /// taken in one global order so transactions writing several
                /// topics cannot deadlock; within a topic the order is kept.
                async fn append_events(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    actor: Option<&User>,
                    mut events: Vec<NewEvent>,
                ) -> StoreResult<Vec<std::sync::Arc<Event>>> {
                    events.sort_by_key(|event| event.topic);
                    // Microseconds: what both backends keep, so the hash of an
                    // event read back is the hash it was written with.
                    let at = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6);
                    let at_text = at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
                    let mut appended = Vec::with_capacity(events.len());
                    let notices: Vec<_> = events.iter_mut().flat_map(|event| std::mem::take(&mut event.notices)).collect();
                    for event in events {
                        let topic = event.topic.to_string();
                        // The head row's lock is held to commit: the next writer
                        // of this topic waits, so seq order is commit order. It
                        // returns the previous event's hash, to chain from.
                        let (seq, previous): (i64, String) = sqlx::query_as(
                            "INSERT INTO topic_heads (topic, seq) VALUES ($1, 1) \
                             ON CONFLICT (topic) DO UPDATE SET seq = topic_heads.seq + 1 RETURNING seq, hash",
                        )
                        .bind(&topic)
                        .fetch_one(&mut *conn)
                        .await
                        .map_err(Self::err)?;
                        let data = serde_json::to_string(&event.data)
                            .map_err(|err| StoreError::Corrupt(format!("event data: {err}")))?;
                        let hash = chain::link_hash(
                            &previous,
                            &Link {
                                topic: &topic,
                                seq,
                                kind: event.kind.as_str(),
                                data: &data,
                                actor: actor.map(|user| user.id.0),
                                at: &at_text,
                            },
                        );
                        let (record, advance_head) = events_sql::record_event_sql!($record);
                        sqlx::query(record)
                            .bind(&topic)
                            .bind(seq)
                            .bind(event.kind.as_str())
                            .bind(data)
                            .bind(actor.map(|user| user.id.0))
                            .bind(actor.map(|user| user.display_name.as_str()))
                            .bind(event.comment.map(|(id, _)| id.0))
                            .bind(at)
                            .bind(&hash)
                            .execute(&mut *conn)
                            .await
                            .map_err(Self::err)?;
                        if let Some(advance_head) = advance_head {
                            sqlx::query(advance_head)
                                .bind(&topic)
                                .bind(&hash)
                                .execute(&mut *conn)
                                .await
                                .map_err(Self::err)?;
                        }
                        appended.push(std::sync::Arc::new(Event {
                            topic,
                            seq,
                            kind: event.kind,
                            data: event.data,
                            actor: actor.map(Into::into),
                            at,
                            comment_state: event.comment.map(|(_, state)| state),
                        }));
                    }
                    if !notices.is_empty() {
                        Self::record_notices_in(conn, actor.map(|user| user.id), &notices).await?;
                    }
                    Ok(appended)
                }

                /// Commits, then hands the events to the bus: a reader never
                /// hears of an event it cannot find in the log.
                async fn commit_and_publish(
                    &self,
                    tx: sqlx::Transaction<'static, $db>,
                    events: Vec<std::sync::Arc<Event>>,
                ) -> StoreResult<()> {
                    tx.commit().await.map_err(Self::err)?;
                    self.bus.publish(&events);
                    Ok(())
                }
            }

            #[async_trait::async_trait]
            impl EventStore for $store {
                async fn events_within(
                    &self,
                    topic: Topic,
                    after: i64,
                    limit: u32,
                    max_chars: i64,
                ) -> StoreResult<Vec<Event>> {
                    // The page is cut by count first, so the running total reads
                    // at most `limit` rows, never the rest of the topic.
                    let rows: Vec<EventRow> = sqlx::query_as(
                        "SELECT e.topic, e.seq, e.kind, e.data, e.actor_id, e.actor_name, e.at, \
                         c.deleted AS comment_deleted, c.hidden AS comment_hidden \
                         FROM (SELECT page.*, SUM(LENGTH(page.data)) OVER (ORDER BY page.seq) - LENGTH(page.data) AS before \
                               FROM (SELECT * FROM events WHERE topic = $1 AND seq > $2 ORDER BY seq LIMIT $3) page) e \
                         LEFT JOIN comments c ON c.id = e.comment_id \
                         WHERE e.before < $4 ORDER BY e.seq",
                    )
                    .bind(topic.to_string())
                    .bind(after)
                    .bind(i64::from(limit))
                    .bind(max_chars)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(Self::err)?;
                    rows::convert_all(rows)
                }

                /// Each topic's chain up to the head read for it: events committed
                /// meanwhile lie beyond that head and are left for the next run (read
                /// unbounded, they once made a live database report a false break).
                /// Read a page at a time, so memory does not grow with the topic.
                async fn verify_chains(&self) -> StoreResult<ChainReport> {
                    const PAGE: i64 = 1000;
                    let heads: Vec<(String, i64, String)> =
                        sqlx::query_as("SELECT topic, seq, hash FROM topic_heads ORDER BY topic")
                            .fetch_all(&self.pool)
                            .await
                            .map_err(Self::err)?;
                    let mut report = ChainReport::default();
                    for (topic, head_seq, head_hash) in heads {
                        report.topics += 1;
                        let mut check = ChainCheck::default();
                        let broken = loop {
                            let rows: Vec<ChainRow> = sqlx::query_as(
                                "SELECT seq, kind, data, actor_id, at, hash FROM events \
                                 WHERE topic = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4",
                            )
                            .bind(&topic)
                            .bind(check.seq)
                            .bind(head_seq)
                            .bind(PAGE)
                            .fetch_all(&self.pool)
                            .await
                            .map_err(Self::err)?;
                            report.events += rows.len();
                            if let Some(seq) = rows.iter().find_map(|row| row.check(&topic, &mut check).err()) {
                                break Some(seq);
                            }
                            if rows.len() < PAGE as usize {
                                break check.reaches(head_seq, &head_hash).err();
                            }
                        };
                        if let Some(seq) = broken {
                            report.first_break.get_or_insert((topic, seq));
                        }
                    }
                    Ok(report)
                }

                async fn head(&self, topic: Topic) -> StoreResult<i64> {
                    let seq: Option<i64> = sqlx::query_scalar("SELECT seq FROM topic_heads WHERE topic = $1")
                        .bind(topic.to_string())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(Self::err)?;
                    Ok(seq.unwrap_or(0))
                }

                async fn heads(&self) -> StoreResult<Vec<(Topic, i64)>> {
                    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT topic, seq FROM topic_heads")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(Self::err)?;
                    Ok(rows
                        .into_iter()
                        .filter_map(|(topic, seq)| Topic::parse(&topic).map(|topic| (topic, seq)))
                        .collect())
                }
            }
        };
    };
}

pub(crate) use {event_store, record_event_sql};
