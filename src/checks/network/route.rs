//! `route.default-via-firewall`: every node-pool subnet's route table sends
//! `0.0.0.0/0` to a virtual appliance (the firewall).

use super::topology::{Attached, NodePools, no_clusters, route_table_of_subnet};
use super::{evidence_at, name_of, not_evaluated_with};
use crate::checks::{CheckResult, CheckStatus, ResourceResult};
use crate::collect::export_command as cmd;
use crate::evidence::EvidenceRef;
use crate::evidence::azure::{AzureEvidence, Route, RouteTable};

const ID: &str = "route.default-via-firewall";
const DEFAULT_ROUTE: &str = "0.0.0.0/0";

/// `route.default-via-firewall`.
pub(super) fn default_via_firewall(azure: &AzureEvidence) -> CheckResult {
    let pools = NodePools::of(azure);
    if pools.clusters == 0 {
        return without_clusters(azure);
    }
    pools.judge_subnets(ID, |subnet, pools_text, evidence| {
        match route_table_of_subnet(&subnet.id, azure) {
            Attached::Found(table, at) => {
                evidence.push(at);
                let judged = judge_table(table, azure);
                evidence.extend(judged.evidence);
                (judged.status, format!("{} ({pools_text})", judged.reason))
            }
            Attached::NotImported(id, at) => {
                evidence.push(at);
                (
                    CheckStatus::NotEvaluated,
                    format!(
                        "the subnet uses route table {id}, which was not imported: export {} ({pools_text})",
                        cmd("route-tables")
                    ),
                )
            }
            Attached::Nothing(at) => {
                evidence.push(at);
                (
                    CheckStatus::Fail,
                    format!(
                        "the subnet has no route table, so Azure's system route sends internet traffic straight out ({pools_text})"
                    ),
                )
            }
            Attached::Unknown(why) => (
                CheckStatus::NotEvaluated,
                format!(
                    "{why} ({pools_text}): export {} or {}",
                    cmd("route-tables"),
                    cmd("vnets")
                ),
            ),
        }
    })
}

/// Without AKS evidence the node-pool subnets are unknown; the route tables
/// are still listed, each not evaluated, so a reviewer sees what they route.
fn without_clusters(azure: &AzureEvidence) -> CheckResult {
    if azure.route_tables.is_empty() {
        return CheckResult::not_evaluated(
            ID,
            format!(
                "no AKS cluster or route table evidence: export {} and {}",
                cmd("aks-cluster"),
                cmd("route-tables")
            ),
        );
    }
    let resources = azure
        .route_tables
        .iter()
        .map(|table| {
            let judged = judge_table(table, azure);
            ResourceResult::new(
                table.info.label(),
                CheckStatus::NotEvaluated,
                format!(
                    "{}; whether it serves a node-pool subnet is unknown without AKS evidence",
                    judged.reason
                ),
                judged.evidence,
            )
        })
        .collect();
    not_evaluated_with(
        ID,
        format!(
            "{} ({} route table(s) imported)",
            no_clusters(),
            azure.route_tables.len()
        ),
        resources,
    )
}

struct Judged {
    status: CheckStatus,
    reason: String,
    evidence: Vec<EvidenceRef>,
}

/// Whether `table` sends the default route to a virtual appliance.
fn judge_table(table: &RouteTable, azure: &AzureEvidence) -> Judged {
    let label = name_of(&table.info);
    let routes = match table.routes.require("routes") {
        Ok(routes) => routes,
        Err(why) => {
            return Judged {
                status: CheckStatus::NotEvaluated,
                reason: format!("route table {label}: {why}"),
                evidence: vec![table.info.at_field(&table.routes)],
            };
        }
    };
    let at = |route: &Route| evidence_at(&table.info.source, &route.pointer);
    let default = routes.iter().find(|r| {
        r.address_prefix
            .value()
            .is_some_and(|p| p.trim() == DEFAULT_ROUTE)
    });
    let Some(route) = default else {
        if let Some(unknown) = routes.iter().find(|r| !r.address_prefix.is_known()) {
            return Judged {
                status: CheckStatus::NotEvaluated,
                reason: format!(
                    "route table {label}, route {}: {}",
                    unknown.name,
                    unknown
                        .address_prefix
                        .require("addressPrefix")
                        .err()
                        .unwrap_or_default()
                ),
                evidence: vec![at(unknown)],
            };
        }
        return Judged {
            status: CheckStatus::Fail,
            reason: format!(
                "route table {label} has no {DEFAULT_ROUTE} route, so Azure's system route sends internet traffic straight out"
            ),
            evidence: vec![table.info.at_field(&table.routes)],
        };
    };
    let hop = match route.next_hop_type.require("nextHopType") {
        Ok(hop) => hop,
        Err(why) => {
            return Judged {
                status: CheckStatus::NotEvaluated,
                reason: format!("route table {label}, route {}: {why}", route.name),
                evidence: vec![at(route)],
            };
        }
    };
    if !hop.eq_ignore_ascii_case("VirtualAppliance") {
        return Judged {
            status: CheckStatus::Fail,
            reason: format!(
                "route table {label} sends {DEFAULT_ROUTE} to {hop} (route {}), not to the firewall",
                route.name
            ),
            evidence: vec![at(route)],
        };
    }
    Judged {
        status: CheckStatus::Pass,
        reason: format!(
            "route table {label} sends {DEFAULT_ROUTE} to VirtualAppliance {} (route {})",
            next_hop_text(route, azure),
            route.name
        ),
        evidence: vec![at(route)],
    }
}

/// The next hop's address, and whose private IP it is when a firewall says.
fn next_hop_text(route: &Route, azure: &AzureEvidence) -> String {
    let Some(ip) = route.next_hop_ip.value() else {
        return match route.next_hop_ip.require("nextHopIpAddress") {
            Err(why) if route.next_hop_ip.pointer().is_some() => format!("({why})"),
            _ => "(no nextHopIpAddress)".to_owned(),
        };
    };
    let firewall = azure.firewalls.iter().find(|fw| {
        fw.private_ips
            .iter()
            .any(|p| p.value().is_some_and(|p| p.trim() == ip.trim()))
    });
    match firewall {
        Some(fw) => format!("{ip}, the private IP of firewall {}", name_of(&fw.info)),
        None if azure.firewalls.is_empty() => ip.clone(),
        None => format!("{ip} (not the private IP of any imported firewall)"),
    }
}
