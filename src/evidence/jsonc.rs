//! JSON with comments (ARM templates): `//` and `/* */` comments are blanked
//! out so that line and column numbers of later errors stay true.

/// Replaces every comment outside strings with spaces (newlines are kept).
/// Returns `None` when the text has no comments, so callers can parse the
/// original text without a copy.
pub fn strip_comments(text: &str) -> Option<String> {
    if !text.contains("//") && !text.contains("/*") {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let mut in_string = false;
    let mut found = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            out.push(b);
            if b == b'\\' && i + 1 < bytes.len() {
                out.push(bytes[i + 1]);
                i += 2;
                continue;
            }
            if b == b'"' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        match (b, bytes.get(i + 1)) {
            (b'"', _) => {
                in_string = true;
                out.push(b);
                i += 1;
            }
            (b'/', Some(b'/')) => {
                found = true;
                while i < bytes.len() && bytes[i] != b'\n' {
                    out.push(if bytes[i] == b'\r' { b'\r' } else { b' ' });
                    i += 1;
                }
            }
            (b'/', Some(b'*')) => {
                found = true;
                out.extend_from_slice(b"  ");
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    out.push(blank(bytes[i]));
                    i += 1;
                }
                if i < bytes.len() {
                    out.extend_from_slice(b"  ");
                    i += 2;
                }
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    if !found {
        return None;
    }
    // Only ASCII bytes outside strings were replaced by ASCII spaces, and
    // multi-byte sequences inside comments were blanked byte by byte, so the
    // result is valid UTF-8.
    String::from_utf8(out).ok()
}

/// ARM accepts strings that span lines (a long expression broken over
/// several lines); strict JSON does not. Returns the text with every raw
/// control character inside a string written as a JSON escape, or `None`
/// when there is none. The escapes join lines, so callers use this only as a
/// second attempt and report errors against the original text.
pub fn escape_control_chars_in_strings(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_string = false;
    let mut escaped = false;
    let mut found = false;
    for c in text.chars() {
        if in_string && !escaped && c.is_ascii_control() {
            found = true;
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                other => out.push_str(&format!("\\u{:04x}", u32::from(other))),
            }
            continue;
        }
        out.push(c);
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        }
    }
    found.then_some(out)
}

fn blank(b: u8) -> u8 {
    match b {
        b'\n' | b'\r' => b,
        _ => b' ',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_comments_but_not_strings() {
        let text = "{\n  // line\n  \"a\": \"http://x/*y*/\", /* block\n é */ \"b\": 1\n}";
        let stripped = strip_comments(text).unwrap();
        let value: serde_json::Value = serde_json::from_str(&stripped).unwrap();
        assert_eq!(value["a"], "http://x/*y*/");
        assert_eq!(value["b"], 1);
        assert_eq!(stripped.lines().count(), text.lines().count());
    }

    #[test]
    fn escapes_line_breaks_inside_strings_only() {
        let text = "{\n  \"v\": \"[createArray(\n   1,\t2)]\",\n  \"w\": \"a\\\"b\"\n}";
        assert!(serde_json::from_str::<serde_json::Value>(text).is_err());
        let fixed = escape_control_chars_in_strings(text).unwrap();
        let value: serde_json::Value = serde_json::from_str(&fixed).unwrap();
        assert_eq!(value["v"], "[createArray(\n   1,\t2)]");
        assert_eq!(value["w"], "a\"b");
        assert_eq!(escape_control_chars_in_strings("{\n\"a\": 1\n}"), None);
    }

    #[test]
    fn leaves_comment_free_text_alone() {
        assert_eq!(strip_comments("{\"url\": \"https://a\"}"), None);
    }
}
