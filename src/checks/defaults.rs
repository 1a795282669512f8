//! Azure's documented defaults for the settings the checks judge: one
//! table, each entry with the page or API version that documents it, and
//! the one rule for when a default decides.
//!
//! A default applies where the evidence leaves a setting out and Azure
//! fills it in: a live-state export (az CLI, ARM GET or list) that states
//! the setting, or an object above it, as `null` (never configured); and a
//! template whose literal resource definition does not mention it (a
//! resource deployed from it gets the default). A template's `null`, or a
//! setting an unresolved expression or a `copy` loop builds, decides
//! nothing. A setting without a clear default (a pool's `osDiskType`, which
//! depends on the VM size, or `nodeOSUpgradeChannel`, whose default changed
//! between API versions) has no entry and stays "not evaluated".

use crate::checks::ResourceResult;
use crate::checks::judge::{Answer, result_of, unknown_reason};
use crate::evidence::azure::ResourceInfo;
use crate::evidence::{EvidenceRef, Field};

/// Azure's default for a setting: the value it applies, what that means,
/// and where Microsoft documents it.
#[derive(Clone, Copy)]
pub(crate) struct AzureDefault<T> {
    /// The value Azure applies when the setting is not configured.
    pub value: T,
    /// What the value means, in plain words.
    pub meaning: &'static str,
    /// Where the default is documented (page, or API and version); a
    /// template's reason cites it, since there the default is all that
    /// decides.
    pub source: &'static str,
    /// The first API version whose default is another one, where Azure has
    /// changed it: a template deploying with that version or a later one
    /// gets no default from this entry.
    pub until_api: Option<&'static str>,
}

// Microsoft.ContainerService/managedClusters (API 2024-02-01 and later
// unless noted; the defaults below have not changed since the properties
// were introduced).

/// `apiServerAccessProfile.enablePrivateCluster`: a cluster is public unless
/// created private.
pub(crate) const PRIVATE_CLUSTER: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "no private cluster",
    source: "learn.microsoft.com/azure/aks/private-clusters",
    until_api: None,
};

/// `apiServerAccessProfile.enablePrivateClusterPublicFQDN`: AKS gives a
/// private cluster an additional public FQDN by default.
pub(crate) const PRIVATE_CLUSTER_PUBLIC_FQDN: AzureDefault<bool> = AzureDefault {
    value: true,
    meaning: "a private cluster also gets a public FQDN",
    source: "learn.microsoft.com/azure/aks/private-clusters",
    until_api: None,
};

/// `apiServerAccessProfile.privateDNSZone`: "The default is System".
pub(crate) const PRIVATE_DNS_ZONE: AzureDefault<&str> = AzureDefault {
    value: "system",
    meaning: "system",
    source: "managedClusters API, ManagedClusterAPIServerAccessProfile.privateDNSZone",
    until_api: None,
};

/// `disableLocalAccounts`: local accounts are enabled by default.
pub(crate) const DISABLE_LOCAL_ACCOUNTS: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "false",
    source: "learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad",
    until_api: None,
};

/// `aadProfile.managed`: without an `aadProfile` there is no Microsoft Entra
/// ID integration (it is turned on with `--enable-aad`).
pub(crate) const AAD_MANAGED: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "no AKS-managed Microsoft Entra ID integration",
    source: "learn.microsoft.com/azure/aks/enable-authentication-microsoft-entra-id",
    until_api: None,
};

/// `aadProfile.enableAzureRBAC`: Azure RBAC for Kubernetes authorisation is
/// off unless turned on (`--enable-azure-rbac`).
pub(crate) const AZURE_RBAC: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "false",
    source: "learn.microsoft.com/azure/aks/manage-azure-rbac",
    until_api: None,
};

/// `addonProfiles`: no add-on is installed unless enabled (`--enable-addons`).
pub(crate) const ADDON_PROFILES: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "no add-ons installed",
    source: "learn.microsoft.com/cli/azure/aks (az aks create --enable-addons)",
    until_api: None,
};

/// An add-on's entry in `addonProfiles`, stated as `null`: not installed.
pub(crate) const ADDON: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "not installed",
    source: "learn.microsoft.com/cli/azure/aks (az aks create --enable-addons)",
    until_api: None,
};

/// `azureMonitorProfile.metrics`: managed Prometheus metrics are off unless
/// enabled (`--enable-azure-monitor-metrics`).
pub(crate) const AZURE_MONITOR_METRICS: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "no managed Prometheus metrics",
    source: "learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable",
    until_api: None,
};

/// `azureMonitorProfile.containerInsights`: Container insights through the
/// profile is off unless enabled.
pub(crate) const CONTAINER_INSIGHTS: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "no Container insights",
    source: "learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable",
    until_api: None,
};

/// `securityProfile.defender`: the Defender for Containers profile is off
/// unless enabled (`--enable-defender`).
pub(crate) const DEFENDER: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "no Defender profile",
    source: "learn.microsoft.com/azure/defender-for-cloud/defender-for-containers-enable",
    until_api: None,
};

