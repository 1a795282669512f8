//! Application Gateways and their WAF policies.
//!
//! Shapes read: `az network application-gateway show` / `list` and
//! `az network application-gateway waf-policy show` / `list` (the az CLI
//! flattens `properties` of the resource and of its parts), ARM REST bodies
//! and templates (`properties.*`, each part with its own `properties`).

use serde::{Deserialize, Serialize};

use super::ResourceInfo;
use super::sub_resources::{name_or_position, parts, reference, reference_ids, settings_of};
use crate::evidence::arm::ArmResource;
use crate::evidence::node::Node;
use crate::evidence::{Field, ImportContext, ImportError};

/// An Application Gateway (`Microsoft.Network/applicationGateways`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationGateway {
    /// Identity and location in the file.
    pub info: ResourceInfo,
    /// `gatewayIPConfigurations[].subnet.id`: the subnet(s) it sits in.
    pub gateway_subnet_ids: Vec<Field<String>>,
    /// `sku.name`, e.g. `WAF_v2`.
    pub sku_name: Field<String>,
    /// `sku.tier`: Standard, WAF, Standard_v2 or WAF_v2.
    pub sku_tier: Field<String>,
    /// `webApplicationFirewallConfiguration`, the WAF set on the gateway
    /// itself (`None` when the gateway has none).
    pub waf_configuration: Option<WafConfiguration>,
    /// `firewallPolicy.id`: the WAF policy attached to the whole gateway.
    pub firewall_policy_id: Field<String>,
    /// `sslPolicy`: the TLS policy of the gateway.
    pub ssl_policy: Field<SslPolicy>,
    /// `sslProfiles`: TLS settings that listeners may use instead.
    pub ssl_profiles: Vec<SslProfile>,
    /// `httpListeners`.
    pub listeners: Field<Vec<Listener>>,
    /// `requestRoutingRules`.
    pub routing_rules: Field<Vec<RoutingRule>>,
    /// `redirectConfigurations`.
    pub redirect_configurations: Field<Vec<RedirectConfiguration>>,
    /// `urlPathMaps`, used by path-based routing rules.
    pub url_path_maps: Field<Vec<UrlPathMap>>,
}

/// A gateway's own WAF settings (`webApplicationFirewallConfiguration`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WafConfiguration {
    /// Where the configuration is in the file.
    pub pointer: String,
    /// `enabled`.
    pub enabled: Field<bool>,
    /// `firewallMode`: Detection or Prevention.
    pub firewall_mode: Field<String>,
    /// `ruleSetType`, e.g. `OWASP`.
    pub rule_set_type: Field<String>,
    /// `ruleSetVersion`, e.g. `3.2`.
    pub rule_set_version: Field<String>,
}

/// A TLS policy (`sslPolicy`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SslPolicy {
    /// Where the policy is in the file.
    pub pointer: String,
    /// `policyType`: Predefined, Custom or CustomV2.
    pub policy_type: Field<String>,
    /// `policyName`, for predefined policies (e.g. `AppGwSslPolicy20220101`).
    pub policy_name: Field<String>,
    /// `minProtocolVersion`, for custom policies (e.g. `TLSv1_2`).
    pub min_protocol_version: Field<String>,
    /// `disabledSslProtocols`, the older way of turning versions off.
    pub disabled_protocols: Field<Vec<String>>,
}

/// A TLS profile (`sslProfiles[]`) that listeners may refer to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SslProfile {
    /// The profile's name (or its position).
    pub name: String,
    /// Where the profile is in the file.
    pub pointer: String,
    /// Its `sslPolicy` (missing: the gateway's applies).
    pub ssl_policy: Field<SslPolicy>,
}

/// An HTTP(S) listener (`httpListeners[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listener {
    /// The listener's name (or its position).
    pub name: String,
    /// Where the listener is in the file.
    pub pointer: String,
    /// `protocol`: Http or Https.
    pub protocol: Field<String>,
    /// `frontendPort.id`.
    pub frontend_port: Field<String>,
    /// `sslProfile.id`.
    pub ssl_profile: Field<String>,
    /// `firewallPolicy.id`: a WAF policy for this listener only.
    pub firewall_policy_id: Field<String>,
}

