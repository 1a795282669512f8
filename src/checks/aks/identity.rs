//! Who may use the cluster: Entra ID, Azure RBAC, local accounts,
//! Kubernetes RBAC, and the cluster's own identity.

use super::{at, cluster_label};
use crate::checks::ResourceResult;
use crate::checks::defaults::{self, bool_answer, expect_setting};
use crate::checks::judge::{Answer, all_of, expect_bool, is_one_of, result_of, unknown_reason};
use crate::evidence::Field;
use crate::evidence::azure::AksCluster;

/// `aks.entra-rbac`: sign-in through AKS-managed Microsoft Entra ID, no
/// local accounts to bypass it, and authorisation by Azure RBAC or by
/// Kubernetes RBAC (role bindings to Entra groups, a design Microsoft
/// documents); the reason says which.
pub(super) fn entra_rbac(cluster: &AksCluster) -> Vec<ResourceResult> {
    let info = &cluster.info;
    let managed = match bool_answer(
        info,
        &cluster.aad_managed,
        "aadProfile.managed",
        true,
        defaults::AAD_MANAGED,
    ) {
        Answer::No(why) => Answer::No(format!(
            "Microsoft Entra ID integration is not the managed kind ({why})"
        )),
        other => other,
    };
    let local = match bool_answer(
        info,
        &cluster.disable_local_accounts,
        "disableLocalAccounts",
        true,
        defaults::DISABLE_LOCAL_ACCOUNTS,
    ) {
        Answer::No(why) => Answer::No(format!(
            "local accounts are enabled, so a static admin kubeconfig bypasses Entra ID ({why})"
        )),
        other => other,
    };
    let sign_in = all_of(vec![managed, local]);
    let answer = match (sign_in, authorisation(cluster)) {
        (Answer::Yes(sign_in), Answer::Yes(authorised)) => Answer::Yes(format!(
            "sign-in only through Microsoft Entra ID ({sign_in}), {authorised}"
        )),
        (sign_in, authorised) => all_of(vec![sign_in, authorised]),
    };
    vec![result_of(
        &cluster_label(cluster),
        answer,
        vec![
            at(cluster, &cluster.aad_managed),
            at(cluster, &cluster.disable_local_accounts),
            at(cluster, &cluster.azure_rbac),
            at(cluster, &cluster.enable_rbac),
        ],
    )]
}

/// How requests are authorised: Azure RBAC, else Kubernetes RBAC.
fn authorisation(cluster: &AksCluster) -> Answer {
    let (azure_off, no_azure) = match bool_answer(
        &cluster.info,
        &cluster.azure_rbac,
        "aadProfile.enableAzureRBAC",
        true,
        defaults::AZURE_RBAC,
    ) {
        Answer::Yes(why) => return Answer::Yes(format!("authorisation with Azure RBAC ({why})")),
        Answer::No(why) => (true, why),
        Answer::Unknown(why) => (false, why),
    };
    match Answer::of_bool(&cluster.enable_rbac, "enableRBAC", true) {
        Answer::Yes(why) => Answer::Yes(format!(
            "authorisation with Kubernetes RBAC: role bindings to Entra users and groups decide access ({why}; {no_azure})"
        )),
        Answer::No(why) if azure_off => Answer::No(format!(
            "neither Azure RBAC nor Kubernetes RBAC authorises requests ({no_azure}; {why})"
        )),
        Answer::No(_) => Answer::Unknown(no_azure),
        Answer::Unknown(why) => Answer::Unknown(why),
    }
}

/// `aks.local-accounts-disabled`.
pub(super) fn local_accounts_disabled(cluster: &AksCluster) -> Vec<ResourceResult> {
    vec![expect_setting(
        &cluster.info,
        &cluster_label(cluster),
        at(cluster, &cluster.disable_local_accounts),
        (&cluster.disable_local_accounts, "disableLocalAccounts"),
        true,
        (
            "the static local admin credentials are disabled",
            "local accounts are enabled: a static admin kubeconfig bypasses Entra ID",
        ),
        defaults::DISABLE_LOCAL_ACCOUNTS,
    )]
}

/// `aks.kubernetes-rbac`.
pub(super) fn kubernetes_rbac(cluster: &AksCluster) -> Vec<ResourceResult> {
    vec![expect_bool(
        &cluster_label(cluster),
        at(cluster, &cluster.enable_rbac),
        &cluster.enable_rbac,
        "enableRBAC",
        true,
        (
            "Kubernetes RBAC authorises requests",
            "Kubernetes RBAC is off: every authenticated user has full access",
        ),
    )]
}

/// `aks.managed-identity`.
pub(super) fn managed_identity(cluster: &AksCluster) -> Vec<ResourceResult> {
    let label = cluster_label(cluster);
    let kind = &cluster.identity_type;
    let answer = match kind.value() {
        Some(value) if is_one_of(value.trim(), &["SystemAssigned", "UserAssigned"]) => Answer::Yes(
            format!("the cluster uses a managed identity (identity.type is {value})"),
        ),
        Some(value) => Answer::No(format!(
            "the cluster has no managed identity (identity.type is {value})"
        )),
        None => return vec![without_identity(cluster, &label)],
    };
    vec![result_of(&label, answer, vec![at(cluster, kind)])]
}

/// A cluster whose export has no `identity.type`: a service principal named in
/// `servicePrincipalProfile.clientId` (anything but `msi`) shows that the
/// cluster runs without a managed identity; otherwise the check cannot tell.
fn without_identity(cluster: &AksCluster, label: &str) -> ResourceResult {
    let client = &cluster.service_principal_client_id;
    let answer = match (&cluster.identity_type, client.value()) {
        (Field::Missing | Field::NotSet { .. }, Some(id))
            if !id.trim().eq_ignore_ascii_case("msi") =>
        {
            Answer::No(format!(
                "the cluster runs as a service principal (servicePrincipalProfile.clientId is {id}) and has no identity block"
            ))
        }
        (field, _) => Answer::Unknown(unknown_reason(field, "identity.type")),
    };
    result_of(
        label,
        answer,
        vec![at(cluster, &cluster.identity_type), at(cluster, client)],
    )
}
