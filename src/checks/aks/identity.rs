//! Who may use the cluster: Entra ID, Azure RBAC, local accounts,
//! Kubernetes RBAC, and the cluster's own identity.

use super::defaults::{self, bool_answer, expect_setting};
use super::{at, cluster_label};
use crate::checks::ResourceResult;
use crate::checks::judge::{Answer, all_of, expect_bool, is_one_of, result_of, unknown_reason};
use crate::evidence::Field;
use crate::evidence::azure::AksCluster;

/// `aks.entra-rbac`.
pub(super) fn entra_rbac(cluster: &AksCluster) -> Vec<ResourceResult> {
    let managed = match bool_answer(
        cluster,
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
    let azure_rbac = match bool_answer(
        cluster,
        &cluster.azure_rbac,
        "aadProfile.enableAzureRBAC",
        true,
        defaults::AZURE_RBAC,
    ) {
        Answer::No(why) => Answer::No(format!(
            "Kubernetes authorisation is not done with Azure RBAC ({why})"
        )),
        other => other,
    };
    let answer = match all_of(vec![managed, azure_rbac]) {
        Answer::Yes(why) => Answer::Yes(format!(
            "sign-in through Microsoft Entra ID and authorisation with Azure RBAC ({why})"
        )),
        other => other,
    };
    vec![result_of(
        &cluster_label(cluster),
        answer,
        vec![
            at(cluster, &cluster.aad_managed),
            at(cluster, &cluster.azure_rbac),
        ],
    )]
}

/// `aks.local-accounts-disabled`.
pub(super) fn local_accounts_disabled(cluster: &AksCluster) -> Vec<ResourceResult> {
    vec![expect_setting(
        cluster,
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
