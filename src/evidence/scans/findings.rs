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

/// The PCI DSS numbering a scanner's own mapping uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PciVersion {
    /// PCI DSS 3.2.1.
    V3_2_1,
    /// PCI DSS v4: 4.0 and 4.0.1 number their requirements the same way
    /// (4.0.1 corrected wording, not numbers), so both feed the 4.0.1
    /// catalog.
    V4,
}

impl PciVersion {
    /// A human label: `PCI DSS 3.2.1` or `PCI DSS v4.0/v4.0.1`.
    pub fn label(self) -> &'static str {
        match self {
            PciVersion::V3_2_1 => "PCI DSS 3.2.1",
            PciVersion::V4 => "PCI DSS v4.0/v4.0.1",
        }
    }
}

/// The group-name prefixes of Azure Policy's PCI DSS initiatives
/// (`PCI_DSS_V3.2.1_1.3.2`, `PCI_DSS_v4.0_1.2.1`, `PCI_DSS_v4.0.1_10.2.1`),
/// compared case-insensitively, with the numbering each names.
pub const PCI_GROUP_PREFIXES: &[(&str, PciVersion)] = &[
    ("PCI_DSS_V3.2.1_", PciVersion::V3_2_1),
    ("PCI_DSS_v4.0_", PciVersion::V4),
    ("PCI_DSS_v4.0.1_", PciVersion::V4),
];

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
    /// The PCI DSS requirements named by this state's group names, each
    /// with the numbering it is in, sorted and once each.
    pub fn pci_requirements(&self) -> Vec<(PciVersion, String)> {
        let mut ids: Vec<(PciVersion, String)> = self
            .group_names
            .iter()
            .filter_map(|group| pci_group_requirement(group))
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

/// The numbering and requirement ID of an Azure Policy PCI DSS group name
/// (`PCI_DSS_v4.0.1_10.2.1` → v4, `10.2.1`); `None` for any other group.
pub fn pci_group_requirement(group: &str) -> Option<(PciVersion, String)> {
    PCI_GROUP_PREFIXES.iter().find_map(|&(prefix, version)| {
        let head = group.get(..prefix.len())?;
        if !head.eq_ignore_ascii_case(prefix) {
            return None;
        }
        let id = &group[prefix.len()..];
        is_requirement_id(id).then(|| (version, id.to_owned()))
    })
}

/// True for a PCI DSS requirement ID of the shape `N`, `N.N`, ... with the
/// family 1 to 12 (`1.3.2`, `11.3.4.1`), or in one of v4's appendices
/// (`A1.1.1`, `A3.2.5.1`); at most four parts.
pub fn is_requirement_id(id: &str) -> bool {
    let numbered = id.strip_prefix('A').unwrap_or(id);
    let appendix = numbered.len() != id.len();
    let family_ok = numbered
        .split('.')
        .next()
        .and_then(|family| family.parse::<u8>().ok())
        .is_some_and(|family| {
            if appendix {
                (1..=3).contains(&family)
            } else {
                (1..=12).contains(&family)
            }
        });
    family_ok
        && numbered.split('.').count() <= 4
        && numbered
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

/// The PCI DSS numbering of a compliance-framework key as Prowler writes it
/// (`PCI-3.2.1`, `PCI-4.0`; `<Framework>-<Version>`), compared loosely
/// (`PCI DSS v4.0.1` too); `None` for any other framework.
pub fn pci_framework_version(key: &str) -> Option<PciVersion> {
    let normal: String = key
        .to_ascii_uppercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    let version = normal
        .strip_prefix("PCIDSS")
        .or_else(|| normal.strip_prefix("PCI"))?;
    match version.strip_prefix('V').unwrap_or(version) {
        "3.2.1" => Some(PciVersion::V3_2_1),
        "4.0" | "4.0.1" => Some(PciVersion::V4),
        _ => None,
    }
}

/// The requirement ID at the start of a Prowler PCI DSS v4 section text
/// (`1.2.5: Network security controls ...` → `1.2.5`); `None` if the text
/// does not start with an ID followed by a colon.
pub fn section_requirement(section: &str) -> Option<String> {
    let (head, _) = section.split_once(':')?;
    let id = head.trim();
    is_requirement_id(id).then(|| id.to_owned())
}

/// One row of Prowler's compliance output for a framework
/// (`prowler ... --compliance pci_4.0_azure`): a check's result under one
/// of the framework's entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplianceRow {
    /// The framework as the row names it (`PCI-4.0`, or the framework and
    /// its name from the CSV).
    pub framework: String,
    /// Its PCI DSS numbering, if it is a PCI DSS framework.
    pub version: Option<PciVersion>,
    /// Prowler's own ID of the entry. For PCI DSS v4 these are Prowler's
    /// sub-rules (`1.2.5.1` is a rule under 1.2.5, not requirement 1.2.5.1),
    /// so it is kept for display only.
    pub entry_id: String,
    /// The entry's section text (`1.2.5: Network security controls ...`),
    /// which names the requirement.
    pub section: Option<String>,
}

impl ComplianceRow {
    /// The PCI DSS requirement the row is about: for v4, the ID the section
    /// text starts with (never the entry ID); for 3.2.1, whose entries are
    /// the requirements themselves, the entry ID.
    pub fn pci_requirement(&self) -> Option<(PciVersion, String)> {
        match self.version? {
            PciVersion::V4 => self
                .section
                .as_deref()
                .and_then(section_requirement)
                .map(|id| (PciVersion::V4, id)),
            PciVersion::V3_2_1 => is_requirement_id(&self.entry_id)
                .then(|| (PciVersion::V3_2_1, self.entry_id.clone())),
        }
    }
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
    /// Framework (`CIS-1.10`, `PCI-3.2.1`) → entry IDs, as Prowler's
    /// findings output maps them.
    pub compliance: BTreeMap<String, Vec<String>>,
    /// For a row of Prowler's compliance output: the framework entry it is
    /// under.
    #[serde(default)]
    pub compliance_row: Option<ComplianceRow>,
    /// Where it is in its file.
    pub source: EvidenceRef,
}

impl ProwlerFinding {
    /// The PCI DSS requirements the finding names, each with its numbering:
    /// the `PCI-3.2.1` entries of the findings output's mapping that are
    /// requirement IDs, and the requirement a compliance row's section
    /// names. The findings output's `PCI-4.0` entries are never among them:
    /// they are Prowler's sub-rule IDs (see [`Self::pci4_subrules`]).
    pub fn pci_requirements(&self) -> Vec<(PciVersion, String)> {
        let mut ids: Vec<(PciVersion, String)> = self
            .compliance
            .iter()
            .filter(|(framework, _)| pci_framework_version(framework) == Some(PciVersion::V3_2_1))
            .flat_map(|(_, entries)| entries.iter().map(|entry| entry.trim()))
            .filter(|entry| is_requirement_id(entry))
            .map(|entry| (PciVersion::V3_2_1, entry.to_owned()))
            .chain(
                self.compliance_row
                    .as_ref()
                    .and_then(ComplianceRow::pci_requirement),
            )
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// The `PCI-3.2.1` entries of the mapping that are not requirement IDs
    /// (Prowler's AWS mapping names service groups such as `cloudtrail`).
    pub fn pci_321_other_entries(&self) -> Vec<String> {
        let mut other: Vec<String> = self
            .compliance
            .iter()
            .filter(|(framework, _)| pci_framework_version(framework) == Some(PciVersion::V3_2_1))
            .flat_map(|(_, entries)| entries.iter().map(|entry| entry.trim()))
            .filter(|entry| !entry.is_empty() && !is_requirement_id(entry))
            .map(str::to_owned)
            .collect();
        other.sort();
        other.dedup();
        other
    }

    /// The findings output's PCI DSS v4 entries: Prowler's sub-rule IDs
    /// (`1.2.5.1`), which do not name requirements and are not read as such.
    pub fn pci4_subrules(&self) -> Vec<&str> {
        self.compliance
            .iter()
            .filter(|(framework, _)| pci_framework_version(framework) == Some(PciVersion::V4))
            .flat_map(|(_, entries)| entries.iter().map(String::as_str))
            .collect()
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
        let group = |name: &str| pci_group_requirement(name);
        assert_eq!(
            group("PCI_DSS_V3.2.1_1.3.2"),
            Some((PciVersion::V3_2_1, "1.3.2".into()))
        );
        assert_eq!(
            group("pci_dss_v3.2.1_11.3.4.1"),
            Some((PciVersion::V3_2_1, "11.3.4.1".into()))
        );
        assert_eq!(
            group("PCI_DSS_v4.0_1.2.1"),
            Some((PciVersion::V4, "1.2.1".into()))
        );
        assert_eq!(
            group("PCI_DSS_v4.0.1_10.2.1.2"),
            Some((PciVersion::V4, "10.2.1.2".into()))
        );
        assert_eq!(
            group("PCI_DSS_v4.0.1_A1.1.1"),
            Some((PciVersion::V4, "A1.1.1".into()))
        );
        assert_eq!(group("PCI_DSS_V3.2.1_"), None);
        assert_eq!(group("PCI_DSS_v4.0.2_1.2.1"), None);
        assert_eq!(group("ASB_NS-1"), None);
        assert!(is_requirement_id("12.10.1"));
        assert!(is_requirement_id("A3.2.5.1"));
        assert!(!is_requirement_id("A4.1"));
        assert!(!is_requirement_id("13.1"));
        assert!(!is_requirement_id("cloudtrail"));
        assert!(!is_requirement_id("1..2"));
    }

    #[test]
    fn prowler_frameworks_and_sections() {
        assert_eq!(pci_framework_version("PCI-3.2.1"), Some(PciVersion::V3_2_1));
        assert_eq!(pci_framework_version("PCI-4.0"), Some(PciVersion::V4));
        assert_eq!(
            pci_framework_version("PCI DSS v4.0.1"),
            Some(PciVersion::V4)
        );
        assert_eq!(pci_framework_version("CIS-1.10"), None);
        assert_eq!(pci_framework_version("PCI-5.0"), None);
        assert_eq!(
            section_requirement("1.2.5: Network security controls (NSCs) are configured. ")
                .as_deref(),
            Some("1.2.5")
        );
        assert_eq!(
            section_requirement("A3.2.5.2: PCI DSS scope is documented").as_deref(),
            Some("A3.2.5.2")
        );
        assert_eq!(
            section_requirement("Requirement 1: Install a firewall"),
            None
        );
        assert_eq!(section_requirement("no colon"), None);
    }

    fn finding(compliance: &[(&str, &[&str])], row: Option<ComplianceRow>) -> ProwlerFinding {
        ProwlerFinding {
            check_id: "x".into(),
            title: None,
            status: ProwlerStatus::Fail,
            muted: false,
            severity: None,
            resource: None,
            compliance: compliance
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.iter().map(|e| (*e).to_owned()).collect()))
                .collect(),
            compliance_row: row,
            source: EvidenceRef {
                path: "p".into(),
                pointer: "row 2".into(),
                resource: None,
            },
        }
    }

    #[test]
    fn prowler_findings_read_321_ids_and_never_v4_subrules() {
        let f = finding(
            &[
                ("PCI-3.2.1", &["1.3.1", "cloudtrail"]),
                ("PCI-4.0", &["10.2.1.1"]),
            ],
            None,
        );
        assert_eq!(
            f.pci_requirements(),
            vec![(PciVersion::V3_2_1, "1.3.1".into())]
        );
        assert_eq!(f.pci_321_other_entries(), vec!["cloudtrail"]);
        assert_eq!(f.pci4_subrules(), vec!["10.2.1.1"]);
    }

    #[test]
    fn compliance_rows_name_the_section_not_the_entry() {
        let row = |version, entry: &str, section: Option<&str>| ComplianceRow {
            framework: "PCI-4.0".into(),
            version,
            entry_id: entry.into(),
            section: section.map(str::to_owned),
        };
        // Entry 10.4.1.1 is Prowler's first rule under 10.4.1, not 10.4.1.1.
        let v4 = finding(
            &[],
            Some(row(
                Some(PciVersion::V4),
                "10.4.1.1",
                Some("10.4.1: Audit logs are reviewed"),
            )),
        );
        assert_eq!(
            v4.pci_requirements(),
            vec![(PciVersion::V4, "10.4.1".into())]
        );
        let no_section = finding(&[], Some(row(Some(PciVersion::V4), "10.4.1.1", None)));
        assert!(no_section.pci_requirements().is_empty());
        let v321 = finding(
            &[],
            Some(row(
                Some(PciVersion::V3_2_1),
                "1.1",
                Some("Requirement 1: firewalls"),
            )),
        );
        assert_eq!(
            v321.pci_requirements(),
            vec![(PciVersion::V3_2_1, "1.1".into())]
        );
        let other = finding(&[], Some(row(None, "1.1", Some("1.1: x"))));
        assert!(other.pci_requirements().is_empty());
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
