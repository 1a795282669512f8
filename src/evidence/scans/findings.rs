//! The findings model shared by every scanner importer: vulnerabilities,
//! misconfigurations, benchmark results, control results, policy states,
//! recommendations, runtime alerts. Each item keeps an [`EvidenceRef`] back
//! to where it is in its file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::evidence::{EvidenceRef, Format};

/// A severity on one scale for all tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The tool says it does not know.
    Unknown,
    /// Informational only.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// Reads a tool's severity word (`CRITICAL`, `High`, `moderate`,
    /// `Informational`...), case-insensitively.
    pub fn parse(text: &str) -> Option<Severity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "critical" => Some(Severity::Critical),
            "high" => Some(Severity::High),
            "medium" | "moderate" => Some(Severity::Medium),
            "low" => Some(Severity::Low),
            "info" | "informational" | "information" | "negligible" | "none" | "trace" => {
                Some(Severity::Info)
            }
            "unknown" | "" => Some(Severity::Unknown),
            _ => None,
        }
    }

    /// Upper-case label, as most scanners print it.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Unknown => "UNKNOWN",
            Severity::Info => "INFO",
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        }
    }

    /// True for HIGH and CRITICAL.
    pub fn is_high_or_above(self) -> bool {
        self >= Severity::High
    }
}

/// Typed findings of every scanner, policy and runtime file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ScanEvidence {
    /// Scanned images and other vulnerability targets, each with its findings.
    pub vulnerability_scans: Vec<VulnerabilityScan>,
    /// Misconfiguration scans (IaC and live-cluster), each with its findings.
    pub misconfiguration_scans: Vec<MisconfigurationScan>,
    /// kube-bench results.
    pub kube_bench: Vec<KubeBenchResult>,
    /// Kubescape control results.
    pub kubescape: Vec<KubescapeControl>,
    /// trivy-operator compliance reports.
    pub compliance_reports: Vec<ComplianceReport>,
    /// Azure Policy compliance states.
    pub policy_states: Vec<PolicyState>,
    /// Defender for Cloud assessments (recommendation × resource).
    pub defender_assessments: Vec<DefenderAssessment>,
    /// Falco runtime alerts.
    pub falco_alerts: Vec<FalcoAlert>,
    /// Prowler findings.
    pub prowler_findings: Vec<ProwlerFinding>,
}

impl ScanEvidence {
    /// Moves everything of `other` into `self`.
    pub fn extend(&mut self, other: ScanEvidence) {
        self.vulnerability_scans.extend(other.vulnerability_scans);
        self.misconfiguration_scans
            .extend(other.misconfiguration_scans);
        self.kube_bench.extend(other.kube_bench);
        self.kubescape.extend(other.kubescape);
        self.compliance_reports.extend(other.compliance_reports);
        self.policy_states.extend(other.policy_states);
        self.defender_assessments.extend(other.defender_assessments);
        self.falco_alerts.extend(other.falco_alerts);
        self.prowler_findings.extend(other.prowler_findings);
    }

    /// True if nothing was read.
    pub fn is_empty(&self) -> bool {
        self.vulnerability_scans.is_empty()
            && self.misconfiguration_scans.is_empty()
            && self.kube_bench.is_empty()
            && self.kubescape.is_empty()
            && self.compliance_reports.is_empty()
            && self.policy_states.is_empty()
            && self.defender_assessments.is_empty()
            && self.falco_alerts.is_empty()
            && self.prowler_findings.is_empty()
    }
}

/// One scanned target (an image's OS packages, its language packages, a
/// workload's image) and the vulnerabilities found in it. A target with no
/// vulnerabilities is kept: it shows the target was scanned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VulnerabilityScan {
    /// The scanner, e.g. `Trivy`.
    pub tool: String,
    /// What was scanned as a whole: the image or artifact name.
    pub artifact: Option<String>,
    /// The Kubernetes workload (`namespace/Kind/name`) for cluster scans.
    pub workload: Option<String>,
    /// The target inside the artifact (`app:1.0 (alpine 3.19)`, `Node.js`).
    pub target: String,
    /// Where the target is in its file.
    pub source: EvidenceRef,
    /// What was found.
    pub vulnerabilities: Vec<Vulnerability>,
}

