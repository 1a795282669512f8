//! The NSG rules Azure Bastion requires on `AzureBastionSubnet`
//! (learn.microsoft.com/azure/bastion/bastion-nsg): Bastion does not work
//! without them, so on that subnet they are recognised by their shape and
//! accepted, and the reason names them as Bastion's. Anything beyond them is
//! judged as usual.

use crate::evidence::azure::SecurityRule;

/// One rule Bastion documents as required.
pub(super) struct BastionRule {
    /// What Bastion needs it for, as its documentation names it.
    pub purpose: &'static str,
    inbound: bool,
    /// Sources accepted (service tags; `*` where any source is documented).
    sources: &'static [&'static str],
    /// Destinations accepted.
    destinations: &'static [&'static str],
    /// The documented destination ports; a rule may open a subset.
    ports: &'static [&'static str],
    /// True where the documentation says protocol Any (`*`); else TCP only.
    any_protocol: bool,
}

/// The rules of learn.microsoft.com/azure/bastion/bastion-nsg.
const REQUIRED: &[BastionRule] = &[
    BastionRule {
        purpose: "ingress from the public internet (HTTPS)",
        inbound: true,
        sources: &["Internet", "*"],
        destinations: &["*"],
        ports: &["443"],
        any_protocol: false,
    },
    BastionRule {
        purpose: "ingress from the Bastion control plane (GatewayManager)",
        inbound: true,
        sources: &["GatewayManager"],
        destinations: &["*"],
        ports: &["443"],
        any_protocol: false,
    },
    BastionRule {
        purpose: "ingress from the Bastion data plane (host to host)",
        inbound: true,
        sources: &["VirtualNetwork"],
        destinations: &["VirtualNetwork"],
        ports: &["8080", "5701"],
        any_protocol: true,
    },
    BastionRule {
        purpose: "ingress from Azure Load Balancer health probes",
        inbound: true,
        sources: &["AzureLoadBalancer"],
        destinations: &["*"],
        ports: &["443"],
        any_protocol: false,
    },
    BastionRule {
        purpose: "egress to the target VMs (SSH and RDP)",
        inbound: false,
        sources: &["*", "VirtualNetwork"],
        destinations: &["VirtualNetwork"],
        ports: &["22", "3389"],
        any_protocol: true,
    },
    BastionRule {
        purpose: "egress to the Bastion data plane (host to host)",
        inbound: false,
        sources: &["VirtualNetwork"],
        destinations: &["VirtualNetwork"],
        ports: &["8080", "5701"],
        any_protocol: true,
    },
    BastionRule {
        purpose: "egress to Azure public endpoints (AzureCloud, HTTPS)",
        inbound: false,
        sources: &["*", "VirtualNetwork"],
        destinations: &["AzureCloud"],
        ports: &["443"],
        any_protocol: false,
    },
    BastionRule {
        purpose: "egress to the internet for session and certificate validation (HTTP)",
        inbound: false,
        sources: &["*", "VirtualNetwork"],
        destinations: &["Internet"],
        ports: &["80"],
        any_protocol: true,
    },
];

/// The Bastion requirement `rule` meets exactly (an Allow rule of that
/// direction, protocol, source, destination and ports), if any.
pub(super) fn required_rule(rule: &SecurityRule) -> Option<&'static BastionRule> {
    let is = |field: &crate::evidence::Field<String>, want: &str| {
        field
            .value()
            .is_some_and(|v| v.trim().eq_ignore_ascii_case(want))
    };
    if !is(&rule.access, "Allow") {
        return None;
    }
    let inbound = is(&rule.direction, "Inbound");
    if !inbound && !is(&rule.direction, "Outbound") {
        return None;
    }
    let protocol = rule.protocol.value()?.trim().to_owned();
    let sources = rule.source_prefixes.value()?;
    let destinations = rule.destination_prefixes.value()?;
    let ports = rule.destination_ports.value()?;
    let within = |values: &[String], allowed: &[&str]| {
        !values.is_empty()
            && values
                .iter()
                .all(|v| allowed.iter().any(|a| v.trim().eq_ignore_ascii_case(a)))
    };
    REQUIRED.iter().find(|required| {
        let protocol_fits = protocol.eq_ignore_ascii_case("Tcp")
            || (required.any_protocol && (protocol == "*" || protocol.eq_ignore_ascii_case("Any")));
        required.inbound == inbound
            && protocol_fits
            && within(sources, required.sources)
            && within(destinations, required.destinations)
            && within(ports, required.ports)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Field;

    fn rule(
        direction: &str,
        protocol: &str,
        source: &str,
        destination: &str,
        ports: &[&str],
    ) -> SecurityRule {
        let list = |v: &[&str]| Field::known(v.iter().map(|s| (*s).to_owned()).collect(), "/x");
        SecurityRule {
            name: "r".into(),
            pointer: "/x".into(),
            is_default: false,
            direction: Field::known(direction.into(), "/x"),
            access: Field::known("Allow".into(), "/x"),
            protocol: Field::known(protocol.into(), "/x"),
            priority: Field::known(100, "/x"),
            source_prefixes: list(&[source]),
            source_asg_ids: Vec::new(),
            destination_prefixes: list(&[destination]),
            destination_ports: list(ports),
        }
    }

    #[test]
    fn bastion_rules_are_recognised_by_shape() {
        let host = rule(
            "Inbound",
            "*",
            "VirtualNetwork",
            "VirtualNetwork",
            &["8080", "5701"],
        );
        assert_eq!(
            required_rule(&host).unwrap().purpose,
            "ingress from the Bastion data plane (host to host)"
        );
        let http_out = rule("Outbound", "*", "*", "Internet", &["80"]);
        assert!(required_rule(&http_out).is_some());
        let ssh_out = rule("Outbound", "Tcp", "*", "VirtualNetwork", &["22"]);
        assert!(required_rule(&ssh_out).is_some());
        // Broader than documented: not Bastion's.
        assert!(required_rule(&rule("Inbound", "*", "Internet", "*", &["443"])).is_none());
        assert!(
            required_rule(&rule(
                "Inbound",
                "*",
                "VirtualNetwork",
                "VirtualNetwork",
                &["8080", "22"]
            ))
            .is_none()
        );
        assert!(required_rule(&rule("Outbound", "*", "*", "Internet", &["*"])).is_none());
    }
}
