//! Application Gateway checks: WAF enabled, in Prevention mode, with a
//! current rule set; TLS 1.2 minimum; no plain-HTTP listener.
//!
//! A gateway's WAF is its attached WAF policy when it has one (that policy
//! then decides mode and rule sets), else its own
//! `webApplicationFirewallConfiguration`.

use super::refs::{WAF_POLICY_TYPE, part_name, refers_to, same_id};
use super::{Findings, Tri, evidence_at, field_is, name_of, reference_text};
use crate::checks::judge::unless_conditional;
use crate::checks::{CheckResult, CheckStatus, ResourceResult};
use crate::collect::export_command as cmd;
use crate::evidence::azure::{
    ApplicationGateway, AzureEvidence, Listener, RoutingRule, SslPolicy, WafConfiguration,
    WafPolicy,
};
use crate::evidence::{EvidenceRef, Field};

fn no_gateway() -> String {
    format!(
        "no Application Gateway evidence: export {}",
        cmd("application-gateways")
    )
}

fn no_gateway_or_policy() -> String {
    format!(
        "no Application Gateway or WAF policy evidence: export {} and {}",
        cmd("application-gateways"),
        cmd("waf-policies")
    )
}

/// The WAF that protects a gateway, as the evidence shows it.
enum Waf<'a> {
    /// An attached WAF policy that was imported.
    Policy(&'a WafPolicy),
    /// `firewallPolicy.id` is set, but that policy was not imported.
    PolicyNotImported(&'a Field<String>),
    /// The gateway's own WAF configuration.
    Inline(&'a WafConfiguration),
    /// No WAF (why, e.g. the SKU tier has none).
    Nothing(String),
    /// The evidence does not say.
    Unknown(String),
}

fn waf_of<'a>(gateway: &'a ApplicationGateway, azure: &'a AzureEvidence) -> Waf<'a> {
    if let Some(policy) = attached_policy(gateway, azure) {
        return Waf::Policy(policy);
    }
    if gateway.firewall_policy_id.pointer().is_some() {
        return Waf::PolicyNotImported(&gateway.firewall_policy_id);
    }
    if let Some(config) = &gateway.waf_configuration {
        return Waf::Inline(config);
    }
    match gateway.sku_tier.require("sku.tier") {
        Ok(tier) if !is_waf_tier(tier) => Waf::Nothing(format!("SKU tier {tier} has no WAF")),
        Ok(tier) => Waf::Unknown(format!(
            "SKU tier {tier}, but neither webApplicationFirewallConfiguration nor firewallPolicy.id is in the evidence"
        )),
        Err(why) => Waf::Unknown(why),
    }
}

fn attached_policy<'a>(
    gateway: &ApplicationGateway,
    azure: &'a AzureEvidence,
) -> Option<&'a WafPolicy> {
    azure.waf_policies.iter().find(|policy| {
        refers_to(
            &gateway.firewall_policy_id,
            &gateway.info.source.path,
            &policy.info,
            WAF_POLICY_TYPE,
        ) || (gateway.firewall_policy_id.pointer().is_none()
            && gateway
                .info
                .id
                .as_deref()
                .is_some_and(|id| policy.gateway_ids.iter().any(|g| same_id(g, id))))
    })
}

fn is_waf_tier(tier: &str) -> bool {
    tier.trim().to_ascii_uppercase().starts_with("WAF")
}

