//! Automatic upgrades of Kubernetes and of the node OS images.

use super::{at, cluster_label};
use crate::checks::ResourceResult;
use crate::checks::defaults::{self, AzureDefault, default_for};
use crate::checks::judge::{Answer, all_of, is_one_of, result_of, unknown_reason};
use crate::evidence::Field;
use crate::evidence::azure::AksCluster;

const CHANNEL: &str = "autoUpgradeProfile.upgradeChannel";
const NODE_OS: &str = "autoUpgradeProfile.nodeOSUpgradeChannel";

/// `aks.auto-upgrade`.
pub(super) fn auto_upgrade(cluster: &AksCluster) -> Vec<ResourceResult> {
    let channel = channel_answer(
        cluster,
        (&cluster.upgrade_channel, CHANNEL),
        &["none"],
        Some(defaults::UPGRADE_CHANNEL),
    );
    // The default of nodeOSUpgradeChannel changed between API versions, so a
    // null there is not judged.
    let node_os = channel_answer(
        cluster,
        (&cluster.node_os_upgrade_channel, NODE_OS),
        &["None", "Unmanaged"],
        None,
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

/// Whether the channel `field` upgrades automatically (any value but one of
/// `off`), with Azure's `default` for a `null` of a live-state export.
fn channel_answer(
    cluster: &AksCluster,
    (field, name): (&Field<String>, &str),
    off: &[&str],
    default: Option<AzureDefault<&str>>,
) -> Answer {
    match field.value() {
        Some(value) if value.trim().is_empty() || is_one_of(value.trim(), off) => {
            Answer::No(format!("{name} is {value:?}"))
        }
        Some(value) => Answer::Yes(format!("{name} is {value}")),
        None => match default.and_then(|d| default_for(&cluster.info, field, name, d)) {
            Some((value, why)) if is_one_of(value, off) => Answer::No(why),
            Some((_, why)) => Answer::Yes(why),
            None => Answer::Unknown(unknown_reason(field, name)),
        },
    }
}
