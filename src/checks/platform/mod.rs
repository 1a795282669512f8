//! Checks of the platform services around the cluster: Key Vault (`kv.*`),
//! Container Registry (`acr.*`), Log Analytics and diagnostic settings
//! (`logs.*`), Defender plans (`defender.*`) and virtual networks (`vnet.*`).
//! See `check_registry.rs` for their IDs and meaning.

mod defender;
mod key_vault;
mod logs;
mod private_endpoints;
mod registry;
mod vnet;

use super::judge::evidence_at;
use super::{CheckResult, Settings};
use crate::evidence::azure::ResourceInfo;
use crate::evidence::{Evidence, EvidenceRef, Field};

/// Runs this family's checks, adding one result per static check.
pub(super) fn run(evidence: &Evidence, settings: &Settings, out: &mut Vec<CheckResult>) {
    let azure = &evidence.azure;
    out.extend(key_vault::run(&azure.key_vaults, &azure.private_endpoints));
    out.extend(registry::run(&azure.registries, &azure.private_endpoints));
    out.push(logs::retention(&azure.workspaces, settings));
    out.push(logs::kube_audit(
        &azure.diagnostic_settings,
        &azure.clusters,
    ));
    out.push(defender::containers_plan(&azure.defender_plans));
    out.push(vnet::ddos_protection(&azure.vnets, &azure.app_gateways));
    out.push(logs::workspace_private(&azure.workspaces));
}

/// Evidence at a field of a resource (the resource itself if the field is absent).
fn at<T>(info: &ResourceInfo, field: &Field<T>) -> EvidenceRef {
    evidence_at(info, field, &info.source.pointer)
}