/// `agw.waf-enabled`.
pub(super) fn waf_enabled(azure: &AzureEvidence) -> CheckResult {
    let results = azure
        .app_gateways
        .iter()
        .map(|gateway| {
            let label = gateway.info.label();
            if let Some(tier) = gateway.sku_tier.value()
                && !is_waf_tier(tier)
            {
                return ResourceResult::new(
                    label,
                    CheckStatus::Fail,
                    format!("SKU tier {tier} has no WAF (a WAF or WAF_v2 tier is needed)"),
                    vec![gateway.info.at_field(&gateway.sku_tier)],
                );
            }
            let (status, reason, evidence) = match waf_of(gateway, azure) {
                Waf::Policy(policy) => match policy.state.value() {
                    Some(state) if state.eq_ignore_ascii_case("Disabled") => (
                        CheckStatus::Fail,
                        format!(
                            "the attached WAF policy {} is Disabled (policySettings.state)",
                            name_of(&policy.info)
                        ),
                        vec![policy.info.at_field(&policy.state)],
                    ),
                    _ => (
                        CheckStatus::Pass,
                        format!("WAF policy {} is attached", name_of(&policy.info)),
                        vec![gateway.info.at_field(&gateway.firewall_policy_id)],
                    ),
                },
                Waf::PolicyNotImported(reference) => (
                    CheckStatus::Pass,
                    format!(
                        "WAF policy {} is attached (the policy itself was not imported)",
                        reference_text(reference)
                    ),
                    vec![gateway.info.at_field(reference)],
                ),
                Waf::Inline(config) => match config
                    .enabled
                    .require("webApplicationFirewallConfiguration.enabled")
                {
                    Ok(true) => (
                        CheckStatus::Pass,
                        "the gateway's WAF configuration is enabled".to_owned(),
                        vec![gateway.info.at_field(&config.enabled)],
                    ),
                    Ok(false) => (
                        CheckStatus::Fail,
                        "the gateway's WAF configuration is disabled (enabled: false)".to_owned(),
                        vec![gateway.info.at_field(&config.enabled)],
                    ),
                    Err(why) => (
                        CheckStatus::NotEvaluated,
                        why,
                        vec![evidence_at(&gateway.info.source, &config.pointer)],
                    ),
                },
                Waf::Nothing(why) => (CheckStatus::Fail, why, vec![gateway.info.source.clone()]),
                Waf::Unknown(why) => (
                    CheckStatus::NotEvaluated,
                    why,
                    vec![gateway.info.source.clone()],
                ),
            };
            ResourceResult::new(label, status, reason, evidence)
        })
        .zip(&azure.app_gateways)
        .map(|(result, gateway)| unless_conditional(&gateway.info, result))
        .collect();
    CheckResult::from_resources("agw.waf-enabled", "gateway", results, &no_gateway())
}

/// `agw.waf-prevention`.
pub(super) fn waf_prevention(azure: &AzureEvidence) -> CheckResult {
    judge_waf(
        "agw.waf-prevention",
        azure,
        policy_mode,
        |gateway, config| {
            if config.enabled.value() == Some(&false) {
                return (
                    CheckStatus::Fail,
                    "the gateway's WAF is disabled".to_owned(),
                    vec![gateway.info.at_field(&config.enabled)],
                );
            }
            mode_result(
                &config.firewall_mode,
                "webApplicationFirewallConfiguration.firewallMode",
                "the gateway's WAF",
                gateway.info.at_field(&config.firewall_mode),
            )
        },
    )
}

fn policy_mode(policy: &WafPolicy) -> (CheckStatus, String, Vec<EvidenceRef>) {
    let whose = format!("WAF policy {}", name_of(&policy.info));
    if let Some(state) = policy.state.value()
        && state.eq_ignore_ascii_case("Disabled")
    {
        return (
            CheckStatus::Fail,
            format!("{whose} is Disabled (policySettings.state)"),
            vec![policy.info.at_field(&policy.state)],
        );
    }
    mode_result(
        &policy.mode,
        "policySettings.mode",
        &whose,
        policy.info.at_field(&policy.mode),
    )
}

fn mode_result(
    mode: &Field<String>,
    name: &str,
    whose: &str,
    at: EvidenceRef,
) -> (CheckStatus, String, Vec<EvidenceRef>) {
    match mode.require(name) {
        Ok(m) if m.eq_ignore_ascii_case("Prevention") => (
            CheckStatus::Pass,
            format!("{whose} is in Prevention mode: attacks are blocked"),
            vec![at],
        ),
        Ok(m) => (
            CheckStatus::Fail,
            format!("{whose} is in {m} mode: attacks are logged, not blocked"),
            vec![at],
        ),
        Err(why) => (
            CheckStatus::NotEvaluated,
            format!("{whose}: {why}"),
            vec![at],
        ),
    }
}

