//! Requirement IDs: dot-separated numbers (`1`, `1.3`, `6.4.5.1`), ordered
//! numerically part by part, so `1.9` < `1.10` and a parent comes before its
//! children.

/// An ID split into its numeric parts.
pub(super) type IdParts = Vec<u32>;

/// Splits `id` into its numeric parts, or says why it is not an ID.
pub(super) fn parse(id: &str) -> Result<IdParts, String> {
    if id.is_empty() {
        return Err("it is empty".to_owned());
    }
    id.split('.')
        .map(|part| {
            let canonical = !part.is_empty()
                && part.bytes().all(|b| b.is_ascii_digit())
                && (part == "0" || !part.starts_with('0'));
            if !canonical {
                return Err(format!("`{part}` is not a number without leading zeros"));
            }
            part.parse::<u32>()
                .map_err(|_| format!("`{part}` is too large"))
        })
        .collect()
}

/// The parent's ID: `id` without its last part (`None` for a family).
pub(super) fn parent(id: &str) -> Option<&str> {
    id.rsplit_once('.').map(|(parent, _)| parent)
}

/// The family's ID: the first part of `id`.
pub(super) fn family(id: &str) -> &str {
    id.split_once('.').map_or(id, |(family, _)| family)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders_numerically() {
        assert_eq!(parse("6.4.5.1"), Ok(vec![6, 4, 5, 1]));
        assert!(parse("1.9").unwrap() < parse("1.10").unwrap());
        assert!(parse("1").unwrap() < parse("1.1").unwrap());
        assert!(parse("1.1.7").unwrap() < parse("1.2").unwrap());
        assert!(parse("9.10").unwrap() < parse("10").unwrap());
    }

    #[test]
    fn rejects_malformed_ids() {
        for bad in [
            "",
            "1.",
            ".1",
            "1..2",
            "1.a",
            "01",
            "1.02",
            "1 .2",
            "-1",
            "99999999999",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn parent_and_family() {
        assert_eq!(parent("6.4.5.1"), Some("6.4.5"));
        assert_eq!(parent("12"), None);
        assert_eq!(family("12.10.3"), "12");
        assert_eq!(family("7"), "7");
    }
}
