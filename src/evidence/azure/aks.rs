//! AKS managed clusters: `az aks show` / `az aks list` and the ARM shape.

use serde::{Deserialize, Serialize};

use super::ResourceInfo;
use crate::evidence::arm::ArmResource;
use crate::evidence::{Field, ImportContext, ImportError};

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

/// Reads an AKS cluster into `out`.
pub(super) fn read(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<AksCluster>,
) -> Result<(), ImportError> {
    let _ = (ctx, resource, out);
    Ok(())
}