/// `agw.owasp-ruleset`.
pub(super) fn owasp_ruleset(azure: &AzureEvidence) -> CheckResult {
    judge_waf(
        "agw.owasp-ruleset",
        azure,
        policy_rule_sets,
        |gateway, config| {
            let whose = "the gateway's WAF";
            let at = gateway.info.at_field(&config.rule_set_type);
            match rule_set_ok(&config.rule_set_type, &config.rule_set_version) {
                (Tri::Yes, text) => (CheckStatus::Pass, format!("{whose} uses {text}"), vec![at]),
                (Tri::No, text) => (
                    CheckStatus::Fail,
                    format!(
                        "{whose} uses {text}: OWASP 3.2 or later, or Microsoft_DefaultRuleSet, is needed"
                    ),
                    vec![at],
                ),
                (Tri::Unknown(why), _) => (
                    CheckStatus::NotEvaluated,
                    format!("{whose}: {why}"),
                    vec![at],
                ),
            }
        },
    )
}

fn policy_rule_sets(policy: &WafPolicy) -> (CheckStatus, String, Vec<EvidenceRef>) {
    let whose = format!("WAF policy {}", name_of(&policy.info));
    let sets = match policy
        .managed_rule_sets
        .require("managedRules.managedRuleSets")
    {
        Ok(sets) => sets,
        Err(why) => {
            return (
                CheckStatus::NotEvaluated,
                format!("{whose}: {why}"),
                vec![policy.info.at_field(&policy.managed_rule_sets)],
            );
        }
    };
    let judged: Vec<(Tri, String, EvidenceRef)> = sets
        .iter()
        .map(|set| {
            let (ok, text) = rule_set_ok(&set.rule_set_type, &set.rule_set_version);
            (ok, text, evidence_at(&policy.info.source, &set.pointer))
        })
        .collect();
    if let Some((_, text, at)) = judged.iter().find(|(ok, _, _)| *ok == Tri::Yes) {
        return (
            CheckStatus::Pass,
            format!("{whose} uses {text}"),
            vec![at.clone()],
        );
    }
    if let Some((Tri::Unknown(why), _, at)) = judged
        .iter()
        .find(|(ok, _, _)| matches!(ok, Tri::Unknown(_)))
    {
        return (
            CheckStatus::NotEvaluated,
            format!("{whose}: {why}"),
            vec![at.clone()],
        );
    }
    let texts: Vec<&str> = judged.iter().map(|(_, t, _)| t.as_str()).collect();
    let used = if texts.is_empty() {
        "no managed rule set".to_owned()
    } else {
        texts.join(", ")
    };
    (
        CheckStatus::Fail,
        format!("{whose} uses {used}: OWASP 3.2 or later, or Microsoft_DefaultRuleSet, is needed"),
        vec![policy.info.at_field(&policy.managed_rule_sets)],
    )
}

/// Whether a rule set is current: OWASP 3.2 or later, or Microsoft's
/// Default Rule Set; with a description such as "OWASP 3.1".
fn rule_set_ok(kind: &Field<String>, version: &Field<String>) -> (Tri, String) {
    let kind = match kind.require("ruleSetType") {
        Ok(kind) => kind.trim(),
        Err(why) => return (Tri::Unknown(why), String::new()),
    };
    let text = format!(
        "{kind} {}",
        version
            .value()
            .map_or("(version not stated)", String::as_str)
    );
    if kind.eq_ignore_ascii_case("Microsoft_DefaultRuleSet") {
        return (Tri::Yes, text);
    }
    if !kind.eq_ignore_ascii_case("OWASP") {
        return (Tri::No, text);
    }
    let version = match version.require("ruleSetVersion") {
        Ok(version) => version,
        Err(why) => return (Tri::Unknown(why), text),
    };
    let parts: Option<Vec<u32>> = version.trim().split('.').map(|p| p.parse().ok()).collect();
    match parts {
        Some(parts) => (Tri::from_bool(parts.as_slice() >= [3, 2].as_slice()), text),
        None => (
            Tri::Unknown(format!(
                "ruleSetVersion {version:?} is not a version number"
            )),
            text,
        ),
    }
}

type Judgement = (CheckStatus, String, Vec<EvidenceRef>);

