//! Every automated check: its stable ID and what it means. Which requirements
//! a check feeds is catalog data (see `assets/catalog/`), not code.
//!
//! This module stands between [`crate::catalog`] and [`crate::checks`]: the
//! catalog validates the check IDs its files name against it, the checks
//! produce results under these IDs, and neither depends on the other for it.
//! The IDs are a contract (CLI JSON, exports, the review record): this list
//! is append-only.

/// How a check's results attach to requirements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckScope {
    /// Always produces one result; the catalog maps it to requirements.
    Static,
    /// Produces one result per requirement ID that the scan evidence itself
    /// names (Azure Policy group names, Prowler's PCI mappings).
    PerRequirement,
}

/// The definition of one check.
#[derive(Debug, Clone, Copy)]
pub struct CheckDef {
    /// Stable ID, part of the product's contract (e.g. `aks.private-cluster`).
    pub id: &'static str,
    /// A short title.
    pub title: &'static str,
    /// The evidence it reads.
    pub evidence: &'static str,
    /// When it passes.
    pub passes_when: &'static str,
    /// How results attach to requirements.
    pub scope: CheckScope,
}

const fn check(
    id: &'static str,
    title: &'static str,
    evidence: &'static str,
    passes_when: &'static str,
) -> CheckDef {
    CheckDef {
        id,
        title,
        evidence,
        passes_when,
        scope: CheckScope::Static,
    }
}

const fn per_requirement(
    id: &'static str,
    title: &'static str,
    evidence: &'static str,
    passes_when: &'static str,
) -> CheckDef {
    CheckDef {
        id,
        title,
        evidence,
        passes_when,
        scope: CheckScope::PerRequirement,
    }
}

