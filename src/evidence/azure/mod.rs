//! Azure resources in the az CLI's flattened shape and the ARM shape (REST
//! bodies, `az resource list`, templates), one file per resource family.
//!
//! Keys are matched case-insensitively; values that a template leaves as
//! `[expressions]` are [`Field::Unresolved`], never guessed.

use serde::{Deserialize, Serialize};

mod aks;
mod app_gateway;
mod defender_plans;
mod diagnostics;
mod firewall;
mod key_vault;
mod log_analytics;
mod nsg;
mod private_endpoints;
mod registry;
pub(crate) mod resource_reference;
mod route_table;
mod sub_resources;
mod vnet;

use super::arm::{ArmResource, Deployed};
use super::{EvidenceRef, Field, Format, ImportContext, ImportError};

pub use aks::{Addon, AgentPool, AksCluster};
pub use app_gateway::{
    ApplicationGateway, Listener, ManagedRuleSet, PathRule, RedirectConfiguration, RoutingRule,
    SslPolicy, SslProfile, UrlPathMap, WafConfiguration, WafPolicy,
};
pub use defender_plans::DefenderPlan;
pub use diagnostics::{DiagnosticLog, DiagnosticSetting};
pub use firewall::{
    AppProtocol, CollectionKind, Firewall, FirewallPolicy, FirewallRule, RuleCollection,
    RuleCollectionGroup, RuleKind,
};
pub use key_vault::KeyVault;
pub use log_analytics::LogAnalyticsWorkspace;
pub use nsg::{Nsg, SecurityRule};
pub use private_endpoints::{PrivateEndpoint, PrivateEndpointConnection, PrivateLinkConnection};
pub use registry::ContainerRegistry;
pub use resource_reference::{NameRef, ResourceReference};
pub use route_table::{Route, RouteTable};
pub use vnet::{Subnet, VirtualNetwork, vnet_of_subnet};

/// What every Azure resource carries: its identity and where it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceInfo {
    /// The ARM resource ID, if stated literally.
    pub id: Option<String>,
    /// The name as written (may be a template expression).
    pub name: Option<String>,
    /// The whole resource in its file.
    pub source: EvidenceRef,
    /// True if it came from an ARM template (values may be unresolved).
    pub in_template: bool,
    /// In a template: the `condition` the deployment of this resource hangs
    /// on (its own, or its parent's), when it is not literally true. Such a
    /// resource may never exist, so checks do not judge it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployed_if: Option<String>,
    /// The `apiVersion` a template deploys it with, if literal (Azure's
    /// defaults for absent properties are per API version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
}

impl ResourceInfo {
    /// Reads the identity of `resource` in the file of `ctx`.
    pub fn of(ctx: ImportContext<'_>, resource: &ArmResource<'_>) -> Self {
        ResourceInfo {
            id: resource.id().map(str::to_owned),
            name: resource.name().map(str::to_owned),
            source: ctx.at(resource.node.pointer(), Some(resource.label())),
            in_template: resource.in_template,
            deployed_if: match &resource.deployed {
                Deployed::If(condition) => Some(condition.clone()),
                _ => None,
            },
            api_version: resource
                .in_template
                .then(|| resource.api_version().map(str::to_owned))
                .flatten(),
        }
    }

    /// The label shown in reasons: the ID, else the name, else the pointer.
    pub fn label(&self) -> String {
        self.id
            .clone()
            .or_else(|| self.name.clone())
            .unwrap_or_else(|| format!("{} {}", self.source.path, self.source.pointer))
    }

    /// Evidence pointing at one field of this resource (its own pointer when
    /// the field is not there).
    pub fn at_field<T>(&self, field: &Field<T>) -> EvidenceRef {
        EvidenceRef {
            path: self.source.path.clone(),
            pointer: field.pointer().unwrap_or(&self.source.pointer).to_owned(),
            resource: self.source.resource.clone(),
        }
    }
}

/// Typed Azure resources.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AzureEvidence {
    /// AKS clusters.
    pub clusters: Vec<AksCluster>,
    /// Network security groups.
    pub nsgs: Vec<Nsg>,
    /// Route tables.
    pub route_tables: Vec<RouteTable>,
    /// Azure Firewalls.
    pub firewalls: Vec<Firewall>,
    /// Firewall policies.
    pub firewall_policies: Vec<FirewallPolicy>,
    /// Firewall policy rule collection groups.
    pub rule_collection_groups: Vec<RuleCollectionGroup>,
    /// Application Gateways.
    pub app_gateways: Vec<ApplicationGateway>,
    /// WAF policies.
    pub waf_policies: Vec<WafPolicy>,
    /// Key Vaults.
    pub key_vaults: Vec<KeyVault>,
    /// Container registries.
    pub registries: Vec<ContainerRegistry>,
    /// Private endpoint resources (Key Vault and ACR connections declared
    /// or exported on their own).
    pub private_endpoints: Vec<PrivateEndpoint>,
    /// Log Analytics workspaces.
    pub workspaces: Vec<LogAnalyticsWorkspace>,
    /// Virtual networks.
    pub vnets: Vec<VirtualNetwork>,
    /// Defender for Cloud plans.
    pub defender_plans: Vec<DefenderPlan>,
    /// Diagnostic settings.
    pub diagnostic_settings: Vec<DiagnosticSetting>,
}

