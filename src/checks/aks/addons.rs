//! Add-ons and profiles: Azure Policy, monitoring, the Key Vault secrets
//! provider, and Defender.

use super::{at, cluster_label};
use crate::checks::ResourceResult;
use crate::checks::defaults::{self, bool_answer, default_for, expect_setting};
use crate::checks::judge::{Answer, evidence_at, result_of, unknown_reason};
use crate::evidence::EvidenceRef;
use crate::evidence::azure::AksCluster;

/// Whether the add-on `name` is enabled, with the evidence that says so.
/// An add-on that a known `addonProfiles` does not list is not installed;
/// neither is any add-on where a live-state export states `addonProfiles`
/// as `null`.
fn addon_answer(cluster: &AksCluster, name: &str) -> (Answer, EvidenceRef) {
    if let Some((_, why)) = default_for(
        &cluster.info,
        &cluster.addons,
        "addonProfiles",
        defaults::ADDON_PROFILES,
    ) {
        return (
            Answer::No(format!("the {name} add-on is not installed ({why})")),
            at(cluster, &cluster.addons),
        );
    }
    if !cluster.addons.is_known() {
        return (
            Answer::Unknown(unknown_reason(&cluster.addons, "addonProfiles")),
            at(cluster, &cluster.addons),
        );
    }
    let Some(addon) = cluster.addon(name) else {
        return (
            Answer::No(format!(
                "addonProfiles has no {name} entry: the add-on is not installed"
            )),
            at(cluster, &cluster.addons),
        );
    };
    let field_name = format!("addonProfiles.{name}.enabled");
    let answer = match bool_answer(
        &cluster.info,
        &addon.enabled,
        &field_name,
        true,
        defaults::ADDON,
    ) {
        Answer::Yes(why) => Answer::Yes(format!("the {name} add-on is enabled ({why})")),
        Answer::No(why) => Answer::No(format!("the {name} add-on is disabled ({why})")),
        unknown => unknown,
    };
    (
        answer,
        evidence_at(&cluster.info, &addon.enabled, &addon.pointer),
    )
}

fn addon_check(cluster: &AksCluster, name: &str) -> Vec<ResourceResult> {
    let (answer, evidence) = addon_answer(cluster, name);
    vec![result_of(&cluster_label(cluster), answer, vec![evidence])]
}

/// `aks.azure-policy-addon`.
pub(super) fn azure_policy(cluster: &AksCluster) -> Vec<ResourceResult> {
    addon_check(cluster, "azurepolicy")
}

/// `aks.secrets-store-csi`.
pub(super) fn secrets_store_csi(cluster: &AksCluster) -> Vec<ResourceResult> {
    addon_check(cluster, "azureKeyvaultSecretsProvider")
}

/// `aks.monitoring-addon`: the omsagent add-on, or the Azure Monitor profile
/// (Container insights or managed Prometheus metrics). Passes on any one;
/// fails only when every one is known to be off.
pub(super) fn monitoring(cluster: &AksCluster) -> Vec<ResourceResult> {
    let (oms, oms_evidence) = addon_answer(cluster, "omsagent");
    let insights = bool_answer(
        &cluster.info,
        &cluster.container_insights,
        "azureMonitorProfile.containerInsights.enabled",
        true,
        defaults::CONTAINER_INSIGHTS,
    );
    let metrics = bool_answer(
        &cluster.info,
        &cluster.azure_monitor,
        "azureMonitorProfile.metrics.enabled",
        true,
        defaults::AZURE_MONITOR_METRICS,
    );
    let answers = [oms, insights, metrics];
    let answer =
        if let Some(Answer::Yes(why)) = answers.iter().find(|a| matches!(a, Answer::Yes(_))) {
            Answer::Yes(format!("container monitoring is on: {why}"))
        } else {
            let reasons: Vec<&str> = answers
                .iter()
                .map(|a| match a {
                    Answer::Yes(r) | Answer::No(r) | Answer::Unknown(r) => r.as_str(),
                })
                .collect();
            let text = reasons.join("; ");
            if answers.iter().all(|a| matches!(a, Answer::No(_))) {
                Answer::No(format!("no container monitoring: {text}"))
            } else {
                Answer::Unknown(text)
            }
        };
    vec![result_of(
        &cluster_label(cluster),
        answer,
        vec![
            oms_evidence,
            at(cluster, &cluster.container_insights),
            at(cluster, &cluster.azure_monitor),
        ],
    )]
}

/// `aks.defender`.
pub(super) fn defender(cluster: &AksCluster) -> Vec<ResourceResult> {
    let field = &cluster.defender;
    let name = if field
        .pointer()
        .is_some_and(|p| p.contains("/azureDefender/"))
    {
        "securityProfile.azureDefender.enabled"
    } else {
        "securityProfile.defender.securityMonitoring.enabled"
    };
    vec![expect_setting(
        &cluster.info,
        &cluster_label(cluster),
        at(cluster, field),
        (field, name),
        true,
        (
            "Defender for Containers monitors the cluster",
            "Defender for Containers does not monitor the cluster",
        ),
        defaults::DEFENDER,
    )]
}
