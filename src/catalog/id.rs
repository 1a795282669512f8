//! Requirement IDs: dot-separated numbers (`1`, `1.3`, `6.4.5.1`), or an
//! appendix ID whose first part is `A` and a number (`A1`, `A1.1`,
//! `A3.2.5.1`). They are ordered numerically part by part, so `1.9` < `1.10`
//! and a parent comes before its children; every appendix comes after the
//! numbered families (`12.10.7` < `A1`).

/// An ID split into its parts: whether it is in an appendix, then the
/// numbers (`A1.2.3` → appendix, `[1, 2, 3]`). The derived order is the
/// document order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct IdParts {
    /// True for `A…` IDs.
    appendix: bool,
    /// The numbers, the appendix's own number first.
    numbers: Vec<u32>,
}

/// Splits `id` into its parts, or says why it is not an ID.
pub(crate) fn parse(id: &str) -> Result<IdParts, String> {
    if id.is_empty() {
        return Err("it is empty".to_owned());
    }
    let (appendix, numbered) = match id.strip_prefix('A') {
        Some(rest) => (true, rest),
        None => (false, id),
    };
    let numbers = numbered
        .split('.')
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
        .collect::<Result<Vec<u32>, String>>()?;
    Ok(IdParts { appendix, numbers })
}

/// True if `id` is well formed (see [`parse`]).
pub fn is_well_formed(id: &str) -> bool {
    parse(id).is_ok()
}

/// The document-order sort key of `id`; malformed IDs sort last, by text.
pub fn order_key(id: &str) -> impl Ord + use<> {
    match parse(id) {
        Ok(parts) => (false, Some(parts), String::new()),
        Err(_) => (true, None, id.to_owned()),
    }
}

/// True if `id` lies in an appendix (`A1`, `A2.1.1`).
pub(crate) fn is_appendix(id: &str) -> bool {
    id.starts_with('A')
}

/// The parent's ID: `id` without its last part (`None` for a family).
pub(crate) fn parent(id: &str) -> Option<&str> {
    id.rsplit_once('.').map(|(parent, _)| parent)
}

/// The family's ID: the first part of `id` (`A1` for `A1.2.3`).
pub(crate) fn family(id: &str) -> &str {
    id.split_once('.').map_or(id, |(family, _)| family)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(id: &str) -> Vec<u32> {
        parse(id).unwrap().numbers
    }

    #[test]
    fn parses_and_orders_numerically() {
        assert_eq!(numbers("6.4.5.1"), vec![6, 4, 5, 1]);
        assert!(parse("1.9").unwrap() < parse("1.10").unwrap());
        assert!(parse("1").unwrap() < parse("1.1").unwrap());
        assert!(parse("1.1.7").unwrap() < parse("1.2").unwrap());
        assert!(parse("9.10").unwrap() < parse("10").unwrap());
    }

    #[test]
    fn appendix_ids_come_after_the_families() {
        assert_eq!(numbers("A3.2.5.1"), vec![3, 2, 5, 1]);
        assert!(parse("A3.2.5.1").unwrap().appendix);
        assert!(parse("12.10.7").unwrap() < parse("A1").unwrap());
        assert!(parse("A1").unwrap() < parse("A1.1").unwrap());
        assert!(parse("A1.2.3").unwrap() < parse("A2").unwrap());
        assert!(parse("A2.1.3").unwrap() < parse("A3.1.1").unwrap());
        assert!(order_key("12.1") < order_key("A1.1"));
        assert!(order_key("A3") < order_key("no such"));
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
            "A",
            "A.1",
            "AA1",
            "a1",
            "B1",
            "1.A1",
            "A01",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn parent_and_family() {
        assert_eq!(parent("6.4.5.1"), Some("6.4.5"));
        assert_eq!(parent("12"), None);
        assert_eq!(parent("A1"), None);
        assert_eq!(parent("A1.1.2"), Some("A1.1"));
        assert_eq!(family("12.10.3"), "12");
        assert_eq!(family("7"), "7");
        assert_eq!(family("A3.2.5.1"), "A3");
        assert!(is_appendix("A2.1.1"));
        assert!(!is_appendix("2.1.1"));
    }
}
