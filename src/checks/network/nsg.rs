//! NSG checks: node-pool subnets covered, no SSH/RDP from the internet,
//! internet inbound only to the gateway on 443, rules restrict the protocol.

use super::topology::{Attached, GatewaySubnets, NodePools, nsg_of_subnet, subnets_of_nsg};
use super::{Findings, Tri, bastion, evidence_at, field_is, name_of};
use crate::checks::judge::unless_conditional;
use crate::checks::{CheckResult, CheckStatus, ResourceResult};
use crate::collect::export_command as cmd;
use crate::evidence::azure::{AzureEvidence, Nsg, SecurityRule};
use crate::evidence::node::is_expression;

fn no_nsgs() -> String {
    format!("no NSG evidence: export {}", cmd("nsgs"))
}

/// Sources that mean "anyone on the internet".
const INTERNET_SOURCES: &[&str] = &["*", "internet", "any", "0.0.0.0/0", "::/0"];
/// The subnet name Azure requires for Azure Bastion.
const BASTION_SUBNET: &str = "AzureBastionSubnet";

/// `nsg.node-subnets-covered`: every node-pool subnet has an NSG.
pub(super) fn node_subnets_covered(azure: &AzureEvidence) -> CheckResult {
    NodePools::of(azure).judge_subnets(
        "nsg.node-subnets-covered",
        |subnet, pools_text, evidence| match nsg_of_subnet(&subnet.id, azure) {
            Attached::Found(nsg, at) => {
                evidence.push(at);
                (
                    CheckStatus::Pass,
                    format!("NSG {} is associated ({pools_text})", name_of(&nsg.info)),
                )
            }
            Attached::NotImported(id, at) => {
                evidence.push(at);
                (
                    CheckStatus::Pass,
                    format!(
                        "NSG {id} is associated ({pools_text}; the NSG itself was not imported)"
                    ),
                )
            }
            Attached::Nothing(at) => {
                evidence.push(at);
                (
                    CheckStatus::Fail,
                    format!("no NSG is associated with the subnet ({pools_text})"),
                )
            }
            Attached::Unknown(why) => (
                CheckStatus::NotEvaluated,
                format!(
                    "{why} ({pools_text}): export {} or {}",
                    cmd("vnets"),
                    cmd("nsgs")
                ),
            ),
        },
    )
}

/// `nsg.no-ssh-rdp-from-internet`.
pub(super) fn no_ssh_rdp_from_internet(azure: &AzureEvidence) -> CheckResult {
    let results = azure
        .nsgs
        .iter()
        .map(|nsg| {
            judge_rules(
                nsg,
                Rules::All,
                ssh_rdp_verdict,
                (
                    "no Allow inbound rule opens 22 (SSH) or 3389 (RDP) to the internet",
                    "",
                ),
            )
        })
        .collect();
    CheckResult::from_resources("nsg.no-ssh-rdp-from-internet", "NSG", results, &no_nsgs())
}

fn ssh_rdp_verdict(rule: &SecurityRule) -> Verdict {
    let (ranges, ports) = match port_ranges(rule) {
        Ok(ranges) => {
            let opened: Vec<&str> = [(22, "SSH"), (3389, "RDP")]
                .into_iter()
                .filter(|(port, _)| ranges.iter().any(|r| r.contains(*port)))
                .map(|(_, name)| name)
                .collect();
            (Tri::from_bool(!opened.is_empty()), opened.join(" and "))
        }
        Err(why) => (Tri::Unknown(why), String::new()),
    };
    match Tri::all([
        allows_inbound(rule),
        carries_ports(rule),
        ranges,
        from_internet(rule),
    ]) {
        Tri::Yes => Verdict::Fails(format!("{} ({ports})", allowance(rule))),
        Tri::No => Verdict::Fine,
        Tri::Unknown(why) => Verdict::Unknown(format!("{}: {why}", describe(rule))),
    }
}

/// `nsg.inbound-internet-only-to-gateway`.
pub(super) fn inbound_internet_only_to_gateway(azure: &AzureEvidence) -> CheckResult {
    let gateways = GatewaySubnets::of(azure);
    let pools = NodePools::of(azure);
    let results = azure
        .nsgs
        .iter()
        .map(|nsg| {
            let placement = Placement::of(nsg, azure, &gateways, &pools);
            judge_rules(
                nsg,
                Rules::All,
                |rule| internet_verdict(rule, &placement, &gateways),
                (
                    "no Allow inbound rule admits the internet",
                    "only these rules admit the internet",
                ),
            )
        })
        .collect();
    CheckResult::from_resources(
        "nsg.inbound-internet-only-to-gateway",
        "NSG",
        results,
        &no_nsgs(),
    )
}

