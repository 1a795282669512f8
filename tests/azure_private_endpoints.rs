//! `kv.private-endpoint` and `acr.private` with private endpoints exported
//! or declared as resources of their own (`Microsoft.Network/privateEndpoints`),
//! beside the vault's or registry's own `privateEndpointConnections`.

mod azure_platform_support;

use azure_platform_support::*;
use tickmark::checks::CheckStatus::{Fail, NotEvaluated, Pass};
use tickmark::evidence::Format;

const VAULT: &str = "keyvault-show-no-connections.json";
const REGISTRY: &str = "acr-show-deny-no-connections.json";
const TEMPLATE: &str = "private-endpoints-template.json";

#[test]
fn an_endpoint_list_is_its_own_format() {
    let file = import("private-endpoint-list-kv-approved.json");
    assert_eq!(file.provenance.format, Format::AzurePrivateEndpoint);
    assert_eq!(file.evidence.azure.private_endpoints.len(), 2);
    let link = &file.evidence.azure.private_endpoints[0].links[0];
    assert!(!link.manual);
    assert_eq!(
        link.status.pointer(),
        Some("/0/privateLinkServiceConnections/0/privateLinkServiceConnectionState/status")
    );
    let manual = import("private-endpoint-list-kv-pending.json");
    assert!(manual.evidence.azure.private_endpoints[0].links[0].manual);
}

#[test]
fn embedded_connections_decide_as_before() {
    let results = evaluate_fixtures(&["keyvault-show-compliant.json"]);
    let endpoint = result(&results, "kv.private-endpoint");
    assert_eq!(endpoint.status, Pass);
    assert!(
        endpoint
            .reason
            .contains("1 approved private endpoint connection")
    );
    let alone = evaluate_fixtures(&[VAULT]);
    let endpoint = result(&alone, "kv.private-endpoint");
    assert_eq!(endpoint.status, Fail, "{}", endpoint.reason);
    assert!(
        endpoint
            .reason
            .contains("privateEndpointConnections is empty")
    );
}

#[test]
fn an_approved_separate_endpoint_to_the_vault_passes_and_is_named() {
    let results = evaluate_fixtures(&[VAULT, "private-endpoint-list-kv-approved.json"]);
    let endpoint = result(&results, "kv.private-endpoint");
    assert_eq!(endpoint.status, Pass, "{}", endpoint.reason);
    assert!(
        endpoint.reason.contains(
            "private endpoint /subscriptions/3e8c41d2-7a5b-4f09-b6e1-92d4c0a7f318/resourceGroups/rg-shared-network/providers/Microsoft.Network/privateEndpoints/pe-kv-pe-payments-01 is Approved (its privateLinkServiceId is this vault's ID)"
        ),
        "{}",
        endpoint.reason
    );
    assert!(!endpoint.reason.contains("stpaymentslogs01"));
    let pointer = &endpoint.resources[0].evidence[0];
    assert_eq!(pointer.path, "private-endpoint-list-kv-approved.json");
    assert_eq!(
        pointer.pointer,
        "/0/privateLinkServiceConnections/0/privateLinkServiceConnectionState/status"
    );
    assert!(
        pointer
            .resource
            .as_deref()
            .is_some_and(|r| r.ends_with("/privateEndpoints/pe-kv-pe-payments-01"))
    );
}

#[test]
fn a_pending_separate_endpoint_fails_with_its_status() {
    let results = evaluate_fixtures(&[VAULT, "private-endpoint-list-kv-pending.json"]);
    let endpoint = result(&results, "kv.private-endpoint");
    assert_eq!(endpoint.status, Fail, "{}", endpoint.reason);
    assert!(
        endpoint
            .reason
            .contains("pe-kv-pe-payments-01-manual is Pending"),
        "{}",
        endpoint.reason
    );
    assert!(
        endpoint.resources[0]
            .evidence
            .iter()
            .any(|e| e.path == "private-endpoint-list-kv-pending.json")
    );
}

#[test]
fn an_endpoint_to_another_vault_does_not_count() {
    let results = evaluate_fixtures(&[VAULT, "private-endpoint-list-other-vault.json"]);
    let endpoint = result(&results, "kv.private-endpoint");
    assert_eq!(endpoint.status, Fail, "{}", endpoint.reason);
    assert!(!endpoint.reason.contains("kv-pe-reporting-01"));
    assert!(
        endpoint.resources[0]
            .evidence
            .iter()
            .all(|e| e.path == VAULT)
    );
}

#[test]
fn template_declared_endpoints() {
    let results = evaluate_fixtures(&[TEMPLATE]);
    let endpoint = result(&results, "kv.private-endpoint");
    let declared = resource(endpoint, "[variables('keyVaultName')]");
    assert_eq!(declared.status, Pass, "{}", declared.reason);
    assert!(
        declared.reason.contains(
            "private endpoint [concat('pe-', variables('keyVaultName'))] is declared in the template with an automatic connection"
        ),
        "{}",
        declared.reason
    );
    assert!(
        declared
            .evidence
            .iter()
            .any(|e| e.pointer == "/resources/1/properties/privateLinkServiceConnections/0")
    );

    // The other vault: the first endpoint names its sibling; the second's
    // target is a parameter, so it may be this vault's.
    let unknown = resource(endpoint, "kv-tpl-archive-01");
    assert_eq!(unknown.status, NotEvaluated, "{}", unknown.reason);
    assert!(
        unknown.reason.contains(
            "private endpoint pe-shared-vault may connect to this vault: its privateLinkServiceId cannot be read ([parameters('sharedVaultId')]"
        ),
        "{}",
        unknown.reason
    );
    assert!(
        !unknown.reason.contains("concat('pe-'"),
        "{}",
        unknown.reason
    );

    // A manual connection waits for the registry owner's approval.
    let private = result(&results, "acr.private");
    assert_eq!(private.status, NotEvaluated, "{}", private.reason);
    assert!(
        private.reason.contains(
            "private endpoint [concat('pe-', parameters('acrName'))] is declared in the template with a manual connection"
        ),
        "{}",
        private.reason
    );
}

#[test]
fn a_template_declaration_does_not_override_a_live_vault() {
    let results = evaluate_fixtures(&[VAULT, TEMPLATE]);
    let endpoint = result(&results, "kv.private-endpoint");
    let live = resource(endpoint, "/vaults/kv-pe-payments-01");
    // The template's parameter target might be this vault: not a fail.
    assert_eq!(live.status, NotEvaluated, "{}", live.reason);
    assert!(live.reason.contains("pe-shared-vault"), "{}", live.reason);
}

#[test]
fn registry_with_deny_default_and_an_approved_separate_endpoint_is_private() {
    let alone = evaluate_fixtures(&[REGISTRY]);
    assert_eq!(status(&alone, "acr.private"), Fail);
    let results = evaluate_fixtures(&[REGISTRY, "private-endpoint-list-acr-approved.json"]);
    let private = result(&results, "acr.private");
    assert_eq!(private.status, Pass, "{}", private.reason);
    assert!(
        private
            .reason
            .contains("networkRuleSet.defaultAction is Deny")
            && private.reason.contains("pe-acrpepayments01 is Approved"),
        "{}",
        private.reason
    );
    // An endpoint for a vault says nothing about the registry.
    let other = evaluate_fixtures(&[REGISTRY, "private-endpoint-list-kv-approved.json"]);
    assert_eq!(status(&other, "acr.private"), Fail);
}