/// A pool's `enableEncryptionAtHost`: host-based encryption is opt-in at
/// pool creation.
pub(crate) const ENCRYPTION_AT_HOST: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "false",
    source: "learn.microsoft.com/azure/aks/enable-host-encryption",
    until_api: None,
};

/// A pool's `enableNodePublicIP`: "The default is false".
pub(crate) const NODE_PUBLIC_IP: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "false",
    source: "managedClusters API, ManagedClusterAgentPoolProfileProperties.enableNodePublicIP",
    until_api: None,
};

/// `networkProfile.networkPolicy`: "none", no policies enforced, "is the
/// default value when NetworkPolicy is not specified".
pub(crate) const NETWORK_POLICY: AzureDefault<&str> = AzureDefault {
    value: "none",
    meaning: "none",
    source: "managedClusters API, ContainerServiceNetworkProfile.networkPolicy",
    until_api: None,
};

/// `networkProfile.outboundType`: AKS sets up a load balancer for egress by
/// default.
pub(crate) const OUTBOUND_TYPE: AzureDefault<&str> = AzureDefault {
    value: "loadBalancer",
    meaning: "loadBalancer",
    source: "learn.microsoft.com/azure/aks/egress-outboundtype",
    until_api: None,
};

/// `autoUpgradeProfile.upgradeChannel`: "The default is 'none'".
pub(crate) const UPGRADE_CHANNEL: AzureDefault<&str> = AzureDefault {
    value: "none",
    meaning: "none",
    source: "managedClusters API, ManagedClusterAutoUpgradeProfile.upgradeChannel",
    until_api: None,
};

// Microsoft.Network/virtualNetworks.

/// `enableDdosProtection`: "Indicates if DDoS protection is enabled for all
/// the protected resources in the virtual network", default false.
pub(crate) const DDOS_PROTECTION: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "false",
    source: "virtualNetworks API, VirtualNetworkPropertiesFormat.enableDdosProtection",
    until_api: None,
};

// Microsoft.KeyVault/vaults.

/// `networkAcls`: without network rules a vault accepts requests from all
/// networks.
pub(crate) const KEY_VAULT_DEFAULT_ACTION: AzureDefault<&str> = AzureDefault {
    value: "Allow",
    meaning: "Allow: all networks",
    source: "learn.microsoft.com/azure/key-vault/general/network-security",
    until_api: None,
};

/// `enableSoftDelete`: a new vault is created with soft delete on ("default
/// value of true" in the vaults API since 2021).
pub(crate) const KEY_VAULT_SOFT_DELETE: AzureDefault<bool> = AzureDefault {
    value: true,
    meaning: "true",
    source: "vaults API 2021-10-01 and later, VaultProperties.enableSoftDelete",
    until_api: None,
};

/// `enableRbacAuthorization`: "If null or not specified, the vault is
/// created with the default value of false" (access policies), until Azure
/// RBAC became the default with API version 2026-02-01.
pub(crate) const KEY_VAULT_RBAC: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "false: access policies",
    source: "vaults API before 2026-02-01, VaultProperties.enableRbacAuthorization",
    until_api: Some("2026-02-01"),
};

// Microsoft.ContainerRegistry/registries.

/// `adminUserEnabled`: "The value that indicates whether the admin user is
/// enabled", default false.
pub(crate) const ACR_ADMIN_USER: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "false",
    source: "registries API, RegistryProperties.adminUserEnabled",
    until_api: None,
};

/// `publicNetworkAccess`: registries accept public traffic unless disabled
/// ("Enabled" is the default).
pub(crate) const ACR_PUBLIC_NETWORK_ACCESS: AzureDefault<&str> = AzureDefault {
    value: "Enabled",
    meaning: "Enabled",
    source: "registries API, RegistryProperties.publicNetworkAccess",
    until_api: None,
};

// Microsoft.OperationalInsights/workspaces.

/// `publicNetworkAccessForIngestion` and `publicNetworkAccessForQuery`:
/// "Enabled" unless set otherwise.
pub(crate) const WORKSPACE_PUBLIC_ACCESS: AzureDefault<&str> = AzureDefault {
    value: "Enabled",
    meaning: "Enabled",
    source: "workspaces API, WorkspaceProperties.publicNetworkAccessForIngestion / ForQuery",
    until_api: None,
};

/// `retentionInDays`: a workspace keeps data 30 days unless set otherwise.
pub(crate) const WORKSPACE_RETENTION: AzureDefault<i64> = AzureDefault {
    value: 30,
    meaning: "30 days",
    source: "learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure",
    until_api: None,
};

