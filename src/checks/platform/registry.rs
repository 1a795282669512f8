//! `acr.*`: Container Registry admin user and network exposure.

use super::at;
use super::key_vault::public_access_disabled;
use super::private_endpoints::{REGISTRY, approved_endpoint};
use crate::checks::defaults::{self, expect_setting, string_setting};
use crate::checks::judge::{Answer, result_of, unknown_reason, unless_conditional};
use crate::checks::{CheckResult, ResourceResult};
use crate::collect::export_command as cmd;
use crate::evidence::azure::{ContainerRegistry, PrivateEndpoint, ResourceInfo};

fn none() -> String {
    format!(
        "no container registry imported (export them with {})",
        cmd("container-registries")
    )
}

/// The two registry checks; `endpoints` are the evidence set's private
/// endpoint resources.
pub(super) fn run(
    registries: &[ContainerRegistry],
    endpoints: &[PrivateEndpoint],
) -> Vec<CheckResult> {
    let check = |id: &str, judge: &dyn Fn(&ContainerRegistry) -> ResourceResult| {
        let resources = registries
            .iter()
            .map(|registry| unless_conditional(&registry.info, judge(registry)))
            .collect();
        CheckResult::from_resources(id, "registry", resources, &none())
    };
    let siblings: Vec<&ResourceInfo> = registries.iter().map(|r| &r.info).collect();
    vec![
        check("acr.admin-disabled", &admin_disabled),
        check("acr.private", &|registry| {
            private(registry, endpoints, &siblings)
        }),
    ]
}

/// `acr.admin-disabled`.
fn admin_disabled(registry: &ContainerRegistry) -> ResourceResult {
    let info = &registry.info;
    expect_setting(
        info,
        &info.label(),
        at(info, &registry.admin_user_enabled),
        (&registry.admin_user_enabled, "adminUserEnabled"),
        false,
        (
            "the shared admin account is disabled; access needs an Entra identity",
            "the shared admin account is enabled: one username and password can push and pull",
        ),
        defaults::ACR_ADMIN_USER,
    )
}

/// `acr.private`: public network access disabled, or an approved private
/// endpoint with the network rules denying by default. Only the Premium tier
/// has private endpoints and network rules, so a Basic or Standard registry
/// is always public.
fn private(
    registry: &ContainerRegistry,
    endpoints: &[PrivateEndpoint],
    siblings: &[&ResourceInfo],
) -> ResourceResult {
    let info = &registry.info;
    let pna = &registry.public_network_access;
    let action = &registry.network_default_action;
    let (endpoint, mut evidence) = approved_endpoint(
        info,
        &registry.private_endpoints,
        endpoints,
        siblings,
        &REGISTRY,
    );
    evidence.push(at(info, pna));
    evidence.push(at(info, action));
    evidence.push(at(info, &registry.sku));
    let deny = match action.value() {
        Some(v) if v.trim().eq_ignore_ascii_case("deny") => {
            Answer::Yes(format!("networkRuleSet.defaultAction is {v}"))
        }
        Some(v) => Answer::No(format!("networkRuleSet.defaultAction is {v}")),
        None => Answer::Unknown(unknown_reason(action, "networkRuleSet.defaultAction")),
    };
    let answer = if public_access_disabled(pna) {
        Answer::Yes(
            "publicNetworkAccess is Disabled: the registry is reachable only privately".to_owned(),
        )
    } else if let (Answer::Yes(pe), Answer::Yes(rule)) = (&endpoint, &deny) {
        Answer::Yes(format!(
            "public access is denied by default ({rule}) and the registry has {pe}"
        ))
    } else if let Some(tier) = registry
        .sku
        .value()
        .filter(|t| !t.trim().eq_ignore_ascii_case("premium"))
    {
        Answer::No(format!(
            "sku is {tier}: only Premium registries can turn off public access or use private endpoints"
        ))
    } else {
        public_answer(info, pna, endpoint, deny)
    };
    result_of(&info.label(), answer, evidence)
}

/// The answer for a registry that neither passed nor is below Premium.
fn public_answer(
    info: &ResourceInfo,
    pna: &crate::evidence::Field<String>,
    endpoint: Answer,
    deny: Answer,
) -> Answer {
    let name = "publicNetworkAccess";
    match string_setting(info, pna, name, defaults::ACR_PUBLIC_NETWORK_ACCESS) {
        Ok((_, said)) => match (endpoint, deny) {
            (Answer::No(why), _) | (_, Answer::No(why)) => Answer::No(format!("{said} and {why}")),
            (Answer::Unknown(why), _) | (_, Answer::Unknown(why)) => {
                Answer::Unknown(format!("{said}; {why}"))
            }
            _ => Answer::Unknown(said),
        },
        Err(why) => Answer::Unknown(why),
    }
}
