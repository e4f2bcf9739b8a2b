//! The event log, written once for both backends (see `accounts_sql.rs`).
//! `append_events` runs inside the transaction of the change it records.

macro_rules! event_store {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Appends `events` with the next seq of each topic. Topics are
            /// taken in one global order so transactions writing several
            /// topics cannot deadlock; within a topic the order is kept.
            async fn append_events(
                conn: &mut <$db as sqlx::Database>::Connection,
                actor: Option<&$crate::domain::account::User>,
                mut events: Vec<$crate::domain::event::NewEvent>,
            ) -> $crate::store::StoreResult<Vec<std::sync::Arc<$crate::domain::event::Event>>> {
                events.sort_by_key(|event| event.topic);
                let at = chrono::Utc::now();
                let mut appended = Vec::with_capacity(events.len());
                for event in events {
                    let topic = event.topic.to_string();
                    // The head row's lock is held to commit: the next writer
                    // of this topic waits, so seq order is commit order.
                    let seq: i64 = sqlx::query_scalar(
                        "INSERT INTO topic_heads (topic, seq) VALUES ($1, 1) \
                         ON CONFLICT (topic) DO UPDATE SET seq = topic_heads.seq + 1 RETURNING seq",
                    )
                    .bind(&topic)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    let data = serde_json::to_string(&event.data)
                        .map_err(|err| $crate::store::StoreError::Corrupt(format!("event data: {err}")))?;
                    sqlx::query(
                        "INSERT INTO events (topic, seq, kind, data, actor_id, actor_name, comment_id, at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(&topic)
                    .bind(seq)
                    .bind(event.kind)
                    .bind(data)
                    .bind(actor.map(|user| user.id.0))
                    .bind(actor.map(|user| user.display_name.as_str()))
                    .bind(event.comment.map(|(id, _)| id.0))
                    .bind(at)
                    .execute(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    appended.push(std::sync::Arc::new($crate::domain::event::Event {
                        topic,
                        seq,
                        kind: event.kind.to_owned(),
                        data: event.data,
                        actor: actor.map(Into::into),
                        at,
                        comment_state: event.comment.map(|(_, state)| state),
                    }));
                }
                Ok(appended)
            }

            /// Commits, then hands the events to the bus: a reader never
            /// hears of an event it cannot find in the log.
            async fn commit_and_publish(
                &self,
                tx: sqlx::Transaction<'static, $db>,
                events: Vec<std::sync::Arc<$crate::domain::event::Event>>,
            ) -> $crate::store::StoreResult<()> {
                tx.commit().await.map_err(Self::err)?;
                self.bus.publish(&events);
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::EventStore for $store {
            async fn events(
                &self,
                topic: $crate::domain::event::Topic,
                after: i64,
                limit: u32,
            ) -> $crate::store::StoreResult<Vec<$crate::domain::event::Event>> {
                let rows: Vec<$crate::store::rows_drafting::EventRow> = sqlx::query_as(
                    "SELECT e.topic, e.seq, e.kind, e.data, e.actor_id, e.actor_name, e.at, \
                     c.deleted AS comment_deleted, c.hidden AS comment_hidden \
                     FROM events e LEFT JOIN comments c ON c.id = e.comment_id \
                     WHERE e.topic = $1 AND e.seq > $2 ORDER BY e.seq LIMIT $3",
                )
                .bind(topic.to_string())
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(Self::err)?;
                $crate::store::rows::convert_all(rows)
            }

            async fn head(&self, topic: $crate::domain::event::Topic) -> $crate::store::StoreResult<i64> {
                let seq: Option<i64> = sqlx::query_scalar("SELECT seq FROM topic_heads WHERE topic = $1")
                    .bind(topic.to_string())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(Self::err)?;
                Ok(seq.unwrap_or(0))
            }
        }
    };
}

pub(crate) use event_store;
