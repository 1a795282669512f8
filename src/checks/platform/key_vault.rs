//! `kv.*`: Key Vault reachability and deletion protection.

use super::at;
use crate::checks::judge::{Answer, all_of, result_of, unknown_reason};
use crate::checks::{CheckResult, ResourceResult};
use crate::evidence::azure::{KeyVault, PrivateEndpointConnection, ResourceInfo};
use crate::evidence::{EvidenceRef, Field};

const NONE: &str = "no Key Vault imported (export one with az keyvault show -o json)";

/// The three Key Vault checks.
pub(super) fn run(vaults: &[KeyVault]) -> Vec<CheckResult> {
    let check = |id: &str, judge: fn(&KeyVault) -> ResourceResult| {
        let resources = vaults.iter().map(judge).collect();
        CheckResult::from_resources(id, "Key Vault", resources, NONE)
    };
    vec![
        check("kv.private-endpoint", private_endpoint),
        check("kv.network-deny-default", network_deny_default),
        check("kv.purge-protection", purge_protection),
    ]
}

/// Whether a resource has an approved private endpoint connection, with
/// the evidence. A live export lists every connection a resource has, so no
/// list means none; a template declares private endpoints as resources of
/// their own, so there the answer is unknown.
pub(super) fn approved_endpoint(
    info: &ResourceInfo,
    connections: &Field<Vec<PrivateEndpointConnection>>,
) -> (Answer, Vec<EvidenceRef>) {
    let name = "privateEndpointConnections";
    let list = match connections {
        Field::Known { value, .. } => value,
        field if field.is_absent() && info.in_template => {
            let why = format!(
                "{name} is not in the template (templates usually declare private endpoints as separate Microsoft.Network/privateEndpoints resources)"
            );
            return (Answer::Unknown(why), vec![at(info, connections)]);
        }
        Field::Missing | Field::NotSet { .. } => {
            let why = format!("the export lists no {name}: there is no private endpoint");
            return (Answer::No(why), vec![at(info, connections)]);
        }
        other => {
            return (
                Answer::Unknown(unknown_reason(other, name)),
                vec![at(info, other)],
            );
        }
    };
    let evidence_of = |c: &PrivateEndpointConnection| {
        super::super::judge::evidence_at(info, &c.status, &c.pointer)
    };
    let approved: Vec<&PrivateEndpointConnection> =
        list.iter().filter(|c| c.is_approved()).collect();
    if !approved.is_empty() {
        let why = format!("{} approved private endpoint connection(s)", approved.len());
        return (
            Answer::Yes(why),
            approved.into_iter().map(evidence_of).collect(),
        );
    }
    let evidence = if list.is_empty() {
        vec![at(info, connections)]
    } else {
        list.iter().map(evidence_of).collect()
    };
    if let Some(unknown) = list.iter().find(|c| !c.status.is_known()) {
        let why = unknown_reason(&unknown.status, "privateLinkServiceConnectionState.status");
        return (Answer::Unknown(why), evidence);
    }
    let statuses: Vec<&str> = list
        .iter()
        .filter_map(|c| c.status.value().map(String::as_str))
        .collect();
    let why = if statuses.is_empty() {
        format!("{name} is empty: there is no private endpoint")
    } else {
        format!(
            "no private endpoint connection is approved (status: {})",
            statuses.join(", ")
        )
    };
    (Answer::No(why), evidence)
}

/// `kv.private-endpoint`.
fn private_endpoint(vault: &KeyVault) -> ResourceResult {
    let (answer, evidence) = approved_endpoint(&vault.info, &vault.private_endpoints);
    result_of(&vault.info.label(), answer, evidence)
}

/// True if `publicNetworkAccess` is known to be Disabled.
pub(super) fn public_access_disabled(field: &Field<String>) -> bool {
    field
        .value()
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("disabled"))
}

/// `kv.network-deny-default`. A vault with public network access disabled
/// refuses every public request, which is stricter than a Deny default, and
/// passes too.
fn network_deny_default(vault: &KeyVault) -> ResourceResult {
    let info = &vault.info;
    let action = &vault.network_default_action;
    let name = "networkAcls.defaultAction";
    let answer = if public_access_disabled(&vault.public_network_access) {
        Answer::Yes(
            "publicNetworkAccess is Disabled: the vault refuses all public traffic, stricter than a Deny default"
                .to_owned(),
        )
    } else {
        match action.value() {
            Some(v) if v.trim().eq_ignore_ascii_case("deny") => Answer::Yes(format!(
                "{name} is {v}: only listed networks and trusted services reach the vault"
            )),
            Some(v) => Answer::No(format!("{name} is {v}: any network may reach the vault")),
            None => Answer::Unknown(unknown_reason(action, name)),
        }
    };
    result_of(
        &info.label(),
        answer,
        vec![at(info, action), at(info, &vault.public_network_access)],
    )
}

/// `kv.purge-protection`: soft delete and purge protection both on. Azure
/// takes only `true` for `enablePurgeProtection` and leaves it out while the
/// protection is off, so its absence counts as off.
fn purge_protection(vault: &KeyVault) -> ResourceResult {
    let info = &vault.info;
    let soft = Answer::of_bool(&vault.soft_delete, "enableSoftDelete", true);
    let purge = match &vault.purge_protection {
        Field::Missing | Field::NotSet { .. } => Answer::No(
            "enablePurgeProtection is not set (Azure records it only once purge protection is on)"
                .to_owned(),
        ),
        field => Answer::of_bool(field, "enablePurgeProtection", true),
    };
    let answer = match all_of(vec![soft, purge]) {
        Answer::Yes(why) => Answer::Yes(format!(
            "deleted keys and secrets stay recoverable and cannot be purged early ({why})"
        )),
        Answer::No(why) => Answer::No(format!("deleted secrets could be lost for good: {why}")),
        unknown => unknown,
    };
    result_of(
        &info.label(),
        answer,
        vec![
            at(info, &vault.soft_delete),
            at(info, &vault.purge_protection),
        ],
    )
}
