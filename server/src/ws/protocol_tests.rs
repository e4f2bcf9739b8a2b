//! Property tests for the websocket frame parser, called exactly as the
//! connection calls it (`parse(frame.as_str())` on every text frame): no
//! input panics, every valid message round-trips, and the parser accepts
//! precisely what an independent reading of API.md accepts.

use super::{parse, ClientMessage};
use proptest::prelude::*;
use serde_json::{Map, Value};

const TYPES: &[&str] = &["subscribe", "unsubscribe", "typing", "ping"];
const KEYS: &[&str] = &["type", "topic", "after", "id", "extra", "Type", ""];

/// A message as API.md writes it on the wire, built by hand rather than by
/// serde so that the round trip is checked against the documented shape.
/// An absent optional field is either left out or sent as `null`.
fn encode(message: &ClientMessage, null_for_none: bool) -> Value {
    let mut object = Map::new();
    let optional = |object: &mut Map<String, Value>, key: &str, value: Option<Value>| match value {
        Some(value) => {
            object.insert(key.to_owned(), value);
        }
        None if null_for_none => {
            object.insert(key.to_owned(), Value::Null);
        }
        None => {}
    };
    let kind = match message {
        ClientMessage::Subscribe { topic, after } => {
            object.insert("topic".into(), topic.as_str().into());
            optional(&mut object, "after", after.map(Value::from));
            "subscribe"
        }
        ClientMessage::Unsubscribe { topic } => {
            object.insert("topic".into(), topic.as_str().into());
            "unsubscribe"
        }
        ClientMessage::Typing { topic } => {
            object.insert("topic".into(), topic.as_str().into());
            "typing"
        }
        ClientMessage::Ping { id } => {
            optional(&mut object, "id", id.clone());
            "ping"
        }
    };
    object.insert("type".into(), kind.into());
    Value::Object(object)
}

/// What API.md says a frame means, or `None` when it must be refused:
/// an object whose `type` is known, with its required fields of the right
/// type and no field the type does not have.
fn meaning(frame: &Value) -> Option<ClientMessage> {
    let object = frame.as_object()?;
    let kind = object.get("type")?.as_str()?;
    let allowed: &[&str] = match kind {
        "subscribe" => &["type", "topic", "after"],
        "unsubscribe" | "typing" => &["type", "topic"],
        "ping" => &["type", "id"],
        _ => return None,
    };
    if object.keys().any(|key| !allowed.contains(&key.as_str())) {
        return None;
    }
    let topic = || object.get("topic")?.as_str().map(str::to_owned);
    Some(match kind {
        "subscribe" => {
            let after = match object.get("after") {
                None | Some(Value::Null) => None,
                Some(after) => Some(after.as_i64()?),
            };
            ClientMessage::Subscribe { topic: topic()?, after }
        }
        "unsubscribe" => ClientMessage::Unsubscribe { topic: topic()? },
        "typing" => ClientMessage::Typing { topic: topic()? },
        _ => ClientMessage::Ping { id: object.get("id").filter(|id| !id.is_null()).cloned() },
    })
}

/// Any JSON value; numbers are kept exactly representable so that equality
/// after a trip through text is exact.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-4000i32..4000).prop_map(|n| Value::from(f64::from(n) / 8.0)),
        any::<String>().prop_map(Value::from),
        prop::sample::select(TYPES).prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..6).prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![3 => prop::sample::select(KEYS).prop_map(str::to_owned), 1 => ".{0,8}"]
}

/// Objects shaped like messages: a `type` (usually a known one) and a few
/// of the fields messages have, with values of any type.
fn message_like() -> impl Strategy<Value = Value> {
    let kind = prop_oneof![4 => prop::sample::select(TYPES).prop_map(Value::from), 1 => json()];
    let field = (prop::sample::select(&KEYS[1..]), prop_oneof![3 => small_value(), 1 => json()]);
    (prop::option::weighted(0.95, kind), prop::collection::vec(field, 0..4)).prop_map(|(kind, fields)| {
        let mut object: Map<String, Value> = fields.into_iter().map(|(key, value)| (key.to_owned(), value)).collect();
        if let Some(kind) = kind {
            object.insert("type".into(), kind);
        }
        Value::Object(object)
    })
}

/// Values that fit some field: strings for topics, integers for `after`.
fn small_value() -> impl Strategy<Value = Value> {
    prop_oneof![".{0,12}".prop_map(Value::from), any::<i64>().prop_map(Value::from), Just(Value::Null)]
}

fn valid() -> impl Strategy<Value = ClientMessage> {
    let id = prop::option::of(json().prop_filter("null is the same as no id", |id| !id.is_null()));
    prop_oneof![
        (any::<String>(), any::<Option<i64>>()).prop_map(|(topic, after)| ClientMessage::Subscribe { topic, after }),
        any::<String>().prop_map(|topic| ClientMessage::Unsubscribe { topic }),
        any::<String>().prop_map(|topic| ClientMessage::Typing { topic }),
        id.prop_map(|id| ClientMessage::Ping { id }),
    ]
}

