//! `azurerm_application_gateway` and `azurerm_web_application_firewall_policy`.
//!
//! Terraform names a gateway's parts (listeners, redirects, path maps) by
//! name where ARM refers to them by ID; the references are written as the
//! IDs ARM would use (`<gateway>/httpListeners/<name>`), so the checks read
//! both alike.

use super::values::Tf;
use super::{Estate, Resource};
use crate::evidence::Field;
use crate::evidence::azure::{
    ApplicationGateway, Listener, ManagedRuleSet, PathRule, RedirectConfiguration, RoutingRule,
    SslPolicy, SslProfile, UrlPathMap, WafConfiguration, WafPolicy,
};

pub(super) fn gateway(estate: &Estate<'_>, r: &Resource<'_>) -> ApplicationGateway {
    let v = &r.values;
    let id = estate
        .arm_id(r)
        .unwrap_or_else(|| format!("the gateway {}", r.address));
    let part = |collection: &str| {
        let id = id.clone();
        let collection = collection.to_owned();
        move |field: Field<String>| match field {
            // An unset reference is `""` in Terraform: no reference at all.
            Field::NotSet { .. } => Field::Missing,
            found => found.map(|name| format!("{id}/{collection}/{name}")),
        }
    };
    let list = |name: &str| v.get(name).map(|l| l.items()).unwrap_or_default();
    let listeners = v.list_of("http_listener", |listener| Listener {
        name: listener.name_or("listener"),
        pointer: listener.pointer().to_owned(),
        protocol: listener.string("protocol"),
        frontend_port: part("frontendPorts")(listener.string("frontend_port_name")),
        ssl_profile: part("sslProfiles")(listener.string("ssl_profile_name")),
        firewall_policy_id: match listener.string("firewall_policy_id") {
            Field::NotSet { .. } => Field::Missing,
            found => found,
        },
    });
    let routing_rules = v.list_of("request_routing_rule", |rule| RoutingRule {
        name: rule.name_or("routing rule"),
        pointer: rule.pointer().to_owned(),
        rule_type: rule.string("rule_type"),
        listener: part("httpListeners")(rule.string("http_listener_name")),
        redirect_configuration: part("redirectConfigurations")(
            rule.string("redirect_configuration_name"),
        ),
        backend_pool: part("backendAddressPools")(rule.string("backend_address_pool_name")),
        url_path_map: part("urlPathMaps")(rule.string("url_path_map_name")),
    });
    let redirects = v.list_of("redirect_configuration", |redirect| RedirectConfiguration {
        name: redirect.name_or("redirect"),
        pointer: redirect.pointer().to_owned(),
        redirect_type: redirect.string("redirect_type"),
        target_listener: part("httpListeners")(redirect.string("target_listener_name")),
        target_url: redirect.string("target_url"),
    });
    let path_maps = v.list_of("url_path_map", |map| UrlPathMap {
        name: map.name_or("URL path map"),
        pointer: map.pointer().to_owned(),
        default_redirect: part("redirectConfigurations")(
            map.string("default_redirect_configuration_name"),
        ),
        default_backend_pool: part("backendAddressPools")(
            map.string("default_backend_address_pool_name"),
        ),
        path_rules: map
            .get("path_rule")
            .map(|rules| rules.items())
            .unwrap_or_default()
            .iter()
            .map(|rule| PathRule {
                name: rule.name_or("path rule"),
                pointer: rule.pointer().to_owned(),
                redirect_configuration: part("redirectConfigurations")(
                    rule.string("redirect_configuration_name"),
                ),
                backend_pool: part("backendAddressPools")(rule.string("backend_address_pool_name")),
            })
            .collect(),
    });
    let sku = v.block("sku");
    let sku_field = |name: &str| match &sku {
        Some(sku) => sku.string(name),
        None => Field::Missing,
    };
    let gateway_subnet_ids = list("gateway_ip_configuration")
        .iter()
        .enumerate()
        .map(|(i, _)| estate.reference_id(r, &format!("gateway_ip_configuration.{i}.subnet_id")))
        .collect();
    ApplicationGateway {
        info: estate.info(r),
        gateway_subnet_ids,
        sku_name: sku_field("name"),
        sku_tier: sku_field("tier"),
        waf_configuration: v.block("waf_configuration").map(|waf| WafConfiguration {
            pointer: waf.pointer().to_owned(),
            enabled: waf.bool("enabled"),
            firewall_mode: waf.string("firewall_mode"),
            rule_set_type: waf.string("rule_set_type"),
            rule_set_version: waf.string("rule_set_version"),
        }),
        firewall_policy_id: match estate.reference_id(r, "firewall_policy_id") {
            Field::NotSet { .. } => Field::Missing,
            found => found,
        },
        ssl_policy: match v.block("ssl_policy") {
            Some(policy) => Field::known(ssl_policy(&policy), policy.pointer()),
            None => Field::Missing,
        },
        ssl_profiles: list("ssl_profile")
            .iter()
            .map(|profile| SslProfile {
                name: profile.name_or("TLS profile"),
                pointer: profile.pointer().to_owned(),
                ssl_policy: match profile.block("ssl_policy") {
                    Some(policy) => Field::known(ssl_policy(&policy), policy.pointer()),
                    None => Field::Missing,
                },
            })
            .collect(),
        listeners: listeners.unwrap_or(Field::Missing),
        routing_rules: routing_rules.unwrap_or(Field::Missing),
        redirect_configurations: redirects.unwrap_or_else(|| Field::known(Vec::new(), v.pointer())),
        url_path_maps: path_maps.unwrap_or_else(|| Field::known(Vec::new(), v.pointer())),
    }
}

fn ssl_policy(policy: &Tf<'_>) -> SslPolicy {
    SslPolicy {
        pointer: policy.pointer().to_owned(),
        policy_type: policy.string("policy_type"),
        policy_name: policy.string("policy_name"),
        min_protocol_version: policy.string("min_protocol_version"),
        disabled_protocols: policy.strings("disabled_protocols"),
    }
}

pub(super) fn waf_policy(estate: &Estate<'_>, r: &Resource<'_>) -> WafPolicy {
    let v = &r.values;
    let settings = v.block("policy_settings");
    let setting = |name: &str| match &settings {
        Some(s) => s.field(name, serde_json::Value::as_bool),
        None => Field::Missing,
    };
    let managed_rule_sets = v
        .block("managed_rules")
        .and_then(|rules| {
            rules.list_of("managed_rule_set", |set| ManagedRuleSet {
                pointer: set.pointer().to_owned(),
                rule_set_type: set.string("type"),
                rule_set_version: set.string("version"),
            })
        })
        .unwrap_or(Field::Missing);
    WafPolicy {
        info: estate.info(r),
        state: setting("enabled").map(|on| if on { "Enabled" } else { "Disabled" }.to_owned()),
        mode: match &settings {
            Some(s) => s.string("mode"),
            None => Field::Missing,
        },
        managed_rule_sets,
        gateway_ids: Vec::new(),
    }
}
