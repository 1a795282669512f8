//! Azure's documented defaults for the AKS settings the checks judge, and
//! how a `null` in a live-state export turns into one.
//!
//! Each default is one that Microsoft documents for the managed cluster API
//! or the AKS feature; a setting without a clear default (a pool's
//! `osDiskType`, which depends on the VM size, or `nodeOSUpgradeChannel`,
//! whose default changed between API versions) has none here and stays
//! "not evaluated".

use crate::checks::ResourceResult;
use crate::checks::judge::{Answer, result_of, unknown_reason};
use crate::evidence::azure::AksCluster;
use crate::evidence::{EvidenceRef, Field};

/// Azure's default for a setting: the value it applies, and what that means.
#[derive(Clone, Copy)]
pub(super) struct AzureDefault<T> {
    /// The value Azure applies when the setting is not configured.
    pub value: T,
    /// What the value means, in plain words.
    pub meaning: &'static str,
}

/// `apiServerAccessProfile.enablePrivateCluster`: a cluster is public unless
/// created private (learn.microsoft.com/azure/aks/private-clusters).
pub(super) const PRIVATE_CLUSTER: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "no private cluster",
};

/// `apiServerAccessProfile.enablePrivateClusterPublicFQDN`: AKS gives a
/// private cluster an additional public FQDN by default (same page).
pub(super) const PRIVATE_CLUSTER_PUBLIC_FQDN: AzureDefault<bool> = AzureDefault {
    value: true,
    meaning: "a private cluster also gets a public FQDN",
};

/// `apiServerAccessProfile.privateDNSZone`: "The default is System" (managed
/// cluster API, ManagedClusterAPIServerAccessProfile).
pub(super) const PRIVATE_DNS_ZONE: AzureDefault<&str> = AzureDefault {
    value: "system",
    meaning: "system",
};

/// `disableLocalAccounts`: local accounts are enabled by default
/// (learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad).
pub(super) const DISABLE_LOCAL_ACCOUNTS: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "false",
};

/// `aadProfile.managed`: without an `aadProfile` there is no Microsoft Entra
/// ID integration (it is turned on with `--enable-aad`).
pub(super) const AAD_MANAGED: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "no AKS-managed Microsoft Entra ID integration",
};

/// `aadProfile.enableAzureRBAC`: Azure RBAC for Kubernetes authorisation is
/// off unless turned on (`--enable-azure-rbac`).
pub(super) const AZURE_RBAC: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "false",
};

/// `addonProfiles`: no add-on is installed unless enabled (`--enable-addons`).
pub(super) const ADDON_PROFILES: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "no add-ons installed",
};

/// An add-on's entry in `addonProfiles`, stated as `null`: not installed.
pub(super) const ADDON: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "not installed",
};

/// `azureMonitorProfile.metrics`: managed Prometheus metrics are off unless
/// enabled (`--enable-azure-monitor-metrics`).
pub(super) const AZURE_MONITOR_METRICS: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "no managed Prometheus metrics",
};

/// `azureMonitorProfile.containerInsights`: Container insights through the
/// profile is off unless enabled.
pub(super) const CONTAINER_INSIGHTS: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "no Container insights",
};

/// `securityProfile.defender`: the Defender for Containers profile is off
/// unless enabled (`--enable-defender`).
pub(super) const DEFENDER: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "no Defender profile",
};

/// A pool's `enableEncryptionAtHost`: host-based encryption is opt-in at
/// pool creation (learn.microsoft.com/azure/aks/enable-host-encryption).
pub(super) const ENCRYPTION_AT_HOST: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "false",
};

/// A pool's `enableNodePublicIP`: "The default is false" (managed cluster
/// API, ManagedClusterAgentPoolProfileProperties).
pub(super) const NODE_PUBLIC_IP: AzureDefault<bool> = AzureDefault {
    value: false,
    meaning: "false",
};

/// `networkProfile.networkPolicy`: "none", no policies enforced, "is the
/// default value when NetworkPolicy is not specified" (managed cluster API).
pub(super) const NETWORK_POLICY: AzureDefault<&str> = AzureDefault {
    value: "none",
    meaning: "none",
};

/// `networkProfile.outboundType`: AKS sets up a load balancer for egress by
/// default (learn.microsoft.com/azure/aks/egress-outboundtype).
pub(super) const OUTBOUND_TYPE: AzureDefault<&str> = AzureDefault {
    value: "loadBalancer",
    meaning: "loadBalancer",
};

/// `autoUpgradeProfile.upgradeChannel`: "The default is 'none'" (managed
/// cluster API, ManagedClusterAutoUpgradeProfile).
pub(super) const UPGRADE_CHANNEL: AzureDefault<&str> = AzureDefault {
    value: "none",
    meaning: "none",
};

/// Azure's `default` for `field` (named `name`, its path as Azure spells it)
/// when a live-state export states it, or an object above it, as `null`;
/// with the words that say so. `None` for anything else.
pub(super) fn default_for<T, D>(
    cluster: &AksCluster,
    field: &Field<T>,
    name: &str,
    default: AzureDefault<D>,
) -> Option<(D, String)> {
    match field {
        Field::NotSet { pointer } if cluster.is_live_state() => Some((
            default.value,
            format!(
                "{} is null: not configured, so Azure's default applies: {}",
                null_name(name, pointer),
                default.meaning
            ),
        )),
        _ => None,
    }
}

/// [`Answer::of_bool`], judging a `null` of a live-state export as Azure's
/// `default`.
pub(super) fn bool_answer(
    cluster: &AksCluster,
    field: &Field<bool>,
    name: &str,
    want: bool,
    default: AzureDefault<bool>,
) -> Answer {
    match default_for(cluster, field, name, default) {
        Some((value, why)) if value == want => Answer::Yes(why),
        Some((_, why)) => Answer::No(why),
        None => Answer::of_bool(field, name, want),
    }
}

/// Judges a boolean setting that must be `want`, as `judge::expect_bool`
/// does, but with Azure's `default` for a `null` of a live-state export.
/// `good` and `bad` say in plain words what the two values mean.
pub(super) fn expect_setting(
    cluster: &AksCluster,
    resource: &str,
    evidence: EvidenceRef,
    (field, name): (&Field<bool>, &str),
    want: bool,
    (good, bad): (&str, &str),
    default: AzureDefault<bool>,
) -> ResourceResult {
    let answer = match bool_answer(cluster, field, name, want, default) {
        Answer::Yes(why) => Answer::Yes(format!("{good} ({why})")),
        Answer::No(why) => Answer::No(format!("{bad} ({why})")),
        unknown => unknown,
    };
    result_of(resource, answer, vec![evidence])
}

/// A string setting as the check judges it: the stated value with
/// `name is value`, or Azure's default with the words naming the `null`;
/// else why it cannot be judged.
pub(super) fn string_setting<'a>(
    cluster: &AksCluster,
    field: &'a Field<String>,
    name: &str,
    default: AzureDefault<&'a str>,
) -> Result<(&'a str, String), String> {
    if let Some(value) = field.value() {
        return Ok((value, format!("{name} is {value}")));
    }
    default_for(cluster, field, name, default).ok_or_else(|| unknown_reason(field, name))
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
