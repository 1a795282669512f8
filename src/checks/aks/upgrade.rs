//! Automatic upgrades of Kubernetes and of the node OS images.

use super::{at, cluster_label};
use crate::checks::ResourceResult;
use crate::checks::judge::{Answer, all_of, is_one_of, result_of, unknown_reason};
use crate::evidence::Field;
use crate::evidence::azure::AksCluster;

const CHANNEL: &str = "autoUpgradeProfile.upgradeChannel";
const NODE_OS: &str = "autoUpgradeProfile.nodeOSUpgradeChannel";

/// `aks.auto-upgrade`.
pub(super) fn auto_upgrade(cluster: &AksCluster) -> Vec<ResourceResult> {
    let channel = channel_answer(&cluster.upgrade_channel, CHANNEL, &["none"]);
    let node_os = channel_answer(
        &cluster.node_os_upgrade_channel,
        NODE_OS,
        &["None", "Unmanaged"],
    );
    let answer = match all_of(vec![channel, node_os]) {
        Answer::Yes(why) => Answer::Yes(format!(
            "Kubernetes and node images upgrade automatically ({why})"
        )),
        Answer::No(why) => Answer::No(format!("upgrades are not automatic ({why})")),
        unknown => unknown,
    };
    vec![result_of(
        &cluster_label(cluster),
        answer,
        vec![
            at(cluster, &cluster.upgrade_channel),
            at(cluster, &cluster.node_os_upgrade_channel),
        ],
    )]
}

fn channel_answer(field: &Field<String>, name: &str, off: &[&str]) -> Answer {
    match field.value() {
        Some(value) if value.trim().is_empty() || is_one_of(value.trim(), off) => {
            Answer::No(format!("{name} is {value:?}"))
        }
        Some(value) => Answer::Yes(format!("{name} is {value}")),
        None => Answer::Unknown(unknown_reason(field, name)),
    }
}
