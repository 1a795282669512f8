//! The API server's exposure: private cluster, public FQDN, private DNS zone.

use super::{at, cluster_label};
use crate::checks::ResourceResult;
use crate::checks::defaults::{self, bool_answer, expect_setting, string_setting};
use crate::checks::judge::{Answer, result_of};
use crate::evidence::azure::AksCluster;

const PRIVATE: &str = "apiServerAccessProfile.enablePrivateCluster";
const PUBLIC_FQDN: &str = "apiServerAccessProfile.enablePrivateClusterPublicFQDN";
const DNS_ZONE: &str = "apiServerAccessProfile.privateDNSZone";

/// `aks.private-cluster`.
pub(super) fn private_cluster(cluster: &AksCluster) -> Vec<ResourceResult> {
    vec![expect_setting(
        &cluster.info,
        &cluster_label(cluster),
        at(cluster, &cluster.private_cluster),
        (&cluster.private_cluster, PRIVATE),
        true,
        (
            "the API server is reachable only on a private endpoint",
            "the API server has a public endpoint",
        ),
        defaults::PRIVATE_CLUSTER,
    )]
}

/// Whether the cluster is private, as the first condition of the checks
/// that only make sense for a private cluster.
fn is_private(cluster: &AksCluster) -> Answer {
    match bool_answer(
        &cluster.info,
        &cluster.private_cluster,
        PRIVATE,
        true,
        defaults::PRIVATE_CLUSTER,
    ) {
        Answer::No(why) => Answer::No(format!(
            "not a private cluster, so the API server is public ({why})"
        )),
        other => other,
    }
}

/// `aks.no-public-fqdn`.
pub(super) fn no_public_fqdn(cluster: &AksCluster) -> Vec<ResourceResult> {
    let fqdn = match bool_answer(
        &cluster.info,
        &cluster.private_cluster_public_fqdn,
        PUBLIC_FQDN,
        false,
        defaults::PRIVATE_CLUSTER_PUBLIC_FQDN,
    ) {
        Answer::Yes(why) => Answer::Yes(format!(
            "private cluster without a public FQDN for its API server ({why})"
        )),
        Answer::No(why) => Answer::No(format!(
            "a public DNS name is published for the private API server ({why})"
        )),
        unknown => unknown,
    };
    let answer = match is_private(cluster) {
        Answer::Yes(_) => fqdn,
        other => other,
    };
    vec![result_of(
        &cluster_label(cluster),
        answer,
        vec![
            at(cluster, &cluster.private_cluster),
            at(cluster, &cluster.private_cluster_public_fqdn),
        ],
    )]
}

/// `aks.private-dns-zone`.
pub(super) fn private_dns_zone(cluster: &AksCluster) -> Vec<ResourceResult> {
    let zone = match cluster.private_dns_zone.value() {
        Some(zone) => judge_zone(zone),
        None => match string_setting(
            &cluster.info,
            &cluster.private_dns_zone,
            DNS_ZONE,
            defaults::PRIVATE_DNS_ZONE,
        ) {
            Ok((_, why)) => Answer::Yes(format!(
                "AKS keeps the API server's name in a private DNS zone it manages ({why})"
            )),
            Err(why) => Answer::Unknown(why),
        },
    };
    let answer = match is_private(cluster) {
        Answer::Yes(_) => zone,
        other => other,
    };
    vec![result_of(
        &cluster_label(cluster),
        answer,
        vec![
            at(cluster, &cluster.private_cluster),
            at(cluster, &cluster.private_dns_zone),
        ],
    )]
}

fn judge_zone(zone: &str) -> Answer {
    let trimmed = zone.trim();
    if trimmed.eq_ignore_ascii_case("system") {
        Answer::Yes(format!(
            "{DNS_ZONE} is system: AKS keeps the API server's name in a private DNS zone it manages"
        ))
    } else if trimmed.eq_ignore_ascii_case("none") {
        Answer::No(format!(
            "{DNS_ZONE} is none: no private DNS zone, so the API server's name resolves through public DNS"
        ))
    } else if is_private_dns_zone_id(trimmed) {
        Answer::Yes(format!("{DNS_ZONE} is the private DNS zone {trimmed}"))
    } else {
        Answer::No(format!(
            "{DNS_ZONE} is {trimmed:?}, neither system nor a private DNS zone resource ID"
        ))
    }
}

/// True for a resource ID of a private DNS zone.
fn is_private_dns_zone_id(value: &str) -> bool {
    value.starts_with('/')
        && value
            .to_ascii_lowercase()
            .contains("/providers/microsoft.network/privatednszones/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones() {
        assert!(matches!(judge_zone("System"), Answer::Yes(_)));
        assert!(matches!(judge_zone("none"), Answer::No(_)));
        assert!(matches!(
            judge_zone(
                "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/privateDnsZones/privatelink.eastus2.azmk8s.io"
            ),
            Answer::Yes(_)
        ));
        assert!(matches!(
            judge_zone("privatelink.eastus2.azmk8s.io"),
            Answer::No(_)
        ));
    }
}
