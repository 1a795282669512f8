//! Azure resources in the az CLI's flattened shape and the ARM shape (REST
//! bodies, `az resource list`, templates), one file per resource family.
//!
//! Keys are matched case-insensitively; values that a template leaves as
//! `[expressions]` are [`Field::Unresolved`], never guessed.

use serde::{Deserialize, Serialize};

use super::arm::ArmResource;
use super::{EvidenceRef, Field, Format, ImportContext, ImportError};

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
}

impl ResourceInfo {
    /// Reads the identity of `resource` in the file of `ctx`.
    pub fn of(ctx: ImportContext<'_>, resource: &ArmResource<'_>) -> Self {
        ResourceInfo {
            id: resource.id().map(str::to_owned),
            name: resource.name().map(str::to_owned),
            source: ctx.at(resource.node.pointer(), Some(resource.label())),
            in_template: resource.in_template,
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

/// An AKS managed cluster (`Microsoft.ContainerService/managedClusters`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AksCluster {
    /// Identity and location in the file.
    pub info: ResourceInfo,
    /// `kubernetesVersion`.
    pub kubernetes_version: Field<String>,
    /// `apiServerAccessProfile.enablePrivateCluster`.
    pub private_cluster: Field<bool>,
    /// `apiServerAccessProfile.enablePrivateClusterPublicFQDN`.
    pub private_cluster_public_fqdn: Field<bool>,
    /// `apiServerAccessProfile.privateDNSZone`.
    pub private_dns_zone: Field<String>,
    /// `agentPoolProfiles` (a template may leave the whole list unresolved).
    pub agent_pools: Field<Vec<AgentPool>>,
    /// `networkProfile.networkPlugin`.
    pub network_plugin: Field<String>,
    /// `networkProfile.networkPolicy`.
    pub network_policy: Field<String>,
    /// `networkProfile.outboundType`.
    pub outbound_type: Field<String>,
    /// `aadProfile.managed`.
    pub aad_managed: Field<bool>,
    /// `aadProfile.enableAzureRBAC`.
    pub azure_rbac: Field<bool>,
    /// `disableLocalAccounts`.
    pub disable_local_accounts: Field<bool>,
    /// `enableRBAC`.
    pub enable_rbac: Field<bool>,
    /// `addonProfiles.<name>.enabled`, by lower-case add-on name.
    pub addons: Field<Vec<Addon>>,
    /// `azureMonitorProfile.metrics.enabled` (or container insights enabled).
    pub azure_monitor: Field<bool>,
    /// `securityProfile.defender.securityMonitoring.enabled`, or the older
    /// `securityProfile.azureDefender.enabled`.
    pub defender: Field<bool>,
    /// `diskEncryptionSetID`.
    pub disk_encryption_set_id: Field<String>,
    /// `identity.type`.
    pub identity_type: Field<String>,
    /// `autoUpgradeProfile.upgradeChannel`.
    pub upgrade_channel: Field<String>,
    /// `autoUpgradeProfile.nodeOSUpgradeChannel`.
    pub node_os_upgrade_channel: Field<String>,
}

/// One add-on of a cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Addon {
    /// The add-on name in lower case (`azurepolicy`, `omsagent`, ...).
    pub name: String,
    /// Its `enabled` flag.
    pub enabled: Field<bool>,
}

/// One node pool of a cluster (`agentPoolProfiles[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentPool {
    /// The pool's name (or its position when the name is not literal).
    pub name: String,
    /// Where the pool is in the file.
    pub pointer: String,
    /// `mode`: System or User.
    pub mode: Field<String>,
    /// `vnetSubnetID`.
    pub subnet_id: Field<String>,
    /// `enableNodePublicIP`.
    pub node_public_ip: Field<bool>,
    /// `enableEncryptionAtHost`.
    pub encryption_at_host: Field<bool>,
    /// `osDiskType`.
    pub os_disk_type: Field<String>,
    /// `nodeTaints`.
    pub taints: Field<Vec<String>>,
}

/// An Application Gateway (`Microsoft.Network/applicationGateways`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationGateway {
    /// Identity and location in the file.
    pub info: ResourceInfo,
    /// `gatewayIPConfigurations[].subnet.id`: the subnet(s) it sits in.
    pub gateway_subnet_ids: Vec<Field<String>>,
}

/// A virtual network (`Microsoft.Network/virtualNetworks`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VirtualNetwork {
    /// Identity and location in the file.
    pub info: ResourceInfo,
    /// `subnets[]`.
    pub subnets: Vec<Subnet>,
    /// `enableDdosProtection`.
    pub ddos_protection: Field<bool>,
    /// `ddosProtectionPlan.id`.
    pub ddos_protection_plan: Field<String>,
}

/// A subnet of a virtual network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subnet {
    /// The subnet's ID (or, in a template, the VNet's label plus its name).
    pub id: Field<String>,
    /// The subnet's name.
    pub name: Field<String>,
    /// Where the subnet is in the file.
    pub pointer: String,
    /// `networkSecurityGroup.id`.
    pub nsg_id: Field<String>,
    /// `routeTable.id`.
    pub route_table_id: Field<String>,
}

/// Typed Azure resources.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AzureEvidence {
    /// AKS clusters.
    pub clusters: Vec<AksCluster>,
    /// Application Gateways.
    pub app_gateways: Vec<ApplicationGateway>,
    /// Virtual networks.
    pub vnets: Vec<VirtualNetwork>,
}

impl AzureEvidence {
    /// Moves everything of `other` into `self`.
    pub fn extend(&mut self, other: AzureEvidence) {
        self.clusters.extend(other.clusters);
        self.app_gateways.extend(other.app_gateways);
        self.vnets.extend(other.vnets);
    }
}

/// Reads one Azure resource if it is of a type Tickmark evaluates; returns the
/// format it counts as, or `None` for other types.
pub fn read_resource(
    _ctx: ImportContext<'_>,
    _resource: &ArmResource<'_>,
    _out: &mut AzureEvidence,
) -> Result<Option<Format>, ImportError> {
    Ok(None)
}
