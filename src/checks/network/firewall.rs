//! Azure Firewall checks: no allow-any rules, application rules on HTTPS
//! only, threat intelligence in Deny mode.
//!
//! Rules are judged where they live: a classic firewall's own rule
//! collections, or a firewall policy's rule collection groups (each group
//! one resource). A firewall or policy whose groups were not imported is
//! reported as not evaluated rather than passed.

use super::refs::{
    FIREWALL_POLICY_TYPE, expression_could_be, group_id_in_policy, group_of_policy, refers_to,
};
use super::{Findings, Tri, evidence_at, field_is, name_of, reference_text};
use crate::checks::judge::unless_conditional;
use crate::checks::{CheckResult, CheckStatus, ResourceResult};
use crate::collect::export_command as cmd;
use crate::evidence::azure::{
    AzureEvidence, CollectionKind, Firewall, FirewallPolicy, FirewallRule, ResourceInfo,
    RuleCollection, RuleKind,
};
use crate::evidence::node::is_expression;
use crate::evidence::{EvidenceRef, Field};

fn no_firewall() -> String {
    format!(
        "no Azure Firewall evidence: export {}, and for a firewall managed by a policy {}",
        cmd("firewall"),
        cmd("firewall-rule-collection-groups")
    )
}

/// `fw.no-allow-any`.
pub(super) fn no_allow_any(azure: &AzureEvidence) -> CheckResult {
    judge_rules(
        "fw.no-allow-any",
        azure,
        allow_any_verdict,
        RuleScope {
            pass: "no Allow rule admits any source to any destination, any port to any destination, or any FQDN",
            noun: "rule(s)",
            counts: |_| true,
        },
    )
}

/// `fw.app-rules-https`.
pub(super) fn app_rules_https(azure: &AzureEvidence) -> CheckResult {
    judge_rules(
        "fw.app-rules-https",
        azure,
        https_verdict,
        RuleScope {
            pass: "every application rule allows Https on port 443 only",
            noun: "application rule(s)",
            counts: |rule| rule.kind == RuleKind::Application,
        },
    )
}

/// `fw.threat-intel-deny`.
pub(super) fn threat_intel_deny(azure: &AzureEvidence) -> CheckResult {
    let mut results: Vec<ResourceResult> = azure
        .firewalls
        .iter()
        .map(|fw| unless_conditional(&fw.info, firewall_threat_intel(fw, azure)))
        .collect();
    for policy in &azure.firewall_policies {
        let used = azure.firewalls.iter().any(|fw| {
            refers_to(
                &fw.policy_id,
                &fw.info.source.path,
                &policy.info,
                FIREWALL_POLICY_TYPE,
            )
        }) || is_base_of_another(policy, azure);
        if !used {
            results.push(unless_conditional(
                &policy.info,
                policy_threat_intel(policy, policy.info.label(), azure),
            ));
        }
    }
    CheckResult::from_resources("fw.threat-intel-deny", "firewall", results, &no_firewall())
}

fn firewall_threat_intel(fw: &Firewall, azure: &AzureEvidence) -> ResourceResult {
    let label = fw.info.label();
    if fw.policy_id.pointer().is_some() {
        let policy = azure.firewall_policies.iter().find(|p| {
            refers_to(
                &fw.policy_id,
                &fw.info.source.path,
                &p.info,
                FIREWALL_POLICY_TYPE,
            )
        });
        return match policy {
            Some(policy) => policy_threat_intel(policy, label, azure),
            None => ResourceResult::new(
                label,
                CheckStatus::NotEvaluated,
                format!(
                    "the firewall is managed by policy {}, whose threatIntelMode applies; the policy was not imported (export {})",
                    reference_text(&fw.policy_id),
                    cmd("firewall-policy")
                ),
                vec![fw.info.at_field(&fw.policy_id)],
            ),
        };
    }
    mode_result(label, &fw.threat_intel_mode, &fw.info, "the firewall")
}

fn policy_threat_intel(
    policy: &FirewallPolicy,
    resource: String,
    azure: &AzureEvidence,
) -> ResourceResult {
    let whose = format!("policy {}", name_of(&policy.info));
    if policy.threat_intel_mode.pointer().is_none()
        && let Some(base) = base_policy(policy, azure)
        && base.threat_intel_mode.is_known()
    {
        let inherited = format!(
            "{whose}, inheriting from base policy {}",
            name_of(&base.info)
        );
        return mode_result(resource, &base.threat_intel_mode, &base.info, &inherited);
    }
    mode_result(resource, &policy.threat_intel_mode, &policy.info, &whose)
}

