//! Azure Resource Manager documents: finding the resources in a file whatever
//! its shape — one resource (`az ... show`), an array (`az ... list`,
//! `az resource list`), an ARM REST list body (`{"value": [...]}`), an ARM
//! template or `az group export` (nested child resources and nested
//! deployments included), or a wrapper such as Kubescape's `ClusterDescribe`.

use serde_json::Value;

use super::node::Node;

/// How the resources were laid out in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArmShape {
    /// One resource object.
    Single,
    /// A top-level array of resources (`az ... list`).
    Array,
    /// An ARM REST list body `{"value": [...]}`.
    RestList,
    /// An ARM template or `az group export`.
    Template,
    /// A resource inside a wrapper object (Kubescape `ClusterDescribe`).
    Wrapped,
}

/// One Azure resource found in a document.
#[derive(Debug, Clone)]
pub struct ArmResource<'a> {
    /// The resource type in lower case, e.g. `microsoft.network/networksecuritygroups`.
    pub resource_type: String,
    /// The resource as a whole.
    pub node: Node<'a>,
    /// True when the resource came from a template (values may be expressions).
    pub in_template: bool,
    /// In a template: the resource this one is nested in (`resources` of a
    /// parent), e.g. the cluster of a `providers/diagnosticSettings` child.
    pub parent: Option<Node<'a>>,
    /// In a template: whether the resource is deployed (its `condition`, or
    /// that of the resource or nested deployment it sits in).
    pub deployed: Deployed,
}

/// Whether a template deploys a resource, from its `condition`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deployed {
    /// No condition, or one that is literally true.
    Always,
    /// Only if this expression (as written) is true at deployment.
    If(String),
    /// Never: the condition is literally false (as written).
    Never(String),
}

impl Deployed {
    /// Reads a resource's `condition`, within a parent deployed as `outer`.
    fn of(resource: &Node<'_>, outer: &Deployed) -> Deployed {
        if matches!(outer, Deployed::Never(_)) {
            return outer.clone();
        }
        let Some(condition) = resource.get("condition") else {
            return outer.clone();
        };
        let own = match condition.value() {
            Value::Bool(true) => Deployed::Always,
            Value::Bool(false) => Deployed::Never("false".to_owned()),
            Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Deployed::Always,
            Value::String(s) if s.trim().eq_ignore_ascii_case("false") => {
                Deployed::Never(s.clone())
            }
            Value::String(s) => Deployed::If(s.clone()),
            other => Deployed::If(other.to_string()),
        };
        match (own, outer) {
            (Deployed::Always, outer) => outer.clone(),
            (Deployed::If(own), Deployed::If(outer)) => Deployed::If(format!("{outer} and {own}")),
            (own, _) => own,
        }
    }
}

impl<'a> ArmResource<'a> {
    /// Where the resource's settings are: `properties` in the ARM shape, the
    /// resource itself in the az CLI's flattened shape.
    pub fn props(&self) -> Node<'a> {
        match self.node.get("properties") {
            Some(props) if props.value().is_object() => props,
            _ => self.node.clone(),
        }
    }

    /// The resource ID, if stated literally.
    pub fn id(&self) -> Option<&'a str> {
        self.node
            .get("id")
            .and_then(|n| n.as_str())
            .filter(|s| !super::node::is_expression(s))
    }

    /// The resource name as written (possibly an expression in a template).
    pub fn name(&self) -> Option<&'a str> {
        self.node.get("name").and_then(|n| n.as_str())
    }

    /// A label for the resource in reasons and evidence: its ID, else its
    /// name, else its JSON pointer.
    pub fn label(&self) -> String {
        self.id()
            .or_else(|| self.name())
            .map(str::to_owned)
            .unwrap_or_else(|| format!("resource at {}", self.node.pointer()))
    }

    /// True if the resource is of `resource_type` (case-insensitive).
    pub fn is(&self, resource_type: &str) -> bool {
        self.resource_type.eq_ignore_ascii_case(resource_type)
    }

    /// The `apiVersion` a template states for the resource, if literal.
    pub fn api_version(&self) -> Option<&'a str> {
        self.node
            .get("apiVersion")
            .and_then(|n| n.as_str())
            .filter(|s| !super::node::is_expression(s))
    }
}

