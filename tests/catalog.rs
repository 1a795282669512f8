//! The built-in PCI DSS 3.2.1 catalog: completeness against the official ID
//! list, tree integrity, the check mapping contract of PRODUCT.md §4,
//! validation of broken files, and `tickmark catalog` end to end.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use tickmark::catalog::{
    Catalog, CatalogError, MappingStrength, NodeKind, NodeProblem, PCI_DSS_321_TOML,
    Responsibility, pci_dss_321,
};
use tickmark::checks::{CHECKS, CheckScope, check_def};

/// PRODUCT.md §4: every catalog-mapped check and the requirement IDs it feeds.
/// `scan.azure-policy` and `scan.defender` are absent on purpose: their
/// results name their requirements themselves.
const CHECK_MAPPING: &[(&str, &[&str])] = &[
    ("aks.private-cluster", &["1.3.1", "1.3.7", "1.2.1"]),
    ("aks.no-public-fqdn", &["1.3.7"]),
    ("aks.private-dns-zone", &["1.3.7"]),
    ("aks.nodepool-dedicated-subnets", &["1.1.4", "1.2.1"]),
    ("aks.no-node-public-ip", &["1.3.1"]),
    ("aks.network-policy", &["1.1.4", "1.3.4"]),
    ("aks.egress-udr", &["1.2.1", "1.3.4"]),
    ("aks.entra-rbac", &["7.1", "7.2.1", "8.1.1"]),
    ("aks.local-accounts-disabled", &["2.1", "8.1.1"]),
    ("aks.kubernetes-rbac", &["7.1.2"]),
    ("aks.azure-policy-addon", &["2.2", "1.3.1"]),
    ("aks.monitoring-addon", &["10.1", "10.2.1"]),
    ("aks.defender", &["5.1", "11.4"]),
    ("aks.encryption-at-host", &["3.4"]),
    ("aks.disk-encryption", &["3.4", "3.5.2"]),
    ("aks.managed-identity", &["8.2.1"]),
    ("aks.secrets-store-csi", &["3.5.2", "3.6.3"]),
    ("aks.auto-upgrade", &["6.2"]),
    ("aks.system-user-pool-separation", &["2.2.1"]),
    ("nsg.node-subnets-covered", &["1.1.4"]),
    ("nsg.no-ssh-rdp-from-internet", &["1.2.1", "1.3.1", "1.4"]),
    ("nsg.inbound-internet-only-to-gateway", &["1.3.1", "1.3.2"]),
    ("nsg.rules-restrict-protocol", &["1.1.6"]),
    ("route.default-via-firewall", &["1.2.1", "1.3.4"]),
    ("fw.no-allow-any", &["1.2.1", "1.3.4", "1.1.6"]),
    ("fw.app-rules-https", &["1.2.1", "4.1"]),
    ("fw.threat-intel-deny", &["1.3.3", "11.4"]),
    ("agw.waf-enabled", &["1.1.4", "6.6"]),
    ("agw.waf-prevention", &["6.6"]),
    ("agw.owasp-ruleset", &["6.6"]),
    ("agw.tls12", &["4.1", "2.3"]),
    ("agw.no-plain-http", &["4.1"]),
    ("vnet.ddos-protection", &["1.3.1"]),
    ("kv.private-endpoint", &["1.3.6", "1.2.1"]),
    ("kv.network-deny-default", &["1.3.6"]),
    ("kv.purge-protection", &["3.5.2", "3.6.4"]),
    ("acr.admin-disabled", &["2.1"]),
    ("acr.private", &["1.3.6", "1.2.1"]),
    ("logs.retention", &["10.7"]),
    ("logs.kube-audit", &["10.2.1", "10.2.2", "10.3"]),
    ("defender.containers-plan", &["5.1", "11.4", "11.5"]),
    ("k8s.default-deny", &["1.1.4", "1.2.1", "1.3.4"]),
    ("k8s.pod-non-root", &["2.2"]),
    ("k8s.no-privilege-escalation", &["2.2"]),
    ("k8s.no-privileged", &["2.2", "2.2.1"]),
    ("k8s.drop-capabilities", &["2.2"]),
    ("k8s.image-digest", &["2.2", "6.2"]),
    ("k8s.image-registry", &["6.3", "2.2"]),
    ("k8s.no-public-loadbalancer", &["1.3.1"]),
    ("k8s.no-cluster-admin-binding", &["7.1.2"]),
    ("k8s.no-dashboard", &["2.2.2"]),
    ("k8s.ingress-tls", &["4.1"]),
    ("scan.no-fixable-critical", &["6.2", "11.2.1"]),
    ("scan.kube-bench", &["2.2"]),
    ("scan.kubescape", &["2.2"]),
    ("scan.iac", &["1.1.1", "1.2.2", "6.3"]),
    ("runtime.falco", &["10.6.1", "11.5"]),
    // Added beyond PRODUCT.md §4's table (allowed: "add more where the seeds
    // support them"): CIS results from trivy-operator, like kube-bench.
    ("scan.trivy-compliance", &["2.2"]),
    // Likewise: Trivy's misconfigurations of a running cluster, like Kubescape.
    ("scan.trivy-k8s", &["2.2"]),
    // Added with PCI DSS 4.0.1 (settings Azure Policy's PCI DSS v4.0.1
    // initiative checks); they only support these requirements.
    ("k8s.no-default-namespace", &["2.2"]),
    ("kv.rbac-authorization", &["7.2.1"]),
    ("logs.workspace-private", &["10.5.1", "10.5.2"]),
];