fn mode_result(
    resource: String,
    mode: &Field<String>,
    info: &ResourceInfo,
    whose: &str,
) -> ResourceResult {
    let evidence = vec![info.at_field(mode)];
    let (status, reason) = match mode {
        Field::Known { value, .. } if value.trim().eq_ignore_ascii_case("Deny") => (
            CheckStatus::Pass,
            format!(
                "{whose} sets threatIntelMode Deny: traffic to and from known-malicious addresses is blocked"
            ),
        ),
        Field::Known { value, .. } => (
            CheckStatus::Fail,
            format!(
                "{whose} sets threatIntelMode {value}, not Deny: known-malicious traffic is not blocked"
            ),
        ),
        Field::Missing | Field::NotSet { .. } => (
            CheckStatus::NotEvaluated,
            format!(
                "{whose}: threatIntelMode is not in the evidence (Azure's default is Alert, which does not block)"
            ),
        ),
        other => (
            CheckStatus::NotEvaluated,
            format!(
                "{whose}: {}",
                other.require("threatIntelMode").err().unwrap_or_default()
            ),
        ),
    };
    ResourceResult::new(resource, status, reason, evidence)
}

fn base_policy<'a>(
    policy: &FirewallPolicy,
    azure: &'a AzureEvidence,
) -> Option<&'a FirewallPolicy> {
    azure.firewall_policies.iter().find(|base| {
        refers_to(
            &policy.base_policy_id,
            &policy.info.source.path,
            &base.info,
            FIREWALL_POLICY_TYPE,
        )
    })
}

fn is_base_of_another(policy: &FirewallPolicy, azure: &AzureEvidence) -> bool {
    azure.firewall_policies.iter().any(|child| {
        refers_to(
            &child.base_policy_id,
            &child.info.source.path,
            &policy.info,
            FIREWALL_POLICY_TYPE,
        )
    })
}

/// True if some imported rule collection group belongs to `policy` or to
/// its base policy (whose rules it inherits).
fn policy_has_groups(policy: &FirewallPolicy, azure: &AzureEvidence) -> bool {
    let own = |p: &FirewallPolicy| {
        azure
            .rule_collection_groups
            .iter()
            .any(|g| group_of_policy(&g.info, &p.info))
    };
    own(policy) || base_policy(policy, azure).is_some_and(own)
}

/// Which rules a check is about, and how its pass reason counts them.
#[derive(Clone, Copy)]
struct RuleScope {
    /// The pass reason when every counted rule is fine.
    pass: &'static str,
    /// What the counted rules are called in reasons.
    noun: &'static str,
    /// True for a rule the check is about.
    counts: fn(&FirewallRule) -> bool,
}

/// What a check makes of one rule.
enum Verdict {
    Fine,
    Fails(String),
    Unknown(String),
}

/// Judges every set of rules in the evidence with `verdict`: classic
/// firewalls, rule collection groups, and (not evaluated) firewalls and
/// policies whose rules were not imported.
fn judge_rules(
    check: &str,
    azure: &AzureEvidence,
    verdict: fn(&FirewallRule) -> Verdict,
    scope: RuleScope,
) -> CheckResult {
    let mut results = Vec::new();
    for fw in &azure.firewalls {
        if fw.policy_id.pointer().is_none() {
            results.push(unless_conditional(
                &fw.info,
                judge_classic(fw, verdict, scope),
            ));
            continue;
        }
        let policy_imported = azure.firewall_policies.iter().any(|p| {
            refers_to(
                &fw.policy_id,
                &fw.info.source.path,
                &p.info,
                FIREWALL_POLICY_TYPE,
            )
        });
        let groups_by_id = fw.policy_id.value().is_some_and(|policy_id| {
            azure.rule_collection_groups.iter().any(|g| {
                g.info
                    .id
                    .as_deref()
                    .is_some_and(|id| group_id_in_policy(id, policy_id))
            })
        });
        if !policy_imported && !groups_by_id {
            results.push(ResourceResult::new(
                fw.info.label(),
                CheckStatus::NotEvaluated,
                format!(
                    "the firewall's rules live in policy {}, none of whose rule collection groups were imported (export {})",
                    reference_text(&fw.policy_id),
                    cmd("firewall-rule-collection-groups")
                ),
                vec![fw.info.at_field(&fw.policy_id)],
            ));
        }
    }
    for policy in &azure.firewall_policies {
        if !policy_has_groups(policy, azure) {
            results.push(ResourceResult::new(
                policy.info.label(),
                CheckStatus::NotEvaluated,
                format!(
                    "none of the policy's rule collection groups were imported (export {})",
                    cmd("firewall-rule-collection-groups")
                ),
                vec![policy.info.source.clone()],
            ));
        }
    }
    for group in &azure.rule_collection_groups {
        let label = group.info.label();
        let judged = match group.rule_collections.require("ruleCollections") {
            Ok(collections) => {
                judge_collections(label, &group.info.source, collections, verdict, scope)
            }
            Err(why) => ResourceResult::new(
                label,
                CheckStatus::NotEvaluated,
                why,
                vec![group.info.at_field(&group.rule_collections)],
            ),
        };
        results.push(unless_conditional(&group.info, judged));
    }
    CheckResult::from_resources(check, "rule set", results, &no_firewall())
}

