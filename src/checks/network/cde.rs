//! `nsg.cde-subnet-isolation`: the NSG of every in-scope subnet admits
//! nothing from the address ranges of out-of-scope subnets, beyond the flows
//! the scope file declares. Rules are read in priority order, Azure's
//! default rules included (`AllowVnetInBound` admits the whole VNet unless a
//! rule before it denies the out-of-scope ranges).

use super::refs::last_segment;
use super::topology::{Attached, nsg_of_subnet};
use super::{evidence_at, name_of};
use crate::checks::{CheckResult, CheckStatus, ResourceResult};
use crate::collect::export_command as cmd;
use crate::evidence::Field;
use crate::evidence::azure::{AzureEvidence, Nsg, SecurityRule};
use crate::scope::addresses::{nsg_prefix_reaches, parse};
use crate::scope::{Scope, ScopeClass, ScopeEntry, ScopeFlow, ScopeKind, how_to_state_scope};

const CHECK: &str = "nsg.cde-subnet-isolation";

/// Runs `nsg.cde-subnet-isolation`.
pub(super) fn cde_subnet_isolation(azure: &AzureEvidence, pci: &Scope) -> CheckResult {
    if !pci.is_known() {
        return CheckResult::not_evaluated(CHECK, how_to_state_scope());
    }
    let in_scope: Vec<&ScopeEntry> = pci
        .of_kind(ScopeKind::Subnet)
        .filter(|e| e.class == Some(ScopeClass::InScope))
        .collect();
    if in_scope.is_empty() {
        return CheckResult::not_evaluated(
            CHECK,
            format!(
                "no subnet is known to be in scope: label the CDE's node pools {}=in-scope (their subnets follow) and export {}, or declare the subnets in a tickmark-scope.toml",
                crate::scope::SCOPE_LABEL,
                cmd("aks-cluster")
            ),
        );
    }
    let outside: Vec<(&ScopeEntry, String)> = pci
        .of_kind(ScopeKind::Subnet)
        .filter(|e| e.class == Some(ScopeClass::OutOfScope))
        .flat_map(|e| e.addresses.iter().map(move |a| (e, a.clone())))
        .collect();
    if outside.is_empty() {
        return CheckResult::not_evaluated(
            CHECK,
            format!(
                "no out-of-scope subnet with its address range is known, so there is nothing to keep out: export {} and label the out-of-scope pools {}=out-of-scope",
                cmd("vnets"),
                crate::scope::SCOPE_LABEL
            ),
        );
    }
    if azure.nsgs.is_empty() {
        return CheckResult::not_evaluated(
            CHECK,
            format!("no NSG evidence: export {}", cmd("nsgs")),
        );
    }
    let resources = in_scope
        .into_iter()
        .map(|subnet| {
            judge_subnet(azure, subnet, &outside, &pci.flows).in_scope(Some(ScopeClass::InScope))
        })
        .collect();
    CheckResult::from_resources(CHECK, "in-scope subnet", resources, "")
}

