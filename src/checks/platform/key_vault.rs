//! `kv.*`: Key Vault reachability, deletion protection and permission model.

use super::at;
use super::private_endpoints::{VAULT, approved_endpoint};
use crate::checks::defaults::{self, bool_answer, string_setting};
use crate::checks::judge::{Answer, all_of, result_of, unless_conditional};
use crate::checks::{CheckResult, ResourceResult};
use crate::collect::export_command as cmd;
use crate::evidence::Field;
use crate::evidence::azure::{KeyVault, PrivateEndpoint, ResourceInfo};

fn none() -> String {
    format!(
        "no Key Vault imported (export them with {})",
        cmd("key-vaults")
    )
}

/// The four Key Vault checks; `endpoints` are the evidence set's private
/// endpoint resources.
pub(super) fn run(vaults: &[KeyVault], endpoints: &[PrivateEndpoint]) -> Vec<CheckResult> {
    let check = |id: &str, judge: &dyn Fn(&KeyVault) -> ResourceResult| {
        let resources = vaults
            .iter()
            .map(|vault| unless_conditional(&vault.info, judge(vault)))
            .collect();
        CheckResult::from_resources(id, "Key Vault", resources, &none())
    };
    let siblings: Vec<&ResourceInfo> = vaults.iter().map(|v| &v.info).collect();
    vec![
        check("kv.private-endpoint", &|vault| {
            private_endpoint(vault, endpoints, &siblings)
        }),
        check("kv.network-deny-default", &network_deny_default),
        check("kv.purge-protection", &purge_protection),
        check("kv.rbac-authorization", &rbac_authorization),
    ]
}

/// `kv.rbac-authorization`: access to the vault's contents is granted by
/// Azure role assignments (reviewable with every other access in Entra ID
/// and the activity log), not by the vault's own access policies.
fn rbac_authorization(vault: &KeyVault) -> ResourceResult {
    let info = &vault.info;
    let field = &vault.rbac_authorization;
    let name = "enableRbacAuthorization";
    let answer = match bool_answer(info, field, name, true, defaults::KEY_VAULT_RBAC) {
        Answer::Yes(why) => Answer::Yes(format!(
            "keys and secrets are reached only through Azure role assignments ({why})"
        )),
        Answer::No(why) => Answer::No(format!(
            "vault access policies grant access outside Azure RBAC ({why})"
        )),
        unknown => unknown,
    };
    result_of(&info.label(), answer, vec![at(info, field)])
}

/// `kv.private-endpoint`.
fn private_endpoint(
    vault: &KeyVault,
    endpoints: &[PrivateEndpoint],
    siblings: &[&ResourceInfo],
) -> ResourceResult {
    let (answer, evidence) = approved_endpoint(
        &vault.info,
        &vault.private_endpoints,
        endpoints,
        siblings,
        &VAULT,
    );
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
        match string_setting(info, action, name, defaults::KEY_VAULT_DEFAULT_ACTION) {
            Ok((v, said)) if v.trim().eq_ignore_ascii_case("deny") => Answer::Yes(format!(
                "{said}: only listed networks and trusted services reach the vault"
            )),
            Ok((_, said)) => Answer::No(format!("{said}: any network may reach the vault")),
            Err(why) => Answer::Unknown(why),
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
    let soft = bool_answer(
        info,
        &vault.soft_delete,
        "enableSoftDelete",
        true,
        defaults::KEY_VAULT_SOFT_DELETE,
    );
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
