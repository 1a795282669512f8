//! Which subnets hold node pools, and what sits on a subnet: its NSG, its
//! route table, the Application Gateway. The evidence states associations
//! from either side (an NSG's `subnets`, a subnet's `networkSecurityGroup`),
//! so both are read.

use super::refs::{NSG_TYPE, ROUTE_TABLE_TYPE, last_segment, refers_to, same_id};
use super::{evidence_at, name_of};
use crate::checks::{CheckResult, CheckStatus, ResourceResult};
use crate::collect::export_command as cmd;
use crate::evidence::azure::{AzureEvidence, Nsg, ResourceInfo, RouteTable, Subnet};
use crate::evidence::{EvidenceRef, Field};

/// The reason when no cluster was imported, so no node-pool subnet is known.
pub(super) fn no_clusters() -> String {
    format!(
        "no AKS cluster evidence, so the node-pool subnets are not known: export {}",
        cmd("aks-cluster")
    )
}

/// A subnet that holds node pools.
pub(super) struct NodeSubnet {
    /// The subnet's ARM ID as the cluster states it.
    pub id: String,
    /// The pools in it.
    pub pools: Vec<String>,
    /// Where each pool names it.
    pub evidence: Vec<EvidenceRef>,
}

/// A node pool whose subnet the evidence does not state.
pub(super) struct UnknownPool {
    /// `<cluster>/agentPools/<pool>`.
    pub resource: String,
    /// Why the subnet is not known, naming the field.
    pub reason: String,
    /// Where the pool is.
    pub evidence: EvidenceRef,
}

/// The node pools of every imported cluster, by subnet.
pub(super) struct NodePools {
    /// How many clusters were imported.
    pub clusters: usize,
    /// The subnets that hold pools, each once.
    pub subnets: Vec<NodeSubnet>,
    /// Pools (or whole clusters) whose subnet is not known.
    pub unknown: Vec<UnknownPool>,
}

impl NodePools {
    /// Reads the node-pool subnets of every imported AKS cluster.
    pub fn of(azure: &AzureEvidence) -> Self {
        let mut pools = NodePools {
            clusters: azure.clusters.len(),
            subnets: Vec::new(),
            unknown: Vec::new(),
        };
        for cluster in &azure.clusters {
            let label = cluster.info.label();
            if let Some(condition) = &cluster.info.deployed_if {
                pools.unknown.push(UnknownPool {
                    resource: label.clone(),
                    reason: format!("the cluster is deployed only if {condition}, so its node pools are not judged"),
                    evidence: cluster.info.source.clone(),
                });
                continue;
            }
            let list = match &cluster.agent_pools {
                Field::Known { value, .. } => value,
                other => {
                    pools.unknown.push(UnknownPool {
                        resource: label.clone(),
                        reason: other.require("agentPoolProfiles").err().unwrap_or_default(),
                        evidence: cluster.info.at_field(other),
                    });
                    continue;
                }
            };
            for pool in list {
                let resource = format!("{label}/agentPools/{}", pool.name);
                let evidence = evidence_at(&cluster.info.source, &pool.pointer);
                match pool.subnet_id.require("vnetSubnetID") {
                    Ok(id) => pools.add(id, &pool.name, cluster.info.at_field(&pool.subnet_id)),
                    Err(why) => pools.unknown.push(UnknownPool {
                        resource,
                        reason: format!("node pool {}: {why}", pool.name),
                        evidence,
                    }),
                }
            }
        }
        pools
    }

    fn add(&mut self, id: &str, pool: &str, evidence: EvidenceRef) {
        match self.subnets.iter_mut().find(|s| same_id(&s.id, id)) {
            Some(subnet) => {
                subnet.pools.push(pool.to_owned());
                subnet.evidence.push(evidence);
            }
            None => self.subnets.push(NodeSubnet {
                id: id.to_owned(),
                pools: vec![pool.to_owned()],
                evidence: vec![evidence],
            }),
        }
    }