/// The official list of requirement IDs from the shared reference folder,
/// or `None` (after saying so) when it is not beside this checkout.
fn reference_ids() -> Option<Vec<String>> {
    let path = common::shared("reference")?.join("reference/pci-dss-3.2.1-requirement-ids.txt");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(
            text.lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        Err(err) => {
            common::skip_notice(&format!("cannot read {}: {err}", path.display()));
            None
        }
    }
}

fn assessed_ids(catalog: &Catalog) -> Vec<String> {
    catalog.requirements().map(|node| node.id.clone()).collect()
}

#[test]
fn holds_232_requirements_in_12_families() {
    let catalog = pci_dss_321();
    let ids = assessed_ids(catalog);
    assert_eq!(ids.len(), 232);
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        232,
        "an ID appears twice"
    );
    let families: Vec<&str> = catalog.families().map(|f| f.id.as_str()).collect();
    let expected: Vec<String> = (1..=12).map(|n| n.to_string()).collect();
    assert_eq!(families, expected);
    for id in &ids {
        let family = id.split('.').next().unwrap();
        assert!(
            expected.iter().any(|f| f == family),
            "{id} is outside families 1-12"
        );
    }
}

#[test]
fn every_official_id_appears_exactly_once() {
    let Some(reference) = reference_ids() else {
        return;
    };
    assert_eq!(reference.len(), 232, "the reference list itself changed");
    let catalog = pci_dss_321();
    let ours = assessed_ids(catalog);
    let missing: Vec<&String> = reference.iter().filter(|id| !ours.contains(id)).collect();
    let extra: Vec<&String> = ours.iter().filter(|id| !reference.contains(id)).collect();
    assert!(missing.is_empty(), "missing from the catalog: {missing:?}");
    assert!(extra.is_empty(), "not in the official list: {extra:?}");
    for id in &reference {
        let count = catalog.nodes.iter().filter(|node| &node.id == id).count();
        assert_eq!(count, 1, "{id} appears {count} times");
    }
}

#[test]
fn tree_is_consistent() {
    let catalog = pci_dss_321();
    for (at, node) in catalog.nodes.iter().enumerate() {
        assert_eq!(catalog.get(&node.id).map(|n| &n.id), Some(&node.id));
        match &node.parent {
            None => assert_eq!(node.kind, NodeKind::Family, "{} has no parent", node.id),
            Some(parent_id) => {
                let parent = catalog
                    .get(parent_id)
                    .unwrap_or_else(|| panic!("{}: parent {parent_id} missing", node.id));
                assert!(parent.children.contains(&node.id));
                let parent_at = catalog
                    .nodes
                    .iter()
                    .position(|n| &n.id == parent_id)
                    .unwrap();
                assert!(parent_at < at, "{} comes before its parent", node.id);
            }
        }
        for child in &node.children {
            assert_eq!(
                catalog.get(child).and_then(|c| c.parent.as_deref()),
                Some(node.id.as_str())
            );
        }
        if node.kind == NodeKind::Group {
            assert!(!node.children.is_empty(), "group {} is empty", node.id);
        }
    }
    // Numeric document order: 1.9 before 1.10, 9.x before 10.
    let parts = |id: &str| -> Vec<u32> { id.split('.').map(|p| p.parse().unwrap()).collect() };
    for pair in catalog.nodes.windows(2) {
        assert!(
            parts(&pair[0].id) < parts(&pair[1].id),
            "{} then {}",
            pair[0].id,
            pair[1].id
        );
    }
}

