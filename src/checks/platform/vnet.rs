//! `vnet.ddos-protection`: DDoS Network Protection on the virtual network
//! that holds the Application Gateway.

use super::at;
use crate::checks::defaults::{self, bool_answer};
use crate::checks::judge::{Answer, result_of, unknown_reason, unless_conditional};
use crate::checks::{CheckResult, CheckStatus, ResourceResult};
use crate::collect::export_command as cmd;
use crate::evidence::azure::{ApplicationGateway, ResourceInfo, VirtualNetwork, vnet_of_subnet};
use crate::evidence::node::is_expression;
use crate::evidence::{EvidenceRef, Field};

const ID: &str = "vnet.ddos-protection";

/// `vnet.ddos-protection`. The gateway's network is found two ways: from the
/// gateway's `gatewayIPConfigurations` subnet IDs, and from subnets whose
/// export lists Application Gateway IP configurations. Each such network is
/// judged once; a gateway subnet whose network was not imported is "not
/// evaluated".
pub(super) fn ddos_protection(
    vnets: &[VirtualNetwork],
    gateways: &[ApplicationGateway],
) -> CheckResult {
    let mut judged: Vec<&VirtualNetwork> = Vec::new();
    let mut resources = Vec::new();
    for gateway in gateways {
        for subnet in &gateway.gateway_subnet_ids {
            match subnet {
                Field::Known {
                    value: subnet_id, ..
                } => match vnets.iter().find(|v| v.holds_subnet(subnet_id)) {
                    Some(vnet) => {
                        if !judged.iter().any(|j| std::ptr::eq(*j, vnet)) {
                            judged.push(vnet);
                        }
                    }
                    None => resources.push(vnet_not_imported(gateway, subnet, subnet_id, vnets)),
                },
                other => resources.push(gateway_subnet_unknown(gateway, other, vnets)),
            }
        }
    }
    for vnet in vnets {
        let hosts_gateway = vnet
            .subnets
            .iter()
            .any(|s| !s.app_gateway_ip_configurations.is_empty());
        if hosts_gateway && !judged.iter().any(|j| std::ptr::eq(*j, vnet)) {
            judged.push(vnet);
        }
    }
    resources.extend(judged.into_iter().map(judge));
    let none = if gateways.is_empty() && vnets.is_empty() {
        format!(
            "no Application Gateway or virtual network imported (export them with {} and {})",
            cmd("application-gateways"),
            cmd("vnets")
        )
    } else if gateways.is_empty() {
        format!(
            "no imported virtual network holds an Application Gateway, and no gateway was imported to say where it is ({})",
            cmd("application-gateways")
        )
    } else {
        "the Application Gateway states no subnet".to_owned()
    };
    CheckResult::from_resources(ID, "VNet", resources, &none)
}

fn vnet_not_imported(
    gateway: &ApplicationGateway,
    subnet: &Field<String>,
    subnet_id: &str,
    vnets: &[VirtualNetwork],
) -> ResourceResult {
    let network = vnet_of_subnet(subnet_id).unwrap_or(subnet_id);
    ResourceResult::new(
        network,
        CheckStatus::NotEvaluated,
        format!(
            "the gateway {} sits in {subnet_id}, but that VNet was not imported ({}){}",
            vnet_name(&gateway.info),
            cmd("vnets"),
            imported_vnets_summary(vnets)
        ),
        vec![at(&gateway.info, subnet)],
    )
}

/// A gateway whose subnet the evidence does not state: its network cannot
/// be placed, so the result names it as the gateway's network and says how
/// the imported VNets stand.
fn gateway_subnet_unknown(
    gateway: &ApplicationGateway,
    subnet: &Field<String>,
    vnets: &[VirtualNetwork],
) -> ResourceResult {
    let mut reason = format!(
        "the Application Gateway's subnet is not known ({}), so its virtual network cannot be placed",
        unknown_reason(subnet, "gatewayIPConfigurations[].subnet.id")
    );
    reason.push_str(&imported_vnets_summary(vnets));
    ResourceResult::new(
        format!(
            "the virtual network of gateway {}",
            vnet_name(&gateway.info)
        ),
        CheckStatus::NotEvaluated,
        reason,
        vec![at(&gateway.info, subnet)],
    )
}

/// `; of the N imported VNet(s), none enables DDoS Network Protection: a, b`
/// (or which do and which do not).
fn imported_vnets_summary(vnets: &[VirtualNetwork]) -> String {
    if vnets.is_empty() {
        return "; no virtual network was imported (az network vnet show)".to_owned();
    }
    let mut with = Vec::new();
    let mut without = Vec::new();
    let mut unknown = Vec::new();
    for vnet in vnets {
        match protection(vnet) {
            Answer::Yes(_) => with.push(vnet_name(&vnet.info)),
            Answer::No(_) => without.push(vnet_name(&vnet.info)),
            Answer::Unknown(_) => unknown.push(vnet_name(&vnet.info)),
        }
    }
    let total = vnets.len();
    let mut parts = Vec::new();
    if with.is_empty() && unknown.is_empty() {
        parts.push(format!(
            "none of the {total} imported VNet(s) enables DDoS Network Protection: {}",
            without.join(", ")
        ));
    } else {
        if !without.is_empty() {
            parts.push(format!(
                "imported VNet(s) without DDoS Network Protection: {}",
                without.join(", ")
            ));
        }
        if !with.is_empty() {
            parts.push(format!("with it: {}", with.join(", ")));
        }
        if !unknown.is_empty() {
            parts.push(format!("not stated: {}", unknown.join(", ")));
        }
    }
    format!("; {}", parts.join("; "))
}

/// A VNet (or gateway) as named in reasons: its literal name, else the last
/// segment of its ID, else the expression that names it and its file.
fn vnet_name(info: &ResourceInfo) -> String {
    info.name
        .clone()
        .filter(|n| !is_expression(n))
        .or_else(|| {
            info.id
                .as_deref()
                .and_then(|id| id.rsplit('/').next())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| format!("{} (in {})", info.label(), info.source.path))
}

/// Whether `vnet` has DDoS Network Protection, with the default for a
/// setting left to Azure.
fn protection(vnet: &VirtualNetwork) -> Answer {
    let flag = &vnet.ddos_protection;
    let name = "enableDdosProtection";
    match flag.value() {
        Some(true) => Answer::Yes(match vnet.ddos_protection_plan.value() {
            Some(id) => format!("{name} is true, plan {id}"),
            None => format!("{name} is true"),
        }),
        Some(false) => Answer::No(format!("{name} is false")),
        None => bool_answer(&vnet.info, flag, name, true, defaults::DDOS_PROTECTION),
    }
}

fn judge(vnet: &VirtualNetwork) -> ResourceResult {
    let info = &vnet.info;
    let evidence: Vec<EvidenceRef> = vec![
        at(info, &vnet.ddos_protection),
        at(info, &vnet.ddos_protection_plan),
    ];
    let name = vnet_name(info);
    let answer = match protection(vnet) {
        Answer::Yes(why) => Answer::Yes(format!(
            "VNet {name}, which holds the Application Gateway, has DDoS Network Protection ({why})"
        )),
        Answer::No(why) => Answer::No(format!(
            "VNet {name}, which holds the Application Gateway, has no DDoS Network Protection ({why})"
        )),
        unknown => unknown,
    };
    unless_conditional(info, result_of(&info.label(), answer, evidence))
}
