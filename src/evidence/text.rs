//! Turning a file's bytes into text: byte-order marks, UTF-16, binary files,
//! and positions for error messages.

use std::borrow::Cow;

/// Why bytes could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextError {
    /// Zero bytes, or only white space.
    Empty,
    /// A NUL byte or invalid UTF-8 where text was expected.
    Binary {
        /// The first byte that is not text.
        offset: usize,
    },
    /// A UTF-16 file with an odd byte count or an unpaired surrogate.
    BadUtf16 {
        /// The byte where decoding failed.
        offset: usize,
    },
}

impl std::fmt::Display for TextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TextError::Empty => f.write_str("the file is empty"),
            TextError::Binary { offset } => {
                write!(
                    f,
                    "binary content, not text (byte {offset} is not valid UTF-8 text)"
                )
            }
            TextError::BadUtf16 { offset } => write!(f, "invalid UTF-16 at byte {offset}"),
        }
    }
}

/// The encoding a file was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark.
    Utf8Bom,
    /// UTF-16, little-endian, with a byte-order mark.
    Utf16LeBom,
    /// UTF-16, big-endian, with a byte-order mark.
    Utf16BeBom,
}

/// Decodes a file's bytes to text: strips a UTF-8 BOM, decodes UTF-16 with a
/// BOM, and refuses binary content and empty files.
pub fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, Encoding), TextError> {
    let (text, encoding) = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        (Cow::Borrowed(utf8(rest, 3)?), Encoding::Utf8Bom)
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        (
            Cow::Owned(utf16(rest, u16::from_le_bytes)?),
            Encoding::Utf16LeBom,
        )
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        (
            Cow::Owned(utf16(rest, u16::from_be_bytes)?),
            Encoding::Utf16BeBom,
        )
    } else {
        (Cow::Borrowed(utf8(bytes, 0)?), Encoding::Utf8)
    };
    if text.trim().is_empty() {
        return Err(TextError::Empty);
    }
    Ok((text, encoding))
}

fn utf8(bytes: &[u8], base: usize) -> Result<&str, TextError> {
    if let Some(offset) = memchr_nul(bytes) {
        return Err(TextError::Binary {
            offset: base + offset,
        });
    }
    std::str::from_utf8(bytes).map_err(|e| TextError::Binary {
        offset: base + e.valid_up_to(),
    })
}

fn memchr_nul(bytes: &[u8]) -> Option<usize> {
    // `contains` searches a word at a time, several times faster than a
    // plain scan on large files; the position is needed only for the error.
    if !bytes.contains(&0) {
        return None;
    }
    bytes.iter().position(|&b| b == 0)
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, TextError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(TextError::BadUtf16 {
            offset: bytes.len() + 1,
        });
    }
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    let mut text = String::with_capacity(bytes.len() / 2);
    for (index, decoded) in char::decode_utf16(units).enumerate() {
        match decoded {
            Ok('\0') => {
                return Err(TextError::Binary {
                    offset: 2 + index * 2,
                });
            }
            Ok(c) => text.push(c),
            Err(_) => {
                return Err(TextError::BadUtf16 {
                    offset: 2 + index * 2,
                });
            }
        }
    }
    Ok(text)
}

/// The 1-based line and column of a byte offset in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = text[line_start..floor_char_boundary(text, offset)]
        .chars()
        .count()
        + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// How [`decode`] will judge a file from its first bytes alone: the
/// [`TextError::Binary`] it will give, when `head` already shows one (a NUL,
/// or bytes that are not UTF-8 and not cut short by the end of `head`).
/// Lets a caller refuse a large binary file before reading the rest.
pub fn binary_in_head(head: &[u8]) -> Option<TextError> {
    if let Some(rest) = head.strip_prefix(&[0xFF, 0xFE]) {
        return nul_unit(rest, u16::from_le_bytes);
    }
    if let Some(rest) = head.strip_prefix(&[0xFE, 0xFF]) {
        return nul_unit(rest, u16::from_be_bytes);
    }
    let (base, rest) = match head.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (3, rest),
        None => (0, head),
    };
    if let Some(offset) = memchr_nul(rest) {
        return Some(TextError::Binary {
            offset: base + offset,
        });
    }
    match std::str::from_utf8(rest) {
        // `error_len` is `None` when the bytes end inside a character: the
        // rest of the file may complete it.
        Err(e) if e.error_len().is_some() => Some(TextError::Binary {
            offset: base + e.valid_up_to(),
        }),
        _ => None,
    }
}

/// The first UTF-16 NUL character in `bytes` (after a two-byte BOM).
fn nul_unit(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Option<TextError> {
    bytes
        .chunks_exact(2)
        .position(|pair| unit([pair[0], pair[1]]) == 0)
        .map(|index| TextError::Binary {
            offset: 2 + index * 2,
        })
}

/// The first non-white-space character, if any.
pub fn first_significant_char(text: &str) -> Option<char> {
    text.chars().find(|c| !c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_utf8_bom() {
        let (text, enc) = decode(b"\xEF\xBB\xBF{\"a\":1}").unwrap();
        assert_eq!(text, "{\"a\":1}");
        assert_eq!(enc, Encoding::Utf8Bom);
    }

    #[test]
    fn decodes_utf16le_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "{\"é\":1}\r\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let (text, enc) = decode(&bytes).unwrap();
        assert_eq!(text, "{\"é\":1}\r\n");
        assert_eq!(enc, Encoding::Utf16LeBom);
    }

    #[test]
    fn refuses_binary_and_empty() {
        assert_eq!(decode(b""), Err(TextError::Empty));
        assert_eq!(decode(b" \n\t "), Err(TextError::Empty));
        assert!(matches!(
            decode(b"\x89PNG\r\n\x1a\n\0\0"),
            Err(TextError::Binary { .. })
        ));
        assert_eq!(decode(b"ab\0cd"), Err(TextError::Binary { offset: 2 }));
        assert!(matches!(
            decode(&[0xFF, 0xFE, 0x41]),
            Err(TextError::BadUtf16 { .. })
        ));
    }

    #[test]
    fn the_head_of_a_file_shows_binary_content_as_decode_would() {
        for bytes in [
            &b"ab\0cd"[..],
            b"\xEF\xBB\xBF{\"a\":\0}",
            b"{\"a\": \"\xFF\xFE\"}",
            &[0xFF, 0xFE, 0x41, 0x00, 0x00, 0x00],
            &[0xFE, 0xFF, 0x00, 0x41, 0x00, 0x00],
        ] {
            assert_eq!(binary_in_head(bytes), decode(bytes).err(), "{bytes:?}");
        }
        // Text, and text cut inside a character, is not judged binary.
        assert_eq!(binary_in_head(b"{\"a\": 1}"), None);
        assert_eq!(binary_in_head("{\"é\"".as_bytes().split_at(4).0), None);
        assert_eq!(binary_in_head(&[0xFF, 0xFE, 0x41, 0x00, 0x42]), None);
    }

    #[test]
    fn line_and_column_are_one_based() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 4), (2, 2));
        assert_eq!(line_column(text, 8), (3, 1));
    }
}