/// Every check Tickmark runs.
pub const CHECKS: &[CheckDef] = &[
    check(
        "aks.private-cluster",
        "Private API server",
        "AKS cluster",
        "apiServerAccessProfile.enablePrivateCluster is true",
    ),
    check(
        "aks.no-public-fqdn",
        "No public FQDN for the private API server",
        "AKS cluster",
        "the cluster is private and enablePrivateClusterPublicFQDN is false",
    ),
    check(
        "aks.private-dns-zone",
        "Private DNS zone for the API server",
        "AKS cluster",
        "the cluster is private and privateDNSZone is `system` or a zone resource ID (not `none`)",
    ),
    check(
        "aks.nodepool-dedicated-subnets",
        "Each node pool in its own subnet",
        "AKS cluster",
        "every agent pool has a subnet ID and no two pools share one",
    ),
    check(
        "aks.no-node-public-ip",
        "No public IPs on nodes",
        "AKS cluster",
        "no agent pool has enableNodePublicIP true",
    ),
    check(
        "aks.network-policy",
        "Network policy engine",
        "AKS cluster",
        "networkProfile.networkPolicy is azure, calico or cilium",
    ),
    check(
        "aks.egress-udr",
        "Egress through user-defined routes",
        "AKS cluster",
        "networkProfile.outboundType is userDefinedRouting",
    ),
    check(
        "aks.entra-rbac",
        "Microsoft Entra ID with Azure or Kubernetes RBAC",
        "AKS cluster",
        "aadProfile.managed is true, disableLocalAccounts is true, and requests are authorised by Azure RBAC (enableAzureRBAC) or Kubernetes RBAC (enableRBAC, role bindings to Entra groups); the reason says which",
    ),
    check(
        "aks.local-accounts-disabled",
        "Local accounts disabled",
        "AKS cluster",
        "disableLocalAccounts is true",
    ),
    check(
        "aks.kubernetes-rbac",
        "Kubernetes RBAC",
        "AKS cluster",
        "enableRBAC is true",
    ),
    check(
        "aks.azure-policy-addon",
        "Azure Policy add-on",
        "AKS cluster",
        "the azurepolicy add-on is enabled",
    ),
    check(
        "aks.monitoring-addon",
        "Container monitoring",
        "AKS cluster",
        "the omsagent add-on is enabled, or the Azure Monitor profile is on",
    ),
    check(
        "aks.defender",
        "Defender for Containers on the cluster",
        "AKS cluster",
        "securityProfile.defender.securityMonitoring.enabled (older: azureDefender.enabled) is true",
    ),
    check(
        "aks.encryption-at-host",
        "Encryption at host",
        "AKS cluster",
        "every pool has enableEncryptionAtHost true",
    ),
    check(
        "aks.disk-encryption",
        "Customer-managed disk encryption or ephemeral OS disks",
        "AKS cluster",
        "diskEncryptionSetID is set, or every pool's osDiskType is Ephemeral",
    ),
    check(
        "aks.managed-identity",
        "Managed identity",
        "AKS cluster",
        "identity type is SystemAssigned or UserAssigned",
    ),
    check(
        "aks.secrets-store-csi",
        "Key Vault secrets provider",
        "AKS cluster",
        "the azureKeyvaultSecretsProvider add-on is enabled",
    ),
    check(
        "aks.auto-upgrade",
        "Automatic upgrades",
        "AKS cluster",
        "a cluster upgrade channel other than none and a node OS channel other than None/Unmanaged",
    ),
    check(
        "aks.system-user-pool-separation",
        "System and user pools separated",
        "AKS cluster",
        "at least one System pool and one User pool, and every User pool carries a taint, or carries the pci-scope node label while every imported workload of a workload namespace selects its pool by that label (nodeSelector or required node affinity)",
    ),
    check(
        "nsg.node-subnets-covered",
        "NSG on every node-pool subnet",
        "AKS cluster + NSGs",
        "every node-pool subnet has an NSG associated",
    ),
    check(
        "nsg.no-ssh-rdp-from-internet",
        "No SSH or RDP from the internet",
        "NSGs",
        "no Allow inbound rule opens 22 or 3389 from *, Internet, Any or 0.0.0.0/0",
    ),
    check(
        "nsg.inbound-internet-only-to-gateway",
        "Internet inbound only to the gateway on 443",
        "NSGs (+ Application Gateway, AKS)",
        "every Allow inbound rule from the internet sits on the Application Gateway subnet's NSG and opens only 443, or is a rule Azure Bastion requires on an NSG only on AzureBastionSubnet; an NSG whose subnet is not known by ID is not judged as off the gateway's subnet",
    ),
    check(
        "nsg.rules-restrict-protocol",
        "NSG rules restrict the protocol",
        "NSGs",
        "no custom Allow rule uses protocol *, except the rules Azure Bastion requires (by shape) on an NSG only on AzureBastionSubnet",
    ),
    check(
        "route.default-via-firewall",
        "Default route via the firewall",
        "Route tables (+ AKS)",
        "every node-pool subnet's route table sends 0.0.0.0/0 to VirtualAppliance",
    ),
    check(
        "fw.no-allow-any",
        "No allow-any firewall rules",
        "Azure Firewall / policy",
        "no Allow rule from * to *, no network rule to port * on *, no application rule to FQDN *",
    ),
    check(
        "fw.app-rules-https",
        "Firewall application rules allow HTTPS only",
        "Azure Firewall / policy",
        "application rules allow only Https (port 443)",
    ),
    check(
        "fw.threat-intel-deny",
        "Threat intelligence in Deny mode",
        "Azure Firewall / policy",
        "threat intelligence mode is Deny",
    ),
    check(
        "agw.waf-enabled",
        "WAF on the Application Gateway",
        "Application Gateway",
        "a WAF SKU with WAF configuration enabled or a WAF policy attached",
    ),
    check(
        "agw.waf-prevention",
        "WAF in Prevention mode",
        "Application Gateway / WAF policy",
        "the WAF mode is Prevention",
    ),
    check(
        "agw.owasp-ruleset",
        "Current OWASP or DRS rule set",
        "Application Gateway / WAF policy",
        "OWASP 3.2 or later, or Microsoft DRS",
    ),
    check(
        "agw.tls12",
        "TLS 1.2 minimum on the gateway",
        "Application Gateway",
        "minimum TLS 1.2, explicit or implied by a predefined policy",
    ),
    check(
        "agw.no-plain-http",
        "No plain HTTP listener",
        "Application Gateway",
        "no HTTP listener, except one whose only rule redirects to HTTPS",
    ),
    check(
        "vnet.ddos-protection",
        "DDoS protection on the gateway's network",
        "Virtual networks (+ Application Gateway)",
        "the VNet holding the gateway's subnet has DDoS protection enabled; when it cannot be placed, the reason lists the imported VNets without protection",
    ),
    check(
        "kv.private-endpoint",
        "Key Vault behind a private endpoint",
        "Key Vault",
        "at least one approved private endpoint connection",
    ),
    check(
        "kv.network-deny-default",
        "Key Vault firewall denies by default",
        "Key Vault",
        "networkAcls.defaultAction is Deny",
    ),
    check(
        "kv.purge-protection",
        "Key Vault soft delete and purge protection",
        "Key Vault",
        "soft delete and purge protection are on",
    ),
    check(
        "acr.admin-disabled",
        "Registry admin user disabled",
        "Container registry",
        "adminUserEnabled is false",
    ),
    check(
        "acr.private",
        "Registry not publicly reachable",
        "Container registry",
        "public network access disabled, or a private endpoint with default action Deny",
    ),
    check(
        "logs.retention",
        "Log retention of a year",
        "Log Analytics workspace",
        "retention is at least 365 days",
    ),
    check(
        "logs.kube-audit",
        "Kubernetes audit logs collected",
        "Diagnostic settings",
        "the kube-audit or kube-audit-admin category is enabled",
    ),
    check(
        "defender.containers-plan",
        "Defender for Containers plan",
        "Defender plans",
        "the Containers plan is Standard",
    ),
    check(
        "k8s.default-deny",
        "Default-deny network policy in every workload namespace",
        "Namespaces + network policies",
        "every workload namespace (those of imported Namespace objects and of imported workloads) has an empty-selector policy covering Ingress and Egress that allows nothing by itself, or only DNS (UDP/TCP 53) to kube-dns / kube-system; a policy without a namespace (set at deploy time) leaves it not evaluated",
    ),
    check(
        "k8s.pod-non-root",
        "Containers run as non-root",
        "Pods / workloads",
        "every container has runAsNonRoot true or a non-zero runAsUser",
    ),
    check(
        "k8s.no-privilege-escalation",
        "No privilege escalation",
        "Pods / workloads",
        "every container sets allowPrivilegeEscalation: false",
    ),
    check(
        "k8s.no-privileged",
        "No privileged containers or host namespaces",
        "Pods / workloads",
        "no privileged container, no hostNetwork, hostPID or hostIPC",
    ),
    check(
        "k8s.drop-capabilities",
        "All capabilities dropped",
        "Pods / workloads",
        "every container drops ALL capabilities",
    ),
    check(
        "k8s.image-digest",
        "Images pinned by digest",
        "Pods / workloads",
        "every image is referenced by digest (@sha256:)",
    ),
    check(
        "k8s.image-registry",
        "Images from allowed registries",
        "Pods / workloads",
        "every image comes from an allowed registry",
    ),
    check(
        "k8s.no-public-loadbalancer",
        "No public load balancers",
        "Services",
        "every LoadBalancer service is annotated azure-load-balancer-internal: \"true\"",
    ),
    check(
        "k8s.no-cluster-admin-binding",
        "No cluster-admin bindings to people or apps",
        "Cluster role bindings",
        "no binding of cluster-admin to a subject outside system: names (the built-in groups of all users, all service accounts or anonymous requests count as outside)",
    ),
    check(
        "k8s.no-dashboard",
        "No Kubernetes dashboard",
        "Workloads",
        "no Kubernetes dashboard is deployed",
    ),
    check(
        "k8s.ingress-tls",
        "Ingress hosts covered by TLS",
        "Ingresses",
        "every ingress host is covered by a TLS entry",
    ),
    check(
        "scan.no-fixable-critical",
        "No fixable critical or high vulnerabilities",
        "Trivy",
        "no CRITICAL or HIGH vulnerability that has a fixed version",
    ),
    check(
        "scan.kube-bench",
        "CIS benchmark (kube-bench) passes",
        "kube-bench",
        "no FAIL among scored results, and at least one PASS",
    ),
    check(
        "scan.kubescape",
        "Kubescape controls pass",
        "Kubescape",
        "no failed control of high or critical severity",
    ),
    per_requirement(
        "scan.azure-policy",
        "Azure Policy compliance",
        "Azure Policy states",
        "no NonCompliant state in the requirement's policy groups",
    ),
    per_requirement(
        "scan.defender",
        "Defender for Cloud recommendations",
        "Defender for Cloud",
        "no Unhealthy assessment of high severity mapped to the requirement",
    ),
    check(
        "scan.iac",
        "Infrastructure-as-code scan clean",
        "SARIF / Checkov / KICS / trivy config",
        "no error-level (or HIGH and above) finding; a Checkov failure without a severity counts",
    ),
    check(
        "scan.trivy-compliance",
        "trivy-operator compliance report passes",
        "trivy-operator ClusterComplianceReport (CIS, NSA, PSS)",
        "no failed control, and at least one control with a check result",
    ),
    check(
        "scan.trivy-k8s",
        "Running cluster objects pass Trivy's misconfiguration checks",
        "trivy k8s (JSON, both report shapes)",
        "no failed misconfiguration of HIGH or CRITICAL severity among the scanned cluster objects",
    ),
    per_requirement(
        "scan.prowler",
        "Prowler findings mapped to PCI DSS 3.2.1",
        "Prowler (CSV / OCSF)",
        "no FAIL (not muted) among the findings Prowler maps to the requirement",
    ),
    check(
        "runtime.falco",
        "No critical runtime alerts",
        "Falco",
        "no alert of priority Critical or higher",
    ),
    // Added with PCI DSS 4.0.1 (Azure Policy's PCI DSS v4.0.1 initiative
    // checks the same settings).
    check(
        "k8s.no-default-namespace",
        "No workloads in the default namespace",
        "Pods / workloads",
        "no workload runs in the `default` namespace, where nothing separates it from anything else deployed without a namespace",
    ),
    check(
        "kv.rbac-authorization",
        "Key Vault uses the Azure RBAC permission model",
        "Key Vault",
        "enableRbacAuthorization is true: access to keys and secrets is granted by Azure role assignments, not vault access policies",
    ),
    check(
        "logs.workspace-private",
        "Log Analytics workspace closed to public networks",
        "Log Analytics workspace",
        "publicNetworkAccessForIngestion and publicNetworkAccessForQuery are both Disabled",
    ),
    // Added with the CDE boundary (PCI scope as data: the pci-scope labels
    // and the scope file).
    check(
        "k8s.cde-placement",
        "In-scope and out-of-scope pods never share a node",
        "Pods, workloads, nodes + AKS pools + scope",
        "every pod of an in-scope namespace runs on an in-scope pool and no pod of an out-of-scope namespace does; in-scope pod specs pin in-scope pools and tolerate their taint, out-of-scope ones tolerate no in-scope taint (and pin other pools where an in-scope pool has none)",
    ),
    check(
        "k8s.cde-network-isolation",
        "No network path between in-scope and out-of-scope namespaces",
        "Network policies + namespaces + VNets + scope",
        "every in-scope namespace has network policies, and none admits ingress from or allows egress to out-of-scope namespaces (an empty namespaceSelector, a selector matching them) or out-of-scope subnets (an ipBlock covering them), except flows the scope file declares",
    ),
    check(
        "nsg.cde-subnet-isolation",
        "NSGs keep out-of-scope subnets out of in-scope subnets",
        "NSGs + VNets + AKS pools + scope",
        "the NSG of every in-scope subnet, read in priority order with Azure's default rules, admits nothing from the address ranges of out-of-scope subnets beyond declared flows",
    ),
    check(
        "k8s.mesh-mtls",
        "Service mesh enforces mTLS in the CDE",
        "Namespaces, pods + Istio PeerAuthentication / Linkerd Server / OSM MeshConfig",
        "every in-scope namespace has mesh injection on, its imported pods carry the proxy, and a strict mTLS policy applies (Istio STRICT for the namespace or mesh-wide, Linkerd an authenticated default inbound policy, OSM)",
    ),
    // Added with the sensitive-data scan of imported files.
    check(
        "k8s.no-secrets-in-env",
        "No literal secrets in workload environment variables",
        "Pods / workloads",
        "no container sets an environment variable whose name says password, secret, token or key (or whose value is a credential or card number) to a literal value",
    ),
    check(
        "k8s.no-secret-in-annotations",
        "No Secret data in last-applied-configuration annotations",
        "Kubernetes objects",
        "no object's kubectl.kubernetes.io/last-applied-configuration annotation holds the data of a Secret",
    ),
];

/// The definition of check `id`.
pub fn check_def(id: &str) -> Option<&'static CheckDef> {
    CHECKS.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut ids: Vec<&str> = CHECKS.iter().map(|c| c.id).collect();
        ids.sort();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len());
        assert!(
            CHECKS
                .iter()
                .all(|c| c.id.contains('.') && !c.title.is_empty())
        );
    }
}
