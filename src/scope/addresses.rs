//! IPv4 address ranges as the evidence writes them (CIDRs, single
//! addresses, NSG service tags), and whether one reaches into another.
//! IPv6 ranges are not judged; callers say so.

use ipnet::Ipv4Net;

/// A CIDR or a single address (`/32`); `None` for anything else (service
/// tags, IPv6, expressions).
pub fn parse(text: &str) -> Option<Ipv4Net> {
    let text = text.trim();
    text.parse::<Ipv4Net>()
        .ok()
        .or_else(|| text.parse().ok().map(|ip| Ipv4Net::new_assert(ip, 32)))
        .map(|net| net.trunc())
}

/// True if the two ranges share an address.
pub fn overlaps(a: &Ipv4Net, b: &Ipv4Net) -> bool {
    a.contains(b) || b.contains(a)
}

/// Whether a network policy `ipBlock` (`cidr` less `except`) reaches into
/// `range`: they overlap and no single `except` range takes out the whole
/// overlap. `None` when the CIDR cannot be read.
pub fn block_reaches(cidr: &str, except: &[String], range: &Ipv4Net) -> Option<bool> {
    let block = parse(cidr)?;
    if !overlaps(&block, range) {
        return Some(false);
    }
    let overlap = if block.prefix_len() >= range.prefix_len() {
        block
    } else {
        *range
    };
    let cut = except
        .iter()
        .filter_map(|e| parse(e))
        .any(|e| e.contains(&overlap));
    Some(!cut)
}

/// How an NSG address prefix relates to `range`: `Some(true)` if it reaches
/// into it (`*`, `Any`, `0.0.0.0/0`, the `VirtualNetwork` tag, which covers
/// the network's own and peered ranges, or an overlapping CIDR),
/// `Some(false)` if it does not (another service tag, a disjoint CIDR),
/// `None` if it cannot be read.
pub fn nsg_prefix_reaches(prefix: &str, range: &Ipv4Net) -> Option<bool> {
    let trimmed = prefix.trim();
    if matches!(trimmed, "*" | "0.0.0.0/0")
        || trimmed.eq_ignore_ascii_case("any")
        || trimmed.eq_ignore_ascii_case("VirtualNetwork")
    {
        return Some(true);
    }
    if let Some(net) = parse(trimmed) {
        return Some(overlaps(&net, range));
    }
    if trimmed.contains(':') || trimmed.starts_with('[') {
        return None;
    }
    // Internet, AzureLoadBalancer, Storage, ... name no private range of
    // the estate.
    Some(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_prefixes() {
        let out = parse("10.240.8.0/22").unwrap();
        assert_eq!(block_reaches("10.240.0.0/16", &[], &out), Some(true));
        assert_eq!(block_reaches("10.240.0.0/22", &[], &out), Some(false));
        let private = ["10.0.0.0/8".to_owned(), "192.168.0.0/16".to_owned()];
        assert_eq!(block_reaches("0.0.0.0/0", &private, &out), Some(false));
        assert_eq!(block_reaches("10.240.9.7/32", &[], &out), Some(true));
        assert_eq!(block_reaches("nonsense", &[], &out), None);
        assert_eq!(nsg_prefix_reaches("VirtualNetwork", &out), Some(true));
        assert_eq!(nsg_prefix_reaches("Internet", &out), Some(false));
        assert_eq!(nsg_prefix_reaches("10.240.13.0/24", &out), Some(false));
        assert_eq!(nsg_prefix_reaches("10.240.10.4", &out), Some(true));
        assert_eq!(nsg_prefix_reaches("fd00::/8", &out), None);
        assert_eq!(parse("10.240.8.5/22"), parse("10.240.8.0/22"));
    }
}
