//! The websocket protocol of API.md: one JSON object per text frame, tagged
//! by `type`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::event::Event;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    Subscribe { topic: String, after: Option<i64> },
    Unsubscribe { topic: String },
    Typing { topic: String },
    Ping { id: Option<Value> },
}

/// Who is viewing or typing, as others see them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PresenceUser {
    pub id: crate::domain::ids::UserId,
    pub display_name: String,
    pub organization: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage<'a> {
    Subscribed { topic: &'a str, head: i64 },
    Event(&'a Event),
    Presence { topic: &'a str, users: &'a [PresenceUser] },
    Typing { topic: &'a str, user: &'a PresenceUser },
    Pong { id: Option<Value> },
    Error { code: &'a str, message: &'a str },
    Resync { topic: &'a str },
}

impl ServerMessage<'_> {
    pub fn to_json(&self) -> String {
        // Serializing these plain structures cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Parses a client frame; the error text says what was wrong, for an
/// `error` message that keeps the connection open.
pub fn parse(text: &str) -> Result<ClientMessage, String> {
    // serde also reads a tagged enum from an array (`["ping", 1]`); API.md
    // allows only objects, and a JSON text is one when it opens with `{`.
    if !text.trim_start_matches([' ', '\t', '\n', '\r']).starts_with('{') {
        return Err("a message is a JSON object with a \"type\"".to_owned());
    }
    serde_json::from_str(text).map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use serde_json::json;

    #[test]
    fn client_messages_parse() {
        assert_eq!(
            parse(r#"{"type":"subscribe","topic":"moderation","after":3}"#),
            Ok(ClientMessage::Subscribe { topic: "moderation".into(), after: Some(3) })
        );
        assert_eq!(
            parse(r#"{"type":"subscribe","topic":"moderation"}"#),
            Ok(ClientMessage::Subscribe { topic: "moderation".into(), after: None })
        );
        assert_eq!(parse(r#"{"type":"ping","id":7}"#), Ok(ClientMessage::Ping { id: Some(json!(7)) }));
        assert_eq!(parse(r#"{"type":"ping"}"#), Ok(ClientMessage::Ping { id: None }));
        for bad in [
            "",
            "{",
            "[]",
            r#"["ping"]"#,
            r#"["subscribe","moderation",3]"#,
            r#"{"type":"dance"}"#,
            r#"{"type":"subscribe"}"#,
            r#"{"topic":"x"}"#,
            r#"{"type":"subscribe","topic":"x","after":"y"}"#,
            r#"{"type":"typing","topic":"x","extra":1}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn server_messages_are_tagged() {
        let event = Event {
            topic: "moderation".into(),
            seq: 4,
            kind: crate::domain::event_kind::EventKind::FlagCreated,
            data: json!({"x": 1}),
            actor: None,
            at: Utc::now(),
            comment_state: None,
        };
        let text = ServerMessage::Event(&event).to_json();
        let value: Value = serde_json::from_str(&text).expect("json");
        assert_eq!(value["type"], "event");
        assert_eq!(value["seq"], 4);
        assert_eq!(value["topic"], "moderation");
        assert_eq!(value["kind"], "flag.created");
        let value: Value = serde_json::from_str(&ServerMessage::Resync { topic: "t" }.to_json()).expect("json");
        assert_eq!(value, json!({"type": "resync", "topic": "t"}));
        let value: Value = serde_json::from_str(&ServerMessage::Pong { id: None }.to_json()).expect("json");
        assert_eq!(value, json!({"type": "pong", "id": null}));
    }
}

#[cfg(test)]
#[path = "protocol_tests.rs"]
mod proptests;
