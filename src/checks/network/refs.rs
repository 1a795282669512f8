//! Matching references between resources.
//!
//! A reference is an ARM resource ID (`firewallPolicy.id`, `subnet.id`...).
//! IDs are compared case-insensitively, as Azure does. In an ARM template the
//! reference is often an expression such as
//! `[resourceId('Microsoft.Network/firewallPolicies', variables('p'))]`; it
//! names, for certain, the resource of that type in the same template whose
//! `name` is `[variables('p')]`, so such pairs are matched too. Nothing else
//! about an expression is guessed.

use crate::evidence::Field;
use crate::evidence::azure::resource_reference::{call_arguments, quoted_literal};
use crate::evidence::azure::{NameRef, ResourceInfo, ResourceReference};
use crate::evidence::node::is_expression;

/// Resource types, as references name them.
pub(super) const NSG_TYPE: &str = "Microsoft.Network/networkSecurityGroups";
pub(super) const ROUTE_TABLE_TYPE: &str = "Microsoft.Network/routeTables";
pub(super) const FIREWALL_POLICY_TYPE: &str = "Microsoft.Network/firewallPolicies";
pub(super) const WAF_POLICY_TYPE: &str =
    "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies";

/// True if two ARM IDs name the same resource.
pub(super) fn same_id(a: &str, b: &str) -> bool {
    a.trim()
        .trim_end_matches('/')
        .eq_ignore_ascii_case(b.trim().trim_end_matches('/'))
}

/// True if `reference`, read from a resource in the file `from_path`, names
/// `target`, a resource of type `target_type`.
pub(super) fn refers_to(
    reference: &Field<String>,
    from_path: &str,
    target: &ResourceInfo,
    target_type: &str,
) -> bool {
    match reference {
        Field::Known { value, .. } => target.id.as_deref().is_some_and(|id| same_id(id, value)),
        Field::Unresolved { expression, .. } => {
            target.in_template
                && target.source.path == from_path
                && matches!(
                    ResourceReference::read(expression),
                    ResourceReference::Template { resource_type, name }
                        if resource_type.eq_ignore_ascii_case(target_type)
                            && target.name.as_deref().is_some_and(|n| {
                                name.same_as(&NameRef::of_resource_name(n))
                            })
                )
        }
        _ => false,
    }
}

/// The last segment of an ARM ID (`.../subnets/snet-a` gives `snet-a`).
pub(super) fn last_segment(id: &str) -> &str {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or(id)
}

/// The name of the part of a resource that `reference` points at, e.g. the
/// listener named by `httpListener.id` (`collection` = `httpListeners`).
/// Such references always point into the same resource, so in a template
/// the name can be read from the literal text that follows `/httpListeners/`
/// when the expression ends there.
pub(super) fn part_name(
    reference: &Field<String>,
    name: &str,
    collection: &str,
) -> Result<String, String> {
    let text = match reference {
        Field::Unresolved { expression, .. } => expression,
        other => other.require(name)?,
    };
    let marker = format!("/{}/", collection.to_ascii_lowercase());
    let lower = text.to_ascii_lowercase();
    let start = lower
        .find(&marker)
        .map(|i| i + marker.len())
        .ok_or_else(|| {
            format!("{name} ({text}) does not name one of the gateway's {collection}")
        })?;
    let rest = &text[start..];
    let part = if is_expression(text) {
        // `...'/httpListeners/listener-https')]`: the name must be a literal
        // that ends the expression.
        rest.strip_suffix(")]")
            .and_then(|r| r.strip_suffix('\''))
            .filter(|n| !n.contains(['\'', '(', ')', ',']))
    } else {
        rest.split('/').next()
    };
    match part {
        Some(part) if !part.is_empty() => Ok(part.to_owned()),
        _ => Err(format!(
            "{name} is the unresolved template expression {text}"
        )),
    }
}

/// True if the rule collection group named `group_name` with ID `group_id`
/// belongs to the firewall policy `policy`: by ID (`<policy>/ruleCollectionGroups/<name>`),
/// or in one template by name (`policy/group`, or
/// `[concat(variables('p'), '/group')]` for a policy named `[variables('p')]`).
pub(super) fn group_of_policy(group: &ResourceInfo, policy: &ResourceInfo) -> bool {
    if let (Some(group_id), Some(policy_id)) = (&group.id, &policy.id) {
        return group_id_in_policy(group_id, policy_id);
    }
    if group.source.path != policy.source.path {
        return false;
    }
    let (Some(group_name), Some(policy_name)) = (&group.name, &policy.name) else {
        return false;
    };
    if !is_expression(group_name) {
        return group_name.split_once('/').is_some_and(|(parent, _)| {
            !is_expression(policy_name) && parent.eq_ignore_ascii_case(policy_name)
        });
    }
    let Some(args) = call_arguments(group_name, "concat") else {
        return false;
    };
    match args.as_slice() {
        [parent, child] => {
            quoted_literal(child).is_some_and(|c| c.starts_with('/'))
                && NameRef::of_argument(parent).same_as(&NameRef::of_resource_name(policy_name))
        }
        _ => false,
    }
}

/// True if the rule collection group `group_id` is one of policy `policy_id`'s.
pub(super) fn group_id_in_policy(group_id: &str, policy_id: &str) -> bool {
    let prefix = format!(
        "{}/rulecollectiongroups/",
        policy_id.trim().trim_end_matches('/').to_ascii_lowercase()
    );
    group_id.trim().to_ascii_lowercase().starts_with(&prefix)
}