impl VulnerabilityScan {
    /// A label for reasons: workload or artifact, then the target.
    pub fn label(&self) -> String {
        match (&self.workload, &self.artifact) {
            (Some(workload), _) => format!("{workload}: {}", self.target),
            (None, Some(artifact)) if !self.target.starts_with(artifact.as_str()) => {
                format!("{artifact}: {}", self.target)
            }
            _ => self.target.clone(),
        }
    }
}

/// One vulnerability in one package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    /// CVE or advisory ID.
    pub id: String,
    /// The affected package.
    pub package: String,
    /// The installed version.
    pub installed_version: Option<String>,
    /// The version that fixes it, if one exists.
    pub fixed_version: Option<String>,
    /// The scanner's severity.
    pub severity: Severity,
    /// A short title, where the scanner gives one.
    pub title: Option<String>,
    /// Where it is in its file.
    pub source: EvidenceRef,
}

impl Vulnerability {
    /// True if a fixed version exists.
    pub fn is_fixable(&self) -> bool {
        self.fixed_version
            .as_deref()
            .is_some_and(|v| !v.trim().is_empty())
    }
}

/// What a misconfiguration scan looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MisconfigurationKind {
    /// Infrastructure-as-code files (Terraform, ARM, Kubernetes manifests...).
    Iac,
    /// Objects of a running cluster (`trivy k8s`).
    LiveCluster,
}

/// One run of a misconfiguration scanner over one file or repository.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MisconfigurationScan {
    /// The scanner (`Checkov`, `KICS`, `Trivy`, a SARIF driver name).
    pub tool: String,
    /// Its version, where the file says.
    pub tool_version: Option<String>,
    /// The format it was read from.
    pub format: Format,
    /// IaC or live cluster.
    pub kind: MisconfigurationKind,
    /// The run in its file.
    pub source: EvidenceRef,
    /// How many files or resources the tool says it scanned, where it says.
    pub scanned: Option<u64>,
    /// How many files the tool says it could not parse or scan, and so did
    /// not check (Checkov's `parsing_errors`, KICS's `files_failed_to_scan`).
    #[serde(default)]
    pub unparsed: u64,
    /// The failed checks.
    pub findings: Vec<MisconfigurationFinding>,
}

/// How a tool rates a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "by", content = "value")]
pub enum Rating {
    /// A severity (Trivy, KICS, Checkov with a platform key).
    Severity(Severity),
    /// A SARIF result level.
    Level(SarifLevel),
    /// The tool gave no rating (Checkov without a platform key).
    Unrated,
}

/// SARIF 2.1.0 result levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SarifLevel {
    /// `error`: the rule is violated and it matters.
    Error,
    /// `warning`.
    Warning,
    /// `note`: informational.
    Note,
    /// `none`.
    None,
}

impl SarifLevel {
    /// Reads a SARIF level word.
    pub fn parse(text: &str) -> Option<SarifLevel> {
        match text {
            "error" => Some(SarifLevel::Error),
            "warning" => Some(SarifLevel::Warning),
            "note" => Some(SarifLevel::Note),
            "none" => Some(SarifLevel::None),
            _ => None,
        }
    }

    /// The SARIF word.
    pub fn label(self) -> &'static str {
        match self {
            SarifLevel::Error => "error",
            SarifLevel::Warning => "warning",
            SarifLevel::Note => "note",
            SarifLevel::None => "none",
        }
    }
}

/// One failed check on one file or resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MisconfigurationFinding {
    /// The rule or check ID (`CKV_K8S_20`, `AVD-AZU-0013`, a KICS query ID).
    pub rule_id: String,
    /// The rule's title or message.
    pub title: Option<String>,
    /// The scanned file (or the workload, for a cluster scan).
    pub target: String,
    /// The resource inside it, or a line.
    pub location: Option<String>,
    /// How the tool rates it.
    pub rating: Rating,
    /// Where it is in its file.
    pub source: EvidenceRef,
}

/// kube-bench's verdict for one benchmark item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BenchStatus {
    /// `PASS`.
    Pass,
    /// `FAIL`.
    Fail,
    /// `WARN`: needs a manual review.
    Warn,
    /// `INFO`.
    Info,
}