/// Where an NSG sits, as far as the evidence tells.
struct Placement {
    /// On an imported Application Gateway's subnet.
    on_gateway: bool,
    /// Provably not on any gateway's subnet: its subnets (or NICs) are
    /// known and so are all gateway subnets, and none matches.
    off_gateway: bool,
    /// On a subnet that holds node pools.
    on_node_subnet: bool,
    /// Only on subnets named `AzureBastionSubnet`.
    bastion: bool,
    /// Subnets it is attached to whose ID the evidence does not state (a
    /// template's VNet named by an expression), by name.
    unplaced: Vec<String>,
}

impl Placement {
    fn of(nsg: &Nsg, azure: &AzureEvidence, gateways: &GatewaySubnets, pools: &NodePools) -> Self {
        let subnets = subnets_of_nsg(nsg, azure);
        let ids = || subnets.iter().filter_map(|s| s.id.as_deref());
        let on_gateway = ids().any(|id| gateways.contains(id));
        // Only subnets known by ID can be told apart from the gateway's.
        let unplaced: Vec<String> = subnets
            .iter()
            .filter(|s| s.id.is_none())
            .map(|s| s.name.clone().unwrap_or_else(|| "(unnamed)".to_owned()))
            .collect();
        let attachments_known =
            (!subnets.is_empty() || !nsg.network_interface_ids.is_empty()) && unplaced.is_empty();
        Placement {
            on_gateway,
            off_gateway: gateways.any_gateway
                && gateways.all_known
                && attachments_known
                && !on_gateway,
            on_node_subnet: ids().any(|id| pools.holds(id)),
            bastion: on_bastion_subnet(nsg, azure),
            unplaced,
        }
    }
}

fn internet_verdict(
    rule: &SecurityRule,
    placement: &Placement,
    gateways: &GatewaySubnets,
) -> Verdict {
    match Tri::all([allows_inbound(rule), from_internet(rule)]) {
        Tri::No => return Verdict::Fine,
        Tri::Unknown(why) => return Verdict::Unknown(format!("{}: {why}", describe(rule))),
        Tri::Yes => {}
    }
    let ranges = match port_ranges(rule) {
        Ok(ranges) => ranges,
        Err(why) => {
            return Verdict::Unknown(format!("{} admits the internet: {why}", describe(rule)));
        }
    };
    let only_443 = ranges.iter().all(|r| r.low == 443 && r.high == 443);
    let what = allowance(rule);
    let infrastructure_hint = if ranges.iter().any(|r| r.low == 65200 && r.high == 65535) {
        " (the gateway's infrastructure ports 65200-65535 need source GatewayManager, not the internet)"
    } else {
        ""
    };
    if placement.on_node_subnet {
        return Verdict::Fails(format!("{what} on a node-pool subnet's NSG"));
    }
    if placement.bastion
        && let Some(required) = bastion::required_rule(rule)
    {
        return Verdict::Note(format!(
            "{what}: Azure Bastion's required rule for {}",
            required.purpose
        ));
    }
    if placement.bastion && only_443 {
        return Verdict::Note(format!(
            "{what}: Azure Bastion's subnet, which Bastion requires to admit 443"
        ));
    }
    if placement.on_gateway {
        return if only_443 {
            Verdict::Note(format!("{what}: the Application Gateway's subnet"))
        } else {
            Verdict::Fails(format!(
                "{what}: the gateway's subnet may admit the internet on 443 only{infrastructure_hint}"
            ))
        };
    }
    if placement.off_gateway {
        return Verdict::Fails(format!(
            "{what}, but this NSG is not on the Application Gateway's subnet"
        ));
    }
    if !only_443 {
        return Verdict::Fails(format!(
            "{what}: only 443, on the Application Gateway's subnet, may be open to the internet{infrastructure_hint}"
        ));
    }
    let unknown = if !placement.unplaced.is_empty() {
        format!(
            "the NSG is on subnet(s) {} whose ID the evidence does not state (its VNet is named by a template expression), so whether that is the Application Gateway's subnet is not known",
            placement.unplaced.join(", ")
        )
    } else if !gateways.any_gateway {
        format!(
            "no Application Gateway evidence, so it is unknown whether this NSG is on the gateway's subnet (export {})",
            cmd("application-gateways")
        )
    } else if !gateways.all_known {
        "the gateway's subnet is not stated literally (gatewayIPConfigurations[].subnet.id)"
            .to_owned()
    } else {
        format!(
            "the evidence does not say which subnet this NSG is on (export {} or {})",
            cmd("nsgs"),
            cmd("vnets")
        )
    };
    Verdict::Unknown(format!("{what}: {unknown}"))
}

