//! `logs.*`: how long logs are kept, whether the Kubernetes audit log is
//! collected at all, and whether the workspace holding them is open to
//! public networks.

use super::at;
use crate::checks::defaults::{self, default_for, string_setting};
use crate::checks::judge::{
    Answer, all_of, evidence_at, result_of, unknown_reason, unless_conditional,
};
use crate::checks::{CheckResult, CheckStatus, ResourceResult, Settings};
use crate::collect::export_command as cmd;
use crate::evidence::azure::{AksCluster, DiagnosticLog, DiagnosticSetting, LogAnalyticsWorkspace};
use crate::evidence::{EvidenceRef, Field};

const AKS_TYPE: &str = "microsoft.containerservice/managedclusters";

/// `logs.retention`.
pub(super) fn retention(workspaces: &[LogAnalyticsWorkspace], settings: &Settings) -> CheckResult {
    let resources = workspaces
        .iter()
        .map(|w| unless_conditional(&w.info, retention_of(w, settings)))
        .collect();
    CheckResult::from_resources("logs.retention", "workspace", resources, &no_workspace())
}

fn retention_of(workspace: &LogAnalyticsWorkspace, settings: &Settings) -> ResourceResult {
    let info = &workspace.info;
    let field = &workspace.retention_days;
    let name = "retentionInDays";
    let (year, floor) = (
        i64::from(settings.log_retention_days),
        i64::from(settings.log_retention_min_days),
    );
    let stated = match field.value() {
        Some(&days) => Ok((days, format!("{name} is {days}"))),
        None => default_for(info, field, name, defaults::WORKSPACE_RETENTION)
            .ok_or_else(|| unknown_reason(field, name)),
    };
    let answer = match stated {
        Ok((days, said)) if days >= year => {
            Answer::Yes(format!("{said}: logs are kept at least {year} days"))
        }
        Ok((days, said)) if days >= floor => Answer::No(format!(
            "{said}, under {year} days: this passes only with an archive or export that keeps the logs for a year, which must be shown separately"
        )),
        Ok((_, said)) => Answer::No(format!(
            "{said}, below the {floor}-day minimum for immediately available logs"
        )),
        Err(why) => Answer::Unknown(why),
    };
    result_of(&info.label(), answer, vec![at(info, field)])
}

/// `logs.workspace-private`: the workspace takes logs in and answers queries
/// only over private links, so the audit trail cannot be written to or read
/// from the internet.
pub(super) fn workspace_private(workspaces: &[LogAnalyticsWorkspace]) -> CheckResult {
    let resources = workspaces
        .iter()
        .map(|w| unless_conditional(&w.info, workspace_private_of(w)))
        .collect();
    CheckResult::from_resources(
        "logs.workspace-private",
        "workspace",
        resources,
        &no_workspace(),
    )
}

fn workspace_private_of(workspace: &LogAnalyticsWorkspace) -> ResourceResult {
    let info = &workspace.info;
    let closed = |field: &Field<String>, name: &str, what: &str| match string_setting(
        info,
        field,
        name,
        defaults::WORKSPACE_PUBLIC_ACCESS,
    ) {
        Ok((v, said)) if v.trim().eq_ignore_ascii_case("disabled") => Answer::Yes(said),
        Ok((_, said)) => Answer::No(format!("{said}: {what} from public networks")),
        Err(why) => Answer::Unknown(why),
    };
    let answer = all_of(vec![
        closed(
            &workspace.public_ingestion,
            "publicNetworkAccessForIngestion",
            "logs can be sent to it",
        ),
        closed(
            &workspace.public_query,
            "publicNetworkAccessForQuery",
            "logs can be queried",
        ),
    ]);
    result_of(
        &info.label(),
        answer,
        vec![
            at(info, &workspace.public_ingestion),
            at(info, &workspace.public_query),
        ],
    )
}

/// The log categories that hold the Kubernetes audit log, and the category
/// groups that include them on an AKS cluster (`audit` covers kube-audit,
/// kube-audit-admin and guard; `allLogs` covers every category).
const AUDIT_CATEGORIES: &[&str] = &["kube-audit", "kube-audit-admin"];
const AUDIT_GROUPS: &[&str] = &["audit", "allLogs"];

