//! `azurerm_kubernetes_cluster` and `azurerm_kubernetes_cluster_node_pool`
//! as [`AksCluster`]s. Attribute names follow azurerm 4.x, with the 3.x
//! names read where they differ.

use super::values::Tf;
use super::{Estate, Resource};
use crate::evidence::Field;
use crate::evidence::azure::{Addon, AgentPool, AksCluster, AzureEvidence};

/// The taint AKS puts on a default pool with `only_critical_addons_enabled`.
const CRITICAL_ADDONS_ONLY: &str = "CriticalAddonsOnly=true:NoSchedule";

pub(super) fn cluster(estate: &Estate<'_>, r: &Resource<'_>) -> AksCluster {
    let v = &r.values;
    let aad = v.block("azure_active_directory_role_based_access_control");
    let network = |name: &str| match v.block("network_profile") {
        Some(profile) => profile.string(name),
        None => not_set(v, "network_profile"),
    };
    AksCluster {
        info: estate.info(r),
        kubernetes_version: v.string("kubernetes_version"),
        private_cluster: v.bool("private_cluster_enabled"),
        private_cluster_public_fqdn: v.bool("private_cluster_public_fqdn_enabled"),
        private_dns_zone: v.string("private_dns_zone_id"),
        agent_pools: match v.block("default_node_pool") {
            Some(pool) => Field::known(
                vec![default_pool(estate, r, &pool)],
                v.get("default_node_pool")
                    .map_or_else(String::new, |p| p.pointer().to_owned()),
            ),
            None => not_set(v, "default_node_pool"),
        },
        network_plugin: network("network_plugin"),
        network_policy: network("network_policy"),
        outbound_type: network("outbound_type"),
        aad_managed: match &aad {
            // azurerm 4.x has only the managed integration; 3.x says `managed`.
            Some(block) => match block.bool("managed") {
                Field::Missing | Field::NotSet { .. } => Field::known(true, block.pointer()),
                found => found,
            },
            None => not_set(v, "azure_active_directory_role_based_access_control"),
        },
        azure_rbac: match &aad {
            Some(block) => block.bool("azure_rbac_enabled"),
            None => not_set(v, "azure_active_directory_role_based_access_control"),
        },
        disable_local_accounts: v.bool("local_account_disabled"),
        enable_rbac: v.bool("role_based_access_control_enabled"),
        addons: addons(v),
        azure_monitor: v.has_block("monitor_metrics"),
        container_insights: not_set(v, "oms_agent"),
        defender: v.has_block("microsoft_defender"),
        disk_encryption_set_id: v.string("disk_encryption_set_id"),
        identity_type: match v.block("identity") {
            Some(identity) => identity.string("type"),
            None => not_set(v, "identity"),
        },
        service_principal_client_id: match v.block("service_principal") {
            Some(sp) => sp.string("client_id"),
            None => not_set(v, "service_principal"),
        },
        upgrade_channel: v.string_either("automatic_upgrade_channel", "automatic_channel_upgrade"),
        node_os_upgrade_channel: v
            .string_either("node_os_upgrade_channel", "node_os_channel_upgrade"),
    }
}

/// A block or attribute the values leave empty: not set, at its pointer.
fn not_set<T>(v: &Tf<'_>, name: &str) -> Field<T> {
    match v.get(name) {
        Some(found) => match found.value() {
            serde_json::Value::Null | serde_json::Value::Array(_) => Field::NotSet {
                pointer: found.pointer().to_owned(),
            },
            _ => Field::Missing,
        },
        None => match v.field(name, |_| None::<()>) {
            Field::Withheld { why, pointer } => Field::Withheld { why, pointer },
            _ => Field::Missing,
        },
    }
}

/// Azure Policy, the monitoring agent and the Key Vault secrets provider,
/// as add-on profiles.
fn addons(v: &Tf<'_>) -> Field<Vec<Addon>> {
    let entry = |name: &str, enabled: Field<bool>, at: &str| Addon {
        name: name.to_owned(),
        pointer: v
            .get(at)
            .map_or_else(|| v.pointer().to_owned(), |a| a.pointer().to_owned()),
        enabled: match enabled {
            Field::NotSet { pointer } => Field::known(false, pointer),
            other => other,
        },
    };
    Field::known(
        vec![
            entry(
                "azurepolicy",
                v.bool("azure_policy_enabled"),
                "azure_policy_enabled",
            ),
            entry("omsagent", v.has_block("oms_agent"), "oms_agent"),
            entry(
                "azurekeyvaultsecretsprovider",
                v.has_block("key_vault_secrets_provider"),
                "key_vault_secrets_provider",
            ),
        ],
        v.pointer(),
    )
}

fn default_pool(estate: &Estate<'_>, cluster: &Resource<'_>, pool: &Tf<'_>) -> AgentPool {
    let taints = match pool.bool("only_critical_addons_enabled") {
        Field::Known {
            value: true,
            pointer,
        } => Field::known(vec![CRITICAL_ADDONS_ONLY.to_owned()], pointer),
        Field::Known { pointer, .. } => match pool.strings("node_taints") {
            Field::Missing => Field::known(Vec::new(), pointer),
            found => found,
        },
        other => other.map(|_| Vec::new()),
    };
    AgentPool {
        mode: Field::known("System".to_owned(), pool.pointer()),
        taints,
        subnet_id: estate.reference_id(cluster, "default_node_pool.0.vnet_subnet_id"),
        ..pool_settings(pool)
    }
}

/// What a default pool and a separate node pool resource share.
fn pool_settings(pool: &Tf<'_>) -> AgentPool {
    AgentPool {
        name: pool.name_or("pool"),
        pointer: pool.pointer().to_owned(),
        mode: pool.string("mode"),
        subnet_id: pool.string("vnet_subnet_id"),
        node_public_ip: pool.bool_either("node_public_ip_enabled", "enable_node_public_ip"),
        encryption_at_host: pool.bool_either("host_encryption_enabled", "enable_host_encryption"),
        os_disk_type: pool.string("os_disk_type"),
        taints: pool.strings("node_taints"),
        node_labels: pool.string_map("node_labels"),
    }
}

/// Puts every `azurerm_kubernetes_cluster_node_pool` into its cluster.
pub(super) fn attach_node_pools(estate: &Estate<'_>, out: &mut AzureEvidence) {
    let clusters: Vec<&Resource<'_>> = estate.of_kind("azurerm_kubernetes_cluster").collect();
    for pool in estate.of_kind("azurerm_kubernetes_cluster_node_pool") {
        let Some(index) = clusters
            .iter()
            .position(|c| estate.refers_to(pool, "kubernetes_cluster_id", c))
        else {
            continue;
        };
        let mut settings = pool_settings(&pool.values);
        if matches!(settings.mode, Field::Missing | Field::NotSet { .. }) {
            // azurerm's default for a separate node pool.
            settings.mode = Field::known("User".to_owned(), pool.values.pointer());
        }
        settings.subnet_id = estate.reference_id(pool, "vnet_subnet_id");
        if let Field::Known { value, .. } = &mut out.clusters[index].agent_pools {
            value.push(settings);
        }
    }
}