/// `nsg.rules-restrict-protocol`: no custom Allow rule uses protocol `*`,
/// except, on `AzureBastionSubnet`, the rules Azure Bastion requires.
pub(super) fn rules_restrict_protocol(azure: &AzureEvidence) -> CheckResult {
    let results = azure
        .nsgs
        .iter()
        .map(|nsg| {
            let bastion = on_bastion_subnet(nsg, azure);
            judge_rules(
                nsg,
                Rules::Custom,
                |rule| protocol_verdict(rule, bastion),
                (
                    "every custom Allow rule names its protocol",
                    "the only rules that allow any protocol are the ones Azure Bastion requires on its subnet",
                ),
            )
        })
        .collect();
    CheckResult::from_resources("nsg.rules-restrict-protocol", "NSG", results, &no_nsgs())
}

fn protocol_verdict(rule: &SecurityRule, bastion: bool) -> Verdict {
    let any_protocol = match rule.protocol.require("protocol") {
        Ok(p) => Tri::from_bool(is_any_protocol(p)),
        Err(why) => Tri::Unknown(why),
    };
    match Tri::all([field_is(&rule.access, "access", "Allow"), any_protocol]) {
        Tri::Yes => match bastion.then(|| bastion::required_rule(rule)).flatten() {
            Some(required) => Verdict::Note(format!(
                "{} is Azure Bastion's required rule for {}",
                describe(rule),
                required.purpose
            )),
            None => Verdict::Fails(format!(
                "{} ({}) allows any protocol (*) on port(s) {}",
                describe(rule),
                rule.direction
                    .value()
                    .map_or("direction unknown", String::as_str),
                ports_text(rule)
            )),
        },
        Tri::No => Verdict::Fine,
        Tri::Unknown(why) => Verdict::Unknown(format!("{}: {why}", describe(rule))),
    }
}

/// True if the NSG sits only on subnets named `AzureBastionSubnet`.
fn on_bastion_subnet(nsg: &Nsg, azure: &AzureEvidence) -> bool {
    let subnets = subnets_of_nsg(nsg, azure);
    !subnets.is_empty()
        && subnets.iter().all(|s| {
            s.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(BASTION_SUBNET))
        })
}

/// Which rules of an NSG a check reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rules {
    /// The owner's rules and Azure's defaults.
    All,
    /// The owner's rules only.
    Custom,
}

/// What a check makes of one rule.
enum Verdict {
    /// Nothing to report.
    Fine,
    /// Fine, and worth naming when the NSG passes.
    Note(String),
    /// The rule fails the check.
    Fails(String),
    /// The evidence does not say enough.
    Unknown(String),
}

fn judge_rules(
    nsg: &Nsg,
    which: Rules,
    verdict: impl Fn(&SecurityRule) -> Verdict,
    (pass, noted): (&str, &str),
) -> ResourceResult {
    let label = nsg.info.label();
    let custom = match nsg.rules.require("securityRules") {
        Ok(rules) => rules,
        Err(why) => {
            return ResourceResult::new(
                label,
                CheckStatus::NotEvaluated,
                why,
                vec![nsg.info.at_field(&nsg.rules)],
            );
        }
    };
    let defaults = match which {
        Rules::All => nsg.default_rules.as_slice(),
        Rules::Custom => &[],
    };
    let mut findings = Findings::default();
    let mut notes = Vec::new();
    for rule in custom.iter().chain(defaults) {
        let at = evidence_at(&nsg.info.source, &rule.pointer);
        match verdict(rule) {
            Verdict::Fine => {}
            Verdict::Note(text) => notes.push((text, at)),
            Verdict::Fails(text) => findings.fail(text, at),
            Verdict::Unknown(text) => findings.unknown(text, at),
        }
    }
    let (pass_reason, pass_evidence) = if notes.is_empty() {
        (
            format!("{pass} ({} rule(s) read)", custom.len() + defaults.len()),
            vec![nsg.info.at_field(&nsg.rules)],
        )
    } else {
        let texts: Vec<&str> = notes.iter().map(|(t, _)| t.as_str()).collect();
        (
            format!("{noted}: {}", texts.join("; ")),
            notes.into_iter().map(|(_, at)| at).collect(),
        )
    };
    unless_conditional(
        &nsg.info,
        findings.into_result(label, pass_reason, pass_evidence),
    )
}

/// An inclusive range of ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PortRange {
    low: u16,
    high: u16,
}

