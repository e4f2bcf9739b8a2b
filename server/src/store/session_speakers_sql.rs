//! The speakers list of a session, written once for both backends (see
//! `accounts_sql.rs`): ask for the floor, withdraw, and the secretariat's
//! order, start and stop. The methods run inside the session's transaction
//! (`sessions_sql.rs` records the event).

macro_rules! session_speakers {
    ($store:ty, $db:ty) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use $crate::domain::account::User;
            use $crate::domain::assembly::{check_asks_for, check_takes_back, is_present, SessionStatus, SpeakerStatus};
            use $crate::domain::ids::{SpeakerId, UserId};
            use $crate::store::{SpeakerPatch, StoreError, StoreResult};

            impl $store {
                pub(crate) async fn add_speaker_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    session: uuid::Uuid,
                    person: UserId,
                    actor: &User,
                ) -> StoreResult<()> {
                    check_asks_for(actor, person)?;
                    let current = Self::lock_session_in(conn, session).await?;
                    if current.status != SessionStatus::Open {
                        return Err(StoreError::Conflict(format!(
                            "the session is {}; the floor is asked for in an open session",
                            current.status.as_str()
                        )));
                    }
                    if !is_present(&current.attendance, person) {
                        return Err(StoreError::Conflict("only someone present in the session asks for the floor".into()));
                    }
                    if current.speakers.iter().any(|s| s.person.id == person && s.status != SpeakerStatus::Done) {
                        return Err(StoreError::Conflict("already on the speakers list".into()));
                    }
                    let someone = Self::user_in(conn, person.0).await?;
                    let position = current.speakers.iter().map(|s| s.position).max().unwrap_or(0) + 1;
                    sqlx::query(
                        "INSERT INTO session_speakers (id, session_id, user_id, organization_id, position, status, \
                         limit_seconds, requested_by, requested_at) VALUES ($1, $2, $3, $4, $5, 'waiting', $6, $7, $8)",
                    )
                    .bind(SpeakerId::new().0)
                    .bind(session)
                    .bind(person.0)
                    .bind(someone.organization.id.0)
                    .bind(i32::try_from(position).unwrap_or(i32::MAX))
                    .bind(i32::try_from(current.speaker_seconds).unwrap_or(i32::MAX))
                    .bind(actor.id.0)
                    .bind(chrono::Utc::now())
                    .execute(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    Ok(())
                }

                /// A waiting speaker withdraws (or the secretariat takes them off).
                pub(crate) async fn remove_speaker_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    session: uuid::Uuid,
                    speaker: SpeakerId,
                    actor: &User,
                ) -> StoreResult<()> {
                    let current = Self::lock_session_in(conn, session).await?;
                    current.status.check_not_closed()?;
                    let found = current.speakers.iter().find(|s| s.id == speaker).ok_or(StoreError::NotFound("speaker"))?;
                    check_takes_back(actor, found)?;
                    sqlx::query("DELETE FROM session_speakers WHERE id = $1")
                        .bind(speaker.0)
                        .execute(&mut *conn)
                        .await
                        .map_err(Self::err)?;
                    Ok(())
                }

                /// Ends the turn of whoever is speaking.
                pub(crate) async fn stop_speaking_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    session: uuid::Uuid,
                    now: chrono::DateTime<chrono::Utc>,
                ) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE session_speakers SET status = 'done', stopped_at = $2 WHERE session_id = $1 AND status = 'speaking'",
                    )
                    .bind(session)
                    .bind(now)
                    .execute(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    Ok(())
                }

                pub(crate) async fn update_speaker_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    session: uuid::Uuid,
                    speaker: SpeakerId,
                    patch: SpeakerPatch,
                ) -> StoreResult<()> {
                    let current = Self::lock_session_in(conn, session).await?;
                    current.status.check_not_closed()?;
                    let found = current.speakers.iter().find(|s| s.id == speaker).ok_or(StoreError::NotFound("speaker"))?;
                    let now = chrono::Utc::now();
                    if let Some(limit) = patch.limit_seconds {
                        sqlx::query("UPDATE session_speakers SET limit_seconds = $2 WHERE id = $1")
                            .bind(speaker.0)
                            .bind(i32::try_from(limit).unwrap_or(i32::MAX))
                            .execute(&mut *conn)
                            .await
                            .map_err(Self::err)?;
                    }
                    if let Some(place) = patch.position {
                        if found.status != SpeakerStatus::Waiting {
                            return Err(StoreError::Conflict("only a waiting speaker is moved".into()));
                        }
                        // The waiting ones in their new order, numbered after
                        // those whose turn has come.
                        let mut waiting: Vec<SpeakerId> = current
                            .speakers
                            .iter()
                            .filter(|s| s.status == SpeakerStatus::Waiting && s.id != speaker)
                            .map(|s| s.id)
                            .collect();
                        let index = usize::try_from(place.max(1) - 1).unwrap_or(0).min(waiting.len());
                        waiting.insert(index, speaker);
                        let first = current
                            .speakers
                            .iter()
                            .filter(|s| s.status != SpeakerStatus::Waiting)
                            .map(|s| s.position)
                            .max()
                            .unwrap_or(0);
                        for (offset, id) in waiting.iter().enumerate() {
                            sqlx::query("UPDATE session_speakers SET position = $2 WHERE id = $1")
                                .bind(id.0)
                                .bind(i32::try_from(first + 1 + i64::try_from(offset).unwrap_or(0)).unwrap_or(i32::MAX))
                                .execute(&mut *conn)
                                .await
                                .map_err(Self::err)?;
                        }
                    }
                    if let Some(status) = patch.status {
                        found.check_move(status)?;
                        match status {
                            SpeakerStatus::Speaking if found.status == SpeakerStatus::Waiting => {
                                if current.status != SessionStatus::Open {
                                    return Err(StoreError::Conflict("the session is not open".into()));
                                }
                                Self::stop_speaking_in(conn, session, now).await?;
                                sqlx::query("UPDATE session_speakers SET status = 'speaking', started_at = $2 WHERE id = $1")
                                    .bind(speaker.0)
                                    .bind(now)
                                    .execute(&mut *conn)
                                    .await
                                    .map_err(Self::err)?;
                            }
                            SpeakerStatus::Done if found.status != SpeakerStatus::Done => {
                                sqlx::query("UPDATE session_speakers SET status = 'done', stopped_at = $2 WHERE id = $1")
                                    .bind(speaker.0)
                                    .bind(now)
                                    .execute(&mut *conn)
                                    .await
                                    .map_err(Self::err)?;
                            }
                            _ => {}
                        }
                    }
                    Ok(())
                }
            }
        };
    };
}

pub(crate) use session_speakers;