/// The resources of an ARM-shaped document and how they were laid out, or
/// `None` if the document does not look like Azure resources at all.
pub fn resources(root: &Value) -> Option<(ArmShape, Vec<ArmResource<'_>>)> {
    let node = Node::root(root);
    if is_template(&node) {
        let mut out = Vec::new();
        if let Some(list) = node.get("resources") {
            collect_template_resources(&list, None, &Deployed::Always, &mut out);
        }
        return Some((ArmShape::Template, out));
    }
    if let Some(data) = wrapped(&node) {
        return resource(&data, false).map(|r| (ArmShape::Wrapped, vec![r]));
    }
    match root {
        Value::Array(_) => {
            let found: Vec<_> = node.items().filter_map(|n| resource(&n, false)).collect();
            (!found.is_empty()).then_some((ArmShape::Array, found))
        }
        Value::Object(_) => {
            if let Some(list) = node.get("value").filter(|v| v.value().is_array()) {
                let found: Vec<_> = list.items().filter_map(|n| resource(&n, false)).collect();
                let empty_list = list.value().as_array().is_some_and(Vec::is_empty);
                return (!found.is_empty() || empty_list).then_some((ArmShape::RestList, found));
            }
            resource(&node, false).map(|r| (ArmShape::Single, vec![r]))
        }
        _ => None,
    }
}

fn is_template(node: &Node<'_>) -> bool {
    let schema_says = node
        .get("$schema")
        .and_then(|s| s.as_str())
        .is_some_and(|s| s.to_ascii_lowercase().contains("deploymenttemplate"));
    let looks_like = node.get("contentVersion").is_some()
        && node
            .get("resources")
            .is_some_and(|r| r.value().is_array() || r.value().is_object());
    schema_says || looks_like
}

/// True if `root` is an ARM template (its `$schema` says so, or it has a
/// `contentVersion` and `resources`).
pub fn is_template_value(root: &Value) -> bool {
    is_template(&Node::root(root))
}

fn wrapped<'a>(node: &Node<'a>) -> Option<Node<'a>> {
    let kind = node.get("kind")?.as_str()?;
    if !kind.eq_ignore_ascii_case("ClusterDescribe") {
        return None;
    }
    node.get("data").filter(|d| d.value().is_object())
}

/// A resource object: it has a literal `type` with a provider namespace, or an
/// ID from which the type can be read.
fn resource<'a>(node: &Node<'a>, in_template: bool) -> Option<ArmResource<'a>> {
    if !node.value().is_object() {
        return None;
    }
    let declared = node
        .get("type")
        .and_then(|t| t.as_str())
        .filter(|t| t.contains('/') && !super::node::is_expression(t));
    let resource_type = match declared {
        Some(t) => t.to_ascii_lowercase(),
        None => type_from_id(node.get("id")?.as_str()?)?,
    };
    Some(ArmResource {
        resource_type,
        node: node.clone(),
        in_template,
        parent: None,
        deployed: Deployed::Always,
    })
}

/// The resource type named by an ARM resource ID, e.g.
/// `/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets/a`
/// gives `microsoft.network/virtualnetworks/subnets`.
pub fn type_from_id(id: &str) -> Option<String> {
    let lower = id.to_ascii_lowercase();
    let start = lower.rfind("/providers/")? + "/providers/".len();
    let mut segments = lower[start..].split('/').filter(|s| !s.is_empty());
    let namespace = segments.next()?;
    let rest: Vec<&str> = segments.collect();
    if rest.is_empty() {
        return None;
    }
    let types: Vec<&str> = rest.iter().step_by(2).copied().collect();
    Some(format!("{namespace}/{}", types.join("/")))
}

fn collect_template_resources<'a>(
    list: &Node<'a>,
    parent: Option<(&str, &Node<'a>)>,
    outer: &Deployed,
    out: &mut Vec<ArmResource<'a>>,
) {
    // A language-version-2 template keys its resources by symbolic name.
    let items: Vec<Node<'a>> = if list.value().is_object() {
        list.entries().map(|(_, item)| item).collect()
    } else {
        list.items().collect()
    };
    for item in items {
        let Some(declared) = item.get("type").and_then(|t| t.as_str()) else {
            continue;
        };
        if super::node::is_expression(declared) {
            continue;
        }
        let resource_type = child_type(parent.map(|(t, _)| t), declared);
        let deployed = Deployed::of(&item, outer);
        if resource_type == "microsoft.resources/deployments"
            && let Some(nested) = item.path("properties.template.resources")
        {
            collect_template_resources(&nested, None, &deployed, out);
        }
        if let Some(children) = item.get("resources") {
            collect_template_resources(&children, Some((&resource_type, &item)), &deployed, out);
        }
        out.push(ArmResource {
            resource_type,
            parent: parent.map(|(_, node)| node.clone()),
            node: item,
            in_template: true,
            deployed,
        });
    }
}