/// A request routing rule (`requestRoutingRules[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutingRule {
    /// The rule's name (or its position).
    pub name: String,
    /// Where the rule is in the file.
    pub pointer: String,
    /// `ruleType`: Basic or PathBasedRouting.
    pub rule_type: Field<String>,
    /// `httpListener.id`: the listener it serves.
    pub listener: Field<String>,
    /// `redirectConfiguration.id`, when the rule redirects.
    pub redirect_configuration: Field<String>,
    /// `backendAddressPool.id`, when the rule forwards to a backend.
    pub backend_pool: Field<String>,
    /// `urlPathMap.id`, for path-based rules.
    pub url_path_map: Field<String>,
}

/// A redirect (`redirectConfigurations[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RedirectConfiguration {
    /// The redirect's name (or its position).
    pub name: String,
    /// Where the redirect is in the file.
    pub pointer: String,
    /// `redirectType`: Permanent, Found, SeeOther or Temporary.
    pub redirect_type: Field<String>,
    /// `targetListener.id`, when it redirects to another listener.
    pub target_listener: Field<String>,
    /// `targetUrl`, when it redirects to a URL.
    pub target_url: Field<String>,
}

/// A URL path map (`urlPathMaps[]`) of path-based routing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UrlPathMap {
    /// The map's name (or its position).
    pub name: String,
    /// Where the map is in the file.
    pub pointer: String,
    /// `defaultRedirectConfiguration.id`.
    pub default_redirect: Field<String>,
    /// `defaultBackendAddressPool.id`.
    pub default_backend_pool: Field<String>,
    /// `pathRules`.
    pub path_rules: Vec<PathRule>,
}

/// One path rule of a URL path map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathRule {
    /// The rule's name (or its position).
    pub name: String,
    /// Where the rule is in the file.
    pub pointer: String,
    /// `redirectConfiguration.id`.
    pub redirect_configuration: Field<String>,
    /// `backendAddressPool.id`.
    pub backend_pool: Field<String>,
}

/// A WAF policy (`Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WafPolicy {
    /// Identity and location in the file.
    pub info: ResourceInfo,
    /// `policySettings.state`: Enabled or Disabled.
    pub state: Field<String>,
    /// `policySettings.mode`: Detection or Prevention.
    pub mode: Field<String>,
    /// `managedRules.managedRuleSets`.
    pub managed_rule_sets: Field<Vec<ManagedRuleSet>>,
    /// `applicationGateways[].id`: the gateways it is attached to.
    pub gateway_ids: Vec<String>,
}

/// One managed rule set of a WAF policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManagedRuleSet {
    /// Where the entry is in the file.
    pub pointer: String,
    /// `ruleSetType`: OWASP, Microsoft_DefaultRuleSet, Microsoft_BotManagerRuleSet...
    pub rule_set_type: Field<String>,
    /// `ruleSetVersion`, e.g. `3.2` or `2.1`.
    pub rule_set_version: Field<String>,
}

/// Reads an Application Gateway into `out`.
pub(super) fn read_gateway(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<ApplicationGateway>,
) -> Result<(), ImportError> {
    let props = resource.props();
    let gateway_subnet_ids = props
        .get("gatewayIPConfigurations")
        .map(|list| {
            list.items()
                .map(|config| reference(&settings_of(&config), "subnet"))
                .collect()
        })
        .unwrap_or_default();
    let waf_configuration = props
        .get("webApplicationFirewallConfiguration")
        .filter(|n| !n.value().is_null())
        .map(|waf| WafConfiguration {
            pointer: waf.pointer().to_owned(),
            enabled: waf.bool_field("enabled"),
            firewall_mode: waf.string_field("firewallMode"),
            rule_set_type: waf.string_field("ruleSetType"),
            rule_set_version: waf.string_field("ruleSetVersion"),
        });
    let ssl_profiles = props
        .get("sslProfiles")
        .map(|list| {
            list.items()
                .enumerate()
                .map(|(i, profile)| SslProfile {
                    name: name_or_position(&profile, "TLS profile", i),
                    pointer: profile.pointer().to_owned(),
                    ssl_policy: ssl_policy(&settings_of(&profile)),
                })
                .collect()
        })
        .unwrap_or_default();
    out.push(ApplicationGateway {
        info: ResourceInfo::of(ctx, resource),
        gateway_subnet_ids,
        sku_name: props.string_field("sku.name"),
        sku_tier: props.string_field("sku.tier"),
        waf_configuration,
        firewall_policy_id: reference(&props, "firewallPolicy"),
        ssl_policy: ssl_policy(&props),
        ssl_profiles,
        listeners: parts(resource, "httpListeners", read_listener),
        routing_rules: parts(resource, "requestRoutingRules", read_routing_rule),
        redirect_configurations: parts(resource, "redirectConfigurations", read_redirect),
        url_path_maps: parts(resource, "urlPathMaps", read_url_path_map),
    });
    Ok(())
}

