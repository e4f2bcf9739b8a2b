//! JSON in one canonical form, so anyone can recompute a digest from what
//! the API shows: object keys sorted by their UTF-8 bytes, no spaces,
//! strings escaped as serde_json escapes them. This does not depend on
//! whether serde_json keeps insertion order (its `preserve_order` feature).

use serde::Serialize;
use serde_json::Value;

pub fn to_canonical(value: &impl Serialize) -> String {
    let mut out = String::new();
    write(&serde_json::to_value(value).unwrap_or(Value::Null), &mut out);
    out
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (index, (key, value)) in entries.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write(value, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_sorted_at_every_depth_and_nothing_is_spaced() {
        let value = serde_json::json!({"b": 1, "a": {"z": [true, null, "x y"], "m": "ñ\"\n"}});
        assert_eq!(to_canonical(&value), r#"{"a":{"m":"ñ\"\n","z":[true,null,"x y"]},"b":1}"#);
    }
}