#[test]
fn every_check_is_known_and_catalog_mapped() {
    for node in &pci_dss_321().nodes {
        for check in node.all_checks() {
            let def =
                check_def(check).unwrap_or_else(|| panic!("{}: unknown check {check}", node.id));
            assert_eq!(def.scope, CheckScope::Static, "{}: {check}", node.id);
        }
    }
}

#[test]
fn check_mapping_matches_the_product_contract() {
    let catalog = pci_dss_321();
    // PRODUCT.md's table says which requirements a check feeds; whether it
    // tests or only supports each is the catalog's refinement (see
    // `supporting_mappings_follow_the_issue` below).
    let mut mapped: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for node in &catalog.nodes {
        for check in node.all_checks() {
            mapped.entry(check).or_default().insert(node.id.as_str());
        }
    }
    for (check, requirements) in CHECK_MAPPING {
        let expected: BTreeSet<&str> = requirements.iter().copied().collect();
        let actual = mapped.get(check).cloned().unwrap_or_default();
        assert_eq!(actual, expected, "requirements fed by {check}");
        let via_method: BTreeSet<&str> = catalog
            .nodes_with_check(check)
            .map(|n| n.id.as_str())
            .collect();
        assert_eq!(via_method, expected, "nodes_with_check({check})");
    }
    for per_requirement in ["scan.azure-policy", "scan.defender"] {
        assert!(
            !mapped.contains_key(per_requirement),
            "{per_requirement} is listed"
        );
    }
    // Every catalog-mapped check feeds at least one requirement.
    for def in CHECKS.iter().filter(|def| def.scope == CheckScope::Static) {
        assert!(
            mapped.contains_key(def.id),
            "check {} feeds no requirement",
            def.id
        );
    }
}

/// Issue 11: 1.3.3, 2.3, 3.6.4, 2.2.2 and 10.2.1 were shown as decided by
/// checks that do not test them; those checks now only support them, so a
/// pass there reads `supported`, never `pass`.
#[test]
fn supporting_mappings_follow_the_issue() {
    let catalog = pci_dss_321();
    for (requirement, check) in [
        ("1.3.3", "fw.threat-intel-deny"),
        ("2.3", "agw.tls12"),
        ("3.6.4", "kv.purge-protection"),
        ("2.2.2", "k8s.no-dashboard"),
        ("10.2.1", "logs.kube-audit"),
    ] {
        assert_eq!(
            catalog.strength_for(requirement, check),
            Some(MappingStrength::Supports),
            "{check} on {requirement}"
        );
        assert!(
            catalog
                .check_links(requirement)
                .iter()
                .all(|link| link.strength == MappingStrength::Supports),
            "{requirement} has a testing check"
        );
    }
    // Checks that test what they are mapped to keep testing it.
    assert_eq!(
        catalog.strength_for("1.3.7", "aks.private-cluster"),
        Some(MappingStrength::Tests)
    );
    assert_eq!(
        catalog.strength_for("10.7", "logs.retention"),
        Some(MappingStrength::Tests)
    );
}

#[test]
fn text_is_complete_and_fits_the_ui() {
    let catalog = pci_dss_321();
    for node in &catalog.nodes {
        let title_length = node.title.chars().count();
        assert!(
            title_length <= 70,
            "{}: title has {title_length} characters",
            node.id
        );
        assert!(
            node.guidance.trim_end().ends_with(['.', ':', ')']),
            "{}: guidance should be whole sentences",
            node.id
        );
        if node.is_assessed() {
            assert!(!node.evidence.is_empty(), "{}: no evidence", node.id);
        }
    }
    // Requirements 1 and 2 are covered in depth.
    for node in catalog.requirements() {
        let family = node.id.split('.').next().unwrap();
        if family == "1" || family == "2" {
            let sentences = node.guidance.matches(". ").count() + 1;
            assert!(
                sentences >= 2,
                "{}: guidance is thin for Requirement {family}",
                node.id
            );
            assert!(node.guidance.len() >= 250, "{}: guidance is thin", node.id);
        }
    }
    let unique_titles: BTreeSet<&str> = catalog.nodes.iter().map(|n| n.title.as_str()).collect();
    assert_eq!(
        unique_titles.len(),
        catalog.nodes.len(),
        "two nodes share a title"
    );
}