impl BenchStatus {
    /// Reads kube-bench's `PASS`, `FAIL`, `WARN`, `INFO`.
    pub fn parse(text: &str) -> Option<BenchStatus> {
        match text.trim().to_ascii_uppercase().as_str() {
            "PASS" => Some(BenchStatus::Pass),
            "FAIL" => Some(BenchStatus::Fail),
            "WARN" => Some(BenchStatus::Warn),
            "INFO" => Some(BenchStatus::Info),
            _ => None,
        }
    }
}

/// One kube-bench result (`test_number`, e.g. `4.2.1`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KubeBenchResult {
    /// The benchmark item, e.g. `4.2.1`.
    pub number: String,
    /// Its description.
    pub description: String,
    /// PASS, FAIL, WARN or INFO.
    pub status: BenchStatus,
    /// True if the benchmark scores the item (automated check).
    pub scored: bool,
    /// The benchmark, e.g. `cis-1.20`.
    pub benchmark: Option<String>,
    /// `master`, `node`, `etcd`, `controlplane`, `policies`.
    pub node_type: Option<String>,
    /// kube-bench's reason when the audit itself failed.
    pub audit_error: Option<String>,
    /// Where it is in its file.
    pub source: EvidenceRef,
}

/// A Kubescape control's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlStatus {
    /// Every resource passed.
    Passed,
    /// At least one resource failed.
    Failed,
    /// Not applicable to the scanned resources.
    Irrelevant,
    /// Not run (e.g. needs cloud or host data).
    Skipped,
    /// Anything else the tool wrote.
    Other(String),
}

impl ControlStatus {
    /// Reads Kubescape's status word.
    pub fn parse(text: &str) -> ControlStatus {
        match text.trim().to_ascii_lowercase().as_str() {
            "passed" | "pass" => ControlStatus::Passed,
            "failed" | "fail" => ControlStatus::Failed,
            "irrelevant" => ControlStatus::Irrelevant,
            "skipped" => ControlStatus::Skipped,
            other => ControlStatus::Other(other.to_owned()),
        }
    }
}

/// One Kubescape control in one report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KubescapeControl {
    /// Control ID, e.g. `C-0017`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its outcome.
    pub status: ControlStatus,
    /// Its severity.
    pub severity: Severity,
    /// True if the severity was derived from the control's score factor
    /// (older reports state no severity).
    pub severity_from_score: bool,
    /// Where the control's summary is.
    pub source: EvidenceRef,
    /// The resources that failed it, each with where that result is.
    pub failed_resources: Vec<EvidenceRef>,
}

/// A trivy-operator compliance control's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplianceOutcome {
    /// At least one check result, all successful.
    Passed,
    /// At least one failed check result.
    Failed,
    /// The report holds no check result for the control (the operator
    /// writes a default entry without a check ID); not assessed.
    NoResult,
}

/// One control of a trivy-operator compliance report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplianceControl {
    /// Control ID, e.g. `5.1.2`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its severity.
    pub severity: Severity,
    /// Its outcome.
    pub outcome: ComplianceOutcome,
    /// How many check results failed.
    pub failures: u64,
    /// The failing targets (`namespace/kind-name`), where the report names them.
    pub failed_targets: Vec<String>,
    /// Where the control's result is.
    pub source: EvidenceRef,
}

/// A trivy-operator `ClusterComplianceReport`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplianceReport {
    /// The specification ID, e.g. `cis`, `nsa`, `pss-restricted`.
    pub spec_id: String,
    /// Its title, e.g. `CIS Kubernetes Benchmarks v1.23`.
    pub title: String,
    /// When the operator last updated it.
    pub updated: Option<String>,
    /// The report as a whole.
    pub source: EvidenceRef,
    /// Its controls.
    pub controls: Vec<ComplianceControl>,
}

/// An Azure Policy compliance state word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyCompliance {
    /// `Compliant`.
    Compliant,
    /// `NonCompliant`.
    NonCompliant,
    /// `Exempt`: an exemption covers the resource.
    Exempt,
    /// `Conflicting`: assignments disagree.
    Conflicting,
    /// `Unknown`: not evaluated yet.
    Unknown,
    /// Anything else Azure wrote.
    Other(String),
}