    /// The result of check `id` over every node-pool subnet: `judge` gives a
    /// subnet's status and reason (it is told the pools in it, as text, and
    /// may add evidence to the subnet's own); pools whose subnet is not known
    /// are not evaluated. Without clusters, not evaluated.
    pub fn judge_subnets(
        &self,
        id: &str,
        judge: impl Fn(&NodeSubnet, &str, &mut Vec<EvidenceRef>) -> (CheckStatus, String),
    ) -> CheckResult {
        if self.clusters == 0 {
            return CheckResult::not_evaluated(id, no_clusters());
        }
        let mut results: Vec<ResourceResult> = self
            .unknown
            .iter()
            .map(|p| {
                ResourceResult::new(
                    &p.resource,
                    CheckStatus::NotEvaluated,
                    &p.reason,
                    vec![p.evidence.clone()],
                )
            })
            .collect();
        for subnet in &self.subnets {
            let pools_text = format!("node pool(s) {}", subnet.pools.join(", "));
            let mut evidence = subnet.evidence.clone();
            let (status, reason) = judge(subnet, &pools_text, &mut evidence);
            results.push(ResourceResult::new(&subnet.id, status, reason, evidence));
        }
        CheckResult::from_resources(
            id,
            "node-pool subnet",
            results,
            "the imported clusters list no node pools",
        )
    }

    /// True if `subnet_id` holds a node pool.
    pub fn holds(&self, subnet_id: &str) -> bool {
        self.subnets.iter().any(|s| same_id(&s.id, subnet_id))
    }
}

/// What the evidence says is attached to a subnet (its NSG or route table).
pub(super) enum Attached<'a, T> {
    /// The attached resource, imported; the evidence says where the
    /// association is stated.
    Found(&'a T, EvidenceRef),
    /// Attached, by this ID, but the resource itself was not imported.
    NotImported(String, EvidenceRef),
    /// The subnet's own evidence shows nothing attached.
    Nothing(EvidenceRef),
    /// No evidence says, or it says in an unresolved expression.
    Unknown(String),
}

/// The NSG on subnet `subnet_id`.
pub(super) fn nsg_of_subnet<'a>(subnet_id: &str, azure: &'a AzureEvidence) -> Attached<'a, Nsg> {
    if let Some(nsg) = azure
        .nsgs
        .iter()
        .find(|nsg| nsg.subnet_ids.iter().any(|s| same_id(s, subnet_id)))
    {
        return found(nsg, &nsg.info, nsg.info.source.clone());
    }
    attached_via_vnet(
        subnet_id,
        azure,
        "networkSecurityGroup.id",
        |s| &s.nsg_id,
        |reference, path| {
            azure
                .nsgs
                .iter()
                .find(|n| refers_to(reference, path, &n.info, NSG_TYPE))
                .map(|n| (n, &n.info))
        },
    )
}

/// The route table of subnet `subnet_id`.
pub(super) fn route_table_of_subnet<'a>(
    subnet_id: &str,
    azure: &'a AzureEvidence,
) -> Attached<'a, RouteTable> {
    if let Some(table) = azure
        .route_tables
        .iter()
        .find(|t| t.subnet_ids.iter().any(|s| same_id(s, subnet_id)))
    {
        return found(table, &table.info, table.info.source.clone());
    }
    attached_via_vnet(
        subnet_id,
        azure,
        "routeTable.id",
        |s| &s.route_table_id,
        |reference, path| {
            azure
                .route_tables
                .iter()
                .find(|t| refers_to(reference, path, &t.info, ROUTE_TABLE_TYPE))
                .map(|t| (t, &t.info))
        },
    )
}

