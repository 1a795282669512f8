//! AKS managed clusters: `az aks show` / `az aks list` and the ARM shape.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ResourceInfo;
use crate::evidence::arm::ArmResource;
use crate::evidence::node::Node;
use crate::evidence::{Field, ImportContext, ImportError};

/// An AKS managed cluster (`Microsoft.ContainerService/managedClusters`).
///
/// A setting the export states as `null` is [`Field::NotSet`]; whether that
/// means "not configured" depends on the shape, which `info.in_template`
/// tells: see [`AksCluster::is_live_state`].
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
    /// `azureMonitorProfile.metrics.enabled` (managed Prometheus metrics).
    pub azure_monitor: Field<bool>,
    /// `azureMonitorProfile.containerInsights.enabled` (container logs through
    /// the Azure Monitor profile rather than the omsagent add-on).
    pub container_insights: Field<bool>,
    /// `securityProfile.defender.securityMonitoring.enabled`, or the older
    /// `securityProfile.azureDefender.enabled`.
    pub defender: Field<bool>,
    /// `diskEncryptionSetID`.
    pub disk_encryption_set_id: Field<String>,
    /// `identity.type`.
    pub identity_type: Field<String>,
    /// `servicePrincipalProfile.clientId`: `msi` for a managed identity, an
    /// application ID for a cluster that runs as a service principal.
    pub service_principal_client_id: Field<String>,
    /// `autoUpgradeProfile.upgradeChannel`.
    pub upgrade_channel: Field<String>,
    /// `autoUpgradeProfile.nodeOSUpgradeChannel`.
    pub node_os_upgrade_channel: Field<String>,
}

impl AksCluster {
    /// True if the export shows the cluster as it runs (az CLI, ARM GET or
    /// list): there, `null` means the setting was never configured and Azure
    /// applies its default. A template's `null` or absent key decides nothing.
    pub fn is_live_state(&self) -> bool {
        !self.info.in_template
    }

    /// The add-on `name` (case-insensitive), if the cluster's `addonProfiles`
    /// list it.
    pub fn addon(&self, name: &str) -> Option<&Addon> {
        self.addons
            .value()?
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

/// One add-on of a cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Addon {
    /// The add-on name in lower case (`azurepolicy`, `omsagent`, ...).
    pub name: String,
    /// Where the add-on's profile is in the file.
    pub pointer: String,
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
    /// `nodeLabels`: the Kubernetes labels every node of the pool carries.
    #[serde(default)]
    pub node_labels: Field<BTreeMap<String, String>>,
}

impl AgentPool {
    /// The value of node label `key` on this pool, if the evidence states it.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.node_labels.value()?.get(key).map(String::as_str)
    }
}

/// Reads an AKS cluster into `out`.
pub(super) fn read(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<AksCluster>,
) -> Result<(), ImportError> {
    let props = resource.props();
    let access = "apiServerAccessProfile";
    out.push(AksCluster {
        info: ResourceInfo::of(ctx, resource),
        kubernetes_version: props.string_field("kubernetesVersion"),
        private_cluster: props.bool_field(&format!("{access}.enablePrivateCluster")),
        private_cluster_public_fqdn: props
            .bool_field(&format!("{access}.enablePrivateClusterPublicFQDN")),
        private_dns_zone: props.string_field(&format!("{access}.privateDNSZone")),
        agent_pools: props.field("agentPoolProfiles", |list| {
            list.value()
                .is_array()
                .then(|| list.items().map(|pool| read_pool(&pool)).collect())
        }),
        network_plugin: props.string_field("networkProfile.networkPlugin"),
        network_policy: props.string_field("networkProfile.networkPolicy"),
        outbound_type: props.string_field("networkProfile.outboundType"),
        aad_managed: props.bool_field("aadProfile.managed"),
        azure_rbac: props.bool_field("aadProfile.enableAzureRBAC"),
        disable_local_accounts: props.bool_field("disableLocalAccounts"),
        enable_rbac: props.bool_field("enableRBAC"),
        addons: props.field("addonProfiles", |map| {
            map.value().is_object().then(|| {
                map.entries()
                    .map(|(name, profile)| Addon {
                        name: name.to_ascii_lowercase(),
                        pointer: profile.pointer().to_owned(),
                        enabled: addon_enabled(&profile),
                    })
                    .collect()
            })
        }),
        azure_monitor: props.bool_field("azureMonitorProfile.metrics.enabled"),
        container_insights: props.bool_field("azureMonitorProfile.containerInsights.enabled"),
        defender: defender(&props),
        disk_encryption_set_id: props.string_field("diskEncryptionSetID"),
        identity_type: resource.node.string_field("identity.type"),
        service_principal_client_id: props.string_field("servicePrincipalProfile.clientId"),
        upgrade_channel: props.string_field("autoUpgradeProfile.upgradeChannel"),
        node_os_upgrade_channel: props.string_field("autoUpgradeProfile.nodeOSUpgradeChannel"),
    });
    Ok(())
}

/// An add-on's `enabled` flag; an add-on whose whole profile is `null` is
/// not set either.
fn addon_enabled(profile: &Node<'_>) -> Field<bool> {
    if profile.value().is_null() {
        return Field::NotSet {
            pointer: profile.pointer().to_owned(),
        };
    }
    profile.bool_field("enabled")
}

/// The Defender profile: `securityProfile.defender.securityMonitoring.enabled`,
/// or where a cluster (or template) predates it, `securityProfile.azureDefender.enabled`.
/// A `null` Defender profile stands unless the older one states a value.
fn defender(props: &Node<'_>) -> Field<bool> {
    let current = props.bool_field("securityProfile.defender.securityMonitoring.enabled");
    match current {
        Field::Missing => props.bool_field("securityProfile.azureDefender.enabled"),
        Field::NotSet { .. } => match props.bool_field("securityProfile.azureDefender.enabled") {
            Field::Missing | Field::NotSet { .. } => current,
            older => older,
        },
        found => found,
    }
}

fn read_pool(pool: &Node<'_>) -> AgentPool {
    let name = pool
        .get("name")
        .and_then(|n| {
            n.as_str()
                .filter(|s| !crate::evidence::node::is_expression(s))
        })
        .map(str::to_owned)
        .unwrap_or_else(|| format!("pool at {}", pool.pointer()));
    AgentPool {
        name,
        pointer: pool.pointer().to_owned(),
        mode: pool.string_field("mode"),
        subnet_id: pool.string_field("vnetSubnetID"),
        node_public_ip: pool.bool_field("enableNodePublicIP"),
        encryption_at_host: pool.bool_field("enableEncryptionAtHost"),
        os_disk_type: pool.string_field("osDiskType"),
        taints: pool.string_list_field("nodeTaints"),
        node_labels: pool.field("nodeLabels", |labels| {
            labels.value().as_object().map(|map| {
                map.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect()
            })
        }),
    }
}