impl PolicyCompliance {
    /// Reads `Compliant`, `NonCompliant`, ... case-insensitively.
    pub fn parse(text: &str) -> PolicyCompliance {
        match text.trim().to_ascii_lowercase().as_str() {
            "compliant" => PolicyCompliance::Compliant,
            "noncompliant" | "non-compliant" => PolicyCompliance::NonCompliant,
            "exempt" => PolicyCompliance::Exempt,
            "conflicting" | "conflict" => PolicyCompliance::Conflicting,
            "unknown" => PolicyCompliance::Unknown,
            other => PolicyCompliance::Other(other.to_owned()),
        }
    }

    /// The Azure word.
    pub fn label(&self) -> &str {
        match self {
            PolicyCompliance::Compliant => "Compliant",
            PolicyCompliance::NonCompliant => "NonCompliant",
            PolicyCompliance::Exempt => "Exempt",
            PolicyCompliance::Conflicting => "Conflicting",
            PolicyCompliance::Unknown => "Unknown",
            PolicyCompliance::Other(other) => other,
        }
    }
}

/// The group-name prefix of Azure's PCI DSS 3.2.1 initiative
/// (`PCI_DSS_V3.2.1_1.3.2`), compared case-insensitively.
pub const PCI_321_GROUP_PREFIX: &str = "PCI_DSS_V3.2.1_";

/// One Azure Policy state: one resource against one policy of one assignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyState {
    /// Compliant, NonCompliant, ...
    pub compliance: PolicyCompliance,
    /// The evaluated resource.
    pub resource_id: String,
    /// The policy definition (name, else ID).
    pub policy_definition: Option<String>,
    /// The assignment (name, else ID).
    pub policy_assignment: Option<String>,
    /// The initiative (policy set) name, if any.
    pub policy_set: Option<String>,
    /// The definition's groups in the initiative.
    pub group_names: Vec<String>,
    /// When Azure evaluated it.
    pub timestamp: Option<String>,
    /// Where it is in its file.
    pub source: EvidenceRef,
}

impl PolicyState {
    /// The PCI DSS 3.2.1 requirement IDs named by this state's group names.
    pub fn pci_requirements(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .group_names
            .iter()
            .filter_map(|group| pci_321_group_requirement(group))
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

/// The requirement ID of a `PCI_DSS_V3.2.1_<id>` group name.
pub fn pci_321_group_requirement(group: &str) -> Option<String> {
    let prefix_len = PCI_321_GROUP_PREFIX.len();
    let head = group.get(..prefix_len)?;
    if !head.eq_ignore_ascii_case(PCI_321_GROUP_PREFIX) {
        return None;
    }
    let id = &group[prefix_len..];
    is_requirement_id(id).then(|| id.to_owned())
}

/// True for a PCI DSS requirement ID of the shape `N`, `N.N`, ... with the
/// family 1 to 12 (`1.3.2`, `11.3.4.1`).
pub fn is_requirement_id(id: &str) -> bool {
    let mut parts = id.split('.');
    let family_ok = parts
        .next()
        .and_then(|family| family.parse::<u8>().ok())
        .is_some_and(|family| (1..=12).contains(&family));
    family_ok
        && id.split('.').count() <= 4
        && id
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

/// A Defender for Cloud assessment's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentStatus {
    /// `Healthy`.
    Healthy,
    /// `Unhealthy`.
    Unhealthy,
    /// `NotApplicable`.
    NotApplicable,
    /// Anything else Defender wrote.
    Other(String),
}

impl AssessmentStatus {
    /// Reads `Healthy`, `Unhealthy`, `NotApplicable` case-insensitively.
    pub fn parse(text: &str) -> AssessmentStatus {
        match text.trim().to_ascii_lowercase().as_str() {
            "healthy" => AssessmentStatus::Healthy,
            "unhealthy" => AssessmentStatus::Unhealthy,
            "notapplicable" | "not applicable" => AssessmentStatus::NotApplicable,
            other => AssessmentStatus::Other(other.to_owned()),
        }
    }

    /// The Defender word.
    pub fn label(&self) -> &str {
        match self {
            AssessmentStatus::Healthy => "Healthy",
            AssessmentStatus::Unhealthy => "Unhealthy",
            AssessmentStatus::NotApplicable => "NotApplicable",
            AssessmentStatus::Other(other) => other,
        }
    }
}

/// One Defender for Cloud assessment: one recommendation on one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DefenderAssessment {
    /// The assessment key (the recommendation's GUID), where the file says.
    pub key: Option<String>,
    /// The recommendation's display name.
    pub name: String,
    /// Healthy, Unhealthy, NotApplicable.
    pub status: AssessmentStatus,
    /// The severity the file states (assessments listed without
    /// `$expand=metadata` state none).
    pub severity: Option<Severity>,
    /// The assessed resource.
    pub resource_id: Option<String>,
    /// Where it is in its file.
    pub source: EvidenceRef,
}

/// Falco priorities, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FalcoPriority {
    /// `Emergency`.
    Emergency,
    /// `Alert`.
    Alert,
    /// `Critical`.
    Critical,
    /// `Error`.
    Error,
    /// `Warning`.
    Warning,
    /// `Notice`.
    Notice,
    /// `Informational`.
    Informational,
    /// `Debug`.
    Debug,
}