fn ssl_policy(settings: &Node<'_>) -> Field<SslPolicy> {
    settings.field("sslPolicy", |policy| {
        policy.value().is_object().then(|| SslPolicy {
            pointer: policy.pointer().to_owned(),
            policy_type: policy.string_field("policyType"),
            policy_name: policy.string_field("policyName"),
            min_protocol_version: policy.string_field("minProtocolVersion"),
            disabled_protocols: policy.string_list_field("disabledSslProtocols"),
        })
    })
}

fn read_listener(listener: &Node<'_>, index: usize) -> Listener {
    let settings = settings_of(listener);
    Listener {
        name: name_or_position(listener, "listener", index),
        pointer: listener.pointer().to_owned(),
        protocol: settings.string_field("protocol"),
        frontend_port: reference(&settings, "frontendPort"),
        ssl_profile: reference(&settings, "sslProfile"),
        firewall_policy_id: reference(&settings, "firewallPolicy"),
    }
}

fn read_routing_rule(rule: &Node<'_>, index: usize) -> RoutingRule {
    let settings = settings_of(rule);
    RoutingRule {
        name: name_or_position(rule, "routing rule", index),
        pointer: rule.pointer().to_owned(),
        rule_type: settings.string_field("ruleType"),
        listener: reference(&settings, "httpListener"),
        redirect_configuration: reference(&settings, "redirectConfiguration"),
        backend_pool: reference(&settings, "backendAddressPool"),
        url_path_map: reference(&settings, "urlPathMap"),
    }
}

fn read_redirect(redirect: &Node<'_>, index: usize) -> RedirectConfiguration {
    let settings = settings_of(redirect);
    RedirectConfiguration {
        name: name_or_position(redirect, "redirect", index),
        pointer: redirect.pointer().to_owned(),
        redirect_type: settings.string_field("redirectType"),
        target_listener: reference(&settings, "targetListener"),
        target_url: settings.string_field("targetUrl"),
    }
}

fn read_url_path_map(map: &Node<'_>, index: usize) -> UrlPathMap {
    let settings = settings_of(map);
    let path_rules = settings
        .get("pathRules")
        .map(|list| {
            list.items()
                .enumerate()
                .map(|(i, rule)| {
                    let rule_settings = settings_of(&rule);
                    PathRule {
                        name: name_or_position(&rule, "path rule", i),
                        pointer: rule.pointer().to_owned(),
                        redirect_configuration: reference(&rule_settings, "redirectConfiguration"),
                        backend_pool: reference(&rule_settings, "backendAddressPool"),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    UrlPathMap {
        name: name_or_position(map, "URL path map", index),
        pointer: map.pointer().to_owned(),
        default_redirect: reference(&settings, "defaultRedirectConfiguration"),
        default_backend_pool: reference(&settings, "defaultBackendAddressPool"),
        path_rules,
    }
}

/// Reads a WAF policy into `out`.
pub(super) fn read_waf_policy(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<WafPolicy>,
) -> Result<(), ImportError> {
    let props = resource.props();
    let managed_rule_sets = props.field("managedRules.managedRuleSets", |list| {
        list.value().is_array().then(|| {
            list.items()
                .map(|set| ManagedRuleSet {
                    pointer: set.pointer().to_owned(),
                    rule_set_type: set.string_field("ruleSetType"),
                    rule_set_version: set.string_field("ruleSetVersion"),
                })
                .collect()
        })
    });
    out.push(WafPolicy {
        info: ResourceInfo::of(ctx, resource),
        state: props.string_field("policySettings.state"),
        mode: props.string_field("policySettings.mode"),
        managed_rule_sets,
        gateway_ids: reference_ids(&props, "applicationGateways"),
    });
    Ok(())
}
