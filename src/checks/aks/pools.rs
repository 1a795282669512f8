//! Node pools: subnets, public IPs, disk encryption, and the split between
//! system and user pools.

use super::{at, at_pool, cluster_label, known_pools, per_pool, pool_label};
use crate::checks::defaults::{self, expect_setting};
use crate::checks::judge::{Answer, result_of, unknown_reason};
use crate::checks::k8s::Controllers;
use crate::checks::{CheckStatus, ResourceResult, Settings};
use crate::evidence::Field;
use crate::evidence::azure::{AgentPool, AksCluster};
use crate::evidence::k8s::{K8sEvidence, ObjectKind, Workload};

/// `aks.nodepool-dedicated-subnets`: every pool has a subnet of its own. A
/// pool without `vnetSubnetID` lives in the AKS-managed virtual network,
/// which fails. Two pools whose subnet is the same template expression share
/// a subnet whatever the expression yields.
pub(super) fn dedicated_subnets(cluster: &AksCluster) -> Vec<ResourceResult> {
    per_pool(cluster, |pool, pools| {
        result_of(
            &pool_label(cluster, pool),
            subnet_answer(pool, pools),
            vec![at_pool(cluster, pool, &pool.subnet_id)],
        )
    })
}

/// Whether `pool` has a subnet that no other pool of `pools` uses.
fn subnet_answer(pool: &AgentPool, pools: &[AgentPool]) -> Answer {
    let sharing = |same: &dyn Fn(&Field<String>) -> bool| -> Vec<&str> {
        pools
            .iter()
            .filter(|other| other.pointer != pool.pointer && same(&other.subnet_id))
            .map(|other| other.name.as_str())
            .collect()
    };
    match &pool.subnet_id {
        Field::Known { value: id, .. } => {
            let shared = sharing(&|other| {
                other
                    .value()
                    .is_some_and(|o| o.trim().eq_ignore_ascii_case(id.trim()))
            });
            if shared.is_empty() {
                Answer::Yes(format!("the pool has its own subnet {id}"))
            } else {
                Answer::No(format!(
                    "the pool shares subnet {id} with pool(s) {}",
                    shared.join(", ")
                ))
            }
        }
        Field::Unresolved { expression, .. } => {
            let shared = sharing(&|other| {
                matches!(other, Field::Unresolved { expression: e, .. } if e.trim() == expression.trim())
            });
            if shared.is_empty() {
                Answer::Unknown(unknown_reason(&pool.subnet_id, "vnetSubnetID"))
            } else {
                Answer::No(format!(
                    "the pool's vnetSubnetID is the same expression {expression} as that of pool(s) {}",
                    shared.join(", ")
                ))
            }
        }
        Field::Missing | Field::NotSet { .. } => Answer::No(
            "the pool has no vnetSubnetID: its nodes sit in the AKS-managed virtual network, not in a subnet of their own"
                .to_owned(),
        ),
        invalid => Answer::Unknown(unknown_reason(invalid, "vnetSubnetID")),
    }
}

/// `aks.no-node-public-ip`.
pub(super) fn no_node_public_ip(cluster: &AksCluster) -> Vec<ResourceResult> {
    per_pool(cluster, |pool, _| {
        expect_setting(
            &cluster.info,
            &pool_label(cluster, pool),
            at_pool(cluster, pool, &pool.node_public_ip),
            (&pool.node_public_ip, "enableNodePublicIP"),
            false,
            (
                "the pool's nodes get no public IP",
                "the pool's nodes get public IP addresses",
            ),
            defaults::NODE_PUBLIC_IP,
        )
    })
}

/// `aks.encryption-at-host`.
pub(super) fn encryption_at_host(cluster: &AksCluster) -> Vec<ResourceResult> {
    per_pool(cluster, |pool, _| {
        expect_setting(
            &cluster.info,
            &pool_label(cluster, pool),
            at_pool(cluster, pool, &pool.encryption_at_host),
            (&pool.encryption_at_host, "enableEncryptionAtHost"),
            true,
            (
                "temporary disks and caches are encrypted on the host",
                "host-based encryption is off: temporary disks and caches are not encrypted",
            ),
            defaults::ENCRYPTION_AT_HOST,
        )
    })
}

