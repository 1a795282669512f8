//! Cluster networking: the network policy engine and the egress path.

use super::{at, cluster_label};
use crate::checks::ResourceResult;
use crate::checks::defaults::{self, string_setting};
use crate::checks::judge::{Answer, is_one_of, result_of};
use crate::evidence::azure::AksCluster;

const POLICY: &str = "networkProfile.networkPolicy";
const OUTBOUND: &str = "networkProfile.outboundType";

/// `aks.network-policy`.
pub(super) fn network_policy(cluster: &AksCluster) -> Vec<ResourceResult> {
    let setting = string_setting(
        &cluster.info,
        &cluster.network_policy,
        POLICY,
        defaults::NETWORK_POLICY,
    );
    let answer = match setting {
        Ok((engine, why)) if is_one_of(engine, &["azure", "calico", "cilium"]) => {
            Answer::Yes(format!("{why}: Kubernetes network policies are enforced"))
        }
        Ok((_, why)) if cluster.network_policy.is_known() => Answer::No(format!(
            "{why}: no engine enforces Kubernetes network policies"
        )),
        Ok((_, why)) => Answer::No(format!(
            "no engine enforces Kubernetes network policies ({why})"
        )),
        Err(why) => Answer::Unknown(why),
    };
    vec![result_of(
        &cluster_label(cluster),
        answer,
        vec![at(cluster, &cluster.network_policy)],
    )]
}

/// `aks.egress-udr`.
pub(super) fn egress_udr(cluster: &AksCluster) -> Vec<ResourceResult> {
    let setting = string_setting(
        &cluster.info,
        &cluster.outbound_type,
        OUTBOUND,
        defaults::OUTBOUND_TYPE,
    );
    let answer = match setting {
        Ok((kind, why)) if kind.eq_ignore_ascii_case("userDefinedRouting") => Answer::Yes(format!(
            "{why}: egress follows the subnet's routes (to a firewall)"
        )),
        Ok((_, why)) if cluster.outbound_type.is_known() => Answer::No(format!(
            "{why}: egress leaves without passing user-defined routes to a firewall"
        )),
        Ok((_, why)) => Answer::No(format!(
            "egress leaves through the cluster's load balancer, without passing user-defined routes to a firewall ({why})"
        )),
        Err(why) => Answer::Unknown(why),
    };
    vec![result_of(
        &cluster_label(cluster),
        answer,
        vec![at(cluster, &cluster.outbound_type)],
    )]
}