#[test]
fn responsibilities_follow_the_shared_model() {
    let catalog = pci_dss_321();
    let of = |id: &str| catalog.get(id).unwrap().responsibility;
    // Physical entry controls are inherited from Azure's datacenters.
    for id in [
        "9.1", "9.1.1", "9.1.2", "9.1.3", "9.2", "9.3", "9.4.1", "9.4.4",
    ] {
        assert_eq!(of(id), Responsibility::Provider, "{id}");
    }
    // Policies and the programme of Requirement 12 are the customer's.
    for node in catalog.nodes.iter().filter(|n| n.id.starts_with("12")) {
        assert_eq!(node.responsibility, Responsibility::Customer, "{}", node.id);
    }
    // The seeds: Azure filters spoofed traffic; Microsoft hardens its own systems.
    assert_eq!(of("1.3.3"), Responsibility::Shared);
    assert_eq!(of("2.2"), Responsibility::Shared);
    assert_eq!(of("1.2.1"), Responsibility::Customer);
}

/// Each broken variant of the real file is refused with the right problem.
#[test]
fn broken_variants_of_the_real_file_are_refused() {
    let problem = |text: &str| match Catalog::from_toml(text) {
        Err(CatalogError::Node { id, problem, .. }) => (id, problem),
        other => panic!("expected a node error, got {other:?}"),
    };

    let duplicate = PCI_DSS_321_TOML.replacen("id = \"1.1.3\"", "id = \"1.1.2\"", 1);
    let (id, found) = problem(&duplicate);
    assert_eq!(id, "1.1.2");
    assert!(matches!(found, NodeProblem::Duplicate { .. }), "{found:?}");

    let unknown = PCI_DSS_321_TOML.replacen("\"aks.no-public-fqdn\"", "\"aks.public-fqdn\"", 1);
    assert_eq!(
        problem(&unknown),
        (
            "1.3.7".into(),
            NodeProblem::UnknownCheck("aks.public-fqdn".into())
        )
    );

    let group_start = PCI_DSS_321_TOML.find("id = \"3.5\"").unwrap();
    let table_start = PCI_DSS_321_TOML[..group_start].rfind("[[node]]").unwrap();
    let table_end = group_start + PCI_DSS_321_TOML[group_start..].find("[[node]]").unwrap();
    let orphaned = format!(
        "{}{}",
        &PCI_DSS_321_TOML[..table_start],
        &PCI_DSS_321_TOML[table_end..]
    );
    assert_eq!(
        problem(&orphaned),
        (
            "3.5.1".into(),
            NodeProblem::MissingParent {
                parent: "3.5".into()
            }
        )
    );

    let per_requirement = PCI_DSS_321_TOML.replacen("\"aks.auto-upgrade\"", "\"scan.defender\"", 1);
    assert_eq!(
        problem(&per_requirement),
        (
            "6.2".into(),
            NodeProblem::PerRequirementCheck("scan.defender".into())
        )
    );
}

fn run_tickmark(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .args(args)
        .output()
        .expect("the tickmark binary runs")
}

#[test]
fn cli_prints_the_catalog_as_a_json_tree() {
    let output = run_tickmark(&["catalog", "--catalog", "pci-dss-3.2.1", "--format", "json"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    assert_eq!(tree["catalog"], "pci-dss-3.2.1");
    assert_eq!(tree["name"], "PCI DSS 3.2.1");
    let families = tree["nodes"].as_array().expect("nodes is an array");
    assert_eq!(families.len(), 12);

    let mut requirements: Vec<String> = Vec::new();
    let mut stack: Vec<&serde_json::Value> = families.iter().collect();
    while let Some(node) = stack.pop() {
        for key in [
            "id",
            "kind",
            "title",
            "responsibility",
            "guidance",
            "evidence",
            "checks",
            "supporting_checks",
            "children",
        ] {
            assert!(node.get(key).is_some(), "{} has no {key}", node["id"]);
        }
        let title = node["title"].as_str().unwrap_or_default();
        assert!(
            !title.trim().is_empty(),
            "{} has an empty title",
            node["id"]
        );
        if node["kind"] == "requirement" {
            requirements.push(node["id"].as_str().unwrap().to_owned());
        }
        stack.extend(node["children"].as_array().unwrap());
    }
    assert_eq!(requirements.len(), 232);
    assert_eq!(requirements.iter().collect::<BTreeSet<_>>().len(), 232);
    if let Some(reference) = reference_ids() {
        let ours: BTreeSet<&String> = requirements.iter().collect();
        let official: BTreeSet<&String> = reference.iter().collect();
        assert_eq!(ours, official);
    }
}

#[test]
fn cli_prints_a_table() {
    let output = run_tickmark(&["catalog", "--catalog", "pci-dss-3.2.1"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let table = String::from_utf8(output.stdout).unwrap();
    assert!(table.contains("    1.3.7 "));
    assert!(table.contains("Inherited from Azure"));
    assert!(table.contains("262 nodes: 12 families, 18 groups, 232 assessed requirements"));
    assert!(table.lines().all(|line| line.chars().count() <= 120));
}
