//! OSCAL 1.2.1 assessment-results (JSON), valid against NIST's
//! `oscal_assessment-results_schema.json`.
//!
//! # How the review record maps to OSCAL
//!
//! | Tickmark | OSCAL |
//! |---|---|
//! | the assessment | one `result`; `metadata` with the assessment, cluster, period and the record's chain head as props |
//! | the catalog's requirements | `reviewed-controls`: one control selection listing every requirement; control ID `<catalog>_<requirement>`, e.g. `pci-dss-3.2.1_1.3.7` ([`control_id`]) |
//! | the plan | `import-ap` → `#<uuid>` of a back-matter resource holding a minimal assessment plan as base64 JSON (valid against the assessment-plan schema; see [`assessment_plan`]) |
//! | reviewer profiles | `parties` (persons), roles `auditor` and `security-lead`, `responsible-parties` |
//! | Tickmark itself | a `software` component and an assessment platform in `local-definitions` (origin of automated observations) |
//! | each check result of the latest run | an `observation` (method `TEST`) with `relevant-evidence` pointing at the evidence files it cites |
//! | each review (conclusion and note) | an `observation` (method `EXAMINE`, origin the reviewer) with the note (Markdown) as description and the attachments as `relevant-evidence` |
//! | evidence files and attachments | back-matter `resources` with `rlinks` carrying their SHA-256 (`hashes`); the links point where the evidence bundle keeps them (`evidence/…`, `attachments/<requirement>/…`) |
//! | each requirement | a `finding` targeting objective `<control ID>_obj`, with the related observations |
//! | In Place with CCW | also a `risk` with status `deviation-approved`, linked from the finding |
//! | sign-offs | `attestations` (responsible party: the signer in their role) and `assessment-log` entries; stale ones say so |
//! | the security lead's decisions | `metadata.actions` (`approval` / `request-changes`), `attestations` and log entries |
//! | automated runs | `assessment-log` entries |
//!
//! # Conclusions as finding status
//!
//! The schema allows only `satisfied` or `not-satisfied` and requires one.
//! In Place, In Place with CCW and Not Applicable are `satisfied` (reason
//! `pass`); Not in Place is `not-satisfied` (reason `fail`). Not Tested and a
//! requirement without a conclusion are `not-satisfied` with reason `other`
//! and a remark saying why: an untested requirement is not counted as met.
//! Every finding also carries the PCI term as the `conclusion` prop and the
//! automated verdict as `automated-verdict`; In Place, CCW and Not
//! Applicable also set `implementation-status` (`implemented`,
//! `alternative`, `not-applicable`).
//!
//! # Identity and determinism
//!
//! Every UUID is a v5 UUID derived from the assessment (its ID and creation
//! time) and the entity's own ID, so exporting the same record twice gives
//! the same document. The document's own UUID also covers the assessment's
//! latest event hash, so it changes exactly when the record does.
//! `last-modified` is the time of the assessment's latest event. Tickmark's
//! own props are in the namespace [`NAMESPACE`].

mod plan;
mod result;

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::catalog::Catalog;
use crate::store::{AssessmentRecord, Person, Profile, Role};

use super::layout::{BundleLayout, bundle_layout};
use super::text::{base64, markdown_text, one_line, time_data, uri_path};
use super::view::View;
use super::{ExportError, ReportData};

pub use plan::assessment_plan;

/// The OSCAL version the documents declare and validate against.
pub const OSCAL_VERSION: &str = "1.2.1";

/// The namespace of Tickmark's own props.
pub const NAMESPACE: &str = "urn:tickmark:oscal";

/// The root of Tickmark's v5 UUIDs.
const UUID_ROOT: Uuid = Uuid::from_u128(0xd301_989e_b474_4360_9c59_173a_cb26_6fc6);

/// The OSCAL control ID of a requirement: `<catalog ID>_<requirement ID>`,
/// e.g. `pci-dss-3.2.1_1.3.7` (catalog IDs hold no `_`, so it splits back
/// unambiguously).
pub fn control_id(catalog_id: &str, requirement: &str) -> String {
    format!("{catalog_id}_{requirement}")
}