/// `logs.kube-audit`: for every AKS cluster (imported, or named by a
/// diagnostic setting), some diagnostic setting of it has `kube-audit` or
/// `kube-audit-admin` enabled, directly or through a category group that
/// contains them.
pub(super) fn kube_audit(settings: &[DiagnosticSetting], clusters: &[AksCluster]) -> CheckResult {
    let relevant: Vec<&DiagnosticSetting> = settings.iter().filter(|s| is_for_aks(s)).collect();
    if relevant.is_empty() {
        let reason = if settings.is_empty() {
            format!(
                "no diagnostic settings imported (export them with {})",
                cmd("aks-diagnostic-settings")
            )
        } else {
            format!(
                "none of the imported diagnostic settings belongs to an AKS cluster (export them with {})",
                cmd("aks-diagnostic-settings")
            )
        };
        return CheckResult::not_evaluated("logs.kube-audit", reason);
    }
    let mut used = vec![false; relevant.len()];
    let mut resources = Vec::new();
    for cluster in clusters {
        let mine: Vec<&DiagnosticSetting> = relevant
            .iter()
            .enumerate()
            .filter(|(_, s)| belongs_to(s, cluster))
            .map(|(i, s)| {
                used[i] = true;
                *s
            })
            .collect();
        let judged = judge_target(&cluster.info.label(), &mine);
        resources.push(judged.unwrap_or_else(|| cluster_without_settings(cluster)));
    }
    for (target, group) in group_by_target(&relevant, &used) {
        resources.extend(judge_target(&target, &group));
    }
    CheckResult::from_resources("logs.kube-audit", "cluster", resources, "")
}

/// True if the setting belongs to an AKS cluster: its target is one, or its
/// target is unknown but it names AKS-only log categories.
fn is_for_aks(setting: &DiagnosticSetting) -> bool {
    match &setting.target_type {
        Some(t) => t.eq_ignore_ascii_case(AKS_TYPE),
        None => setting.logs.value().is_some_and(|logs| {
            logs.iter().any(|l| {
                l.category.value().is_some_and(|c| {
                    let c = c.to_ascii_lowercase();
                    c.starts_with("kube-") || c == "guard" || c == "cluster-autoscaler"
                })
            })
        }),
    }
}

/// True if `setting` belongs to `cluster`: the same resource ID; or, in a
/// template, nested in the cluster's resource or scoped to a name written
/// exactly as the cluster's `name` in the same file.
fn belongs_to(setting: &DiagnosticSetting, cluster: &AksCluster) -> bool {
    let same_id = match (&setting.target_id, &cluster.info.id) {
        (Some(target), Some(id)) => target.eq_ignore_ascii_case(id),
        _ => false,
    };
    let same_file = setting.info.source.path == cluster.info.source.path;
    let same_parent =
        setting.target_pointer.as_deref() == Some(cluster.info.source.pointer.as_str());
    let same_name = setting.info.in_template
        && setting.target_name.is_some()
        && setting.target_name == cluster.info.name;
    same_id || (same_file && (same_parent || same_name))
}

/// The settings no imported cluster claimed, grouped by their target.
fn group_by_target<'a>(
    relevant: &[&'a DiagnosticSetting],
    used: &[bool],
) -> Vec<(String, Vec<&'a DiagnosticSetting>)> {
    let mut groups: Vec<(String, Vec<&DiagnosticSetting>)> = Vec::new();
    for (setting, _) in relevant.iter().zip(used).filter(|(_, used)| !**used) {
        let target = match &setting.target_id {
            Some(id) => id.clone(),
            None => format!(
                "the AKS cluster of diagnostic setting {}",
                setting.info.label()
            ),
        };
        match groups
            .iter_mut()
            .find(|(t, _)| t.eq_ignore_ascii_case(&target))
        {
            Some((_, group)) => group.push(setting),
            None => groups.push((target, vec![setting])),
        }
    }
    groups
}

fn cluster_without_settings(cluster: &AksCluster) -> ResourceResult {
    ResourceResult::new(
        cluster.info.label(),
        CheckStatus::NotEvaluated,
        format!(
            "no diagnostic setting of this cluster imported (export them with {})",
            cmd("aks-diagnostic-settings")
        ),
        vec![cluster.info.source.clone()],
    )
}

