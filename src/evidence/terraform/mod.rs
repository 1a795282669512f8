//! `terraform show -json` output (format version 1.x) of a state or a saved
//! plan: the `azurerm` resources the checks read become the same typed
//! evidence as the az CLI exports, with pointers into the Terraform JSON.
//!
//! A state's resources are `values.root_module.resources[]` (and those of
//! its `child_modules`); a plan's are `resource_changes[]`, read from
//! `change.after` with `after_unknown` and `after_sensitive` beside it (a
//! resource the plan deletes is not judged). Values Terraform marks unknown
//! or sensitive are [`Field::Withheld`]. Resources refer to each other by
//! ID; where a plan does not know an ID yet, the reference recorded in its
//! `configuration` names the resource, and an ID is written for it from its
//! known type, resource group and name, with `(known after apply)` for the
//! subscription, so that both ends of a reference still meet.

mod aks;
mod gateway;
mod network;
mod platform;
mod values;

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::azure::{AzureEvidence, ResourceInfo};
use super::node::Node;
use super::{Field, Format, ImportContext, ImportError, ImportErrorKind, Recognised};
use values::Tf;

/// A resource of the output, with its values and masks.
struct Resource<'a> {
    /// `azurerm_subnet.system`, `module.net.azurerm_subnet.system[0]`.
    pub address: String,
    /// `azurerm_subnet`.
    pub kind: String,
    /// Its values.
    pub values: Tf<'a>,
}

/// Every resource of one output, and what the plan's configuration says
/// they refer to.
struct Estate<'a> {
    ctx: ImportContext<'a>,
    pub resources: Vec<Resource<'a>>,
    /// Full address → the configuration's `expressions` for it.
    expressions: HashMap<String, (&'a Value, String)>,
}

/// Reads `root` if it is `terraform show -json` output.
pub fn read(
    ctx: ImportContext<'_>,
    root: &Value,
    out: &mut AzureEvidence,
) -> Option<Result<Recognised, ImportError>> {
    let map = root.as_object()?;
    let version = map.get("format_version")?.as_str()?;
    let is_plan = map.contains_key("planned_values") || map.contains_key("resource_changes");
    let is_state = map.contains_key("values") || map.contains_key("terraform_version");
    if !(is_plan || is_state) {
        return None;
    }
    if version.split('.').next() != Some("1") {
        return Some(Err(ctx
            .error(
                ImportErrorKind::Invalid,
                format!(
                    "format_version {version}: Tickmark reads the format of terraform show -json version 1.x"
                ),
            )
            .tried("Terraform JSON")
            .at("/format_version")));
    }
    let mut notes = Vec::new();
    let resources = if is_plan {
        plan_resources(root, &mut notes)
    } else {
        state_resources(root, &mut notes)
    };
    let estate = Estate {
        ctx,
        expressions: configuration(root),
        resources,
    };
    let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
    for resource in &estate.resources {
        if !estate.read_resource(resource, out) {
            *skipped.entry(resource.kind.as_str()).or_default() += 1;
        }
    }
    aks::attach_node_pools(&estate, out);
    network::attach_parts(&estate, out);
    for (kind, count) in skipped {
        notes.push(format!("{count} resource(s) of type {kind} not evaluated"));
    }
    let format = if is_plan {
        Format::TerraformPlan
    } else {
        Format::TerraformState
    };
    let mut recognised = Recognised::new(format).tool(
        "Terraform",
        map.get("terraform_version")
            .and_then(Value::as_str)
            .map(str::to_owned),
    );
    recognised.notes = notes;
    Some(Ok(recognised))
}

impl<'a> Estate<'a> {
    /// Reads one resource into `out`; false for types no check reads (and
    /// for the parts that attach to another resource, read afterwards).
    fn read_resource(&self, r: &Resource<'a>, out: &mut AzureEvidence) -> bool {
        match r.kind.as_str() {
            "azurerm_kubernetes_cluster" => out.clusters.push(aks::cluster(self, r)),
            "azurerm_network_security_group" => out.nsgs.push(network::nsg(self, r)),
            "azurerm_route_table" => out.route_tables.push(network::route_table(self, r)),
            "azurerm_virtual_network" => out.vnets.push(network::vnet(self, r)),
            "azurerm_firewall" => out.firewalls.push(network::firewall(self, r)),
            "azurerm_firewall_policy" => out
                .firewall_policies
                .push(network::firewall_policy(self, r)),
            "azurerm_firewall_policy_rule_collection_group" => out
                .rule_collection_groups
                .push(network::rule_collection_group(self, r)),
            "azurerm_application_gateway" => out.app_gateways.push(gateway::gateway(self, r)),
            "azurerm_web_application_firewall_policy" => {
                out.waf_policies.push(gateway::waf_policy(self, r))
            }
            "azurerm_key_vault" => out.key_vaults.push(platform::key_vault(self, r)),
            "azurerm_container_registry" => out.registries.push(platform::registry(self, r)),
            "azurerm_log_analytics_workspace" => out.workspaces.push(platform::workspace(self, r)),
            "azurerm_monitor_diagnostic_setting" => out
                .diagnostic_settings
                .push(platform::diagnostic_setting(self, r)),
            "azurerm_security_center_subscription_pricing" => {
                out.defender_plans.push(platform::pricing(self, r))
            }
            // Parts of other resources, attached once everything is read.
            "azurerm_kubernetes_cluster_node_pool"
            | "azurerm_network_security_rule"
            | "azurerm_route"
            | "azurerm_subnet"
            | "azurerm_subnet_network_security_group_association"
            | "azurerm_subnet_route_table_association" => {}
            _ => return false,
        }
        true
    }

