//! Canonical JSON: the one byte form of a JSON value that is hashed.
//!
//! Object keys are sorted (by their UTF-8 bytes), there is no white space,
//! strings are escaped as `serde_json` escapes them and numbers are written
//! as `serde_json` writes them. Two equal values always give the same text.

use serde_json::Value;

/// The canonical text of `value`.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

/// SHA-256 (lower-case hex) of the canonical text of `value`.
pub fn canonical_sha256(value: &Value) -> String {
    crate::evidence::sha256_hex(canonical_json(value).as_bytes())
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {
            out.push_str(&value.to_string());
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_value(item, out);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_and_there_is_no_white_space() {
        let a = json!({"b": 1, "a": [true, null, "x\"y"], "c": {"z": 1.5, "y": -2}});
        assert_eq!(
            canonical_json(&a),
            r#"{"a":[true,null,"x\"y"],"b":1,"c":{"y":-2,"z":1.5}}"#
        );
        let b: Value = serde_json::from_str(
            r#"{ "c": {"y": -2, "z": 1.5}, "b": 1, "a": [true, null, "x\"y"] }"#,
        )
        .unwrap();
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_ne!(canonical_sha256(&a), canonical_sha256(&json!({"b": 2})));
    }
}
