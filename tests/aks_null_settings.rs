//! A setting an export states as `null`. The az CLI and an ARM GET of a live
//! cluster write `null` for a setting that was never configured, and Azure
//! applies its documented default: the `aks.*` checks judge that default and
//! name the `null`. The same setting left out of a live export, or a `null`
//! in an ARM template, is not evaluated and named; a setting a template's
//! resource leaves out gets Azure's default when deployed, so it is judged
//! as that default and the reason says it is absent from the template.

mod azure_platform_support;

use azure_platform_support::*;
use serde_json::Value;
use tickmark::checks::CheckStatus::{self, Fail, NotEvaluated, Pass};
use tickmark::checks::{CheckResult, Settings, evaluate};
use tickmark::evidence::{EvidenceSet, Field, import_bytes};

/// What a `null` decides in the live export `aks-show-nulls.json` (a public
/// cluster created with few options): the check, its status, and the words
/// of its reason that name the `null`.
const PUBLIC_NULLS: &[(&str, CheckStatus, &str)] = &[
    (
        "aks.private-cluster",
        Fail,
        "the API server has a public endpoint (apiServerAccessProfile is null: not configured, so Azure's default applies: no private cluster)",
    ),
    (
        "aks.no-public-fqdn",
        Fail,
        "not a private cluster, so the API server is public (apiServerAccessProfile is null",
    ),
    (
        "aks.private-dns-zone",
        Fail,
        "not a private cluster, so the API server is public (apiServerAccessProfile is null",
    ),
    (
        "aks.no-node-public-ip",
        Pass,
        "the pool's nodes get no public IP (enableNodePublicIP is null: not configured, so Azure's default applies: false)",
    ),
    (
        "aks.network-policy",
        Fail,
        "no engine enforces Kubernetes network policies (networkProfile.networkPolicy is null: not configured, so Azure's default applies: none)",
    ),
    (
        "aks.egress-udr",
        Fail,
        "egress leaves through the cluster's load balancer, without passing user-defined routes to a firewall (networkProfile.outboundType is null: not configured, so Azure's default applies: loadBalancer)",
    ),
    (
        "aks.entra-rbac",
        Fail,
        "aadProfile is null: not configured, so Azure's default applies: no AKS-managed Microsoft Entra ID integration",
    ),
    (
        "aks.local-accounts-disabled",
        Fail,
        "local accounts are enabled: a static admin kubeconfig bypasses Entra ID (disableLocalAccounts is null: not configured, so Azure's default applies: false)",
    ),
    (
        "aks.azure-policy-addon",
        Fail,
        "the azurepolicy add-on is not installed (addonProfiles is null: not configured, so Azure's default applies: no add-ons installed)",
    ),
    (
        "aks.secrets-store-csi",
        Fail,
        "the azureKeyvaultSecretsProvider add-on is not installed (addonProfiles is null",
    ),
    (
        "aks.monitoring-addon",
        Fail,
        "no container monitoring: the omsagent add-on is not installed (addonProfiles is null: not configured, so Azure's default applies: no add-ons installed); azureMonitorProfile is null: not configured, so Azure's default applies: no Container insights; azureMonitorProfile is null: not configured, so Azure's default applies: no managed Prometheus metrics",
    ),
    (
        "aks.defender",
        Fail,
        "Defender for Containers does not monitor the cluster (securityProfile.defender is null: not configured, so Azure's default applies: no Defender profile)",
    ),
    (
        "aks.encryption-at-host",
        Fail,
        "host-based encryption is off: temporary disks and caches are not encrypted (enableEncryptionAtHost is null: not configured, so Azure's default applies: false)",
    ),
    (
        "aks.auto-upgrade",
        Fail,
        "upgrades are not automatic (autoUpgradeProfile is null: not configured, so Azure's default applies: none)",
    ),
];

/// Checks that the `null`s of `aks-show-nulls.json` do not decide, with the
/// status they have whether the settings are `null` or absent.
const UNAFFECTED: &[(&str, CheckStatus)] = &[
    ("aks.nodepool-dedicated-subnets", Fail),
    ("aks.kubernetes-rbac", Pass),
    ("aks.disk-encryption", Fail),
    ("aks.managed-identity", Pass),
    ("aks.system-user-pool-separation", Fail),
];