fn attached_via_vnet<'a, T>(
    subnet_id: &str,
    azure: &'a AzureEvidence,
    field_name: &str,
    field: impl Fn(&'a Subnet) -> &'a Field<String>,
    imported: impl Fn(&Field<String>, &str) -> Option<(&'a T, &'a ResourceInfo)>,
) -> Attached<'a, T> {
    for vnet in &azure.vnets {
        for subnet in &vnet.subnets {
            if !subnet.id.value().is_some_and(|id| same_id(id, subnet_id)) {
                continue;
            }
            let attached = field(subnet);
            let evidence = vnet.info.at_field(attached);
            if let Some(condition) = &vnet.info.deployed_if {
                return Attached::Unknown(format!(
                    "subnet {subnet_id}: its VNet is deployed only if {condition}"
                ));
            }
            if let Some((resource, info)) = imported(attached, &vnet.info.source.path) {
                return found(resource, info, evidence);
            }
            return match attached {
                Field::Known { value, .. } => Attached::NotImported(value.clone(), evidence),
                Field::Missing | Field::NotSet { .. } => {
                    Attached::Nothing(evidence_at(&vnet.info.source, &subnet.pointer))
                }
                other => Attached::Unknown(format!(
                    "subnet {subnet_id}: {}",
                    other.require(field_name).err().unwrap_or_default()
                )),
            };
        }
    }
    Attached::Unknown(format!(
        "no imported NSG, route table or VNet mentions subnet {subnet_id}"
    ))
}

/// `resource`, found attached, unless a template deploys it only under a
/// condition (then whether anything is attached is not known).
fn found<'a, T>(resource: &'a T, info: &ResourceInfo, evidence: EvidenceRef) -> Attached<'a, T> {
    match &info.deployed_if {
        Some(condition) => Attached::Unknown(format!(
            "{} is attached, but deployed only if {condition}",
            name_of(info)
        )),
        None => Attached::Found(resource, evidence),
    }
}

/// A subnet an NSG is associated with.
pub(super) struct SubnetRef {
    /// Its ID, when stated.
    pub id: Option<String>,
    /// Its name (from the VNet, else the ID's last segment).
    pub name: Option<String>,
}

/// The subnets NSG `nsg` sits on, from its own `subnets` and from the
/// imported VNets' subnets that name it.
pub(super) fn subnets_of_nsg(nsg: &Nsg, azure: &AzureEvidence) -> Vec<SubnetRef> {
    let mut out: Vec<SubnetRef> = nsg
        .subnet_ids
        .iter()
        .map(|id| SubnetRef {
            id: Some(id.clone()),
            name: Some(last_segment(id).to_owned()),
        })
        .collect();
    for vnet in &azure.vnets {
        for subnet in &vnet.subnets {
            if !refers_to(&subnet.nsg_id, &vnet.info.source.path, &nsg.info, NSG_TYPE) {
                continue;
            }
            let id = subnet.id.value().cloned();
            if id.as_deref().is_some_and(|id| {
                out.iter()
                    .any(|s| s.id.as_deref().is_some_and(|o| same_id(o, id)))
            }) {
                continue;
            }
            let name = subnet
                .name
                .value()
                .cloned()
                .or_else(|| id.as_deref().map(|i| last_segment(i).to_owned()));
            out.push(SubnetRef { id, name });
        }
    }
    out
}

/// The subnets the imported Application Gateways sit in.
pub(super) struct GatewaySubnets {
    /// True if any gateway was imported.
    pub any_gateway: bool,
    /// The subnet IDs stated literally.
    pub ids: Vec<String>,
    /// True if every gateway states all its subnets literally.
    pub all_known: bool,
}

impl GatewaySubnets {
    /// Reads the subnets of every imported gateway.
    pub fn of(azure: &AzureEvidence) -> Self {
        let mut ids = Vec::new();
        let mut all_known = true;
        for gateway in &azure.app_gateways {
            if gateway.gateway_subnet_ids.is_empty() {
                all_known = false;
            }
            for subnet in &gateway.gateway_subnet_ids {
                match subnet.value() {
                    Some(id) => ids.push(id.clone()),
                    None => all_known = false,
                }
            }
        }
        GatewaySubnets {
            any_gateway: !azure.app_gateways.is_empty(),
            ids,
            all_known,
        }
    }

    /// True if `subnet_id` is a gateway's subnet.
    pub fn contains(&self, subnet_id: &str) -> bool {
        self.ids.iter().any(|g| same_id(g, subnet_id))
    }
}