/// Judges each gateway's WAF (`policy` for an attached policy, `inline` for
/// the gateway's own configuration), and each imported WAF policy that no
/// imported gateway uses.
fn judge_waf(
    check: &str,
    azure: &AzureEvidence,
    policy: fn(&WafPolicy) -> Judgement,
    inline: impl Fn(&ApplicationGateway, &WafConfiguration) -> Judgement,
) -> CheckResult {
    let mut results: Vec<ResourceResult> = azure
        .app_gateways
        .iter()
        .map(|gateway| {
            let whole = match waf_of(gateway, azure) {
                Waf::Policy(p) => policy(p),
                Waf::PolicyNotImported(reference) => {
                    policy_not_imported(gateway, reference, "the gateway's WAF")
                }
                Waf::Inline(config) => inline(gateway, config),
                Waf::Nothing(why) => (
                    CheckStatus::Fail,
                    format!("{why}, so nothing is inspected"),
                    vec![gateway.info.at_field(&gateway.sku_tier)],
                ),
                Waf::Unknown(why) => (
                    CheckStatus::NotEvaluated,
                    why,
                    vec![gateway.info.source.clone()],
                ),
            };
            let mut judgements = vec![whole];
            judgements.extend(listener_policies(gateway, azure, policy));
            let (status, reason, evidence) = worst(judgements);
            unless_conditional(
                &gateway.info,
                ResourceResult::new(gateway.info.label(), status, reason, evidence),
            )
        })
        .collect();
    for waf in &azure.waf_policies {
        let used = azure.app_gateways.iter().any(|g| {
            attached_policy(g, azure).is_some_and(|p| std::ptr::eq(p, waf))
                || g.listeners.value().is_some_and(|listeners| {
                    listeners.iter().any(|l| {
                        refers_to(
                            &l.firewall_policy_id,
                            &g.info.source.path,
                            &waf.info,
                            WAF_POLICY_TYPE,
                        )
                    })
                })
        });
        if !used {
            let (status, reason, evidence) = policy(waf);
            results.push(unless_conditional(
                &waf.info,
                ResourceResult::new(waf.info.label(), status, reason, evidence),
            ));
        }
    }
    CheckResult::from_resources(check, "WAF", results, &no_gateway_or_policy())
}

fn policy_not_imported(
    gateway: &ApplicationGateway,
    reference: &Field<String>,
    whose: &str,
) -> Judgement {
    (
        CheckStatus::NotEvaluated,
        format!(
            "{whose} is policy {}, which was not imported: export {}",
            reference_text(reference),
            cmd("waf-policies")
        ),
        vec![gateway.info.at_field(reference)],
    )
}

/// The judgements of the WAF policies attached to single listeners, which
/// replace the gateway's policy for that listener's traffic.
fn listener_policies(
    gateway: &ApplicationGateway,
    azure: &AzureEvidence,
    policy: fn(&WafPolicy) -> Judgement,
) -> Vec<Judgement> {
    let listeners = gateway
        .listeners
        .value()
        .map(Vec::as_slice)
        .unwrap_or_default();
    listeners
        .iter()
        .filter(|l| l.firewall_policy_id.pointer().is_some())
        .map(|listener| {
            let found = azure.waf_policies.iter().find(|p| {
                refers_to(
                    &listener.firewall_policy_id,
                    &gateway.info.source.path,
                    &p.info,
                    WAF_POLICY_TYPE,
                )
            });
            let whose = format!("listener {}'s WAF", listener.name);
            let (status, reason, evidence) = match found {
                Some(p) => policy(p),
                None => policy_not_imported(gateway, &listener.firewall_policy_id, &whose),
            };
            (
                status,
                format!("listener {}: {reason}", listener.name),
                evidence,
            )
        })
        .collect()
}

/// The worst of several judgements of one gateway (fail, then not
/// evaluated, then pass), naming each part that has that outcome.
fn worst(judgements: Vec<Judgement>) -> Judgement {
    let status = [
        CheckStatus::Fail,
        CheckStatus::NotEvaluated,
        CheckStatus::Pass,
    ]
    .into_iter()
    .find(|s| judgements.iter().any(|(status, _, _)| status == s))
    .unwrap_or(CheckStatus::NotEvaluated);
    let (reasons, evidence): (Vec<String>, Vec<Vec<EvidenceRef>>) = judgements
        .into_iter()
        .filter(|(s, _, _)| *s == status)
        .map(|(_, reason, evidence)| (reason, evidence))
        .unzip();
    (
        status,
        reasons.join("; "),
        evidence.into_iter().flatten().collect(),
    )
}

/// `agw.tls12`.
pub(super) fn tls12(azure: &AzureEvidence) -> CheckResult {
    let results = azure
        .app_gateways
        .iter()
        .map(|g| unless_conditional(&g.info, gateway_tls(g)))
        .collect();
    CheckResult::from_resources("agw.tls12", "gateway", results, &no_gateway())
}