/// Azure's `default` for `field` (named `name`, its path as Azure spells it)
/// of `resource` when the evidence leaves it to Azure (see the module
/// documentation), with the words that say so. `None` for anything else.
pub(crate) fn default_for<T, D>(
    resource: &ResourceInfo,
    field: &Field<T>,
    name: &str,
    default: AzureDefault<D>,
) -> Option<(D, String)> {
    match field {
        Field::NotSet { pointer } if !resource.in_template => Some((
            default.value,
            format!(
                "{} is null: not configured, so Azure's default applies: {}",
                null_name(name, pointer),
                default.meaning
            ),
        )),
        Field::Missing
            if resource.in_template
                && !default.until_api.is_some_and(|until| {
                    resource.api_version.as_deref().is_some_and(|v| v >= until)
                }) =>
        {
            Some((
                default.value,
                format!(
                    "{name} is absent from the template: Azure's default ({}) applies{} ({})",
                    default.meaning,
                    resource
                        .api_version
                        .as_deref()
                        .map(|v| format!(" to API version {v}"))
                        .unwrap_or_default(),
                    default.source
                ),
            ))
        }
        _ => None,
    }
}

/// [`Answer::of_bool`], judging a setting left to Azure as its `default`.
pub(crate) fn bool_answer(
    resource: &ResourceInfo,
    field: &Field<bool>,
    name: &str,
    want: bool,
    default: AzureDefault<bool>,
) -> Answer {
    match default_for(resource, field, name, default) {
        Some((value, why)) if value == want => Answer::Yes(why),
        Some((_, why)) => Answer::No(why),
        None => Answer::of_bool(field, name, want),
    }
}

/// Judges a boolean setting that must be `want`, as `judge::expect_bool`
/// does, but with Azure's `default` for a setting left to Azure. `good` and
/// `bad` say in plain words what the two values mean.
pub(crate) fn expect_setting(
    resource_info: &ResourceInfo,
    resource: &str,
    evidence: EvidenceRef,
    (field, name): (&Field<bool>, &str),
    want: bool,
    (good, bad): (&str, &str),
    default: AzureDefault<bool>,
) -> ResourceResult {
    let answer = match bool_answer(resource_info, field, name, want, default) {
        Answer::Yes(why) => Answer::Yes(format!("{good} ({why})")),
        Answer::No(why) => Answer::No(format!("{bad} ({why})")),
        unknown => unknown,
    };
    result_of(resource, answer, vec![evidence])
}

/// A string setting as the check judges it: the stated value with
/// `name is value`, or Azure's default with the words that say why it
/// applies; else why it cannot be judged.
pub(crate) fn string_setting<'a>(
    resource: &ResourceInfo,
    field: &'a Field<String>,
    name: &str,
    default: AzureDefault<&'a str>,
) -> Result<(&'a str, String), String> {
    if let Some(value) = field.value() {
        return Ok((value, format!("{name} is {value}")));
    }
    default_for(resource, field, name, default).ok_or_else(|| unknown_reason(field, name))
}

/// The part of `path` (dotted, e.g. `apiServerAccessProfile.enablePrivateCluster`)
/// that ends at the `null` `pointer` points at, e.g. `apiServerAccessProfile`.
fn null_name(path: &str, pointer: &str) -> String {
    let last = pointer
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .replace("~1", "/")
        .replace("~0", "~");
    let keys: Vec<&str> = path.split('.').collect();
    match keys.iter().position(|k| k.eq_ignore_ascii_case(&last)) {
        Some(end) => keys[..=end].join("."),
        None => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::EvidenceRef;

    fn template_resource(api_version: &str) -> ResourceInfo {
        ResourceInfo {
            id: None,
            name: Some("kv".into()),
            source: EvidenceRef {
                path: "t.json".into(),
                pointer: "/resources/0".into(),
                resource: None,
            },
            in_template: true,
            deployed_if: None,
            api_version: Some(api_version.into()),
        }
    }

    #[test]
    fn a_default_azure_changed_applies_only_to_the_api_versions_before() {
        let absent: Field<bool> = Field::Missing;
        let name = "enableRbacAuthorization";
        let (value, why) = default_for(
            &template_resource("2023-07-01"),
            &absent,
            name,
            KEY_VAULT_RBAC,
        )
        .unwrap();
        assert!(!value);
        assert!(
            why.starts_with("enableRbacAuthorization is absent from the template: Azure's default (false: access policies) applies to API version 2023-07-01"),
            "{why}"
        );
        assert!(
            default_for(
                &template_resource("2026-02-01"),
                &absent,
                name,
                KEY_VAULT_RBAC
            )
            .is_none()
        );
        // A template's null decides nothing.
        let null: Field<bool> = Field::NotSet {
            pointer: "/resources/0/properties/enableRbacAuthorization".into(),
        };
        assert!(
            default_for(
                &template_resource("2023-07-01"),
                &null,
                name,
                KEY_VAULT_RBAC
            )
            .is_none()
        );
    }

    #[test]
    fn the_null_is_named_up_to_where_it_is() {
        let name = "apiServerAccessProfile.enablePrivateCluster";
        assert_eq!(
            null_name(name, "/properties/apiServerAccessProfile"),
            "apiServerAccessProfile"
        );
        assert_eq!(
            null_name(name, "/apiServerAccessProfile/enablePrivateCluster"),
            name
        );
        assert_eq!(
            null_name(
                "securityProfile.defender.securityMonitoring.enabled",
                "/0/securityProfile/defender"
            ),
            "securityProfile.defender"
        );
        assert_eq!(null_name("enableRBAC", "/somewhere/else"), "enableRBAC");
    }
}
