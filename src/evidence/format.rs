//! The evidence formats Tickmark recognises, with their stable IDs.

use serde::{Deserialize, Serialize};

/// What a file is, as detected from its content (never from its name).
///
/// The ID strings are part of the product's contract: they appear in the
/// command line's JSON, in exports and in the review record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Format {
    // Azure resources (az CLI or ARM shape, single resource or list).
    /// AKS cluster.
    #[serde(rename = "azure-aks")]
    AzureAks,
    /// Network security groups.
    #[serde(rename = "azure-nsg")]
    AzureNsg,
    /// Route tables.
    #[serde(rename = "azure-route-table")]
    AzureRouteTable,
    /// Azure Firewall.
    #[serde(rename = "azure-firewall")]
    AzureFirewall,
    /// Firewall policy.
    #[serde(rename = "azure-firewall-policy")]
    AzureFirewallPolicy,
    /// Firewall rule collection groups.
    #[serde(rename = "azure-firewall-rule-collection-groups")]
    AzureFirewallRuleCollectionGroups,
    /// Application Gateway.
    #[serde(rename = "azure-application-gateway")]
    AzureApplicationGateway,
    /// WAF policy.
    #[serde(rename = "azure-waf-policy")]
    AzureWafPolicy,
    /// Key Vault.
    #[serde(rename = "azure-key-vault")]
    AzureKeyVault,
    /// Container registry.
    #[serde(rename = "azure-container-registry")]
    AzureContainerRegistry,
    /// Private endpoints.
    #[serde(rename = "azure-private-endpoint")]
    AzurePrivateEndpoint,
    /// Log Analytics workspace.
    #[serde(rename = "azure-log-analytics-workspace")]
    AzureLogAnalyticsWorkspace,
    /// Virtual network.
    #[serde(rename = "azure-vnet")]
    AzureVnet,
    /// Defender plans.
    #[serde(rename = "azure-defender-pricing")]
    AzureDefenderPricing,
    /// Diagnostic settings.
    #[serde(rename = "azure-diagnostic-settings")]
    AzureDiagnosticSettings,
    /// Several kinds of Azure resource in one file (`az resource list`, an ARM list).
    #[serde(rename = "azure-resources")]
    AzureResources,
    /// An ARM template or `az group export` (JSONC with `[expressions]`).
    #[serde(rename = "arm-template")]
    ArmTemplate,
    /// Azure Policy states.
    #[serde(rename = "azure-policy-states")]
    AzurePolicyStates,
    /// Defender for Cloud assessments.
    #[serde(rename = "defender-assessments")]
    DefenderAssessments,
    /// Defender for Cloud recommendations (CSV).
    #[serde(rename = "defender-recommendations-csv")]
    DefenderRecommendationsCsv,
    // Kubernetes objects (`kubectl get ... -o json|yaml`).
    /// Kubernetes namespaces.
    #[serde(rename = "kubectl-namespaces")]
    KubectlNamespaces,
    /// Kubernetes pods.
    #[serde(rename = "kubectl-pods")]
    KubectlPods,
    /// Kubernetes workloads.
    #[serde(rename = "kubectl-workloads")]
    KubectlWorkloads,
    /// Kubernetes network policies.
    #[serde(rename = "kubectl-network-policies")]
    KubectlNetworkPolicies,
    /// Kubernetes services.
    #[serde(rename = "kubectl-services")]
    KubectlServices,
    /// Kubernetes ingresses.
    #[serde(rename = "kubectl-ingresses")]
    KubectlIngresses,
    /// Kubernetes cluster role bindings.
    #[serde(rename = "kubectl-cluster-role-bindings")]
    KubectlClusterRoleBindings,
    /// Several kinds of Kubernetes object in one file or YAML stream.
    #[serde(rename = "kubectl-objects")]
    KubectlObjects,
    // Scanners.
    /// Trivy image report.
    #[serde(rename = "trivy-image")]
    TrivyImage,
    /// Trivy image report (legacy).
    #[serde(rename = "trivy-image-legacy")]
    TrivyImageLegacy,
    /// Trivy config report.
    #[serde(rename = "trivy-config")]
    TrivyConfig,
    /// Trivy Kubernetes report.
    #[serde(rename = "trivy-k8s")]
    TrivyK8s,
    /// trivy-operator compliance report.
    #[serde(rename = "trivy-operator-compliance")]
    TrivyOperatorCompliance,
    /// kube-bench.
    #[serde(rename = "kube-bench")]
    KubeBench,
    /// Kubescape.
    #[serde(rename = "kubescape")]
    Kubescape,
    /// SARIF 2.1.0.
    #[serde(rename = "sarif")]
    Sarif,
    /// Checkov.
    #[serde(rename = "checkov")]
    Checkov,
    /// KICS.
    #[serde(rename = "kics")]
    Kics,
    /// Falco alerts.
    #[serde(rename = "falco")]
    Falco,
    /// Prowler (CSV).
    #[serde(rename = "prowler-csv")]
    ProwlerCsv,
    /// Prowler (OCSF).
    #[serde(rename = "prowler-ocsf")]
    ProwlerOcsf,
    // Documents reviewers attach; never evaluated by checks.
    /// Attachment.
    #[serde(rename = "attachment")]
    Attachment,
    // Added after the first release (IDs are append-only).
    /// Prowler's compliance output for one framework (CSV,
    /// `--compliance pci_4.0_azure`).
    #[serde(rename = "prowler-compliance-csv")]
    ProwlerComplianceCsv,
    /// Prowler's compliance output for one framework (OCSF Compliance
    /// Findings).
    #[serde(rename = "prowler-compliance-ocsf")]
    ProwlerComplianceOcsf,
    /// The manifest `tickmark collect` writes beside the files it collects.
    #[serde(rename = "collection-manifest")]
    CollectionManifest,
    /// An ARM parameter file (`deploymentParameters`), applied to the
    /// template imported beside it.
    #[serde(rename = "arm-parameters")]
    ArmParameters,
    /// A `kustomization.yaml`, applied to the manifests imported beside it.
    #[serde(rename = "kustomization")]
    Kustomization,
    /// A Bicep file, evaluated through the ARM JSON it compiles to.
    #[serde(rename = "bicep")]
    Bicep,
    /// `terraform show -json` of a state.
    #[serde(rename = "terraform-state")]
    TerraformState,
    /// `terraform show -json` of a saved plan.
    #[serde(rename = "terraform-plan")]
    TerraformPlan,
    /// Kubernetes nodes (`kubectl get nodes -o json`).
    #[serde(rename = "kubectl-nodes")]
    KubectlNodes,
    /// Service mesh mTLS policies: Istio PeerAuthentication, Linkerd
    /// Server, OSM MeshConfig (`kubectl get ... -A -o json`).
    #[serde(rename = "kubectl-mesh-policies")]
    KubectlMeshPolicies,
    /// A Tickmark scope file (`tickmark-scope.toml`): what is in PCI scope
    /// and which flows cross the boundary.
    #[serde(rename = "tickmark-scope")]
    TickmarkScope,
}