fn gateway_tls(gateway: &ApplicationGateway) -> ResourceResult {
    let label = gateway.info.label();
    let mut findings = Findings::default();
    let mut pass = String::new();
    match &gateway.ssl_policy {
        Field::Known { value, .. } => {
            let at = evidence_at(&gateway.info.source, &value.pointer);
            match tls_minimum(value) {
                (Tri::Yes, text) => pass = format!("sslPolicy is {text}: TLS 1.2 minimum"),
                (Tri::No, text) => findings.fail(format!("sslPolicy is {text}, which allows TLS below 1.2"), at),
                (Tri::Unknown(why), _) => findings.unknown(format!("sslPolicy: {why}"), at),
            }
        }
        Field::Missing | Field::NotSet { .. } => findings.unknown(
            "sslPolicy is not in the evidence; the TLS versions accepted then depend on the API version the gateway was deployed with (older ones default to AppGwSslPolicy20150501, which allows TLS 1.0)",
            gateway.info.source.clone(),
        ),
        other => findings.unknown(
            other.require("sslPolicy").err().unwrap_or_default(),
            gateway.info.at_field(other),
        ),
    }
    for profile in &gateway.ssl_profiles {
        let Field::Known { value, .. } = &profile.ssl_policy else {
            continue;
        };
        let at = evidence_at(&gateway.info.source, &value.pointer);
        match tls_minimum(value) {
            (Tri::Yes, _) => {}
            (Tri::No, text) => findings.fail(
                format!(
                    "TLS profile {} uses {text}, which allows TLS below 1.2",
                    profile.name
                ),
                at,
            ),
            (Tri::Unknown(why), _) => {
                findings.unknown(format!("TLS profile {}: {why}", profile.name), at)
            }
        }
    }
    let evidence = vec![gateway.info.at_field(&gateway.ssl_policy)];
    findings.into_result(label, pass, evidence)
}

/// Predefined TLS policies and the lowest TLS version each accepts.
const PREDEFINED_POLICIES: &[(&str, &str)] = &[
    ("AppGwSslPolicy20150501", "TLSv1_0"),
    ("AppGwSslPolicy20170401", "TLSv1_1"),
    ("AppGwSslPolicy20170401S", "TLSv1_2"),
    ("AppGwSslPolicy20220101", "TLSv1_2"),
    ("AppGwSslPolicy20220101S", "TLSv1_2"),
];

/// Whether a TLS policy accepts nothing below TLS 1.2, with a description.
fn tls_minimum(policy: &SslPolicy) -> (Tri, String) {
    let kind = policy
        .policy_type
        .value()
        .map(|t| t.trim().to_ascii_lowercase());
    let predefined = match kind.as_deref() {
        Some("predefined") => true,
        Some("custom") | Some("customv2") => false,
        Some(other) => {
            return (
                Tri::Unknown(format!("policyType {other:?} is not one Tickmark knows")),
                String::new(),
            );
        }
        None if policy.policy_name.pointer().is_some() => true,
        None if policy.min_protocol_version.pointer().is_some() => false,
        None => return disabled_protocols(policy),
    };
    if predefined {
        let name = match policy.policy_name.require("sslPolicy.policyName") {
            Ok(name) => name.trim(),
            Err(why) => return (Tri::Unknown(why), String::new()),
        };
        return match PREDEFINED_POLICIES
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
        {
            Some((_, minimum)) => {
                let (ok, _) = version_ok(minimum);
                (ok, format!("predefined policy {name} (minimum {minimum})"))
            }
            None => (
                Tri::Unknown(format!(
                    "predefined policy {name} is not one Tickmark knows the minimum TLS version of"
                )),
                String::new(),
            ),
        };
    }
    match policy
        .min_protocol_version
        .require("sslPolicy.minProtocolVersion")
    {
        Ok(minimum) => {
            let (ok, text) = version_ok(minimum);
            (
                ok,
                format!("a custom policy with minProtocolVersion {text}"),
            )
        }
        Err(why) => (Tri::Unknown(why), String::new()),
    }
}