/// Evaluates one file's text, named `name`.
fn evaluate_text(name: &str, text: &str) -> Vec<CheckResult> {
    let file = import_bytes(name, text.as_bytes(), when()).unwrap_or_else(|e| panic!("{e}"));
    let mut set = EvidenceSet::default();
    set.add(file);
    evaluate(&set, &Settings::default())
}

/// The fixture `name` with every member whose value is `null` left out, as
/// a trimmed export or a REST body that omits unset properties has it.
fn without_nulls(name: &str) -> String {
    fn strip(value: &mut Value) {
        match value {
            Value::Object(members) => {
                members.retain(|_, v| !v.is_null());
                members.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    strip(&mut doc);
    serde_json::to_string_pretty(&doc).unwrap()
}

/// The reason of the single cluster or pool `check` judged.
fn only_reason<'a>(results: &'a [CheckResult], check: &str) -> &'a str {
    let r = result(results, check);
    assert_eq!(r.resources.len(), 1, "{check}");
    &r.resources[0].reason
}

#[test]
fn a_live_exports_null_is_judged_as_azures_default_and_named() {
    let results = evaluate_fixtures(&["aks-show-nulls.json"]);
    let mut wrong = Vec::new();
    for &(check, status, words) in PUBLIC_NULLS {
        let reason = only_reason(&results, check);
        if result(&results, check).status != status || !reason.contains(words) {
            wrong.push(format!(
                "{check}: {:?} {reason:?}, expected {status:?} with {words:?}",
                result(&results, check).status
            ));
        }
    }
    for &(check, status) in UNAFFECTED {
        if result(&results, check).status != status {
            wrong.push(format!("{check}: expected {status:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_evidence_of_a_defaulted_setting_points_at_the_null() {
    let file = import("aks-show-nulls.json");
    let cluster = &file.evidence.azure.clusters[0];
    assert_eq!(
        cluster.private_cluster,
        Field::NotSet {
            pointer: "/apiServerAccessProfile".into()
        }
    );
    assert_eq!(
        cluster.defender,
        Field::NotSet {
            pointer: "/securityProfile/defender".into()
        }
    );
    let results = evaluate_fixtures(&["aks-show-nulls.json"]);
    let pointers = |check: &str| -> Vec<String> {
        result(&results, check)
            .evidence
            .iter()
            .map(|e| e.pointer.clone())
            .collect()
    };
    assert_eq!(pointers("aks.private-cluster"), ["/apiServerAccessProfile"]);
    assert_eq!(
        pointers("aks.local-accounts-disabled"),
        ["/disableLocalAccounts"]
    );
    assert_eq!(
        pointers("aks.no-node-public-ip"),
        ["/agentPoolProfiles/0/enableNodePublicIp"]
    );
    assert_eq!(
        pointers("aks.network-policy"),
        ["/networkProfile/networkPolicy"]
    );
}

#[test]
fn the_same_settings_left_out_of_a_live_export_are_not_evaluated() {
    let results = evaluate_text(
        "aks-show-trimmed.json",
        &without_nulls("aks-show-nulls.json"),
    );
    let mut wrong = Vec::new();
    for &(check, _, _) in PUBLIC_NULLS {
        let r = result(&results, check);
        if r.status != NotEvaluated || !r.reason.contains("is not in the evidence") {
            wrong.push(format!("{check}: {:?} {:?}", r.status, r.reason));
        }
    }
    for &(check, status) in UNAFFECTED {
        if result(&results, check).status != status {
            wrong.push(format!("{check}: expected {status:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        only_reason(&results, "aks.private-cluster")
            .contains("apiServerAccessProfile.enablePrivateCluster is not in the evidence")
    );
    assert!(
        only_reason(&results, "aks.no-node-public-ip")
            .contains("enableNodePublicIP is not in the evidence")
    );
}

#[test]
fn a_private_clusters_null_fqdn_flag_and_dns_zone_take_azures_defaults() {
    let results = evaluate_fixtures(&["aks-show-private-nulls.json"]);
    assert_eq!(status(&results, "aks.private-cluster"), Pass);
    // AKS gives a private cluster an additional public FQDN unless told not to.
    assert_eq!(status(&results, "aks.no-public-fqdn"), Fail);
    assert!(
        only_reason(&results, "aks.no-public-fqdn").contains(
            "a public DNS name is published for the private API server (apiServerAccessProfile.enablePrivateClusterPublicFQDN is null: not configured, so Azure's default applies: a private cluster also gets a public FQDN)"
        ),
        "{}",
        only_reason(&results, "aks.no-public-fqdn")
    );
    // The private DNS zone defaults to one that AKS manages.
    assert_eq!(status(&results, "aks.private-dns-zone"), Pass);
    assert!(
        only_reason(&results, "aks.private-dns-zone")
            .contains("AKS keeps the API server's name in a private DNS zone it manages (apiServerAccessProfile.privateDNSZone is null: not configured, so Azure's default applies: system)"),
        "{}",
        only_reason(&results, "aks.private-dns-zone")
    );

    let trimmed = evaluate_text(
        "aks-show-private-trimmed.json",
        &without_nulls("aks-show-private-nulls.json"),
    );
    for check in ["aks.no-public-fqdn", "aks.private-dns-zone"] {
        assert_eq!(status(&trimmed, check), NotEvaluated, "{check}");
        assert!(
            only_reason(&trimmed, check).contains("is not in the evidence"),
            "{check}: {}",
            only_reason(&trimmed, check)
        );
    }
}

#[test]
fn a_templates_null_decides_nothing_and_an_absent_setting_takes_azures_default() {
    let nulls = evaluate_fixtures(&["aks-template-nulls.json"]);
    let absent = evaluate_text(
        "aks-template-trimmed.json",
        &without_nulls("aks-template-nulls.json"),
    );
    let mut wrong = Vec::new();
    for &(check, status, _) in PUBLIC_NULLS {
        let r = result(&nulls, check);
        if r.status != NotEvaluated || !r.reason.contains("is not set: the evidence states null at")
        {
            wrong.push(format!("null {check}: {:?} {:?}", r.status, r.reason));
        }
        let r = result(&absent, check);
        if r.status != status
            || !r
                .reason
                .contains("is absent from the template: Azure's default (")
            || !r.reason.contains("applies to API version")
        {
            wrong.push(format!("absent {check}: {:?} {:?}", r.status, r.reason));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        only_reason(&nulls, "aks.private-cluster").contains(
            "apiServerAccessProfile.enablePrivateCluster is not set: the evidence states null at /resources/0/properties/apiServerAccessProfile"
        ),
        "{}",
        only_reason(&nulls, "aks.private-cluster")
    );
    assert!(
        only_reason(&absent, "aks.encryption-at-host").contains(
            "enableEncryptionAtHost is absent from the template: Azure's default (false) applies to API version 2024-05-01 (learn.microsoft.com/azure/aks/enable-host-encryption)"
        ),
        "{}",
        only_reason(&absent, "aks.encryption-at-host")
    );
}

#[test]
fn an_arm_get_bodys_null_is_judged_the_same_way() {
    // The same cluster as an ARM GET returns it: settings under `properties`,
    // and here one add-on entry stated as null.
    let text = std::fs::read_to_string(fixture("aks-show-nulls.json")).unwrap();
    let Value::Object(mut flat) = serde_json::from_str::<Value>(&text).unwrap() else {
        panic!("the fixture is an object");
    };
    let mut body = serde_json::Map::new();
    for key in ["id", "name", "type", "location", "identity", "sku"] {
        if let Some(value) = flat.remove(key) {
            body.insert(key.to_owned(), value);
        }
    }
    flat.insert(
        "addonProfiles".to_owned(),
        serde_json::json!({"azurepolicy": null}),
    );
    body.insert("properties".to_owned(), Value::Object(flat));
    let results = evaluate_text("aks-get.json", &Value::Object(body).to_string());

    let mut wrong = Vec::new();
    for &(check, status, words) in PUBLIC_NULLS {
        if check.ends_with("-addon") || check == "aks.secrets-store-csi" {
            continue;
        }
        let reason = only_reason(&results, check);
        if result(&results, check).status != status || !reason.contains(words) {
            wrong.push(format!("{check}: {reason:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(
        result(&results, "aks.private-cluster").evidence[0].pointer,
        "/properties/apiServerAccessProfile"
    );
    assert_eq!(status(&results, "aks.azure-policy-addon"), Fail);
    assert!(
        only_reason(&results, "aks.azure-policy-addon").contains(
            "the azurepolicy add-on is disabled (addonProfiles.azurepolicy is null: not configured, so Azure's default applies: not installed)"
        ),
        "{}",
        only_reason(&results, "aks.azure-policy-addon")
    );
    assert_eq!(status(&results, "aks.secrets-store-csi"), Fail);
    assert_eq!(status(&results, "aks.monitoring-addon"), Fail);
}