/// The assessment objective a finding targets: `<control ID>_obj`.
pub fn objective_id(catalog_id: &str, requirement: &str) -> String {
    format!("{}_obj", control_id(catalog_id, requirement))
}

/// The assessment-results document as pretty-printed JSON.
pub fn render(data: &ReportData, catalog: &Catalog) -> Result<String, ExportError> {
    let document = assessment_results(data, catalog)?;
    let mut text = serde_json::to_string_pretty(&document).map_err(|e| ExportError::Render {
        format: "OSCAL assessment results",
        message: e.to_string(),
    })?;
    text.push('\n');
    Ok(text)
}

/// The assessment-results document (`{"assessment-results": {...}}`).
pub fn assessment_results(data: &ReportData, catalog: &Catalog) -> Result<Value, ExportError> {
    let view = View::new(data, catalog);
    let context = Context::new(&view);
    let plan = assessment_plan(data, catalog);
    let plan_text = serde_json::to_string(&plan).map_err(|e| ExportError::Render {
        format: "OSCAL assessment plan",
        message: e.to_string(),
    })?;
    let plan_resource = context.id("resource", "assessment-plan");
    let mut resources = vec![json!({
        "uuid": plan_resource,
        "title": format!("Assessment plan of {}", context.line(&markdown_text(&view.record.assessment.name))),
        "description": "The OSCAL assessment plan these results import: the assessment's scope \
                        (every requirement of the catalog), its subject and its parties.",
        "base64": {
            "filename": "assessment-plan.json",
            "media-type": "application/json",
            "value": base64(plan_text.as_bytes()),
        },
    })];
    resources.push(context.catalog_resource());
    resources.extend(context.seal_resource());
    resources.extend(context.evidence_resources());
    resources.extend(context.attachment_resources());
    let result = result::result(&context)?;
    let document_uuid = context.id(
        "assessment-results",
        view.last_event().map_or("none", |e| e.hash.as_str()),
    );
    Ok(json!({
        "assessment-results": {
            "uuid": document_uuid,
            "metadata": context.metadata(
                format!(
                    "{} assessment results: {}",
                    catalog.name,
                    context.line(&markdown_text(&view.record.assessment.name))
                ),
                view.as_of(),
                view.last_event()
                    .map_or_else(|| "0".to_owned(), |e| format!("event-{}", e.seq)),
                true,
            ),
            "import-ap": {
                "href": format!("#{plan_resource}"),
                "remarks": "The assessment plan is embedded in this document's back-matter as \
                            base64 JSON (an OSCAL 1.2.1 assessment plan).",
            },
            "results": [result],
            "back-matter": {"resources": resources},
        }
    }))
}

/// What every part of the document needs: the view, the UUID root and the
/// bundle layout the links point into.
pub(crate) struct Context<'a> {
    pub view: &'a View<'a>,
    base: Uuid,
    pub layout: BundleLayout,
    /// Profiles that appear in the assessment, by ID.
    pub parties: Vec<&'a Profile>,
}