impl FalcoPriority {
    /// Reads Falco's priority word, case-insensitively.
    pub fn parse(text: &str) -> Option<FalcoPriority> {
        match text.trim().to_ascii_lowercase().as_str() {
            "emergency" => Some(FalcoPriority::Emergency),
            "alert" => Some(FalcoPriority::Alert),
            "critical" => Some(FalcoPriority::Critical),
            "error" => Some(FalcoPriority::Error),
            "warning" => Some(FalcoPriority::Warning),
            "notice" => Some(FalcoPriority::Notice),
            "informational" | "info" => Some(FalcoPriority::Informational),
            "debug" => Some(FalcoPriority::Debug),
            _ => None,
        }
    }

    /// Falco's word.
    pub fn label(self) -> &'static str {
        match self {
            FalcoPriority::Emergency => "Emergency",
            FalcoPriority::Alert => "Alert",
            FalcoPriority::Critical => "Critical",
            FalcoPriority::Error => "Error",
            FalcoPriority::Warning => "Warning",
            FalcoPriority::Notice => "Notice",
            FalcoPriority::Informational => "Informational",
            FalcoPriority::Debug => "Debug",
        }
    }

    /// True for Critical, Alert and Emergency.
    pub fn is_critical_or_above(self) -> bool {
        self <= FalcoPriority::Critical
    }
}

/// One Falco alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FalcoAlert {
    /// The rule that fired.
    pub rule: String,
    /// Its priority.
    pub priority: FalcoPriority,
    /// When.
    pub time: Option<String>,
    /// The host (node) that raised it.
    pub hostname: Option<String>,
    /// The container or pod, where the alert's fields name one.
    pub workload: Option<String>,
    /// Falco's message.
    pub output: String,
    /// Where it is in its file (`line N`).
    pub source: EvidenceRef,
}

/// A Prowler finding's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProwlerStatus {
    /// `PASS`.
    Pass,
    /// `FAIL`.
    Fail,
    /// `MANUAL`: for a person to check.
    Manual,
    /// Anything else Prowler wrote.
    Other(String),
}

impl ProwlerStatus {
    /// Reads `PASS`, `FAIL`, `MANUAL` case-insensitively.
    pub fn parse(text: &str) -> ProwlerStatus {
        match text.trim().to_ascii_uppercase().as_str() {
            "PASS" => ProwlerStatus::Pass,
            "FAIL" => ProwlerStatus::Fail,
            "MANUAL" | "INFO" => ProwlerStatus::Manual,
            other => ProwlerStatus::Other(other.to_owned()),
        }
    }
}

/// The compliance-framework key Prowler writes for PCI DSS 3.2.1
/// (`<Framework>-<Version>`), normalised by [`is_pci_321_framework`].
pub fn is_pci_321_framework(key: &str) -> bool {
    let normal: String = key
        .to_ascii_uppercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    normal == "PCI3.2.1" || normal == "PCIDSS3.2.1" || normal == "PCIDSSV3.2.1"
}

