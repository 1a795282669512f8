//! Diagnostic settings (`az monitor diagnostic-settings list --resource <id>`,
//! ARM REST, templates: `<type>/providers/diagnosticSettings` children and
//! `Microsoft.Insights/diagnosticSettings` with a `scope`).

use serde::{Deserialize, Serialize};

use super::ResourceInfo;
use super::resource_reference::{call_arguments, quoted_literal};
use crate::evidence::arm::{ArmResource, type_from_id};
use crate::evidence::node::{Node, is_expression};
use crate::evidence::{Field, ImportContext, ImportError};

/// A diagnostic setting (`Microsoft.Insights/diagnosticSettings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiagnosticSetting {
    /// Identity and location in the file.
    pub info: ResourceInfo,
    /// The ID of the resource whose logs the setting routes, where the
    /// setting's own ID, its `scope` or its parent in a template states it.
    pub target_id: Option<String>,
    /// The type of that resource in lower case
    /// (`microsoft.containerservice/managedclusters`), where known.
    pub target_type: Option<String>,
    /// In a template: the JSON pointer of the resource this setting is nested
    /// in (same file).
    pub target_pointer: Option<String>,
    /// In a template: the target's name as the setting's `scope` writes it,
    /// e.g. `[parameters('clusterName')]` from
    /// `[format('Microsoft.ContainerService/managedClusters/{0}', parameters('clusterName'))]`.
    /// Matches a resource of the same file whose `name` is written the same way.
    pub target_name: Option<String>,
    /// `logs[]`.
    pub logs: Field<Vec<DiagnosticLog>>,
}

/// One entry of a diagnostic setting's `logs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiagnosticLog {
    /// Where the entry is in the file.
    pub pointer: String,
    /// `category`, e.g. `kube-audit-admin`.
    pub category: Field<String>,
    /// `categoryGroup`, e.g. `audit` or `allLogs`.
    pub category_group: Field<String>,
    /// `enabled`.
    pub enabled: Field<bool>,
}

/// What a diagnostic setting says about the resource it belongs to.
#[derive(Default)]
struct Target {
    id: Option<String>,
    resource_type: Option<String>,
    pointer: Option<String>,
    name: Option<String>,
}

/// Reads a diagnostic setting into `out`.
pub(super) fn read(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<DiagnosticSetting>,
) -> Result<(), ImportError> {
    let props = resource.props();
    let target = target(resource);
    out.push(DiagnosticSetting {
        info: ResourceInfo::of(ctx, resource),
        target_id: target.id,
        target_type: target.resource_type,
        target_pointer: target.pointer,
        target_name: target.name,
        logs: props.field("logs", |list| {
            list.value()
                .is_array()
                .then(|| list.items().map(|entry| read_log(&entry)).collect())
        }),
    });
    Ok(())
}

fn read_log(entry: &Node<'_>) -> DiagnosticLog {
    DiagnosticLog {
        pointer: entry.pointer().to_owned(),
        category: entry.string_field("category"),
        category_group: entry.string_field("categoryGroup"),
        enabled: entry.bool_field("enabled"),
    }
}

/// The resource a setting belongs to, from (in this order) its parent in a
/// template, its own resource ID, its `scope`, or the type it was declared
/// under (`Microsoft.ContainerService/managedClusters/providers/diagnosticSettings`).
fn target(resource: &ArmResource<'_>) -> Target {
    if let Some(parent) = &resource.parent {
        let id = parent
            .get("id")
            .and_then(|n| n.as_str())
            .filter(|s| !is_expression(s))
            .map(str::to_owned);
        return Target {
            id,
            resource_type: declared_target_type(&resource.resource_type),
            pointer: Some(parent.pointer().to_owned()),
            name: None,
        };
    }
    if let Some(id) = resource.id().and_then(target_of_setting_id) {
        return Target {
            resource_type: type_from_id(id),
            id: Some(id.to_owned()),
            ..Target::default()
        };
    }
    if let Some(scope) = resource.node.get("scope").and_then(|n| n.as_str()) {
        let target = if is_expression(scope) {
            scope_expression_target(scope)
        } else {
            scope_target(scope)
        };
        if let Some(target) = target {
            return target;
        }
    }
    Target {
        resource_type: declared_target_type(&resource.resource_type),
        ..Target::default()
    }
}