impl<'a> Context<'a> {
    fn new(view: &'a View<'a>) -> Context<'a> {
        let record = view.record;
        let a = &record.assessment;
        let base = Uuid::new_v5(
            &UUID_ROOT,
            format!("assessment/{}/{}", a.id, time_data(&a.created_at)).as_bytes(),
        );
        Context {
            view,
            base,
            layout: bundle_layout(record),
            parties: parties_of(record),
        }
    }

    pub fn record(&self) -> &'a AssessmentRecord {
        self.view.record
    }

    pub fn catalog_id(&self) -> &str {
        &self.view.catalog.id
    }

    /// A v5 UUID for entity `key` of kind `kind`.
    pub fn id(&self, kind: &str, key: impl std::fmt::Display) -> String {
        Uuid::new_v5(&self.base, format!("{kind}/{key}").as_bytes()).to_string()
    }

    /// A string the schema accepts on one line (`StringDatatype`,
    /// `MarkupLineDatatype`): whitespace runs collapsed, never empty.
    pub fn line(&self, text: &str) -> String {
        let line = one_line(text);
        if line.is_empty() {
            "-".to_owned()
        } else {
            line
        }
    }

    /// The party UUID of a profile that appears in the assessment.
    pub fn party(&self, profile: Option<i64>) -> Option<String> {
        let id = profile?;
        self.parties
            .iter()
            .any(|p| p.id == id)
            .then(|| self.id("party", id))
    }

    /// An origin naming a person in their role, or Tickmark when the change
    /// was made without a profile.
    pub fn origin_of(&self, person: &Person, role: Option<Role>) -> Value {
        match self.party(person.profile) {
            Some(party) => {
                let mut actor = Map::new();
                actor.insert("type".into(), json!("party"));
                actor.insert("actor-uuid".into(), json!(party));
                if let Some(role) = role.or(person.role) {
                    actor.insert("role-id".into(), json!(role_id(role)));
                }
                json!({"actors": [actor]})
            }
            None => self.tool_origin(),
        }
    }

    /// An origin naming Tickmark's automated checks.
    pub fn tool_origin(&self) -> Value {
        json!({"actors": [{"type": "tool", "actor-uuid": self.id("component", "tickmark")}]})
    }

    /// The component UUID of a tool that collected evidence (`az 2.67.0`).
    pub fn collector_component(&self, tool: &str) -> String {
        self.id("component", format!("collector/{tool}"))
    }

    /// The tools that collected the record's evidence files (`az 2.67.0`),
    /// each once, sorted.
    pub fn collectors(&self) -> Vec<String> {
        let mut tools: Vec<String> = self
            .record()
            .files
            .iter()
            .filter_map(|f| f.provenance.custody.as_ref())
            .map(|c| c.tool_and_version())
            .collect();
        tools.sort();
        tools.dedup();
        tools
    }

    /// Logged-by naming a person, if they have a profile in the assessment.
    pub fn logged_by(&self, person: &Person, role: Option<Role>) -> Option<Value> {
        let party = self.party(person.profile)?;
        let mut entry = Map::new();
        entry.insert("party-uuid".into(), json!(party));
        if let Some(role) = role.or(person.role) {
            entry.insert("role-id".into(), json!(role_id(role)));
        }
        Some(json!([entry]))
    }

    /// `metadata`; `actions` adds the security lead's decisions.
    pub fn metadata(
        &self,
        title: String,
        last_modified: chrono::DateTime<chrono::Utc>,
        version: String,
        actions: bool,
    ) -> Value {
        let record = self.record();
        let a = &record.assessment;
        let approval = match &record.approval.current {
            None => "none".to_owned(),
            Some(d) if d.stale => format!("{}-stale", d.decision.id()),
            Some(d) => d.decision.id().to_owned(),
        };
        let mut props = vec![
            prop("assessment", &a.name),
            prop("cluster", &a.cluster),
            prop("period-start", a.period_start.to_string()),
            prop("period-end", a.period_end.to_string()),
            prop("catalog", &a.catalog_id),
            prop("approval-state", approval),
            prop("tickmark-version", &record.tickmark_version),
            prop("record-schema-version", record.schema_version.to_string()),
        ];
        if let Some(head) = &record.chain_head {
            props.push(prop("record-chain-head-event", head.seq.to_string()));
            props.push(prop("record-chain-head-sha256", &head.hash));
        }
        if let Some(seal) = &record.seal {
            props.push(prop("record-seal-event", seal.event.to_string()));
            props.push(prop(
                "record-sealed-event",
                seal.sealed_head.seq.to_string(),
            ));
            props.push(prop(
                "record-sealed-chain-head-sha256",
                &seal.sealed_head.hash,
            ));
            props.push(prop("record-seal-key", &seal.signature.key_fingerprint));
        }
        let mut metadata = Map::new();
        metadata.insert("title".into(), json!(self.line(&title)));
        metadata.insert("last-modified".into(), json!(time_data(&last_modified)));
        metadata.insert("version".into(), json!(self.line(&version)));
        metadata.insert("oscal-version".into(), json!(OSCAL_VERSION));
        put_array(
            &mut metadata,
            "props",
            props.into_iter().flatten().collect(),
        );
        metadata.insert(
            "roles".into(),
            json!([
                {"id": role_id(Role::Auditor), "title": Role::Auditor.label(),
                 "description": "Walks the requirements, checks the automated verdicts against the \
                                 evidence, records conclusions and notes, and signs requirements off."},
                {"id": role_id(Role::SecurityLead), "title": Role::SecurityLead.label(),
                 "description": "Reviews the auditors' conclusions and approves the assessment or \
                                 sends it back."},
            ]),
        );
        put_array(&mut metadata, "parties", self.party_values());
        put_array(
            &mut metadata,
            "responsible-parties",
            self.responsible_parties(),
        );
        if actions {
            put_array(&mut metadata, "actions", self.actions());
        }
        Value::Object(metadata)
    }

    fn party_values(&self) -> Vec<Value> {
        self.parties
            .iter()
            .map(|p| {
                let mut party = Map::new();
                party.insert("uuid".into(), json!(self.id("party", p.id)));
                party.insert("type".into(), json!("person"));
                party.insert("name".into(), json!(self.line(&p.name)));
                if is_email(&p.email) {
                    party.insert("email-addresses".into(), json!([p.email.trim()]));
                }
                put_array(
                    &mut party,
                    "props",
                    [
                        prop("tickmark-profile", p.id.to_string()),
                        prop("profile-role", p.role.id()),
                    ]
                    .into_iter()
                    .flatten()
                    .collect(),
                );
                Value::Object(party)
            })
            .collect()
    }

    fn responsible_parties(&self) -> Vec<Value> {
        Role::ALL
            .iter()
            .filter_map(|role| {
                let uuids: Vec<String> = self
                    .parties
                    .iter()
                    .filter(|p| p.role == *role)
                    .map(|p| self.id("party", p.id))
                    .collect();
                (!uuids.is_empty())
                    .then(|| json!({"role-id": role_id(*role), "party-uuids": uuids}))
            })
            .collect()
    }

    fn actions(&self) -> Vec<Value> {
        self.record()
            .approval
            .history
            .iter()
            .map(|d| {
                let kind = match d.decision {
                    crate::store::Decision::Approved => "approval",
                    crate::store::Decision::SentBack => "request-changes",
                };
                let mut action = Map::new();
                action.insert("uuid".into(), json!(self.id("action", d.id)));
                action.insert("date".into(), json!(time_data(&d.at)));
                action.insert("type".into(), json!(kind));
                action.insert("system".into(), json!("http://csrc.nist.gov/ns/oscal"));
                put_array(
                    &mut action,
                    "props",
                    [
                        prop("decision", d.decision.id()),
                        prop("binding-sha256", &d.binding_hash),
                        prop("stale", d.stale.to_string()),
                    ]
                    .into_iter()
                    .flatten()
                    .collect(),
                );
                if let Some(party) = self.party(d.by.profile) {
                    action.insert(
                        "responsible-parties".into(),
                        json!([{"role-id": role_id(d.role), "party-uuids": [party]}]),
                    );
                }
                action.insert("remarks".into(), json!(result::decision_text(d)));
                Value::Object(action)
            })
            .collect()
    }

    fn catalog_resource(&self) -> Value {
        let catalog = self.view.catalog;
        json!({
            "uuid": self.id("resource", "catalog"),
            "title": self.line(&format!("{} ({} catalog {})", catalog.name, "Tickmark", catalog.id)),
            "description": format!(
                "The requirements assessed. Control IDs in this document are \
                 `{id}_<requirement ID>` (e.g. `{example}`); each finding targets the objective \
                 `<control ID>_obj`. Titles are Tickmark's own words, not the PCI SSC's text.",
                id = catalog.id,
                example = control_id(&catalog.id, "1.3.7"),
            ),
            "props": [
                {"name": "catalog", "ns": NAMESPACE, "value": catalog.id},
                {"name": "requirement-count", "ns": NAMESPACE,
                 "value": catalog.requirements().count().to_string()},
            ],
        })
    }

    /// The back-matter resource UUID of an evidence file.
    pub fn evidence_resource(&self, file: i64) -> String {
        self.id("resource", format!("evidence/{file}"))
    }

    /// The back-matter resource UUID of an attachment.
    pub fn attachment_resource(&self, attachment: i64) -> String {
        self.id("resource", format!("attachment/{attachment}"))
    }

    fn evidence_resources(&self) -> Vec<Value> {
        self.record()
            .files
            .iter()
            .map(|f| {
                let p = &f.provenance;
                let mut props = vec![
                    prop("original-path", &p.path),
                    prop("format", p.format.id()),
                    prop("imported-at", time_data(&p.imported_at)),
                    prop("size", p.size.to_string()),
                ];
                if let Some(tool) = &p.tool {
                    props.push(prop("tool", tool));
                }
                if let Some(version) = &p.tool_version {
                    props.push(prop("tool-version", version));
                }
                if let Some(newer) = f.superseded_by {
                    props.push(prop("superseded-by-file", newer.to_string()));
                }
                if let Some(c) = &p.custody {
                    props.extend([
                        prop("collected-at", time_data(&c.collected_at)),
                        prop("collected-by", c.collected_by()),
                        prop("collection-command", &c.command),
                        prop("collection-tool", c.tool_and_version()),
                        prop("collection-manifest", &c.manifest),
                        prop(
                            "modified-after-collection",
                            if c.modified { "true" } else { "false" },
                        ),
                    ]);
                }
                let href = self
                    .layout
                    .evidence
                    .get(&f.id)
                    .map_or_else(|| uri_path(&p.path), |entry| uri_path(entry));
                let mut resource = Map::new();
                resource.insert("uuid".into(), json!(self.evidence_resource(f.id)));
                resource.insert(
                    "title".into(),
                    json!(self.line(&markdown_text(file_name(&p.path)))),
                );
                resource.insert(
                    "description".into(),
                    json!(format!(
                        "Evidence file #{} ({}), imported from {}{}.",
                        f.id,
                        p.format.label(),
                        markdown_text(&p.path),
                        if f.superseded_by.is_some() {
                            "; replaced by a later import of the same path"
                        } else {
                            ""
                        }
                    )),
                );
                put_array(
                    &mut resource,
                    "props",
                    props.into_iter().flatten().collect(),
                );
                resource.insert(
                    "rlinks".into(),
                    json!([{
                        "href": href,
                        "media-type": media_type_of_path(&p.path),
                        "hashes": [{"algorithm": "SHA-256", "value": p.sha256}],
                    }]),
                );
                Value::Object(resource)
            })
            .collect()
    }

    /// The seal (the latest signed decision or seal of the record), as a
    /// base64 JSON resource: the statement, the SSH signature, the key and
    /// the chain head it signs, for `tickmark verify --against`.
    fn seal_resource(&self) -> Option<Value> {
        let seal = self.record().seal.as_ref()?;
        Some(json!({
            "uuid": self.id("resource", "seal"),
            "title": "Seal of the review record",
            "description": format!(
                "The {} of event #{} signs the review record's history up to event #{} (chain head                  SHA-256 `{}`) with SSH key {}. The resource holds the signed statement, the SSH                  signature (namespace `{}`) and the public key.",
                seal.kind,
                seal.event,
                seal.sealed_head.seq,
                seal.sealed_head.hash,
                seal.signature.key_fingerprint,
                crate::signing::NAMESPACE
            ),
            "props": [{"name": "tickmark-seal", "ns": NAMESPACE, "value": "true"}],
            "base64": {
                "filename": "seal.json",
                "media-type": "application/json",
                "value": super::signatures::seal_token(seal),
            },
        }))
    }

    fn attachment_resources(&self) -> Vec<Value> {
        self.view
            .rows
            .iter()
            .flat_map(|row| row.attachments().iter())
            .map(|a| {
                let mut props = vec![
                    prop("requirement", &a.requirement),
                    prop("added-at", time_data(&a.added_at)),
                    prop("size", a.size.to_string()),
                    prop("withdrawn", a.withdrawn.is_some().to_string()),
                ];
                let mut description = format!(
                    "Attachment #{} to requirement {}, added by {}.",
                    a.id,
                    a.requirement,
                    markdown_text(&a.added_by.display())
                );
                if let Some(w) = &a.withdrawn {
                    props.push(prop("withdrawn-at", time_data(&w.at)));
                    description.push_str(&format!(" Withdrawn: {}", markdown_text(&w.reason)));
                }
                let href = self
                    .layout
                    .attachments
                    .get(&a.id)
                    .map_or_else(|| uri_path(&a.file_name), |entry| uri_path(entry));
                let mut resource = Map::new();
                resource.insert("uuid".into(), json!(self.attachment_resource(a.id)));
                resource.insert(
                    "title".into(),
                    json!(self.line(&markdown_text(&a.file_name))),
                );
                resource.insert("description".into(), json!(description));
                put_array(
                    &mut resource,
                    "props",
                    props.into_iter().flatten().collect(),
                );
                resource.insert(
                    "rlinks".into(),
                    json!([{
                        "href": href,
                        "media-type": self.line(&a.media_type),
                        "hashes": [{"algorithm": "SHA-256", "value": a.sha256}],
                    }]),
                );
                Value::Object(resource)
            })
            .collect()
    }
}