impl PortRange {
    fn contains(self, port: u16) -> bool {
        self.low <= port && port <= self.high
    }
}

/// `*`, `22` or `20-25`.
fn parse_port_range(spec: &str) -> Option<PortRange> {
    let spec = spec.trim();
    if spec == "*" {
        return Some(PortRange {
            low: 0,
            high: u16::MAX,
        });
    }
    let (low, high) = match spec.split_once('-') {
        Some((low, high)) => (low.trim().parse().ok()?, high.trim().parse().ok()?),
        None => {
            let port = spec.parse().ok()?;
            (port, port)
        }
    };
    (low <= high).then_some(PortRange { low, high })
}

fn port_ranges(rule: &SecurityRule) -> Result<Vec<PortRange>, String> {
    let specs = rule.destination_ports.require("destinationPortRange")?;
    specs
        .iter()
        .map(|spec| {
            parse_port_range(spec).ok_or_else(|| {
                if is_expression(spec) {
                    format!("destinationPortRanges holds the unresolved template expression {spec}")
                } else {
                    format!("destination port {spec:?} is not a port or range")
                }
            })
        })
        .collect()
}

fn allows_inbound(rule: &SecurityRule) -> Tri {
    Tri::all([
        field_is(&rule.direction, "direction", "Inbound"),
        field_is(&rule.access, "access", "Allow"),
    ])
}

/// True for protocols that have ports (TCP, UDP, any); ICMP, ESP and AH do not.
fn carries_ports(rule: &SecurityRule) -> Tri {
    match rule.protocol.require("protocol") {
        Ok(p) => Tri::from_bool(
            is_any_protocol(p) || p.eq_ignore_ascii_case("Tcp") || p.eq_ignore_ascii_case("Udp"),
        ),
        Err(why) => Tri::Unknown(why),
    }
}

fn is_any_protocol(protocol: &str) -> bool {
    let p = protocol.trim();
    p == "*" || p.eq_ignore_ascii_case("Any")
}

/// True if the rule's source includes the whole internet.
fn from_internet(rule: &SecurityRule) -> Tri {
    match rule.source_prefixes.require("sourceAddressPrefix") {
        Ok(prefixes) => {
            let internet = prefixes.iter().any(|p| {
                INTERNET_SOURCES
                    .iter()
                    .any(|i| p.trim().eq_ignore_ascii_case(i))
            });
            match prefixes.iter().find(|p| is_expression(p)) {
                Some(expression) if !internet => Tri::Unknown(format!(
                    "sourceAddressPrefixes holds the unresolved template expression {expression}"
                )),
                _ => Tri::from_bool(internet),
            }
        }
        // Application security groups name VMs of the VNet, not the internet.
        Err(_) if rule.source_prefixes.pointer().is_none() && !rule.source_asg_ids.is_empty() => {
            Tri::No
        }
        Err(why) => Tri::Unknown(why),
    }
}

fn describe(rule: &SecurityRule) -> String {
    let priority = rule.priority.value().map_or_else(
        || "priority unknown".to_owned(),
        |p| format!("priority {p}"),
    );
    let kind = if rule.is_default {
        "default rule"
    } else {
        "rule"
    };
    format!("{kind} {} ({priority})", rule.name)
}

/// "rule X (priority 100) allows TCP 22 from Internet".
fn allowance(rule: &SecurityRule) -> String {
    let protocol = match rule.protocol.value() {
        Some(p) if is_any_protocol(p) => "any protocol on".to_owned(),
        Some(p) => p.to_ascii_uppercase(),
        None => "protocol unknown,".to_owned(),
    };
    let sources = rule
        .source_prefixes
        .value()
        .map_or_else(|| "an unknown source".to_owned(), |s| s.join(", "));
    format!(
        "{} allows {protocol} {} from {sources}",
        describe(rule),
        ports_text(rule)
    )
}

fn ports_text(rule: &SecurityRule) -> String {
    rule.destination_ports
        .value()
        .map_or_else(|| "unknown ports".to_owned(), |p| p.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_ranges_parse() {
        let range = |low, high| Some(PortRange { low, high });
        assert_eq!(parse_port_range("22"), range(22, 22));
        assert_eq!(parse_port_range(" 20-25 "), range(20, 25));
        assert_eq!(parse_port_range("*"), range(0, 65535));
        assert_eq!(parse_port_range("25-20"), None);
        assert_eq!(parse_port_range("ssh"), None);
        assert_eq!(parse_port_range("70000"), None);
        assert!(range(20, 25).unwrap().contains(22));
        assert!(!range(8080, 8084).unwrap().contains(3389));
    }
}