fn version_ok(version: &str) -> (Tri, String) {
    let v = version.trim();
    let ok = match v.to_ascii_uppercase().as_str() {
        "TLSV1_2" | "TLSV1_3" => Tri::Yes,
        "TLSV1_0" | "TLSV1_1" | "SSLV3" => Tri::No,
        _ => Tri::Unknown(format!("TLS version {v:?} is not one Tickmark knows")),
    };
    (ok, v.to_owned())
}

/// The older form: `disabledSslProtocols` lists the versions turned off.
fn disabled_protocols(policy: &SslPolicy) -> (Tri, String) {
    match policy.disabled_protocols.require("sslPolicy.disabledSslProtocols") {
        Ok(disabled) => {
            let off = |v: &str| disabled.iter().any(|d| d.trim().eq_ignore_ascii_case(v));
            (
                Tri::from_bool(off("TLSv1_0") && off("TLSv1_1")),
                format!("a policy that disables {}", disabled.join(", ")),
            )
        }
        Err(_) => (
            Tri::Unknown(
                "sslPolicy states neither policyType, policyName, minProtocolVersion nor disabledSslProtocols"
                    .to_owned(),
            ),
            String::new(),
        ),
    }
}

/// `agw.no-plain-http`.
pub(super) fn no_plain_http(azure: &AzureEvidence) -> CheckResult {
    let results = azure
        .app_gateways
        .iter()
        .map(|g| unless_conditional(&g.info, gateway_http(g)))
        .collect();
    CheckResult::from_resources("agw.no-plain-http", "gateway", results, &no_gateway())
}

fn gateway_http(gateway: &ApplicationGateway) -> ResourceResult {
    let label = gateway.info.label();
    let listeners = match gateway.listeners.require("httpListeners") {
        Ok(listeners) => listeners,
        Err(why) => {
            return ResourceResult::new(
                label,
                CheckStatus::NotEvaluated,
                why,
                vec![gateway.info.at_field(&gateway.listeners)],
            );
        }
    };
    let mut findings = Findings::default();
    let mut redirecting = Vec::new();
    for listener in listeners {
        let at = evidence_at(&gateway.info.source, &listener.pointer);
        match field_is(&listener.protocol, "protocol", "Http") {
            Tri::No => continue,
            Tri::Unknown(why) => {
                findings.unknown(format!("listener {}: {why}", listener.name), at);
                continue;
            }
            Tri::Yes => {}
        }
        match http_listener(gateway, listener) {
            Redirect::Https => redirecting.push(listener.name.clone()),
            Redirect::Not(why) => {
                findings.fail(format!("HTTP listener {} {why}", listener.name), at)
            }
            Redirect::Unknown(why) => {
                findings.unknown(format!("HTTP listener {}: {why}", listener.name), at)
            }
        }
    }
    let pass = if redirecting.is_empty() {
        format!("all {} listener(s) use HTTPS", listeners.len())
    } else {
        format!(
            "HTTP listener(s) {} only redirect to HTTPS",
            redirecting.join(", ")
        )
    };
    findings.into_result(label, pass, vec![gateway.info.at_field(&gateway.listeners)])
}

/// Whether traffic to something is only redirected to HTTPS.
enum Redirect {
    Https,
    Not(String),
    Unknown(String),
}

/// Whether every rule on an HTTP listener redirects to HTTPS.
fn http_listener(gateway: &ApplicationGateway, listener: &Listener) -> Redirect {
    let rules = match gateway.routing_rules.require("requestRoutingRules") {
        Ok(rules) => rules,
        Err(why) => return Redirect::Unknown(why),
    };
    let mut served_by = Vec::new();
    let mut unknown = None;
    for rule in rules {
        match part_name(&rule.listener, "httpListener.id", "httpListeners") {
            Ok(name) if name.eq_ignore_ascii_case(&listener.name) => served_by.push(rule),
            Ok(_) => {}
            Err(why) => {
                unknown.get_or_insert(format!("routing rule {}: {why}", rule.name));
            }
        }
    }
    let mut all_redirect = true;
    for rule in &served_by {
        match rule_redirect(gateway, rule) {
            Redirect::Https => {}
            Redirect::Not(why) => {
                return Redirect::Not(format!(
                    "is served by routing rule {}, which {why}",
                    rule.name
                ));
            }
            Redirect::Unknown(why) => {
                unknown.get_or_insert(format!("routing rule {}: {why}", rule.name));
                all_redirect = false;
            }
        }
    }
    match unknown {
        Some(why) => Redirect::Unknown(why),
        None if served_by.is_empty() => {
            Redirect::Not("serves plain HTTP and no routing rule redirects it to HTTPS".to_owned())
        }
        None if all_redirect => Redirect::Https,
        None => Redirect::Unknown("not every rule's redirect could be read".to_owned()),
    }
}