impl AzureEvidence {
    /// Moves everything of `other` into `self`.
    pub fn extend(&mut self, other: AzureEvidence) {
        self.clusters.extend(other.clusters);
        self.nsgs.extend(other.nsgs);
        self.route_tables.extend(other.route_tables);
        self.firewalls.extend(other.firewalls);
        self.firewall_policies.extend(other.firewall_policies);
        self.rule_collection_groups
            .extend(other.rule_collection_groups);
        self.app_gateways.extend(other.app_gateways);
        self.waf_policies.extend(other.waf_policies);
        self.key_vaults.extend(other.key_vaults);
        self.registries.extend(other.registries);
        self.private_endpoints.extend(other.private_endpoints);
        self.workspaces.extend(other.workspaces);
        self.vnets.extend(other.vnets);
        self.defender_plans.extend(other.defender_plans);
        self.diagnostic_settings.extend(other.diagnostic_settings);
    }
}

/// Reads one Azure resource if it is of a type Tickmark evaluates; returns the
/// format it counts as, or `None` for other types.
pub fn read_resource(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut AzureEvidence,
) -> Result<Option<Format>, ImportError> {
    let t = resource.resource_type.as_str();
    let format = match t {
        "microsoft.containerservice/managedclusters" => {
            aks::read(ctx, resource, &mut out.clusters)?;
            Format::AzureAks
        }
        "microsoft.network/networksecuritygroups" => {
            nsg::read(ctx, resource, &mut out.nsgs)?;
            Format::AzureNsg
        }
        "microsoft.network/routetables" => {
            route_table::read(ctx, resource, &mut out.route_tables)?;
            Format::AzureRouteTable
        }
        "microsoft.network/azurefirewalls" => {
            firewall::read_firewall(ctx, resource, &mut out.firewalls)?;
            Format::AzureFirewall
        }
        "microsoft.network/firewallpolicies" => {
            firewall::read_policy(ctx, resource, &mut out.firewall_policies)?;
            Format::AzureFirewallPolicy
        }
        "microsoft.network/firewallpolicies/rulecollectiongroups" => {
            firewall::read_rule_collection_group(ctx, resource, &mut out.rule_collection_groups)?;
            Format::AzureFirewallRuleCollectionGroups
        }
        "microsoft.network/applicationgateways" => {
            app_gateway::read_gateway(ctx, resource, &mut out.app_gateways)?;
            Format::AzureApplicationGateway
        }
        "microsoft.network/applicationgatewaywebapplicationfirewallpolicies" => {
            app_gateway::read_waf_policy(ctx, resource, &mut out.waf_policies)?;
            Format::AzureWafPolicy
        }
        "microsoft.keyvault/vaults" => {
            key_vault::read(ctx, resource, &mut out.key_vaults)?;
            Format::AzureKeyVault
        }
        "microsoft.containerregistry/registries" => {
            registry::read(ctx, resource, &mut out.registries)?;
            Format::AzureContainerRegistry
        }
        "microsoft.network/privateendpoints" => {
            private_endpoints::read_endpoint(ctx, resource, &mut out.private_endpoints)?;
            Format::AzurePrivateEndpoint
        }
        "microsoft.operationalinsights/workspaces" => {
            log_analytics::read(ctx, resource, &mut out.workspaces)?;
            Format::AzureLogAnalyticsWorkspace
        }
        "microsoft.network/virtualnetworks" => {
            vnet::read(ctx, resource, &mut out.vnets)?;
            Format::AzureVnet
        }
        "microsoft.security/pricings" => {
            defender_plans::read(ctx, resource, &mut out.defender_plans)?;
            Format::AzureDefenderPricing
        }
        t if t.ends_with("/diagnosticsettings") => {
            diagnostics::read(ctx, resource, &mut out.diagnostic_settings)?;
            Format::AzureDiagnosticSettings
        }
        _ => return Ok(None),
    };
    Ok(Some(format))
}