    /// The identity of a resource as the checks see it.
    pub fn info(&self, r: &Resource<'a>) -> ResourceInfo {
        ResourceInfo {
            id: self.arm_id(r),
            name: r.values.string("name").value().cloned(),
            source: self.ctx.at(r.values.pointer(), Some(r.address.clone())),
            in_template: false,
            deployed_if: None,
            api_version: None,
        }
    }

    /// The resource's ARM ID: its `id`, or where the plan does not know it
    /// yet, one written from its type, resource group and name.
    pub fn arm_id(&self, r: &Resource<'_>) -> Option<String> {
        if let Some(id) = r.values.string("id").value() {
            return Some(id.clone());
        }
        let name = r.values.string("name").value()?.clone();
        let group = |r: &Resource<'_>| r.values.string("resource_group_name").value().cloned();
        let path = match r.kind.as_str() {
            "azurerm_subnet" => format!(
                "Microsoft.Network/virtualNetworks/{}/subnets/{name}",
                r.values.string("virtual_network_name").value()?
            ),
            "azurerm_firewall_policy_rule_collection_group" => {
                let policy = self.reference_id(r, "firewall_policy_id").value()?.clone();
                return Some(format!("{policy}/ruleCollectionGroups/{name}"));
            }
            kind => format!("{}/{name}", arm_type(kind)?),
        };
        Some(format!(
            "/subscriptions/(known after apply)/resourceGroups/{}/providers/{path}",
            group(r)?
        ))
    }

    /// The ID at `path` of `r`: as stated, or, where the plan does not know
    /// it, the ID of the resource the configuration refers to.
    pub fn reference_id(&self, r: &Resource<'a>, path: &str) -> Field<String> {
        let stated = match r.values.string(path) {
            // Terraform writes an unset reference as "": no reference.
            Field::NotSet { .. } => return Field::Missing,
            stated => stated,
        };
        let Field::Withheld { pointer, .. } = &stated else {
            return stated;
        };
        match self
            .referenced(r, path)
            .and_then(|target| self.arm_id(target))
        {
            Some(id) => Field::known(id, pointer.clone()),
            None => stated,
        }
    }

    /// The resource the configuration says `r`'s `path` refers to.
    pub fn referenced(&self, r: &Resource<'a>, path: &str) -> Option<&Resource<'a>> {
        let (expressions, module) = self.expressions.get(&config_address(&r.address))?;
        let mut at = *expressions;
        for key in path.split('.') {
            at = match key.parse::<usize>() {
                Ok(i) => at.get(i)?,
                Err(_) => at.get(key)?,
            };
        }
        let references = at.get("references")?.as_array()?;
        references
            .iter()
            .filter_map(Value::as_str)
            .find_map(|reference| self.resource_named(&format!("{module}{reference}")))
    }

    /// The resource an address names, with or without a trailing attribute.
    fn resource_named(&self, reference: &str) -> Option<&Resource<'a>> {
        let mut candidate = reference;
        loop {
            if let Some(found) = self.resources.iter().find(|r| r.address == candidate) {
                return Some(found);
            }
            candidate = &candidate[..candidate.rfind('.')?];
        }
    }

    /// The resources of one type.
    pub fn of_kind<'s>(&'s self, kind: &'s str) -> impl Iterator<Item = &'s Resource<'a>> {
        self.resources.iter().filter(move |r| r.kind == kind)
    }

    /// True if `r`'s reference at `path` names `target` (by ID, or by the
    /// plan's configuration).
    pub fn refers_to(&self, r: &Resource<'a>, path: &str, target: &Resource<'a>) -> bool {
        match (self.reference_id(r, path).value(), self.arm_id(target)) {
            (Some(id), Some(target_id)) => id.eq_ignore_ascii_case(&target_id),
            _ => false,
        }
    }

    /// True if `r` names `target` by its name and resource group (the older
    /// way azurerm's part resources point at their parent).
    pub fn names(&self, r: &Resource<'a>, name_attr: &str, target: &Resource<'a>) -> bool {
        let same = |a: Field<String>, b: Field<String>| matches!((a.value(), b.value()), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b));
        same(r.values.string(name_attr), target.values.string("name"))
            && same(
                r.values.string("resource_group_name"),
                target.values.string("resource_group_name"),
            )
            || self
                .referenced(r, name_attr)
                .is_some_and(|t| std::ptr::eq(t, target))
    }
}