/// Whether a template expression can evaluate to exactly `*`: not when it
/// is a `concat` that starts or ends with a literal other than `*` or empty.
pub(super) fn expression_could_be(expression: &str, value: &str) -> bool {
    let Some(args) = call_arguments(expression, "concat") else {
        return true;
    };
    let fixed = |arg: Option<&String>| {
        arg.and_then(|a| quoted_literal(a))
            .is_some_and(|l| !l.is_empty() && l != value)
    };
    !(fixed(args.first()) || fixed(args.last()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::EvidenceRef;

    fn template_resource(name: &str, path: &str) -> ResourceInfo {
        ResourceInfo {
            id: None,
            name: Some(name.to_owned()),
            source: EvidenceRef {
                path: path.to_owned(),
                pointer: "/resources/0".to_owned(),
                resource: Some(name.to_owned()),
            },
            in_template: true,
            deployed_if: None,
            api_version: None,
        }
    }

    fn unresolved(expression: &str) -> Field<String> {
        Field::Unresolved {
            expression: expression.to_owned(),
            pointer: "/x".to_owned(),
        }
    }

    #[test]
    fn literal_ids_match_ignoring_case() {
        let mut target = template_resource("p", "a.json");
        target.id = Some(
            "/subscriptions/s/resourceGroups/G/providers/Microsoft.Network/firewallPolicies/P"
                .into(),
        );
        target.in_template = false;
        let reference = Field::known(
            "/subscriptions/s/resourcegroups/g/providers/microsoft.network/firewallpolicies/p"
                .to_owned(),
            "/x",
        );
        assert!(refers_to(
            &reference,
            "b.json",
            &target,
            FIREWALL_POLICY_TYPE
        ));
        let other = Field::known(
            "/subscriptions/s/resourcegroups/g/providers/microsoft.network/firewallpolicies/q"
                .to_owned(),
            "/x",
        );
        assert!(!refers_to(&other, "b.json", &target, FIREWALL_POLICY_TYPE));
    }

    #[test]
    fn template_expressions_match_the_named_resource_of_the_same_file() {
        let policy = template_resource("[variables('fwPoliciesName')]", "hub.json");
        let reference = unresolved(
            "[resourceId('Microsoft.Network/firewallPolicies', variables( 'fwPoliciesName' ))]",
        );
        assert!(refers_to(
            &reference,
            "hub.json",
            &policy,
            FIREWALL_POLICY_TYPE
        ));
        assert!(!refers_to(
            &reference,
            "other.json",
            &policy,
            FIREWALL_POLICY_TYPE
        ));
        assert!(!refers_to(&reference, "hub.json", &policy, NSG_TYPE));
        let base = template_resource("[variables('fwPoliciesBaseName')]", "hub.json");
        assert!(!refers_to(
            &reference,
            "hub.json",
            &base,
            FIREWALL_POLICY_TYPE
        ));
        let nsg = template_resource("[concat('nsg-', variables('v'), '-appgw')]", "spoke.json");
        let subnet_nsg = unresolved(
            "[resourceId('Microsoft.Network/networkSecurityGroups', concat('nsg-', variables('v'), '-appgw'))]",
        );
        assert!(refers_to(&subnet_nsg, "spoke.json", &nsg, NSG_TYPE));
        // Another resource group: not provably the same resource.
        let elsewhere = unresolved(
            "[resourceId(variables('rg'), 'Microsoft.Network/firewallPolicies', variables('fwPoliciesName'))]",
        );
        assert!(!refers_to(
            &elsewhere,
            "hub.json",
            &policy,
            FIREWALL_POLICY_TYPE
        ));
    }

    #[test]
    fn part_names_come_from_ids_and_trailing_literals() {
        let id = Field::known("/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/applicationGateways/a/httpListeners/l1".to_owned(), "/x");
        assert_eq!(
            part_name(&id, "httpListener.id", "httpListeners").unwrap(),
            "l1"
        );
        let expr =
            unresolved("[concat(variables('apwResourceId'), '/httpListeners/listener-https')]");
        assert_eq!(
            part_name(&expr, "httpListener.id", "httpListeners").unwrap(),
            "listener-https"
        );
        let built =
            unresolved("[concat(variables('apwResourceId'), '/sslCertificates/', variables('n'))]");
        assert!(part_name(&built, "sslCertificate.id", "sslCertificates").is_err());
        assert!(part_name(&Field::Missing, "httpListener.id", "httpListeners").is_err());
    }

    #[test]
    fn groups_belong_to_policies_by_id_or_template_name() {
        let mut policy = template_resource("p", "x");
        policy.id = Some(
            "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/firewallPolicies/p"
                .into(),
        );
        let mut group = template_resource("g", "y");
        group.id = Some("/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/FirewallPolicies/P/RuleCollectionGroups/g".into());
        assert!(group_of_policy(&group, &policy));
        let policy = template_resource("[variables('fwPoliciesName')]", "hub.json");
        let group = template_resource(
            "[concat(variables('fwPoliciesName'), '/DefaultNetworkRuleCollectionGroup')]",
            "hub.json",
        );
        let base = template_resource("[variables('fwPoliciesBaseName')]", "hub.json");
        assert!(group_of_policy(&group, &policy));
        assert!(!group_of_policy(&group, &base));
    }

    #[test]
    fn concat_with_a_literal_end_cannot_be_a_wildcard() {
        assert!(!expression_could_be(
            "[concat(parameters('location'), '.monitoring.azure.com')]",
            "*"
        ));
        assert!(expression_could_be("[parameters('fqdn')]", "*"));
        assert!(expression_could_be(
            "[concat(parameters('a'), parameters('b'))]",
            "*"
        ));
    }
}
