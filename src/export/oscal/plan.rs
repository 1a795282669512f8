//! The minimal OSCAL assessment plan the results import: scope (every
//! requirement of the catalog), subject (the cluster), parties and roles.
//! It validates against `oscal_assessment-plan_schema.json` (1.2.1).

use serde_json::{Value, json};

use crate::catalog::Catalog;

use super::super::ReportData;
use super::super::text::markdown_text;
use super::super::view::View;
use super::{Context, NAMESPACE, control_id};

/// The assessment plan of `data` (`{"assessment-plan": {...}}`).
///
/// Tickmark keeps no OSCAL system security plan, so `import-ssp` points at
/// a back-matter resource in the plan that names the cluster and says so.
/// Its `last-modified` is the time of the assessment's latest change of
/// name, cluster or period.
pub fn assessment_plan(data: &ReportData, catalog: &Catalog) -> Value {
    let view = View::new(data, catalog);
    let context = Context::new(&view);
    let record = view.record;
    let a = &record.assessment;
    let last_change = record
        .events
        .iter()
        .filter(|e| e.kind.starts_with("assessment."))
        .map(|e| e.at)
        .max()
        .unwrap_or(a.created_at);
    let ssp = context.id("plan-resource", "system");
    let catalog_resource = context.id("plan-resource", "catalog");
    json!({
        "assessment-plan": {
            "uuid": context.id(
                "assessment-plan",
                format!("{}/{}/{}/{}", a.cluster, a.period_start, a.period_end, catalog.id),
            ),
            "metadata": context.metadata(
                format!("{} assessment plan: {}", catalog.name, markdown_text(&a.name)),
                last_change,
                "1".to_owned(),
                false,
            ),
            "import-ssp": {
                "href": format!("#{ssp}"),
                "remarks": "Tickmark keeps no OSCAL system security plan; the linked resource \
                            names the system under assessment.",
            },
            "reviewed-controls": {
                "description": "Every requirement of the catalog.",
                "control-selections": [{"include-controls": view
                    .rows
                    .iter()
                    .map(|row| json!({"control-id": control_id(&catalog.id, row.id())}))
                    .collect::<Vec<_>>()}],
            },
            "assessment-subjects": [{
                "type": "component",
                "description": format!(
                    "AKS cluster {} and the Azure resources around it (network, firewall, \
                     gateway, Key Vault, registry, workspace), for the period {} to {}.",
                    markdown_text(&a.cluster), a.period_start, a.period_end
                ),
                "include-all": {},
            }],
            "back-matter": {"resources": [
                {
                    "uuid": ssp,
                    "title": context.line(&format!("System under assessment: AKS cluster {}", markdown_text(&a.cluster))),
                    "description": "No OSCAL system security plan exists for this system in \
                                    Tickmark. The evidence imported into the assessment describes it.",
                    "props": [{"name": "cluster", "ns": NAMESPACE, "value": context.line(&a.cluster)}],
                },
                {
                    "uuid": catalog_resource,
                    "title": context.line(&format!("{} (Tickmark catalog {})", catalog.name, catalog.id)),
                    "description": format!(
                        "Control IDs are `{}_<requirement ID>`.",
                        catalog.id
                    ),
                },
            ]},
        }
    })
}
