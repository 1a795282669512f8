//! JSON with comments (ARM templates): `//` and `/* */` comments are blanked
//! out so that line and column numbers of later errors stay true. ARM also
//! accepts line breaks and other control characters inside strings
//! (multi-line scripts); they are escaped, and the line breaks moved to just
//! after the string, so later lines keep their numbers.

/// Replaces every comment outside strings with spaces (newlines are kept)
/// and escapes control characters inside strings. Returns `None` when there
/// is nothing to change, so callers can parse the original text without a
/// copy.
pub fn strip_comments(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let mut in_string = false;
    let mut found = false;
    let mut moved_newlines = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            if b < 0x20 {
                found = true;
                match b {
                    b'\n' => {
                        out.extend_from_slice(b"\\n");
                        moved_newlines += 1;
                    }
                    b'\r' => out.extend_from_slice(b"\\r"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    _ => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
                }
                i += 1;
                continue;
            }
            out.push(b);
            if b == b'\\' && i + 1 < bytes.len() {
                out.push(bytes[i + 1]);
                i += 2;
                continue;
            }
            if b == b'"' {
                in_string = false;
                out.extend(std::iter::repeat_n(b'\n', moved_newlines));
                moved_newlines = 0;
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
    // An unterminated string still gets its line breaks back.
    out.extend(std::iter::repeat_n(b'\n', moved_newlines));
    if !found {
        return None;
    }
    // Only ASCII bytes outside strings were replaced by ASCII spaces, and
    // multi-byte sequences inside comments were blanked byte by byte, so the
    // result is valid UTF-8.
    String::from_utf8(out).ok()
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
    fn escapes_line_breaks_inside_strings_and_keeps_line_numbers() {
        let text = "{\n  \"script\": \"line one\n\tline two\",\n  \"b\": x\n}";
        let stripped = strip_comments(text).unwrap();
        assert_eq!(stripped.lines().count(), text.lines().count());
        let err = serde_json::from_str::<serde_json::Value>(&stripped).unwrap_err();
        assert_eq!(err.line(), 4);
        let fixed = strip_comments(&text.replace(": x", ": 1")).unwrap();
        let value: serde_json::Value = serde_json::from_str(&fixed).unwrap();
        assert_eq!(value["script"], "line one\n\tline two");
    }

    #[test]
    fn leaves_comment_free_text_alone() {
        assert_eq!(strip_comments("{\"url\": \"https://a\"}"), None);
    }
}
