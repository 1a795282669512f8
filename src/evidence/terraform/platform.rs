//! Key Vault, Container Registry, Log Analytics, diagnostic settings and
//! Defender for Cloud plans.

use super::values::Tf;
use super::{Estate, Resource};
use crate::evidence::Field;
use crate::evidence::arm::type_from_id;
use crate::evidence::azure::{
    ContainerRegistry, DefenderPlan, DiagnosticLog, DiagnosticSetting, KeyVault,
    LogAnalyticsWorkspace,
};

/// Why a vault's or registry's private endpoint connections are not known.
const NO_CONNECTIONS: &str = "is not recorded by Terraform's azurerm provider (export az keyvault show or az acr show to see the approved private endpoint connections)";

pub(super) fn key_vault(estate: &Estate<'_>, r: &Resource<'_>) -> KeyVault {
    let v = &r.values;
    KeyVault {
        info: estate.info(r),
        // Soft delete cannot be turned off since azurerm 3.0; the retention
        // period is what Terraform records.
        soft_delete: match v.int("soft_delete_retention_days") {
            Field::Known { pointer, .. } => Field::known(true, pointer),
            Field::Missing => v.bool("soft_delete_enabled"),
            other => other.map(|_| true),
        },
        purge_protection: v.bool("purge_protection_enabled"),
        network_default_action: match v.block("network_acls") {
            Some(acls) => acls.string("default_action"),
            None => not_set(v, "network_acls"),
        },
        public_network_access: enabled_or_disabled(v.bool("public_network_access_enabled")),
        private_endpoints: withheld(v),
        rbac_authorization: v
            .bool_either("rbac_authorization_enabled", "enable_rbac_authorization"),
    }
}

pub(super) fn registry(estate: &Estate<'_>, r: &Resource<'_>) -> ContainerRegistry {
    let v = &r.values;
    ContainerRegistry {
        info: estate.info(r),
        sku: v.string("sku"),
        admin_user_enabled: v.bool("admin_enabled"),
        public_network_access: enabled_or_disabled(v.bool("public_network_access_enabled")),
        network_default_action: match v.block("network_rule_set") {
            Some(rules) => rules.string("default_action"),
            None => not_set(v, "network_rule_set"),
        },
        private_endpoints: withheld(v),
    }
}

pub(super) fn workspace(estate: &Estate<'_>, r: &Resource<'_>) -> LogAnalyticsWorkspace {
    LogAnalyticsWorkspace {
        info: estate.info(r),
        retention_days: r.values.int("retention_in_days"),
        public_ingestion: enabled_or_disabled(r.values.bool("internet_ingestion_enabled")),
        public_query: enabled_or_disabled(r.values.bool("internet_query_enabled")),
    }
}

pub(super) fn diagnostic_setting(estate: &Estate<'_>, r: &Resource<'_>) -> DiagnosticSetting {
    let v = &r.values;
    let target_id = estate
        .reference_id(r, "target_resource_id")
        .value()
        .cloned();
    let mut logs = Vec::new();
    // azurerm 4.x: `enabled_log` blocks, each enabled; 3.x: `log` with `enabled`.
    for entry in v.get("enabled_log").map(|l| l.items()).unwrap_or_default() {
        logs.push(DiagnosticLog {
            pointer: entry.pointer().to_owned(),
            category: entry.string("category"),
            category_group: entry.string("category_group"),
            enabled: Field::known(true, entry.pointer()),
        });
    }
    for entry in v.get("log").map(|l| l.items()).unwrap_or_default() {
        logs.push(DiagnosticLog {
            pointer: entry.pointer().to_owned(),
            category: entry.string("category"),
            category_group: entry.string("category_group"),
            enabled: entry.bool("enabled"),
        });
    }
    DiagnosticSetting {
        info: estate.info(r),
        target_type: target_id.as_deref().and_then(type_from_id),
        target_id,
        target_pointer: None,
        target_name: None,
        logs: Field::known(logs, v.pointer()),
    }
}

pub(super) fn pricing(estate: &Estate<'_>, r: &Resource<'_>) -> DefenderPlan {
    DefenderPlan {
        info: estate.info(r),
        name: r.values.string("resource_type"),
        pricing_tier: r.values.string("tier"),
    }
}

/// `public_network_access_enabled` as ARM's `publicNetworkAccess`.
fn enabled_or_disabled(field: Field<bool>) -> Field<String> {
    field.map(|on| if on { "Enabled" } else { "Disabled" }.to_owned())
}

/// A block the values leave empty: not set, at its pointer.
fn not_set<T>(v: &Tf<'_>, name: &str) -> Field<T> {
    match v.get(name) {
        Some(found) => Field::NotSet {
            pointer: found.pointer().to_owned(),
        },
        None => Field::Missing,
    }
}

fn withheld<T>(v: &Tf<'_>) -> Field<T> {
    Field::Withheld {
        why: NO_CONNECTIONS.to_owned(),
        pointer: v.pointer().to_owned(),
    }
}