/// The subnet's ARM ID, from the imported VNets or the pools that use it.
fn subnet_id(azure: &AzureEvidence, name: &str) -> Option<String> {
    let from_vnets = azure.vnets.iter().flat_map(|v| &v.subnets).find_map(|s| {
        (s.name.value().is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .then(|| s.id.value().cloned())
            .flatten()
    });
    from_vnets.or_else(|| {
        azure.clusters.iter().find_map(|c| match &c.agent_pools {
            Field::Known { value, .. } => value.iter().find_map(|p| {
                p.subnet_id
                    .value()
                    .filter(|id| last_segment(id).eq_ignore_ascii_case(name))
                    .cloned()
            }),
            _ => None,
        })
    })
}

fn judge_subnet(
    azure: &AzureEvidence,
    subnet: &ScopeEntry,
    outside: &[(&ScopeEntry, String)],
    flows: &[ScopeFlow],
) -> ResourceResult {
    let label = format!("subnet {}", subnet.name);
    let Some(id) = subnet_id(azure, &subnet.name) else {
        return ResourceResult::new(
            label,
            CheckStatus::NotEvaluated,
            format!(
                "the subnet's ID is not in the evidence: export {}",
                cmd("vnets")
            ),
            Vec::new(),
        );
    };
    let (nsg, at) = match nsg_of_subnet(&id, azure) {
        Attached::Found(nsg, at) => (nsg, at),
        Attached::Nothing(at) => {
            return ResourceResult::new(
                label,
                CheckStatus::Fail,
                "no NSG is associated with this in-scope subnet, so nothing filters traffic from out-of-scope subnets",
                vec![at],
            );
        }
        Attached::NotImported(nsg, at) => {
            return ResourceResult::new(
                label,
                CheckStatus::NotEvaluated,
                format!("its NSG {nsg} was not imported: export {}", cmd("nsgs")),
                vec![at],
            );
        }
        Attached::Unknown(why) => {
            return ResourceResult::new(label, CheckStatus::NotEvaluated, why, Vec::new());
        }
    };
    let rules = match inbound_rules(nsg) {
        Ok(rules) => rules,
        Err(why) => {
            return ResourceResult::new(label, CheckStatus::NotEvaluated, why, vec![at]);
        }
    };
    let mut evidence = vec![at];
    let mut undeclared = Vec::new();
    let mut declared = Vec::new();
    let mut closed = Vec::new();
    let mut unknown = Vec::new();
    for (entry, cidr) in outside {
        let Some(range) = parse(cidr) else {
            unknown.push(format!(
                "the range {cidr} of subnet {} is not IPv4",
                entry.name
            ));
            continue;
        };
        let from = format!("out-of-scope subnet {} ({cidr})", entry.name);
        for rule in &rules {
            let reaches = rule_reaches(rule.rule, &range, subnet);
            let (source, full) = match reaches {
                Ok(Some(full)) => (true, full),
                Ok(None) => (false, false),
                Err(why) => {
                    unknown.push(format!("{}: {why}", rule.describe()));
                    continue;
                }
            };
            if !source {
                continue;
            }
            let at = evidence_at(&nsg.info.source, &rule.rule.pointer);
            if rule.deny {
                if full && rule.all_ports() {
                    closed.push(format!("{} denies {from}", rule.describe()));
                    evidence.push(at);
                    break;
                }
                continue;
            }
            evidence.push(at);
            let admitted = format!("{} admits {} from {from}", rule.describe(), rule.ports());
            match flows
                .iter()
                .find(|f| declares(f, entry, cidr, subnet, rule))
            {
                Some(flow) => {
                    declared.push(format!("{admitted} (declared: {})", flow.why));
                    evidence.push(flow.source.clone());
                }
                None => undeclared.push(admitted),
            }
            if full && rule.all_ports() {
                break;
            }
        }
    }
    evidence.sort();
    evidence.dedup();
    let nsg_name = name_of(&nsg.info);
    let assumed = if nsg.default_rules.is_empty() {
        " (the export lists no default rules; Azure's are assumed)"
    } else {
        ""
    };
    if !undeclared.is_empty() {
        return ResourceResult::new(
            label,
            CheckStatus::Fail,
            format!("NSG {nsg_name}: {}{assumed}", undeclared.join("; ")),
            evidence,
        );
    }
    if !unknown.is_empty() {
        return ResourceResult::new(
            label,
            CheckStatus::NotEvaluated,
            format!("NSG {nsg_name}: {}", unknown.join("; ")),
            evidence,
        );
    }
    let mut said = closed;
    said.extend(declared);
    ResourceResult::new(
        label,
        CheckStatus::Pass,
        format!(
            "NSG {nsg_name} admits nothing from out-of-scope subnets beyond declared flows: {}{assumed}",
            said.join("; ")
        ),
        evidence,
    )
}

/// An inbound rule, read.
struct Inbound<'a> {
    rule: &'a SecurityRule,
    priority: i64,
    deny: bool,
    protocol: String,
    ports: Vec<String>,
}