/// `aks.disk-encryption`: a disk encryption set (customer-managed keys), or
/// ephemeral OS disks on every pool. `diskEncryptionSetID` is a reference that
/// an export leaves out, or states as `null`, when none is set.
pub(super) fn disk_encryption(cluster: &AksCluster) -> Vec<ResourceResult> {
    let label = cluster_label(cluster);
    let des = &cluster.disk_encryption_set_id;
    let mut evidence = vec![at(cluster, des)];
    if let Some(id) = des.value().filter(|id| !id.trim().is_empty()) {
        let reason =
            format!("disks are encrypted with the customer-managed disk encryption set {id}");
        return vec![ResourceResult::new(
            label,
            CheckStatus::Pass,
            reason,
            evidence,
        )];
    }
    let pools = match known_pools(cluster) {
        Ok(pools) => pools,
        Err(reason) => return vec![reason],
    };
    evidence.extend(pools.iter().map(|p| at_pool(cluster, p, &p.os_disk_type)));
    let managed: Vec<String> = pools
        .iter()
        .filter_map(|p| {
            p.os_disk_type
                .value()
                .filter(|t| !t.trim().eq_ignore_ascii_case("ephemeral"))
                .map(|t| format!("{} ({t})", p.name))
        })
        .collect();
    let unknown = pools.iter().find(|p| !p.os_disk_type.is_known());
    let answer = match (des, managed.is_empty(), unknown) {
        (_, true, None) => Answer::Yes(
            "every pool uses ephemeral OS disks, so no OS disk persists on a managed disk"
                .to_owned(),
        ),
        (Field::Missing | Field::NotSet { .. } | Field::Known { .. }, false, _) => {
            Answer::No(format!(
                "no diskEncryptionSetID (platform-managed keys only) and pool(s) with persistent OS disks: {}",
                managed.join(", ")
            ))
        }
        (Field::Missing | Field::NotSet { .. } | Field::Known { .. }, true, Some(pool)) => {
            Answer::Unknown(format!(
                "no diskEncryptionSetID, and {}",
                unknown_reason(
                    &pool.os_disk_type,
                    &format!("osDiskType of pool {}", pool.name)
                )
            ))
        }
        (field, _, _) => Answer::Unknown(unknown_reason(field, "diskEncryptionSetID")),
    };
    vec![result_of(&label, answer, evidence)]
}

/// The node label that says which pools and workloads are in PCI scope
/// (`in-scope`, `out-of-scope`, `connected`), as the reference
/// implementation and the scope checks use it.
pub(crate) const SCOPE_LABEL: &str = "pci-scope";

/// `aks.system-user-pool-separation`: at least one System and one User pool,
/// and every User pool either tainted (only workloads that tolerate the
/// taint land on it) or carrying the scope label, with every imported
/// workload of a workload namespace selecting its pool by that label
/// (`nodeSelector` or required node affinity). A pool without `nodeTaints`
/// has no taints.
pub(super) fn system_user_separation(
    cluster: &AksCluster,
    workloads: &PlacedWorkloads<'_>,
) -> Vec<ResourceResult> {
    let label = cluster_label(cluster);
    let pools = match known_pools(cluster) {
        Ok(pools) => pools,
        Err(reason) => return vec![reason],
    };
    let mut evidence = Vec::new();
    for pool in pools {
        evidence.push(at_pool(cluster, pool, &pool.mode));
        if is_mode(pool, "User") {
            evidence.push(at_pool(cluster, pool, &pool.taints));
            evidence.push(at_pool(cluster, pool, &pool.node_labels));
        }
    }
    let answer = separation_answer(pools, workloads, &mut evidence);
    vec![result_of(&label, answer, evidence)]
}

/// The imported workloads that the scheduler places: top-level controllers
/// and stand-alone pods of the workload namespaces (not DaemonSets, which run
/// on every node by design).
pub(crate) struct PlacedWorkloads<'a> {
    /// Those workloads.
    pub workloads: Vec<&'a Workload>,
    /// How many workloads were imported at all.
    pub imported: usize,
}

impl<'a> PlacedWorkloads<'a> {
    /// Selects them from the imported workloads.
    pub fn of(k8s: &'a K8sEvidence, settings: &Settings) -> Self {
        let controllers = Controllers::new(&k8s.workloads);
        let workloads = k8s
            .workloads
            .iter()
            .filter(|w| {
                !w.namespace
                    .as_deref()
                    .is_some_and(|ns| settings.is_excluded_namespace(ns))
            })
            .filter(|w| controllers.top(w).is_none())
            .filter(|w| w.kind != ObjectKind::DaemonSet)
            .filter(|w| !w.owners.iter().any(|o| o.kind == "DaemonSet"))
            .collect();
        PlacedWorkloads {
            workloads,
            imported: k8s.workloads.len(),
        }
    }
}

fn is_mode(pool: &AgentPool, mode: &str) -> bool {
    pool.mode
        .value()
        .is_some_and(|m| m.trim().eq_ignore_ascii_case(mode))
}

