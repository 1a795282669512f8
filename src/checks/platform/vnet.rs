//! `vnet.ddos-protection`: DDoS Network Protection on the virtual network
//! that holds the Application Gateway.

use super::at;
use crate::checks::judge::{Answer, result_of, unknown_reason};
use crate::checks::{CheckResult, CheckStatus, ResourceResult};
use crate::collect::export_command as cmd;
use crate::evidence::azure::{ApplicationGateway, VirtualNetwork, vnet_of_subnet};
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
                    None => resources.push(vnet_not_imported(gateway, subnet, subnet_id)),
                },
                other => resources.push(ResourceResult::new(
                    gateway.info.label(),
                    CheckStatus::NotEvaluated,
                    unknown_reason(other, "gatewayIPConfigurations[].subnet.id"),
                    vec![at(&gateway.info, other)],
                )),
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
) -> ResourceResult {
    let network = vnet_of_subnet(subnet_id).unwrap_or(subnet_id);
    ResourceResult::new(
        network,
        CheckStatus::NotEvaluated,
        format!(
            "the gateway {} sits in {subnet_id}, but its virtual network was not imported ({})",
            gateway.info.label(),
            cmd("vnets")
        ),
        vec![at(&gateway.info, subnet)],
    )
}

fn judge(vnet: &VirtualNetwork) -> ResourceResult {
    let info = &vnet.info;
    let flag = &vnet.ddos_protection;
    let plan = &vnet.ddos_protection_plan;
    let evidence: Vec<EvidenceRef> = vec![at(info, flag), at(info, plan)];
    let answer = match flag.value() {
        Some(true) => match plan.value() {
            Some(id) => Answer::Yes(format!(
                "the gateway's network has DDoS Network Protection (enableDdosProtection is true, plan {id})"
            )),
            None => Answer::Yes(
                "the gateway's network has DDoS Network Protection (enableDdosProtection is true)"
                    .to_owned(),
            ),
        },
        Some(false) => Answer::No(
            "the gateway's network has no DDoS Network Protection (enableDdosProtection is false)"
                .to_owned(),
        ),
        None => Answer::Unknown(unknown_reason(flag, "enableDdosProtection")),
    };
    result_of(&info.label(), answer, evidence)
}