impl Inbound<'_> {
    fn describe(&self) -> String {
        let kind = if self.rule.is_default {
            "default rule"
        } else {
            "rule"
        };
        format!("{kind} {} (priority {})", self.rule.name, self.priority)
    }

    fn all_ports(&self) -> bool {
        is_any(&self.protocol) && self.ports.iter().any(|p| p.trim() == "*")
    }

    fn protocol_label(&self) -> String {
        if is_any(&self.protocol) {
            "*".to_owned()
        } else {
            self.protocol.to_ascii_uppercase()
        }
    }

    /// `8443/TCP, 9090/TCP`.
    fn ports(&self) -> String {
        self.ports
            .iter()
            .map(|p| format!("{}/{}", p.trim(), self.protocol_label()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn is_any(protocol: &str) -> bool {
    let p = protocol.trim();
    p == "*" || p.eq_ignore_ascii_case("Any")
}

/// The NSG's inbound rules in priority order, Azure's defaults included
/// (assumed when the export lists none).
fn inbound_rules(nsg: &Nsg) -> Result<Vec<Inbound<'_>>, String> {
    let custom = nsg.rules.require("securityRules")?;
    let defaults: &[SecurityRule] = if nsg.default_rules.is_empty() {
        &AZURE_DEFAULTS
    } else {
        &nsg.default_rules
    };
    let mut out = Vec::new();
    for rule in custom.iter().chain(defaults) {
        let direction = rule.direction.require("direction")?;
        if !direction.trim().eq_ignore_ascii_case("Inbound") {
            continue;
        }
        let access = rule.access.require("access")?;
        out.push(Inbound {
            rule,
            priority: *rule.priority.require("priority")?,
            deny: access.trim().eq_ignore_ascii_case("Deny"),
            protocol: rule.protocol.require("protocol")?.clone(),
            ports: rule
                .destination_ports
                .require("destinationPortRange")?
                .clone(),
        });
    }
    out.sort_by_key(|r| r.priority);
    Ok(out)
}

/// Whether `rule` applies to traffic from `range` into `subnet`:
/// `Ok(Some(full))` if it does (`full`: its source covers the whole range),
/// `Ok(None)` if not.
fn rule_reaches(
    rule: &SecurityRule,
    range: &ipnet::Ipv4Net,
    subnet: &ScopeEntry,
) -> Result<Option<bool>, String> {
    let sources = match rule.source_prefixes.value() {
        Some(sources) => sources,
        // Application security groups name VMs, which Tickmark cannot place.
        None if !rule.source_asg_ids.is_empty() => {
            return Err("its source is an application security group, whose members the evidence does not list".to_owned());
        }
        None => {
            return Err(rule
                .source_prefixes
                .require("sourceAddressPrefix")
                .err()
                .unwrap_or_default());
        }
    };
    let mut reaches = false;
    let mut full = false;
    for prefix in sources {
        match nsg_prefix_reaches(prefix, range) {
            Some(true) => {
                reaches = true;
                full |= parse(prefix).is_none_or(|net| net.contains(range));
            }
            Some(false) => {}
            None => return Err(format!("source {prefix} is not a range Tickmark can judge")),
        }
    }
    if !reaches {
        return Ok(None);
    }
    let destinations = rule
        .destination_prefixes
        .value()
        .cloned()
        .unwrap_or_else(|| vec!["*".to_owned()]);
    let into_subnet = destinations.iter().any(|d| {
        subnet
            .addresses
            .iter()
            .filter_map(|a| parse(a))
            .any(|net| nsg_prefix_reaches(d, &net) != Some(false))
            || subnet.addresses.is_empty()
    });
    Ok(into_subnet.then_some(full))
}

/// True if `flow` declares traffic from out-of-scope subnet `from` (range
/// `cidr`) into in-scope subnet `to` on every port the rule opens.
fn declares(
    flow: &ScopeFlow,
    from: &ScopeEntry,
    cidr: &str,
    to: &ScopeEntry,
    rule: &Inbound<'_>,
) -> bool {
    let from_fits = match flow.from.kind {
        Some(ScopeKind::Subnet) => flow.from.name.eq_ignore_ascii_case(&from.name),
        None => match (parse(&flow.from.name), parse(cidr)) {
            (Some(declared), Some(range)) => declared.contains(&range),
            _ => false,
        },
        _ => false,
    };
    let to_fits = match flow.to.kind {
        Some(ScopeKind::Subnet) => flow.to.name.eq_ignore_ascii_case(&to.name),
        None => to
            .addresses
            .iter()
            .filter_map(|a| parse(a))
            .any(|net| parse(&flow.to.name).is_some_and(|d| d.contains(&net))),
        _ => false,
    };
    let protocol = rule.protocol_label();
    let ports_fit = flow.ports.is_empty()
        || rule.ports.iter().all(|p| {
            let wanted = format!("{}/{protocol}", p.trim());
            flow.ports.iter().any(|f| f.eq_ignore_ascii_case(&wanted))
        });
    from_fits && to_fits && ports_fit
}

/// Azure's default inbound rules, for NSG exports that leave them out
/// (templates): `AllowVnetInBound`, `AllowAzureLoadBalancerInBound`,
/// `DenyAllInBound`.
static AZURE_DEFAULTS: std::sync::LazyLock<Vec<SecurityRule>> = std::sync::LazyLock::new(|| {
    let rule = |name: &str, priority: i64, access: &str, source: &str| SecurityRule {
        name: name.to_owned(),
        pointer: format!("(Azure default rule {name})"),
        is_default: true,
        direction: known("Inbound"),
        access: known(access),
        protocol: known("*"),
        priority: Field::Known {
            value: priority,
            pointer: String::new(),
        },
        source_prefixes: Field::Known {
            value: vec![source.to_owned()],
            pointer: String::new(),
        },
        source_asg_ids: Vec::new(),
        destination_prefixes: Field::Known {
            value: vec!["*".to_owned()],
            pointer: String::new(),
        },
        destination_ports: Field::Known {
            value: vec!["*".to_owned()],
            pointer: String::new(),
        },
    };
    vec![
        rule("AllowVnetInBound", 65000, "Allow", "VirtualNetwork"),
        rule(
            "AllowAzureLoadBalancerInBound",
            65001,
            "Allow",
            "AzureLoadBalancer",
        ),
        rule("DenyAllInBound", 65500, "Deny", "*"),
    ]
});

fn known(value: &str) -> Field<String> {
    Field::Known {
        value: value.to_owned(),
        pointer: String::new(),
    }
}
