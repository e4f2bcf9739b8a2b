//! Sessions of the assembly and their attendance, written once for both
//! backends (see `accounts_sql.rs`); the rules are `domain::assembly`'s.
//! Every change is one event on `session:<id>` carrying the whole session.

/// The session columns a `SessionRow` reads.
macro_rules! session_select {
    () => {
        "SELECT s.id, s.title, s.starts_at, s.place, s.modality, s.status, s.quorum, s.speaker_seconds, s.agenda, \
         s.current_item, s.created_by, u.display_name AS created_by_name, s.created_at, s.opened_at, s.closed_at \
         FROM sessions s JOIN users u ON u.id = s.created_by"
    };
}

macro_rules! session_store {
    ($store:ty, $db:ty, for_update = $for_update:literal) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use $crate::domain::account::User;
            use $crate::domain::assembly::{self, AgendaItem, Session, SessionStatus};
            use $crate::domain::ballot_record::BallotRecord;
            use $crate::domain::ballot_subject::Cast;
            use $crate::domain::event::NewEvent;
            use $crate::domain::ids::{BallotId, OrganizationId, SessionId, SpeakerId, UserId};
            use $crate::domain::limits::Invalid;
            use $crate::domain::session_events::SessionNews;
            use $crate::store::rows_assembly::{AttendeeRow, SessionRow, SpeakerRow};
            use $crate::store::{
                sessions_sql, NewSession, SessionPatch, SessionStore, SpeakerPatch, StoreError, StoreResult,
            };

            impl $store {
                pub(crate) async fn session_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    id: uuid::Uuid,
                ) -> StoreResult<Session> {
                    let row: Option<SessionRow> = sqlx::query_as(concat!(sessions_sql::session_select!(), " WHERE s.id = $1"))
                        .bind(id)
                        .fetch_optional(&mut *conn)
                        .await
                        .map_err(Self::err)?;
                    let row = row.ok_or(StoreError::NotFound("session"))?;
                    let members = Self::members_in(conn).await?;
                    let attendance: Vec<AttendeeRow> = sqlx::query_as(
                        "SELECT a.user_id, u.display_name AS user_name, a.organization_id, o.name AS organization_name, \
                         a.present, a.mode, a.marked_by, m.display_name AS marked_by_name, a.first_at, a.at \
                         FROM session_attendance a JOIN users u ON u.id = a.user_id \
                         JOIN organizations o ON o.id = a.organization_id JOIN users m ON m.id = a.marked_by \
                         WHERE a.session_id = $1 ORDER BY o.name, u.display_name",
                    )
                    .bind(id)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    let speakers: Vec<SpeakerRow> = sqlx::query_as(
                        "SELECT s.id, s.user_id, u.display_name AS user_name, s.organization_id, \
                         o.name AS organization_name, s.position, s.status, s.limit_seconds, s.requested_by, \
                         r.display_name AS requested_by_name, s.requested_at, s.started_at, s.stopped_at \
                         FROM session_speakers s JOIN users u ON u.id = s.user_id \
                         JOIN organizations o ON o.id = s.organization_id JOIN users r ON r.id = s.requested_by \
                         WHERE s.session_id = $1 ORDER BY s.position, s.id",
                    )
                    .bind(id)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    let ballots: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT id FROM ballots WHERE session_id = $1 ORDER BY id")
                        .bind(id)
                        .fetch_all(&mut *conn)
                        .await
                        .map_err(Self::err)?;
                    row.into_session(&members, attendance, speakers, ballots)
                }

                /// Locks the session row and reads it.
                pub(crate) async fn lock_session_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    id: uuid::Uuid,
                ) -> StoreResult<Session> {
                    let found: Option<uuid::Uuid> =
                        sqlx::query_scalar(concat!("SELECT id FROM sessions WHERE id = $1", $for_update))
                            .bind(id)
                            .fetch_optional(&mut *conn)
                            .await
                            .map_err(Self::err)?;
                    found.ok_or(StoreError::NotFound("session"))?;
                    Self::session_in(conn, id).await
                }

                /// Reads the session as changed, records `news` and commits.
                pub(crate) async fn commit_session(
                    &self,
                    mut tx: sqlx::Transaction<'static, $db>,
                    id: uuid::Uuid,
                    news: SessionNews,
                    actor: &User,
                ) -> StoreResult<Session> {
                    let session = Self::session_in(&mut tx, id).await?;
                    let members: Vec<OrganizationId> = match news {
                        SessionNews::Convened => Self::members_in(&mut tx).await?.iter().map(|m| m.organization.id).collect(),
                        _ => Vec::new(),
                    };
                    let events = vec![NewEvent::session(&session, news, &members)];
                    let events = Self::append_events(&mut tx, Some(actor), events).await?;
                    self.commit_and_publish(tx, events).await?;
                    Ok(session)
                }

                /// What an agenda points at exists.
                async fn check_agenda_targets_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    agenda: &[AgendaItem],
                ) -> StoreResult<()> {
                    for item in agenda {
                        let (table, what, id) = match (item.proposal_id, item.document_id, item.ballot_id) {
                            (Some(id), _, _) => ("proposals", "proposal", id.0),
                            (_, Some(id), _) => ("documents", "document", id.0),
                            (_, _, Some(id)) => ("ballots", "ballot", id.0),
                            _ => continue,
                        };
                        let sql = format!("SELECT id FROM {table} WHERE id = $1");
                        let found: Option<uuid::Uuid> =
                            sqlx::query_scalar(&sql).bind(id).fetch_optional(&mut *conn).await.map_err(Self::err)?;
                        if found.is_none() {
                            return Err(StoreError::Invalid(Invalid::new("agenda", format!("no {what} {id}"))));
                        }
                    }
                    Ok(())
                }
            }

            #[async_trait::async_trait]
            impl SessionStore for $store {
                async fn convene(&self, new: NewSession, actor: &User) -> StoreResult<Session> {
                    let mut tx = self.begin_write().await?;
                    Self::check_agenda_targets_in(&mut tx, &new.agenda).await?;
                    let id = SessionId::new();
                    sqlx::query(
                        "INSERT INTO sessions (id, title, starts_at, place, modality, status, quorum, speaker_seconds, \
                         agenda, created_by, created_at) VALUES ($1, $2, $3, $4, $5, 'convened', $6, $7, $8, $9, $10)",
                    )
                    .bind(id.0)
                    .bind(&new.title)
                    .bind(new.starts_at)
                    .bind(&new.place)
                    .bind(new.modality.as_str())
                    .bind(new.quorum)
                    .bind(i32::try_from(new.speaker_seconds).unwrap_or(i32::MAX))
                    .bind(serde_json::to_string(&new.agenda).map_err(|err| StoreError::Corrupt(err.to_string()))?)
                    .bind(actor.id.0)
                    .bind(chrono::Utc::now())
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    self.commit_session(tx, id.0, SessionNews::Convened, actor).await
                }

                async fn sessions(&self) -> StoreResult<Vec<Session>> {
                    let mut conn = self.begin_read().await?;
                    let ids: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT id FROM sessions ORDER BY starts_at DESC, id DESC")
                        .fetch_all(&mut *conn)
                        .await
                        .map_err(Self::err)?;
                    let mut all = Vec::with_capacity(ids.len());
                    for id in ids {
                        all.push(Self::session_in(&mut conn, id).await?);
                    }
                    Ok(all)
                }

                async fn session(&self, id: SessionId) -> StoreResult<Session> {
                    let mut conn = self.begin_read().await?;
                    Self::session_in(&mut conn, id.0).await
                }

                async fn update_session(&self, id: SessionId, patch: SessionPatch, actor: &User) -> StoreResult<Session> {
                    let mut tx = self.begin_write().await?;
                    let current = Self::lock_session_in(&mut tx, id.0).await?;
                    current.status.check_not_closed()?;
                    let status = patch.status.unwrap_or(current.status);
                    current.status.check_move(status)?;
                    let agenda = patch.agenda.unwrap_or(current.agenda);
                    Self::check_agenda_targets_in(&mut tx, &agenda).await?;
                    let current_item = match patch.current_item_id {
                        Some(item) => item,
                        // An item taken off the agenda is no longer under way.
                        None => current.current_item_id.filter(|item| agenda.iter().any(|a| a.id == *item)),
                    };
                    if current_item.is_some_and(|item| !agenda.iter().any(|a| a.id == item)) {
                        return Err(StoreError::Invalid(Invalid::new("current_item_id", "is not on the agenda")));
                    }
                    let now = chrono::Utc::now();
                    if status == SessionStatus::Closed && current.status != SessionStatus::Closed {
                        let open: Option<uuid::Uuid> =
                            sqlx::query_scalar("SELECT id FROM ballots WHERE session_id = $1 AND status = 'open'")
                                .bind(id.0)
                                .fetch_optional(&mut *tx)
                                .await
                                .map_err(Self::err)?;
                        if open.is_some() {
                            return Err(StoreError::Conflict(
                                "a ballot opened in this session is still open: close or cancel it first".into(),
                            ));
                        }
                        Self::stop_speaking_in(&mut tx, id.0, now).await?;
                    }
                    sqlx::query(
                        "UPDATE sessions SET title = $2, starts_at = $3, place = $4, modality = $5, agenda = $6, \
                         current_item = $7, status = $8, speaker_seconds = $9, \
                         opened_at = CASE WHEN $8 = 'open' AND opened_at IS NULL THEN $10 ELSE opened_at END, \
                         closed_at = CASE WHEN $8 = 'closed' AND closed_at IS NULL THEN $10 ELSE closed_at END \
                         WHERE id = $1",
                    )
                    .bind(id.0)
                    .bind(patch.title.unwrap_or(current.title))
                    .bind(patch.starts_at.unwrap_or(current.starts_at))
                    .bind(patch.place.unwrap_or(current.place))
                    .bind(patch.modality.unwrap_or(current.modality).as_str())
                    .bind(serde_json::to_string(&agenda).map_err(|err| StoreError::Corrupt(err.to_string()))?)
                    .bind(current_item.map(|item| item.0))
                    .bind(status.as_str())
                    .bind(i32::try_from(patch.speaker_seconds.unwrap_or(current.speaker_seconds)).unwrap_or(i32::MAX))
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    self.commit_session(tx, id.0, SessionNews::Updated, actor).await
                }

                async fn set_attendance(
                    &self,
                    id: SessionId,
                    person: UserId,
                    present: bool,
                    actor: &User,
                ) -> StoreResult<Session> {
                    let mode = assembly::marking(actor, person)?;
                    let mut tx = self.begin_write().await?;
                    let current = Self::lock_session_in(&mut tx, id.0).await?;
                    current.status.check_not_closed()?;
                    let someone = Self::user_in(&mut tx, person.0).await?;
                    if !someone.active {
                        return Err(StoreError::Conflict(format!("{} is not active", someone.display_name)));
                    }
                    let now = chrono::Utc::now();
                    sqlx::query(
                        "INSERT INTO session_attendance (session_id, user_id, organization_id, present, mode, marked_by, \
                         first_at, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (session_id, user_id) \
                         DO UPDATE SET present = $4, mode = $5, marked_by = $6, at = $7",
                    )
                    .bind(id.0)
                    .bind(person.0)
                    .bind(someone.organization.id.0)
                    .bind(present)
                    .bind(mode.as_str())
                    .bind(actor.id.0)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    self.commit_session(tx, id.0, SessionNews::Attendance, actor).await
                }

                async fn ask_for_floor(&self, id: SessionId, person: UserId, actor: &User) -> StoreResult<Session> {
                    let mut tx = self.begin_write().await?;
                    Self::add_speaker_in(&mut tx, id.0, person, actor).await?;
                    self.commit_session(tx, id.0, SessionNews::Speakers, actor).await
                }

                async fn remove_speaker(&self, id: SessionId, speaker: SpeakerId, actor: &User) -> StoreResult<Session> {
                    let mut tx = self.begin_write().await?;
                    Self::remove_speaker_in(&mut tx, id.0, speaker, actor).await?;
                    self.commit_session(tx, id.0, SessionNews::Speakers, actor).await
                }

                async fn update_speaker(
                    &self,
                    id: SessionId,
                    speaker: SpeakerId,
                    patch: SpeakerPatch,
                    actor: &User,
                ) -> StoreResult<Session> {
                    let mut tx = self.begin_write().await?;
                    Self::update_speaker_in(&mut tx, id.0, speaker, patch).await?;
                    self.commit_session(tx, id.0, SessionNews::Speakers, actor).await
                }

                async fn hand_vote(
                    &self,
                    ballot: BallotId,
                    organization: OrganizationId,
                    cast: Cast,
                    actor: &User,
                ) -> StoreResult<BallotRecord> {
                    let mut tx = self.begin_write().await?;
                    let record = Self::ballot_in(&mut tx, ballot.0, true).await?;
                    let Some(session) = record.session.as_ref().map(|s| s.session_id) else {
                        return Err(StoreError::Conflict("only a ballot opened in a session takes votes by show of hands".into()));
                    };
                    let session = Self::session_in(&mut tx, session.0).await?;
                    if !record.is_eligible(organization) {
                        return Err(StoreError::Conflict("the organization was not present when the ballot opened".into()));
                    }
                    if !session.present_organizations.iter().any(|o| o.id == organization) {
                        return Err(StoreError::Conflict("the organization is not present in the session".into()));
                    }
                    let record = Self::record_vote_in(&mut tx, &record, organization, cast, actor, true).await?;
                    let events = Self::vote_events(&record);
                    let events = Self::append_events(&mut tx, Some(actor), events).await?;
                    self.commit_and_publish(tx, events).await?;
                    Ok(record)
                }
            }
        };
    };
}

pub(crate) use {session_select, session_store};
