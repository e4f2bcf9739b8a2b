//! The `session:<id>` topic: every change of a session (convened, its
//! status, agenda or current item, who is present, the speakers list) is
//! one event carrying the whole session as everyone sees it, so a screen
//! that missed some only needs the last one. Convening notifies every
//! member organization.

use serde::Serialize;
use serde_json::json;

use super::assembly::Session;
use super::event::{NewEvent, Topic};
use super::event_kind::EventKind;
use super::ids::OrganizationId;
use super::notification::{Notice, NoticeKind, Recipients};

/// What changed in the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionNews {
    Convened,
    Updated,
    Attendance,
    Speakers,
}

impl From<SessionNews> for EventKind {
    fn from(news: SessionNews) -> EventKind {
        match news {
            SessionNews::Convened => EventKind::SessionConvened,
            SessionNews::Updated => EventKind::SessionUpdated,
            SessionNews::Attendance => EventKind::SessionAttendance,
            SessionNews::Speakers => EventKind::SessionSpeakers,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionData {
    pub session: Session,
}

impl NewEvent {
    /// `members`: the member organizations, who hear of a convocation.
    pub fn session(session: &Session, news: SessionNews, members: &[OrganizationId]) -> NewEvent {
        let data = serde_json::to_value(SessionData { session: session.clone() }).unwrap_or_default();
        let mut event = NewEvent::raw(Topic::Session(session.id), news.into(), data);
        if news == SessionNews::Convened {
            event.notices = vec![Notice::of_convocation(session, members)];
        }
        event
    }
}

impl Notice {
    pub fn of_convocation(session: &Session, members: &[OrganizationId]) -> Notice {
        Notice::new(
            NoticeKind::SessionConvened,
            Recipients::Organizations(members.to_vec()),
            format!("/sesiones/{}", session.id),
            json!({
                "session_id": session.id,
                "title": session.title,
                "starts_at": session.starts_at,
                "place": session.place,
                "modality": session.modality.as_str(),
            }),
        )
    }
}
