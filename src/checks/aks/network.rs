//! Cluster networking: the network policy engine and the egress path.

use super::{at, cluster_label};
use crate::checks::ResourceResult;
use crate::checks::judge::{Answer, is_one_of, result_of, unknown_reason};
use crate::evidence::azure::AksCluster;

const POLICY: &str = "networkProfile.networkPolicy";
const OUTBOUND: &str = "networkProfile.outboundType";

/// `aks.network-policy`.
pub(super) fn network_policy(cluster: &AksCluster) -> Vec<ResourceResult> {
    let answer = match cluster.network_policy.value() {
        Some(engine) if is_one_of(engine, &["azure", "calico", "cilium"]) => Answer::Yes(format!(
            "{POLICY} is {engine}: Kubernetes network policies are enforced"
        )),
        Some(engine) => Answer::No(format!(
            "{POLICY} is {engine}: no engine enforces Kubernetes network policies"
        )),
        None => Answer::Unknown(unknown_reason(&cluster.network_policy, POLICY)),
    };
    vec![result_of(
        &cluster_label(cluster),
        answer,
        vec![at(cluster, &cluster.network_policy)],
    )]
}

/// `aks.egress-udr`.
pub(super) fn egress_udr(cluster: &AksCluster) -> Vec<ResourceResult> {
    let answer = match cluster.outbound_type.value() {
        Some(kind) if kind.eq_ignore_ascii_case("userDefinedRouting") => Answer::Yes(format!(
            "{OUTBOUND} is {kind}: egress follows the subnet's routes (to a firewall)"
        )),
        Some(kind) => Answer::No(format!(
            "{OUTBOUND} is {kind}: egress leaves without passing user-defined routes to a firewall"
        )),
        None => Answer::Unknown(unknown_reason(&cluster.outbound_type, OUTBOUND)),
    };
    vec![result_of(
        &cluster_label(cluster),
        answer,
        vec![at(cluster, &cluster.outbound_type)],
    )]
}