/// One Prowler finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProwlerFinding {
    /// The Prowler check, e.g. `aks_cluster_rbac_enabled`.
    pub check_id: String,
    /// Its title.
    pub title: Option<String>,
    /// PASS, FAIL, MANUAL.
    pub status: ProwlerStatus,
    /// True if the finding was muted (accepted) in Prowler.
    pub muted: bool,
    /// Prowler's severity.
    pub severity: Option<Severity>,
    /// The resource.
    pub resource: Option<String>,
    /// Framework (`CIS-1.10`, `PCI-3.2.1`) → requirement IDs, as Prowler maps them.
    pub compliance: BTreeMap<String, Vec<String>>,
    /// Where it is in its file.
    pub source: EvidenceRef,
}

impl ProwlerFinding {
    /// The PCI DSS 3.2.1 entries of the compliance mapping: requirement IDs,
    /// and the entries that are not requirement IDs (Prowler's AWS mapping
    /// names service groups such as `cloudtrail`).
    pub fn pci_321_entries(&self) -> (Vec<String>, Vec<String>) {
        let mut ids = Vec::new();
        let mut other = Vec::new();
        for (framework, entries) in &self.compliance {
            if !is_pci_321_framework(framework) {
                continue;
            }
            for entry in entries {
                let entry = entry.trim();
                if is_requirement_id(entry) {
                    ids.push(entry.to_owned());
                } else if !entry.is_empty() {
                    other.push(entry.to_owned());
                }
            }
        }
        ids.sort();
        ids.dedup();
        other.sort();
        other.dedup();
        (ids, other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_read_every_tools_words() {
        assert_eq!(Severity::parse("CRITICAL"), Some(Severity::Critical));
        assert_eq!(Severity::parse("High"), Some(Severity::High));
        assert_eq!(Severity::parse("Informational"), Some(Severity::Info));
        assert_eq!(Severity::parse("bogus"), None);
        assert!(Severity::High.is_high_or_above());
        assert!(!Severity::Medium.is_high_or_above());
    }

    #[test]
    fn pci_group_names_and_requirement_ids() {
        assert_eq!(
            pci_321_group_requirement("PCI_DSS_V3.2.1_1.3.2").as_deref(),
            Some("1.3.2")
        );
        assert_eq!(
            pci_321_group_requirement("pci_dss_v3.2.1_11.3.4.1").as_deref(),
            Some("11.3.4.1")
        );
        assert_eq!(pci_321_group_requirement("PCI_DSS_v4.0_1.2.1"), None);
        assert_eq!(pci_321_group_requirement("PCI_DSS_V3.2.1_"), None);
        assert_eq!(pci_321_group_requirement("ASB_NS-1"), None);
        assert!(is_requirement_id("12.10.1"));
        assert!(!is_requirement_id("13.1"));
        assert!(!is_requirement_id("cloudtrail"));
        assert!(!is_requirement_id("1..2"));
    }

    #[test]
    fn prowler_pci_mapping_keeps_only_321() {
        let finding = ProwlerFinding {
            check_id: "x".into(),
            title: None,
            status: ProwlerStatus::Fail,
            muted: false,
            severity: None,
            resource: None,
            compliance: BTreeMap::from([
                (
                    "PCI-3.2.1".to_owned(),
                    vec!["1.3.1".to_owned(), "cloudtrail".to_owned()],
                ),
                ("PCI-4.0".to_owned(), vec!["1.2.5".to_owned()]),
            ]),
            source: EvidenceRef {
                path: "p".into(),
                pointer: "row 2".into(),
                resource: None,
            },
        };
        let (ids, other) = finding.pci_321_entries();
        assert_eq!(ids, vec!["1.3.1"]);
        assert_eq!(other, vec!["cloudtrail"]);
    }

    #[test]
    fn falco_priorities_order() {
        assert!(FalcoPriority::Emergency.is_critical_or_above());
        assert!(FalcoPriority::Critical.is_critical_or_above());
        assert!(!FalcoPriority::Error.is_critical_or_above());
        assert_eq!(
            FalcoPriority::parse("INFO"),
            Some(FalcoPriority::Informational)
        );
    }
}