/// The full type of a template resource declared as `declared` inside a
/// parent of type `parent_type`: a short child type (`subnets`) or an
/// extension resource (`providers/diagnosticSettings`, with or without a
/// leading slash) is appended to the parent's type.
fn child_type(parent_type: Option<&str>, declared: &str) -> String {
    let trimmed = declared.trim_start_matches('/');
    match parent_type {
        Some(parent) if !declared.contains('/') => format!("{parent}/{declared}"),
        Some(parent) if trimmed.to_ascii_lowercase().starts_with("providers/") => {
            format!("{parent}/{trimmed}")
        }
        _ => declared.to_owned(),
    }
    .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_type_from_id() {
        assert_eq!(
            type_from_id("/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets/a").as_deref(),
            Some("microsoft.network/virtualnetworks/subnets")
        );
        assert_eq!(type_from_id("/subscriptions/s"), None);
    }

    #[test]
    fn splits_rest_lists_arrays_and_single_resources() {
        let list = json!({"value": [{"type": "Microsoft.Network/networkSecurityGroups", "id": "/x"}, {"type": "Microsoft.KeyVault/vaults"}]});
        let (shape, found) = resources(&list).unwrap();
        assert_eq!(shape, ArmShape::RestList);
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].node.pointer(), "/value/1");
        let array = json!([{"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/routeTables/rt", "routes": []}]);
        let (shape, found) = resources(&array).unwrap();
        assert_eq!(shape, ArmShape::Array);
        assert!(found[0].is("Microsoft.Network/routeTables"));
        assert_eq!(found[0].props().pointer(), "/0");
        assert!(resources(&json!({"foo": 1})).is_none());
    }

    #[test]
    fn walks_template_children_and_nested_deployments() {
        let template = json!({
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0",
            "resources": [
                {"type": "Microsoft.Network/firewallPolicies", "name": "[variables('p')]",
                 "resources": [{"type": "ruleCollectionGroups", "name": "rcg"}]},
                {"type": "Microsoft.Resources/deployments", "properties": {"template": {"resources": [
                    {"type": "Microsoft.KeyVault/vaults", "properties": {"enablePurgeProtection": true}}
                ]}}}
            ]
        });
        let (shape, found) = resources(&template).unwrap();
        assert_eq!(shape, ArmShape::Template);
        let types: Vec<&str> = found.iter().map(|r| r.resource_type.as_str()).collect();
        assert!(types.contains(&"microsoft.network/firewallpolicies/rulecollectiongroups"));
        assert!(types.contains(&"microsoft.keyvault/vaults"));
        assert!(found.iter().all(|r| r.in_template));
    }

    #[test]
    fn conditions_are_read_and_inherited() {
        let template = json!({
            "contentVersion": "1.0.0.0",
            "resources": [
                {"type": "Microsoft.Security/pricings", "name": "Containers", "condition": "[parameters('on')]"},
                {"type": "Microsoft.Network/networkSecurityGroups", "name": "a", "condition": false,
                 "resources": [{"type": "Microsoft.Network/networkSecurityGroups/securityRules", "name": "r"}]},
                {"type": "Microsoft.Resources/deployments", "condition": "[parameters('d')]",
                 "properties": {"template": {"resources": [
                    {"type": "Microsoft.KeyVault/vaults", "condition": "[parameters('kv')]"},
                    {"type": "Microsoft.ContainerRegistry/registries", "condition": true}
                 ]}}},
                {"type": "Microsoft.KeyVault/vaults", "condition": "true"}
            ]
        });
        let (_, found) = resources(&template).unwrap();
        let deployed = |t: &str| -> Vec<Deployed> {
            found
                .iter()
                .filter(|r| r.is(t))
                .map(|r| r.deployed.clone())
                .collect()
        };
        assert_eq!(
            deployed("Microsoft.Security/pricings"),
            vec![Deployed::If("[parameters('on')]".into())]
        );
        assert_eq!(
            deployed("Microsoft.Network/networkSecurityGroups/securityRules"),
            vec![Deployed::Never("false".into())]
        );
        assert_eq!(
            deployed("Microsoft.KeyVault/vaults"),
            vec![
                Deployed::If("[parameters('d')] and [parameters('kv')]".into()),
                Deployed::Always
            ]
        );
        assert_eq!(
            deployed("Microsoft.ContainerRegistry/registries"),
            vec![Deployed::If("[parameters('d')]".into())]
        );
    }

    #[test]
    fn extension_children_keep_their_parent() {
        let template = json!({
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0",
            "resources": [
                {"type": "Microsoft.ContainerService/managedClusters", "name": "aks-1",
                 "resources": [
                    {"type": "/providers/diagnosticSettings", "name": "Microsoft.Insights/default"},
                    {"type": "providers/roleAssignments", "name": "r"}
                 ]}
            ]
        });
        let (_, found) = resources(&template).unwrap();
        let diagnostic = found
            .iter()
            .find(|r| r.resource_type.ends_with("/diagnosticsettings"))
            .unwrap();
        assert_eq!(
            diagnostic.resource_type,
            "microsoft.containerservice/managedclusters/providers/diagnosticsettings"
        );
        assert_eq!(
            diagnostic.parent.as_ref().unwrap().pointer(),
            "/resources/0"
        );
        let cluster = found
            .iter()
            .find(|r| r.is("Microsoft.ContainerService/managedClusters"))
            .unwrap();
        assert!(cluster.parent.is_none());
    }
}