fn separation_answer(
    pools: &[AgentPool],
    workloads: &PlacedWorkloads<'_>,
    evidence: &mut Vec<crate::evidence::EvidenceRef>,
) -> Answer {
    let unknown_mode = pools.iter().find(|p| !p.mode.is_known());
    let has_system = pools.iter().any(|p| is_mode(p, "System"));
    let user: Vec<&AgentPool> = pools.iter().filter(|p| is_mode(p, "User")).collect();
    if unknown_mode.is_none() && (!has_system || user.is_empty()) {
        let missing = if has_system { "User" } else { "System" };
        return Answer::No(format!(
            "no {missing} pool: system and application workloads are not kept apart"
        ));
    }
    if let Some(pool) = unknown_mode {
        return Answer::Unknown(unknown_reason(
            &pool.mode,
            &format!("mode of pool {}", pool.name),
        ));
    }
    let untainted: Vec<&AgentPool> = user
        .iter()
        .copied()
        .filter(|p| match &p.taints {
            Field::Known { value, .. } => value.iter().all(|t| t.trim().is_empty()),
            Field::Missing | Field::NotSet { .. } => true,
            _ => false,
        })
        .collect();
    if let Some(pool) = user
        .iter()
        .find(|p| !p.taints.is_known() && !p.taints.is_absent())
    {
        return Answer::Unknown(unknown_reason(
            &pool.taints,
            &format!("nodeTaints of pool {}", pool.name),
        ));
    }
    if untainted.is_empty() {
        return Answer::Yes(format!(
            "System and User pools are separate and all {} User pool(s) carry taints",
            user.len()
        ));
    }
    by_scope_label(&user, &untainted, workloads, evidence)
}

/// Untainted User pools kept apart by the scope label and the workloads'
/// selection of it.
fn by_scope_label(
    user: &[&AgentPool],
    untainted: &[&AgentPool],
    workloads: &PlacedWorkloads<'_>,
    evidence: &mut Vec<crate::evidence::EvidenceRef>,
) -> Answer {
    let names = |pools: &[&AgentPool]| {
        pools
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(pool) = untainted.iter().find(|p| {
        !matches!(
            p.node_labels,
            Field::Known { .. } | Field::Missing | Field::NotSet { .. }
        )
    }) {
        return Answer::Unknown(unknown_reason(
            &pool.node_labels,
            &format!("nodeLabels of pool {}", pool.name),
        ));
    }
    let unlabelled: Vec<&AgentPool> = untainted
        .iter()
        .copied()
        .filter(|p| p.label(SCOPE_LABEL).is_none())
        .collect();
    if !unlabelled.is_empty() {
        return Answer::No(format!(
            "User pool(s) with neither a taint nor a {SCOPE_LABEL} node label: {} (any pod may be scheduled there)",
            names(&unlabelled)
        ));
    }
    let labelled: Vec<String> = untainted
        .iter()
        .map(|p| {
            format!(
                "{} ({SCOPE_LABEL}={})",
                p.name,
                p.label(SCOPE_LABEL).unwrap_or_default()
            )
        })
        .collect();
    if workloads.workloads.is_empty() {
        let why = if workloads.imported == 0 {
            "no workloads were imported"
        } else {
            "no imported workload is in a workload namespace"
        };
        return Answer::Unknown(format!(
            "User pool(s) {} have no taint and are told apart by node label only; whether workloads keep to them depends on each selecting its pool by {SCOPE_LABEL}, and {why} (import the deployments, statefulsets and jobs: kubectl get ... -A -o json, or the manifests)",
            labelled.join(", ")
        ));
    }
    let carried: Vec<&str> = user.iter().filter_map(|p| p.label(SCOPE_LABEL)).collect();
    let mut straying = Vec::new();
    for workload in &workloads.workloads {
        let problem = match workload.pod.required_label_values(SCOPE_LABEL) {
            None => Some(format!(
                "{} (no {SCOPE_LABEL} nodeSelector or required node affinity)",
                workload.label()
            )),
            Some(values) if !values.iter().any(|v| carried.contains(&v.as_str())) => Some(format!(
                "{} (selects {SCOPE_LABEL}={}, which no User pool carries)",
                workload.label(),
                values.join("|")
            )),
            Some(_) => None,
        };
        if let Some(problem) = problem {
            evidence.push(workload.source.clone());
            straying.push(problem);
        }
    }
    if !straying.is_empty() {
        return Answer::No(format!(
            "User pool(s) {} have no taint, and {} of {} imported workload(s) do not select a pool by {SCOPE_LABEL}: {}",
            labelled.join(", "),
            straying.len(),
            workloads.workloads.len(),
            straying.join("; ")
        ));
    }
    evidence.extend(workloads.workloads.iter().map(|w| w.source.clone()));
    Answer::Yes(format!(
        "System and User pools are separate; User pool(s) {} are kept apart by the {SCOPE_LABEL} node label, and all {} imported workload(s) in workload namespaces select their pool by it",
        labelled.join(", "),
        workloads.workloads.len()
    ))
}