/// The profiles that appear in the assessment's events, reviews,
/// attachments, sign-offs and decisions, by ID.
fn parties_of(record: &AssessmentRecord) -> Vec<&Profile> {
    let mut ids = BTreeSet::new();
    let mut add = |person: &Person| {
        if let Some(id) = person.profile {
            ids.insert(id);
        }
    };
    add(&record.assessment.created_by);
    record.events.iter().for_each(|e| add(&e.actor));
    for state in &record.requirements {
        if let Some(review) = &state.review {
            add(&review.reviewer);
        }
        state.attachments.iter().for_each(|a| add(&a.added_by));
        state.sign_offs.iter().for_each(|s| add(&s.signer));
        state.reviewer_sign_offs.iter().for_each(|s| add(&s.signer));
    }
    record.approval.history.iter().for_each(|d| add(&d.by));
    record
        .profiles
        .iter()
        .filter(|p| ids.contains(&p.id))
        .collect()
}

/// The OSCAL role ID of a reviewer role.
pub fn role_id(role: Role) -> &'static str {
    match role {
        Role::Auditor => "auditor",
        Role::SecurityLead => "security-lead",
    }
}

/// A Tickmark prop, or `None` when the value is empty (the schema needs a
/// non-blank, one-line value).
pub(crate) fn prop(name: &str, value: impl AsRef<str>) -> Option<Value> {
    let value = one_line(value.as_ref());
    (!value.is_empty()).then(|| json!({"name": name, "ns": NAMESPACE, "value": value}))
}