/// Judges the settings of one cluster: pass if any setting enables the audit
/// log, fail if every entry is known and none does; `None` without settings.
fn judge_target(target: &str, settings: &[&DiagnosticSetting]) -> Option<ResourceResult> {
    if settings.is_empty() {
        return None;
    }
    let mut evidence = Vec::new();
    let mut unknown: Option<String> = None;
    let mut enabled_elsewhere: Vec<String> = Vec::new();
    for setting in settings {
        let logs = match &setting.logs {
            Field::Known { value, .. } => value,
            other => {
                evidence.push(at(&setting.info, other));
                unknown.get_or_insert_with(|| unknown_reason(other, "logs"));
                continue;
            }
        };
        for log in logs {
            match audit_entry(log) {
                Answer::Yes(why) if setting.info.deployed_if.is_some() => {
                    evidence.push(entry_evidence(setting, log));
                    unknown.get_or_insert(format!(
                        "{why} in diagnostic setting {}, which is deployed only if {}",
                        setting_name(setting),
                        setting.info.deployed_if.as_deref().unwrap_or_default()
                    ));
                }
                Answer::Yes(why) => {
                    let found = vec![evidence_at(&setting.info, &log.enabled, &log.pointer)];
                    let reason = format!("{why} in diagnostic setting {}", setting_name(setting));
                    return Some(ResourceResult::new(
                        target,
                        CheckStatus::Pass,
                        reason,
                        found,
                    ));
                }
                Answer::Unknown(why) => {
                    evidence.push(entry_evidence(setting, log));
                    unknown.get_or_insert(why);
                }
                Answer::No(_) => {
                    if log.enabled.value() == Some(&true) {
                        enabled_elsewhere.extend(log.category.value().cloned());
                    }
                }
            }
        }
        evidence.push(setting.info.source.clone());
    }
    let (status, reason) = match unknown {
        Some(why) => (CheckStatus::NotEvaluated, why),
        None => (
            CheckStatus::Fail,
            format!(
                "no diagnostic setting enables kube-audit or kube-audit-admin (enabled categories: {})",
                if enabled_elsewhere.is_empty() {
                    "none".to_owned()
                } else {
                    enabled_elsewhere.join(", ")
                }
            ),
        ),
    };
    Some(ResourceResult::new(target, status, reason, evidence))
}

fn setting_name(setting: &DiagnosticSetting) -> String {
    setting
        .info
        .name
        .clone()
        .unwrap_or_else(|| setting.info.label())
}

fn entry_evidence(setting: &DiagnosticSetting, log: &DiagnosticLog) -> EvidenceRef {
    EvidenceRef {
        path: setting.info.source.path.clone(),
        pointer: log.pointer.clone(),
        resource: setting.info.source.resource.clone(),
    }
}

/// Whether one `logs[]` entry turns the audit log on.
fn audit_entry(log: &DiagnosticLog) -> Answer {
    let category = log.category.value().map(|c| c.trim());
    let group = log.category_group.value().map(|g| g.trim());
    let audit_category =
        category.filter(|c| AUDIT_CATEGORIES.iter().any(|a| c.eq_ignore_ascii_case(a)));
    let audit_group = group.filter(|g| AUDIT_GROUPS.iter().any(|a| g.eq_ignore_ascii_case(a)));
    let what = match (audit_category, audit_group) {
        (Some(c), _) => format!("category {c}"),
        (None, Some(g)) if g.eq_ignore_ascii_case("allLogs") => {
            format!("category group {g} (every category, kube-audit and kube-audit-admin included)")
        }
        (None, Some(g)) => {
            format!("category group {g} (on AKS: kube-audit, kube-audit-admin and guard)")
        }
        (None, None) => {
            return match (&log.category, &log.category_group) {
                (Field::Unresolved { .. } | Field::Invalid { .. }, _) => {
                    Answer::Unknown(unknown_reason(&log.category, "logs[].category"))
                }
                (_, Field::Unresolved { .. } | Field::Invalid { .. }) => {
                    Answer::Unknown(unknown_reason(&log.category_group, "logs[].categoryGroup"))
                }
                _ => Answer::No("not an audit category".to_owned()),
            };
        }
    };
    match &log.enabled {
        Field::Known { value: true, .. } => Answer::Yes(format!("{what} is enabled")),
        Field::Known { value: false, .. } => Answer::No(format!("{what} is listed but disabled")),
        other => Answer::Unknown(format!(
            "{}, for the audit entry at {}",
            unknown_reason(other, "logs[].enabled"),
            log.pointer
        )),
    }
}

fn no_workspace() -> String {
    format!(
        "no Log Analytics workspace imported (export them with {})",
        cmd("log-analytics-workspaces")
    )
}
