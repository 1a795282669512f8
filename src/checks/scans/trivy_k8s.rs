//! `scan.trivy-k8s`: no failed misconfiguration of HIGH or CRITICAL severity
//! among the objects of a running cluster that `trivy k8s` scanned (both of
//! its report shapes). Like `scan.kubescape`, it holds the workloads to the
//! hardening standard of requirement 2.2; lower severities are listed but
//! do not fail it.

use super::CheckResult;
use super::iac::judge_scans;
use crate::collect::export_command as cmd;
use crate::evidence::scans::{MisconfigurationKind, ScanEvidence};

/// The check's ID.
pub const ID: &str = "scan.trivy-k8s";

/// Runs the check.
pub fn check(scans: &ScanEvidence) -> CheckResult {
    judge_scans(
        ID,
        scans,
        MisconfigurationKind::LiveCluster,
        ("cluster object", "cluster object(s)"),
        &format!(
            "no Trivy scan of a running cluster was imported ({})",
            cmd("trivy-k8s")
        ),
    )
}