/// Inserts `values` under `key` unless empty (OSCAL arrays need an item).
pub(crate) fn put_array(object: &mut Map<String, Value>, key: &str, values: Vec<Value>) {
    if !values.is_empty() {
        object.insert(key.to_owned(), Value::Array(values));
    }
}

fn is_email(text: &str) -> bool {
    let text = text.trim();
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !text.chars().any(char::is_whitespace)
                && text.matches('@').count() == 1
        }
        None => false,
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\'])
        .find(|p| !p.is_empty())
        .unwrap_or(path)
}

/// A media type for an evidence file, from its extension.
fn media_type_of_path(path: &str) -> &'static str {
    let lower = path.to_ascii_lowercase();
    let extension = lower.rsplit('.').next().unwrap_or("");
    match extension {
        "json" | "jsonc" => "application/json",
        "sarif" => "application/sarif+json",
        "yaml" | "yml" => "application/yaml",
        "csv" => "text/csv",
        "jsonl" | "ndjson" => "application/x-ndjson",
        "txt" | "log" => "text/plain",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_helpers() {
        assert_eq!(control_id("pci-dss-3.2.1", "1.3.7"), "pci-dss-3.2.1_1.3.7");
        assert_eq!(
            objective_id("pci-dss-3.2.1", "12.10.1"),
            "pci-dss-3.2.1_12.10.1_obj"
        );
        assert!(is_email("ana@example.com"));
        assert!(!is_email("ana at example"));
        assert!(!is_email("a b@example.com"));
        assert!(prop("x", "  \n ").is_none());
        assert_eq!(
            prop("x", "a\nb").unwrap()["value"],
            Value::String("a b".into())
        );
        assert_eq!(
            media_type_of_path("scans/checkov.sarif"),
            "application/sarif+json"
        );
    }
}