fn judge_classic(
    fw: &Firewall,
    verdict: fn(&FirewallRule) -> Verdict,
    scope: RuleScope,
) -> ResourceResult {
    let label = fw.info.label();
    let mut collections: Vec<RuleCollection> = Vec::new();
    for (field, name) in [
        (
            &fw.application_rule_collections,
            "applicationRuleCollections",
        ),
        (&fw.network_rule_collections, "networkRuleCollections"),
        (&fw.nat_rule_collections, "natRuleCollections"),
    ] {
        match field.require(name) {
            Ok(list) => collections.extend(list.iter().cloned()),
            Err(why) => {
                return ResourceResult::new(
                    label,
                    CheckStatus::NotEvaluated,
                    why,
                    vec![fw.info.at_field(field)],
                );
            }
        }
    }
    judge_collections(label, &fw.info.source, &collections, verdict, scope)
}

fn judge_collections(
    label: String,
    source: &EvidenceRef,
    collections: &[RuleCollection],
    verdict: fn(&FirewallRule) -> Verdict,
    scope: RuleScope,
) -> ResourceResult {
    let mut findings = Findings::default();
    let mut rules_read = 0;
    let mut others_read = 0;
    for collection in collections.iter().filter(|c| !c.kind.is_nat()) {
        if let CollectionKind::Unknown(kind) = &collection.kind {
            findings.unknown(
                format!(
                    "collection {}: ruleCollectionType {kind:?} is not one Tickmark knows",
                    collection.name
                ),
                evidence_at(source, &collection.pointer),
            );
            continue;
        }
        let allows = field_is(&collection.action, "action.type", "Allow");
        if allows == Tri::No {
            continue;
        }
        let rules = match collection.rules.require("rules") {
            Ok(rules) => rules,
            Err(why) => {
                findings.unknown(
                    format!("collection {}: {why}", collection.name),
                    evidence_at(source, &collection.pointer),
                );
                continue;
            }
        };
        for rule in rules {
            if (scope.counts)(rule) {
                rules_read += 1;
            } else {
                others_read += 1;
            }
            let at = evidence_at(source, &rule.pointer);
            let text = |t: String| format!("collection {}: {t}", collection.name);
            match (verdict(rule), &allows) {
                (Verdict::Fine, _) => {}
                (Verdict::Fails(t), Tri::Yes) => findings.fail(text(t), at),
                (Verdict::Fails(t), Tri::Unknown(why)) => {
                    findings.unknown(text(format!("{t}, but {why}")), at)
                }
                (Verdict::Unknown(t), _) => findings.unknown(text(t), at),
                (Verdict::Fails(_), Tri::No) => {}
            }
        }
    }
    let pass_reason = match (rules_read, others_read) {
        (0, 0) => "no Allow rules: nothing is allowed through".to_owned(),
        (0, others) => format!(
            "no Allow {} in this rule set ({others} other rule(s) read)",
            scope.noun
        ),
        (read, _) => format!("{} ({read} {} read)", scope.pass, scope.noun),
    };
    findings.into_result(label, pass_reason, vec![source.clone()])
}

fn allow_any_verdict(rule: &FirewallRule) -> Verdict {
    let any_source = || any_of(&rule.source_addresses, "sourceAddresses", ANY_ADDRESS);
    let any_destination = || {
        any_of(
            &rule.destination_addresses,
            "destinationAddresses",
            ANY_ADDRESS,
        )
    };
    let (bad, what) = match &rule.kind {
        RuleKind::Network => (
            Tri::any([
                Tri::all([any_source(), any_destination()]),
                Tri::all([
                    any_of(&rule.destination_ports, "destinationPorts", ANY_PORT),
                    any_destination(),
                ]),
            ]),
            format!(
                "network rule {} allows {} from {} to {} on port(s) {}",
                rule.name,
                list_text(&rule.ip_protocols),
                sources_text(rule),
                list_text(&rule.destination_addresses),
                list_text(&rule.destination_ports)
            ),
        ),
        RuleKind::Application => (
            Tri::any([
                any_of(&rule.target_fqdns, "targetFqdns", &["*"]),
                Tri::all([any_source(), any_destination()]),
            ]),
            format!(
                "application rule {} allows FQDN(s) {} from {}",
                rule.name,
                list_text(&rule.target_fqdns),
                sources_text(rule)
            ),
        ),
        RuleKind::Nat => return Verdict::Fine,
        RuleKind::Unknown(kind) => {
            return Verdict::Unknown(format!(
                "rule {}: ruleType {kind:?} is not one Tickmark knows",
                rule.name
            ));
        }
    };
    match bad {
        Tri::Yes => Verdict::Fails(what),
        Tri::No => Verdict::Fine,
        Tri::Unknown(why) => Verdict::Unknown(format!("rule {}: {why}", rule.name)),
    }
}