impl Format {
    /// Every format, in a stable order.
    pub const ALL: &'static [Format] = &[
        Format::AzureAks,
        Format::AzureNsg,
        Format::AzureRouteTable,
        Format::AzureFirewall,
        Format::AzureFirewallPolicy,
        Format::AzureFirewallRuleCollectionGroups,
        Format::AzureApplicationGateway,
        Format::AzureWafPolicy,
        Format::AzureKeyVault,
        Format::AzureContainerRegistry,
        Format::AzurePrivateEndpoint,
        Format::AzureLogAnalyticsWorkspace,
        Format::AzureVnet,
        Format::AzureDefenderPricing,
        Format::AzureDiagnosticSettings,
        Format::AzureResources,
        Format::ArmTemplate,
        Format::AzurePolicyStates,
        Format::DefenderAssessments,
        Format::DefenderRecommendationsCsv,
        Format::KubectlNamespaces,
        Format::KubectlPods,
        Format::KubectlWorkloads,
        Format::KubectlNetworkPolicies,
        Format::KubectlServices,
        Format::KubectlIngresses,
        Format::KubectlClusterRoleBindings,
        Format::KubectlObjects,
        Format::TrivyImage,
        Format::TrivyImageLegacy,
        Format::TrivyConfig,
        Format::TrivyK8s,
        Format::TrivyOperatorCompliance,
        Format::KubeBench,
        Format::Kubescape,
        Format::Sarif,
        Format::Checkov,
        Format::Kics,
        Format::Falco,
        Format::ProwlerCsv,
        Format::ProwlerOcsf,
        Format::Attachment,
        Format::ProwlerComplianceCsv,
        Format::ProwlerComplianceOcsf,
        Format::CollectionManifest,
        Format::ArmParameters,
        Format::Kustomization,
        Format::Bicep,
        Format::TerraformState,
        Format::TerraformPlan,
        Format::KubectlNodes,
        Format::KubectlMeshPolicies,
        Format::TickmarkScope,
    ];

    /// The stable ID, e.g. `azure-nsg`.
    pub fn id(self) -> &'static str {
        match self {
            Format::AzureAks => "azure-aks",
            Format::AzureNsg => "azure-nsg",
            Format::AzureRouteTable => "azure-route-table",
            Format::AzureFirewall => "azure-firewall",
            Format::AzureFirewallPolicy => "azure-firewall-policy",
            Format::AzureFirewallRuleCollectionGroups => "azure-firewall-rule-collection-groups",
            Format::AzureApplicationGateway => "azure-application-gateway",
            Format::AzureWafPolicy => "azure-waf-policy",
            Format::AzureKeyVault => "azure-key-vault",
            Format::AzureContainerRegistry => "azure-container-registry",
            Format::AzurePrivateEndpoint => "azure-private-endpoint",
            Format::AzureLogAnalyticsWorkspace => "azure-log-analytics-workspace",
            Format::AzureVnet => "azure-vnet",
            Format::AzureDefenderPricing => "azure-defender-pricing",
            Format::AzureDiagnosticSettings => "azure-diagnostic-settings",
            Format::AzureResources => "azure-resources",
            Format::ArmTemplate => "arm-template",
            Format::AzurePolicyStates => "azure-policy-states",
            Format::DefenderAssessments => "defender-assessments",
            Format::DefenderRecommendationsCsv => "defender-recommendations-csv",
            Format::KubectlNamespaces => "kubectl-namespaces",
            Format::KubectlPods => "kubectl-pods",
            Format::KubectlWorkloads => "kubectl-workloads",
            Format::KubectlNetworkPolicies => "kubectl-network-policies",
            Format::KubectlServices => "kubectl-services",
            Format::KubectlIngresses => "kubectl-ingresses",
            Format::KubectlClusterRoleBindings => "kubectl-cluster-role-bindings",
            Format::KubectlObjects => "kubectl-objects",
            Format::TrivyImage => "trivy-image",
            Format::TrivyImageLegacy => "trivy-image-legacy",
            Format::TrivyConfig => "trivy-config",
            Format::TrivyK8s => "trivy-k8s",
            Format::TrivyOperatorCompliance => "trivy-operator-compliance",
            Format::KubeBench => "kube-bench",
            Format::Kubescape => "kubescape",
            Format::Sarif => "sarif",
            Format::Checkov => "checkov",
            Format::Kics => "kics",
            Format::Falco => "falco",
            Format::ProwlerCsv => "prowler-csv",
            Format::ProwlerOcsf => "prowler-ocsf",
            Format::Attachment => "attachment",
            Format::ProwlerComplianceCsv => "prowler-compliance-csv",
            Format::ProwlerComplianceOcsf => "prowler-compliance-ocsf",
            Format::CollectionManifest => "collection-manifest",
            Format::ArmParameters => "arm-parameters",
            Format::Kustomization => "kustomization",
            Format::Bicep => "bicep",
            Format::TerraformState => "terraform-state",
            Format::TerraformPlan => "terraform-plan",
            Format::KubectlNodes => "kubectl-nodes",
            Format::KubectlMeshPolicies => "kubectl-mesh-policies",
            Format::TickmarkScope => "tickmark-scope",
        }
    }

    /// Looks a format up by its stable ID.
    pub fn from_id(id: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.id() == id)
    }

    /// A short human label, e.g. "Azure NSGs".
    pub fn label(self) -> &'static str {
        match self {
            Format::AzureAks => "AKS cluster",
            Format::AzureNsg => "Network security groups",
            Format::AzureRouteTable => "Route tables",
            Format::AzureFirewall => "Azure Firewall",
            Format::AzureFirewallPolicy => "Firewall policy",
            Format::AzureFirewallRuleCollectionGroups => "Firewall rule collection groups",
            Format::AzureApplicationGateway => "Application Gateway",
            Format::AzureWafPolicy => "WAF policy",
            Format::AzureKeyVault => "Key Vault",
            Format::AzureContainerRegistry => "Container registry",
            Format::AzurePrivateEndpoint => "Private endpoints",
            Format::AzureLogAnalyticsWorkspace => "Log Analytics workspace",
            Format::AzureVnet => "Virtual network",
            Format::AzureDefenderPricing => "Defender plans",
            Format::AzureDiagnosticSettings => "Diagnostic settings",
            Format::AzureResources => "Azure resources",
            Format::ArmTemplate => "ARM template",
            Format::AzurePolicyStates => "Azure Policy states",
            Format::DefenderAssessments => "Defender for Cloud assessments",
            Format::DefenderRecommendationsCsv => "Defender for Cloud recommendations (CSV)",
            Format::KubectlNamespaces => "Kubernetes namespaces",
            Format::KubectlPods => "Kubernetes pods",
            Format::KubectlWorkloads => "Kubernetes workloads",
            Format::KubectlNetworkPolicies => "Kubernetes network policies",
            Format::KubectlServices => "Kubernetes services",
            Format::KubectlIngresses => "Kubernetes ingresses",
            Format::KubectlClusterRoleBindings => "Kubernetes cluster role bindings",
            Format::KubectlObjects => "Kubernetes objects",
            Format::TrivyImage => "Trivy image report",
            Format::TrivyImageLegacy => "Trivy image report (legacy)",
            Format::TrivyConfig => "Trivy config report",
            Format::TrivyK8s => "Trivy Kubernetes report",
            Format::TrivyOperatorCompliance => "trivy-operator compliance report",
            Format::KubeBench => "kube-bench",
            Format::Kubescape => "Kubescape",
            Format::Sarif => "SARIF 2.1.0",
            Format::Checkov => "Checkov",
            Format::Kics => "KICS",
            Format::Falco => "Falco alerts",
            Format::ProwlerCsv => "Prowler (CSV)",
            Format::ProwlerOcsf => "Prowler (OCSF)",
            Format::Attachment => "Attachment",
            Format::ProwlerComplianceCsv => "Prowler compliance (CSV)",
            Format::ProwlerComplianceOcsf => "Prowler compliance (OCSF)",
            Format::CollectionManifest => "Tickmark collection manifest",
            Format::ArmParameters => "ARM parameter file",
            Format::Kustomization => "Kustomization",
            Format::Bicep => "Bicep",
            Format::TerraformState => "Terraform state (terraform show -json)",
            Format::TerraformPlan => "Terraform plan (terraform show -json)",
            Format::KubectlNodes => "Kubernetes nodes",
            Format::KubectlMeshPolicies => "Service mesh mTLS policies",
            Format::TickmarkScope => "Tickmark scope file",
        }
    }
}

impl Format {
    /// True for files the checks read; false for documents kept as
    /// attachments and for collection manifests.
    pub fn is_evaluated(self) -> bool {
        !matches!(self, Format::Attachment | Format::CollectionManifest)
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_serde_and_lookup() {
        for &format in Format::ALL {
            let json = serde_json::to_string(&format).unwrap();
            assert_eq!(json, format!("\"{}\"", format.id()));
            assert_eq!(Format::from_id(format.id()), Some(format));
        }
    }
}