/// One edit of a frame's bytes: overwrite, insert, delete, or cut the rest.
#[derive(Debug, Clone)]
enum Edit {
    Set(prop::sample::Index, u8),
    Insert(prop::sample::Index, u8),
    Delete(prop::sample::Index),
    Truncate(prop::sample::Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    // Bytes that matter to JSON turn up more often than chance would have it.
    let byte = prop_oneof![
        2 => prop::sample::select(&b"{}[]\":,\\ 0-eE.tfn\x00\xff\xc3"[..]),
        1 => any::<u8>(),
    ];
    prop_oneof![
        (any::<prop::sample::Index>(), byte.clone()).prop_map(|(at, byte)| Edit::Set(at, byte)),
        (any::<prop::sample::Index>(), byte).prop_map(|(at, byte)| Edit::Insert(at, byte)),
        any::<prop::sample::Index>().prop_map(Edit::Delete),
        any::<prop::sample::Index>().prop_map(Edit::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, edit: &Edit) {
    if bytes.is_empty() {
        return;
    }
    match edit {
        Edit::Set(at, byte) => {
            let at = at.index(bytes.len());
            bytes[at] = *byte;
        }
        Edit::Insert(at, byte) => bytes.insert(at.index(bytes.len() + 1), *byte),
        Edit::Delete(at) => {
            bytes.remove(at.index(bytes.len()));
        }
        Edit::Truncate(at) => bytes.truncate(at.index(bytes.len())),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let parsed = parse(&text);
        // Only an object can be a message.
        if !text.trim_start().starts_with('{') {
            prop_assert!(parsed.is_err(), "{:?} parsed as {:?}", text, parsed);
        }
    }

    #[test]
    fn every_valid_message_round_trips(message in valid(), null_for_none in any::<bool>()) {
        let wire = encode(&message, null_for_none);
        prop_assert_eq!(parse(&wire.to_string()), Ok(message.clone()), "{}", wire);
        // Pretty-printed (other whitespace) it means the same.
        let pretty = serde_json::to_string_pretty(&wire).expect("json");
        prop_assert_eq!(parse(&pretty), Ok(message), "{}", pretty);
    }

    #[test]
    fn arbitrary_json_is_parsed_as_api_md_says(value in json()) {
        prop_assert_eq!(parse(&value.to_string()).ok(), meaning(&value), "{}", value);
    }

    #[test]
    fn message_like_objects_are_parsed_as_api_md_says(value in message_like()) {
        let parsed = parse(&value.to_string());
        prop_assert_eq!(parsed.clone().ok(), meaning(&value), "{}", value);
        if let Err(problem) = parsed {
            prop_assert!(!problem.is_empty(), "an error says what was wrong");
        }
    }

    #[test]
    fn edited_valid_frames_never_panic(
        message in valid(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let mut bytes = encode(&message, false).to_string().into_bytes();
        for edit in &edits {
            apply(&mut bytes, edit);
        }
        // A text frame is UTF-8: axum refuses anything else before parse.
        let text = String::from_utf8_lossy(&bytes);
        let parsed = parse(&text);
        // Whatever parses is still a message the documented reading accepts.
        if let Ok(message) = parsed {
            let value: Value = serde_json::from_str(&text).expect("parsed text is JSON");
            prop_assert_eq!(meaning(&value), Some(message), "{}", text);
        }
    }
}

#[test]
fn unknown_types_and_missing_or_extra_fields_are_errors() {
    for kind in TYPES {
        // Type names are case-sensitive.
        assert!(parse(&format!(r#"{{"type":"{}","topic":"t"}}"#, kind.to_uppercase())).is_err());
    }
    for bad in [
        r#"{"type":"subscribe"}"#,
        r#"{"type":"unsubscribe"}"#,
        r#"{"type":"typing"}"#,
        r#"{"type":"typing","topic":null}"#,
        r#"{"type":"subscribe","topic":7}"#,
        r#"{"type":"subscribe","topic":"t","after":1.5}"#,
        r#"{"type":"subscribe","topic":"t","after":9223372036854775808}"#,
        r#"{"type":"ping","id":1,"topic":"t"}"#,
        r#"{"type":"","topic":"t"}"#,
        r#"{"type":null,"topic":"t"}"#,
        r#"{"type":["ping"]}"#,
        r#"{"kind":"ping"}"#,
        r#"["ping"]"#,
        "null",
        "\"ping\"",
    ] {
        let problem = parse(bad).expect_err(bad);
        assert!(!problem.is_empty(), "{bad}");
    }
}

#[test]
fn deeply_nested_frames_are_errors_not_stack_overflows() {
    // Well past serde_json's recursion limit, within the 64 KiB frame limit.
    for (open, close) in [("[", "]"), (r#"{"a":"#, "}")] {
        let depth = 20_000 / open.len();
        let frame = format!(r#"{{"type":"ping","id":{}1{}}}"#, open.repeat(depth), close.repeat(depth));
        assert!(parse(&frame).is_err(), "nesting {depth} deep");
    }
    // Nesting within the limit is an ordinary id.
    let frame = format!(r#"{{"type":"ping","id":{}1{}}}"#, "[".repeat(50), "]".repeat(50));
    assert!(matches!(parse(&frame), Ok(ClientMessage::Ping { id: Some(_) })));
}