fn https_verdict(rule: &FirewallRule) -> Verdict {
    match &rule.kind {
        RuleKind::Application => {}
        RuleKind::Unknown(kind) => {
            return Verdict::Unknown(format!(
                "rule {}: ruleType {kind:?} is not one Tickmark knows",
                rule.name
            ));
        }
        _ => return Verdict::Fine,
    }
    let protocols = match rule.app_protocols.require("protocols") {
        Ok(p) if p.is_empty() => {
            return Verdict::Unknown(format!("application rule {} lists no protocols", rule.name));
        }
        Ok(p) => p,
        Err(why) => return Verdict::Unknown(format!("application rule {}: {why}", rule.name)),
    };
    let mut others = Vec::new();
    for protocol in protocols {
        let kind = match protocol.protocol_type.require("protocolType") {
            Ok(kind) => kind,
            Err(why) => return Verdict::Unknown(format!("application rule {}: {why}", rule.name)),
        };
        let port = match protocol.port.require("port") {
            Ok(port) => *port,
            // Without a port, Azure uses the protocol's standard one.
            Err(_) if protocol.port.pointer().is_none() => standard_port(kind).unwrap_or(-1),
            Err(why) => return Verdict::Unknown(format!("application rule {}: {why}", rule.name)),
        };
        if !(kind.eq_ignore_ascii_case("Https") && port == 443) {
            others.push(format!("{kind}:{port}"));
        }
    }
    if others.is_empty() {
        Verdict::Fine
    } else {
        Verdict::Fails(format!(
            "application rule {} allows {} (to {})",
            rule.name,
            others.join(", "),
            targets_text(rule)
        ))
    }
}

fn standard_port(protocol: &str) -> Option<i64> {
    match protocol.to_ascii_lowercase().as_str() {
        "http" => Some(80),
        "https" => Some(443),
        "mssql" => Some(1433),
        _ => None,
    }
}

const ANY_ADDRESS: &[&str] = &["*", "0.0.0.0/0", "any"];
const ANY_PORT: &[&str] = &["*", "0-65535", "1-65535"];

/// True if the list holds a wildcard; an expression that could be one
/// leaves it unknown.
fn any_of(field: &Field<Vec<String>>, name: &str, wildcards: &[&str]) -> Tri {
    let values = match field.require(name) {
        Ok(values) => values,
        Err(why) => return Tri::Unknown(why),
    };
    let is_wildcard = |v: &str| wildcards.iter().any(|w| v.trim().eq_ignore_ascii_case(w));
    if values.iter().any(|v| is_wildcard(v)) {
        return Tri::Yes;
    }
    match values
        .iter()
        .find(|v| is_expression(v) && expression_could_be(v, "*"))
    {
        Some(expression) => Tri::Unknown(format!(
            "{name} holds the unresolved template expression {expression}"
        )),
        None => Tri::No,
    }
}

fn list_text(field: &Field<Vec<String>>) -> String {
    match field.value() {
        Some(values) if values.is_empty() => "none".to_owned(),
        Some(values) => values.join(", "),
        None => "unknown".to_owned(),
    }
}

fn sources_text(rule: &FirewallRule) -> String {
    let addresses = rule.source_addresses.value().cloned().unwrap_or_default();
    let groups = rule.source_ip_groups.value().map_or(0, |g| g.len());
    match (addresses.is_empty(), groups) {
        (false, 0) => addresses.join(", "),
        (false, n) => format!("{} and {n} IP group(s)", addresses.join(", ")),
        (true, 0) => "no stated source".to_owned(),
        (true, n) => format!("{n} IP group(s)"),
    }
}

fn targets_text(rule: &FirewallRule) -> String {
    let mut targets: Vec<String> = rule.target_fqdns.value().cloned().unwrap_or_default();
    if let Some(tags) = rule.fqdn_tags.value() {
        targets.extend(tags.iter().map(|t| format!("FQDN tag {t}")));
    }
    if targets.is_empty() {
        "unstated targets".to_owned()
    } else {
        targets.join(", ")
    }
}