fn rule_redirect(gateway: &ApplicationGateway, rule: &RoutingRule) -> Redirect {
    if rule.url_path_map.pointer().is_some() {
        return path_map_redirect(gateway, rule);
    }
    if rule.redirect_configuration.pointer().is_some() {
        return match part_name(
            &rule.redirect_configuration,
            "redirectConfiguration.id",
            "redirectConfigurations",
        ) {
            Ok(name) => redirect_to_https(gateway, &name),
            Err(why) => Redirect::Unknown(why),
        };
    }
    Redirect::Not("forwards to a backend instead of redirecting to HTTPS".to_owned())
}

fn path_map_redirect(gateway: &ApplicationGateway, rule: &RoutingRule) -> Redirect {
    let name = match part_name(&rule.url_path_map, "urlPathMap.id", "urlPathMaps") {
        Ok(name) => name,
        Err(why) => return Redirect::Unknown(why),
    };
    let maps = match gateway.url_path_maps.require("urlPathMaps") {
        Ok(maps) => maps,
        Err(why) => return Redirect::Unknown(why),
    };
    let Some(map) = maps.iter().find(|m| m.name.eq_ignore_ascii_case(&name)) else {
        return Redirect::Unknown(format!("URL path map {name} is not in the evidence"));
    };
    let targets = std::iter::once((&map.default_redirect, "its default")).chain(
        map.path_rules
            .iter()
            .map(|p| (&p.redirect_configuration, p.name.as_str())),
    );
    for (redirect, what) in targets {
        if redirect.pointer().is_none() {
            return Redirect::Not(format!(
                "uses URL path map {name}, where {what} forwards to a backend instead of redirecting to HTTPS"
            ));
        }
        let verdict = match part_name(
            redirect,
            "redirectConfiguration.id",
            "redirectConfigurations",
        ) {
            Ok(target) => redirect_to_https(gateway, &target),
            Err(why) => Redirect::Unknown(why),
        };
        if !matches!(verdict, Redirect::Https) {
            return verdict;
        }
    }
    Redirect::Https
}

fn redirect_to_https(gateway: &ApplicationGateway, name: &str) -> Redirect {
    let redirects = match gateway
        .redirect_configurations
        .require("redirectConfigurations")
    {
        Ok(redirects) => redirects,
        Err(why) => return Redirect::Unknown(why),
    };
    let Some(redirect) = redirects.iter().find(|r| r.name.eq_ignore_ascii_case(name)) else {
        return Redirect::Unknown(format!(
            "redirect configuration {name} is not in the evidence"
        ));
    };
    if redirect.target_listener.pointer().is_some() {
        let target = match part_name(
            &redirect.target_listener,
            "targetListener.id",
            "httpListeners",
        ) {
            Ok(target) => target,
            Err(why) => return Redirect::Unknown(why),
        };
        let listeners = gateway
            .listeners
            .value()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let Some(listener) = listeners
            .iter()
            .find(|l| l.name.eq_ignore_ascii_case(&target))
        else {
            return Redirect::Unknown(format!(
                "redirect {name} targets listener {target}, which is not in the evidence"
            ));
        };
        return match field_is(&listener.protocol, "protocol", "Https") {
            Tri::Yes => Redirect::Https,
            Tri::No => Redirect::Not(format!(
                "redirects (via {name}) to listener {target}, which is not HTTPS"
            )),
            Tri::Unknown(why) => Redirect::Unknown(format!("listener {target}: {why}")),
        };
    }
    match redirect.target_url.require("targetUrl") {
        Ok(url) if url.trim().to_ascii_lowercase().starts_with("https://") => Redirect::Https,
        Ok(url) => Redirect::Not(format!(
            "redirects (via {name}) to {url}, which is not HTTPS"
        )),
        Err(_) if redirect.target_url.pointer().is_none() => Redirect::Unknown(format!(
            "redirect {name} names neither targetListener nor targetUrl"
        )),
        Err(why) => Redirect::Unknown(format!("redirect {name}: {why}")),
    }
}
