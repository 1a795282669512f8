//! The `aks.*` checks: settings of AKS managed clusters, one file per
//! concern. See `check_registry.rs` for their IDs and meaning.
//!
//! Each check judges every imported cluster (and, where the setting is per
//! node pool, every pool) and fails if any fails. A field that is missing or
//! left as a template expression makes the check "not evaluated" and the
//! reason names it; the few conditions that are about something being
//! present (a pool's subnet, an add-on, a taint) treat its absence as the
//! answer, and say so.
//!
//! A live-state export (az CLI, ARM GET or list) writes `null` for a setting
//! that was never configured, and a template's resource definition leaves
//! out what it does not set; Azure then applies its documented default, so
//! the setting is judged as that default and the reason says so. The
//! defaults are in `checks/defaults.rs`; a template's `null` decides nothing.

mod addons;
mod api_server;
mod identity;
mod network;
mod pools;
mod upgrade;

use super::judge::{evidence_at, unless_conditional};
use super::{CheckResult, ResourceResult, Settings};
use crate::evidence::azure::{AgentPool, AksCluster};
use crate::evidence::{Evidence, EvidenceRef, Field};

/// The reason when no cluster was imported.
fn no_cluster() -> String {
    format!(
        "no AKS cluster imported (export it with {})",
        crate::collect::export_command("aks-cluster")
    )
}

/// How a check judges one cluster: one result per cluster or per pool.
type Judge = fn(&AksCluster) -> Vec<ResourceResult>;

/// Every `aks.*` check: its ID, the noun for its resources and its judge.
const CHECKS: &[(&str, &str, Judge)] = &[
    (
        "aks.private-cluster",
        "cluster",
        api_server::private_cluster,
    ),
    ("aks.no-public-fqdn", "cluster", api_server::no_public_fqdn),
    (
        "aks.private-dns-zone",
        "cluster",
        api_server::private_dns_zone,
    ),
    (
        "aks.nodepool-dedicated-subnets",
        "node pool",
        pools::dedicated_subnets,
    ),
    (
        "aks.no-node-public-ip",
        "node pool",
        pools::no_node_public_ip,
    ),
    ("aks.network-policy", "cluster", network::network_policy),
    ("aks.egress-udr", "cluster", network::egress_udr),
    ("aks.entra-rbac", "cluster", identity::entra_rbac),
    (
        "aks.local-accounts-disabled",
        "cluster",
        identity::local_accounts_disabled,
    ),
    ("aks.kubernetes-rbac", "cluster", identity::kubernetes_rbac),
    ("aks.azure-policy-addon", "cluster", addons::azure_policy),
    ("aks.monitoring-addon", "cluster", addons::monitoring),
    ("aks.defender", "cluster", addons::defender),
    (
        "aks.encryption-at-host",
        "node pool",
        pools::encryption_at_host,
    ),
    ("aks.disk-encryption", "cluster", pools::disk_encryption),
    (
        "aks.managed-identity",
        "cluster",
        identity::managed_identity,
    ),
    (
        "aks.secrets-store-csi",
        "cluster",
        addons::secrets_store_csi,
    ),
    ("aks.auto-upgrade", "cluster", upgrade::auto_upgrade),
];

/// `aks.system-user-pool-separation`, which also reads the workloads.
const SEPARATION: &str = "aks.system-user-pool-separation";

/// Runs this family's checks, adding one result per static check.
pub(super) fn run(evidence: &Evidence, settings: &Settings, out: &mut Vec<CheckResult>) {
    let clusters = &evidence.azure.clusters;
    let workloads = pools::PlacedWorkloads::of(&evidence.k8s, settings);
    let separation = |cluster: &AksCluster| pools::system_user_separation(cluster, &workloads);
    for (id, noun, judge) in CHECKS {
        let resources = clusters
            .iter()
            .flat_map(|cluster| {
                judge(cluster)
                    .into_iter()
                    .map(|r| unless_conditional(&cluster.info, r))
            })
            .collect();
        out.push(CheckResult::from_resources(
            id,
            noun,
            resources,
            &no_cluster(),
        ));
    }
    let resources = clusters
        .iter()
        .flat_map(|cluster| {
            separation(cluster)
                .into_iter()
                .map(|r| unless_conditional(&cluster.info, r))
        })
        .collect();
    out.push(CheckResult::from_resources(
        SEPARATION,
        "cluster",
        resources,
        &no_cluster(),
    ));
}

/// How a cluster is named in results: its resource ID, else its name.
fn cluster_label(cluster: &AksCluster) -> String {
    cluster.info.label()
}

/// How a node pool is named in results.
fn pool_label(cluster: &AksCluster, pool: &AgentPool) -> String {
    format!("{}/agentPools/{}", cluster_label(cluster), pool.name)
}

/// Evidence at a cluster-level field.
fn at<T>(cluster: &AksCluster, field: &Field<T>) -> EvidenceRef {
    evidence_at(&cluster.info, field, &cluster.info.source.pointer)
}

/// Evidence at a field of one node pool (the pool itself if the field is absent).
fn at_pool<T>(cluster: &AksCluster, pool: &AgentPool, field: &Field<T>) -> EvidenceRef {
    evidence_at(&cluster.info, field, &pool.pointer)
}

/// The cluster's node pools, or the one "not evaluated" result that explains
/// why they cannot be judged.
fn known_pools(cluster: &AksCluster) -> Result<&[AgentPool], ResourceResult> {
    match &cluster.agent_pools {
        Field::Known { value, .. } if !value.is_empty() => Ok(value),
        Field::Known { .. } => Err(ResourceResult::new(
            cluster_label(cluster),
            super::CheckStatus::NotEvaluated,
            "agentPoolProfiles is empty: the export lists no node pools",
            vec![at(cluster, &cluster.agent_pools)],
        )),
        field => Err(super::judge::not_known(
            &cluster_label(cluster),
            at(cluster, field),
            field,
            "agentPoolProfiles",
        )),
    }
}

/// One result per node pool from `judge`, or the cluster-level reason why
/// the pools cannot be judged.
fn per_pool(
    cluster: &AksCluster,
    judge: impl Fn(&AgentPool, &[AgentPool]) -> ResourceResult,
) -> Vec<ResourceResult> {
    match known_pools(cluster) {
        Ok(pools) => pools.iter().map(|pool| judge(pool, pools)).collect(),
        Err(reason) => vec![reason],
    }
}