/// The ARM type a Terraform resource type stands for.
fn arm_type(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "azurerm_kubernetes_cluster" => "Microsoft.ContainerService/managedClusters",
        "azurerm_network_security_group" => "Microsoft.Network/networkSecurityGroups",
        "azurerm_route_table" => "Microsoft.Network/routeTables",
        "azurerm_virtual_network" => "Microsoft.Network/virtualNetworks",
        "azurerm_firewall" => "Microsoft.Network/azureFirewalls",
        "azurerm_firewall_policy" => "Microsoft.Network/firewallPolicies",
        "azurerm_application_gateway" => "Microsoft.Network/applicationGateways",
        "azurerm_web_application_firewall_policy" => {
            "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies"
        }
        "azurerm_key_vault" => "Microsoft.KeyVault/vaults",
        "azurerm_container_registry" => "Microsoft.ContainerRegistry/registries",
        "azurerm_log_analytics_workspace" => "Microsoft.OperationalInsights/workspaces",
        _ => return None,
    })
}

/// A resource address as the configuration writes it: without instance
/// keys (`azurerm_subnet.x[0]` is configured as `azurerm_subnet.x`).
fn config_address(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0;
    for c in address.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The managed resources of a state, root module and child modules.
fn state_resources<'a>(root: &'a Value, notes: &mut Vec<String>) -> Vec<Resource<'a>> {
    let mut out = Vec::new();
    let mut data = 0;
    if let Some(module) = Node::root(root).path("values.root_module") {
        collect_module(&module, &mut out, &mut data);
    }
    if data > 0 {
        notes.push(format!(
            "{data} data source(s) read by Terraform, not judged"
        ));
    }
    out
}

fn collect_module<'a>(module: &Node<'a>, out: &mut Vec<Resource<'a>>, data: &mut usize) {
    for resource in module.get("resources").iter().flat_map(|r| r.items()) {
        if resource.get("mode").and_then(|m| m.as_str()) != Some("managed") {
            *data += 1;
            continue;
        }
        let (Some(address), Some(kind), Some(values)) = (
            resource.get("address").and_then(|a| a.as_str()),
            resource.get("type").and_then(|t| t.as_str()),
            resource.get("values"),
        ) else {
            continue;
        };
        let sensitive = resource.get("sensitive_values").map(|s| s.value());
        out.push(Resource {
            address: address.to_owned(),
            kind: kind.to_owned(),
            values: Tf::new(values, None, sensitive),
        });
    }
    for child in module.get("child_modules").iter().flat_map(|c| c.items()) {
        collect_module(&child, out, data);
    }
}

/// The managed resources a plan leaves in place or creates, as they will be.
fn plan_resources<'a>(root: &'a Value, notes: &mut Vec<String>) -> Vec<Resource<'a>> {
    let mut out = Vec::new();
    let (mut deleted, mut data) = (0, 0);
    let changes = Node::root(root).get("resource_changes");
    for change in changes.iter().flat_map(|c| c.items()) {
        if change.get("mode").and_then(|m| m.as_str()) != Some("managed") {
            data += 1;
            continue;
        }
        let (Some(address), Some(kind), Some(after)) = (
            change.get("address").and_then(|a| a.as_str()),
            change.get("type").and_then(|t| t.as_str()),
            change.path("change.after"),
        ) else {
            continue;
        };
        if after.value().is_null() {
            deleted += 1;
            continue;
        }
        out.push(Resource {
            address: address.to_owned(),
            kind: kind.to_owned(),
            values: Tf::new(
                after,
                change.path("change.after_unknown").map(|n| n.value()),
                change.path("change.after_sensitive").map(|n| n.value()),
            ),
        });
    }
    if deleted > 0 {
        notes.push(format!(
            "{deleted} resource(s) the plan deletes, not judged"
        ));
    }
    if data > 0 {
        notes.push(format!(
            "{data} data source(s) read by Terraform, not judged"
        ));
    }
    out
}

/// The configuration's `expressions` of every resource, by full address,
/// with the module prefix its references are relative to.
fn configuration(root: &Value) -> HashMap<String, (&Value, String)> {
    let mut out = HashMap::new();
    if let Some(module) = root.get("configuration").and_then(|c| c.get("root_module")) {
        collect_expressions(module, "", &mut out);
    }
    out
}

fn collect_expressions<'a>(
    module: &'a Value,
    prefix: &str,
    out: &mut HashMap<String, (&'a Value, String)>,
) {
    for resource in module
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let (Some(address), Some(expressions)) = (
            resource.get("address").and_then(Value::as_str),
            resource.get("expressions"),
        ) {
            out.insert(
                format!("{prefix}{address}"),
                (expressions, prefix.to_owned()),
            );
        }
    }
    for (name, call) in module
        .get("module_calls")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(child) = call.get("module") {
            collect_expressions(child, &format!("{prefix}module.{name}."), out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_addresses_drop_instance_keys() {
        assert_eq!(
            config_address("module.a.azurerm_subnet.x[0]"),
            "module.a.azurerm_subnet.x"
        );
        assert_eq!(
            config_address("azurerm_subnet.x[\"a.b\"]"),
            "azurerm_subnet.x"
        );
    }
}
