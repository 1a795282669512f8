//! Length caps for text taken from evidence.
//!
//! One long string in a valid file (a cluster name of 8 MiB, a 32 MB
//! template expression) must not be copied into every check result, reason,
//! import note, output line and stored run. Wherever such text is kept or
//! shown it goes through [`cap`] (or [`capped`]): at most
//! [`MAX_TEXT_CHARS`] characters, then an ellipsis and the full length.
//! The evidence file itself keeps the original bytes.

use std::borrow::Cow;

/// The most characters of one evidence-derived text that are kept or shown.
/// Real names, resource IDs and one-line reasons are far shorter (an ARM ID
/// of a subnet is about 300 characters).
pub const MAX_TEXT_CHARS: usize = 2048;

/// `text` cut to [`MAX_TEXT_CHARS`] characters, with `… (N characters)`
/// appended when it was longer; borrowed when it fits.
pub fn capped(text: &str) -> Cow<'_, str> {
    capped_to(text, MAX_TEXT_CHARS)
}

/// Like [`capped`], for an owned string (no copy when it fits).
pub fn cap(text: String) -> String {
    match capped(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(shorter) => shorter,
    }
}

/// Caps `text` in place.
pub fn cap_in_place(text: &mut String) {
    if let Cow::Owned(shorter) = capped(text) {
        *text = shorter;
    }
}

/// `text` cut to `max` characters, with `… (N characters)` appended when it
/// was longer.
pub fn capped_to(text: &str, max: usize) -> Cow<'_, str> {
    // A UTF-8 character is at most four bytes: shorter texts fit for sure.
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((end, _)) => {
            let total = max + text[end..].chars().count();
            Cow::Owned(format!("{}… ({total} characters)", &text[..end]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_borrowed_long_text_is_cut_with_its_length() {
        assert!(matches!(capped("aks-prod"), Cow::Borrowed("aks-prod")));
        let long = "é".repeat(MAX_TEXT_CHARS + 10);
        let cut = capped(&long).into_owned();
        assert!(cut.starts_with(&"é".repeat(MAX_TEXT_CHARS)));
        assert!(cut.ends_with(&format!("… ({} characters)", MAX_TEXT_CHARS + 10)));
        assert_eq!(
            cut.chars().count(),
            MAX_TEXT_CHARS + 1 + " (2058 characters)".len()
        );
        // Exactly at the limit: kept as it is, also when multi-byte.
        let edge = "é".repeat(MAX_TEXT_CHARS);
        assert_eq!(capped(&edge), edge.as_str());
        let mut owned = long.clone();
        cap_in_place(&mut owned);
        assert_eq!(owned, cut);
        assert_eq!(cap(long), cut);
        assert_eq!(capped_to("abcdef", 3), "abc… (6 characters)");
    }
}