/// The target part of a diagnostic setting's ID:
/// `<target>/providers/microsoft.insights/diagnosticSettings/<name>`.
fn target_of_setting_id(id: &str) -> Option<&str> {
    let marker = "/providers/microsoft.insights/diagnosticsettings/";
    let at = id.to_ascii_lowercase().rfind(marker)?;
    (at > 0).then(|| &id[..at])
}

/// A template `scope`: a resource ID, or `Namespace/type/name`.
fn scope_target(scope: &str) -> Option<Target> {
    if scope.starts_with('/') {
        return Some(Target {
            resource_type: type_from_id(scope),
            id: Some(scope.to_owned()),
            ..Target::default()
        });
    }
    let segments: Vec<&str> = scope.split('/').collect();
    if segments.len() < 3 || segments.len().is_multiple_of(2) {
        return None;
    }
    let types: Vec<&str> = segments.iter().skip(1).step_by(2).copied().collect();
    Some(Target {
        resource_type: Some(format!("{}/{}", segments[0], types.join("/")).to_ascii_lowercase()),
        name: segments.last().map(|n| (*n).to_owned()),
        ..Target::default()
    })
}

/// A `scope` written as an expression, in the two forms templates use:
/// `[format('Namespace/type/{0}', <name>)]` (what Bicep writes) and
/// `[resourceId('Namespace/type', <name>)]`. The type is literal there; the
/// name is kept as the expression `[<name>]`.
fn scope_expression_target(scope: &str) -> Option<Target> {
    let (resource_type, name) = match call_arguments(scope, "format") {
        Some(args) => {
            let [pattern, name] = args.as_slice() else {
                return None;
            };
            (
                quoted_literal(pattern)?.strip_suffix("/{0}")?.to_owned(),
                name.clone(),
            )
        }
        None => {
            let args = call_arguments(scope, "resourceId")?;
            let [resource_type, name] = args.as_slice() else {
                return None;
            };
            (quoted_literal(resource_type)?, name.clone())
        }
    };
    if resource_type.split('/').count() != 2 || name.is_empty() {
        return None;
    }
    Some(Target {
        resource_type: Some(resource_type.to_ascii_lowercase()),
        name: Some(format!("[{name}]")),
        ..Target::default()
    })
}

/// `<type>/providers/diagnosticsettings` names its target's type.
fn declared_target_type(resource_type: &str) -> Option<String> {
    let at = resource_type.rfind("/providers/")?;
    (at > 0).then(|| resource_type[..at].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_from_ids_scopes_and_types() {
        let id = "/subscriptions/s/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/aks-1/providers/microsoft.insights/diagnosticSettings/audit";
        assert_eq!(
            target_of_setting_id(id),
            Some(
                "/subscriptions/s/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/aks-1"
            )
        );
        let scoped = scope_target("Microsoft.ContainerService/managedClusters/aks-1").unwrap();
        assert_eq!(
            scoped.resource_type.as_deref(),
            Some("microsoft.containerservice/managedclusters")
        );
        assert_eq!(scoped.name.as_deref(), Some("aks-1"));
        for scope in [
            "[format('Microsoft.ContainerService/managedClusters/{0}', parameters('clusterName'))]",
            "[resourceId('Microsoft.ContainerService/managedClusters', parameters('clusterName'))]",
        ] {
            let target = scope_expression_target(scope).unwrap();
            assert_eq!(
                target.resource_type.as_deref(),
                Some("microsoft.containerservice/managedclusters")
            );
            assert_eq!(target.name.as_deref(), Some("[parameters('clusterName')]"));
        }
        assert!(scope_expression_target("[variables('scope')]").is_none());
        assert!(
            scope_expression_target(
                "[resourceId('rg', 'Microsoft.ContainerService/managedClusters', 'x')]"
            )
            .is_none()
        );
        assert_eq!(
            declared_target_type(
                "microsoft.storage/storageaccounts/blobservices/providers/diagnosticsettings"
            )
            .as_deref(),
            Some("microsoft.storage/storageaccounts/blobservices")
        );
        assert_eq!(
            declared_target_type("microsoft.insights/diagnosticsettings"),
            None
        );
    }
}
