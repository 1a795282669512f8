//! The one `result` of the assessment-results document: observations,
//! findings, risks, attestations and the assessment log.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value, json};

use crate::checks::{CheckResult, CheckStatus, VerdictStatus};
use crate::evidence::custody::Custody;
use crate::store::{Approval, Conclusion, Decision, Finding, Method, Review, Role, SignOff};

use super::super::text::{markdown_note, markdown_text as md, time_data};
use super::super::view::{NOT_RUN, Row};
use super::{Context, control_id, objective_id, prop, put_array, role_id};
use crate::export::ExportError;

/// Per-resource lines listed in a check observation.
const RESOURCES_LISTED: usize = 50;
/// JSON pointers listed per evidence file in a check observation.
const POINTERS_LISTED: usize = 20;

pub(super) fn result(context: &Context<'_>) -> Result<Value, ExportError> {
    let view = context.view;
    let record = context.record();
    let a = &record.assessment;
    let checks = CheckObservations::new(context);
    let mut observations = checks.values.clone();
    let mut findings = Vec::new();
    let mut risks = Vec::new();
    for row in &view.rows {
        let review = review_observation(context, row);
        let risk = ccw_risk(context, row, review.as_ref().map(|(uuid, _)| uuid.as_str()));
        findings.push(finding(
            context,
            row,
            &checks,
            review.as_ref().map(|(uuid, _)| uuid.as_str()),
            risk.as_ref().map(|(uuid, _)| uuid.as_str()),
        ));
        if let Some((_, value)) = review {
            observations.push(value);
        }
        if let Some((_, value)) = risk {
            risks.push(value);
        }
    }
    let mut result = Map::new();
    result.insert("uuid".into(), json!(context.id("result", "review")));
    result.insert(
        "title".into(),
        json!(context.line(&format!(
            "Review of {}: {} on AKS cluster {}",
            md(&a.name),
            view.catalog.name,
            md(&a.cluster)
        ))),
    );
    result.insert("description".into(), json!(description(context)));
    result.insert("start".into(), json!(time_data(&a.created_at)));
    if view.as_of() > a.created_at {
        result.insert("end".into(), json!(time_data(&view.as_of())));
    }
    put_array(
        &mut result,
        "props",
        [
            prop("assessment", &a.name),
            prop("cluster", &a.cluster),
            prop("period-start", a.period_start.to_string()),
            prop("period-end", a.period_end.to_string()),
        ]
        .into_iter()
        .flatten()
        .collect(),
    );
    result.insert("local-definitions".into(), local_definitions(context));
    result.insert(
        "reviewed-controls".into(),
        json!({
            "description": "Every requirement of the catalog.",
            "control-selections": [{"include-controls": view
                .rows
                .iter()
                .map(|row| json!({"control-id": control_id(context.catalog_id(), row.id())}))
                .collect::<Vec<_>>()}],
        }),
    );
    put_array(&mut result, "attestations", attestations(context));
    let log = log_entries(context);
    if !log.is_empty() {
        result.insert("assessment-log".into(), json!({"entries": log}));
    }
    put_array(&mut result, "observations", observations);
    put_array(&mut result, "risks", risks);
    put_array(&mut result, "findings", findings);
    Ok(Value::Object(result))
}

fn description(context: &Context<'_>) -> String {
    let view = context.view;
    let t = &view.tally;
    let a = &view.record.assessment;
    let mut text = format!(
        "Review of AKS cluster {} against {} for the period {} to {}, recorded with Tickmark.\n\n\
         Automated verdicts: {}{}.\n\n\
         Review: {} of {} requirements concluded, {} signed off ({} sign-off(s) stale).",
        md(&a.cluster),
        view.catalog.name,
        a.period_start,
        a.period_end,
        t.counts().describe(),
        if t.verdicts[NOT_RUN] > 0 {
            format!(", {} without a run", t.verdicts[NOT_RUN])
        } else {
            String::new()
        },
        t.reviewed,
        t.total,
        t.signed,
        t.stale
    );
    match &view.record.approval.current {
        Some(d) => text.push_str(&format!("\n\nSecurity lead: {}", decision_text(d))),
        None => text.push_str("\n\nSecurity lead: no decision yet."),
    }
    if let Some(head) = &view.record.chain_head {
        text.push_str(&format!(
            "\n\nReview record chain head: event #{} with SHA-256 `{}`.",
            head.seq, head.hash
        ));
    }
    text
}

/// A decision of the security lead in words.
pub(super) fn decision_text(d: &Approval) -> String {
    let mut text = format!(
        "{} by {} on {}: \"{}\"",
        d.decision.label(),
        md(&d.by.display()),
        time_data(&d.at),
        md(&d.statement)
    );
    if !d.unconcluded.is_empty() {
        text.push_str(&format!(
            " ({} requirement(s) without a conclusion; justification: \"{}\")",
            d.unconcluded.len(),
            md(d.justification.as_deref().unwrap_or(""))
        ));
    }
    if d.stale {
        text.push_str(&format!(
            " Stale: {} requirement(s) changed since ({}).",
            d.changed_requirements.len(),
            d.changed_requirements.join(", ")
        ));
    }
    text
}

fn local_definitions(context: &Context<'_>) -> Value {
    let version = &context.record().tickmark_version;
    let component = context.id("component", "tickmark");
    let mut components = vec![json!({
        "uuid": component,
        "type": "software",
        "title": "Tickmark",
        "description": "Tickmark imports the cluster team's exports and scanner outputs, \
                        runs the automated checks, and keeps reviews, attachments, sign-offs \
                        and approvals in a hash-chained review record.",
        "props": [{"name": "version", "ns": super::NAMESPACE, "value": context.line(version)}],
        "status": {"state": "operational"},
    })];
    for tool in context.collectors() {
        components.push(json!({
            "uuid": context.collector_component(&tool),
            "type": "software",
            "title": context.line(&tool),
            "description": format!(
                "The command-line tool that collected evidence files of this assessment \
                 (as the collection manifest imported with them records): {tool}."
            ),
            "status": {"state": "operational"},
        }));
    }
    json!({
        "assessment-assets": {
            "components": components,
            "assessment-platforms": [{
                "uuid": context.id("platform", "tickmark"),
                "title": context.line(&format!("Tickmark {version}")),
                "uses-components": [{"component-uuid": component}],
            }],
        }
    })
}

/// An observation per check result of the latest run, keyed by check and
/// requirement (results are unique by these).
struct CheckObservations {
    values: Vec<Value>,
    uuids: HashMap<(String, Option<String>), String>,
}

impl CheckObservations {
    fn new(context: &Context<'_>) -> CheckObservations {
        let mut out = CheckObservations {
            values: Vec::new(),
            uuids: HashMap::new(),
        };
        let Some(run) = &context.record().latest_run else {
            return out;
        };
        for result in &run.results {
            let key = (result.check.clone(), result.requirement.clone());
            if out.uuids.contains_key(&key) {
                continue;
            }
            let uuid = context.id(
                "observation",
                format!(
                    "check/{}/{}/{}",
                    run.id,
                    result.check,
                    result.requirement.as_deref().unwrap_or("-")
                ),
            );
            out.values
                .push(check_observation(context, &uuid, result, &run.at));
            out.uuids.insert(key, uuid);
        }
        out
    }

    fn uuid_of(&self, result: &CheckResult) -> Option<&String> {
        self.uuids
            .get(&(result.check.clone(), result.requirement.clone()))
    }
}

fn check_status_label(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Pass => "pass",
        CheckStatus::Fail => "fail",
        CheckStatus::NotEvaluated => "not evaluated",
    }
}

fn check_observation(
    context: &Context<'_>,
    uuid: &str,
    result: &CheckResult,
    at: &chrono::DateTime<chrono::Utc>,
) -> Value {
    let mut description = md(&result.reason);
    let not_passing: Vec<_> = result
        .resources
        .iter()
        .filter(|r| r.status != CheckStatus::Pass)
        .collect();
    if result.resources.len() > 1 {
        description.push_str(&format!(
            "\n\n{} resource(s) judged, {} pass.",
            result.resources.len(),
            result.resources.len() - not_passing.len()
        ));
        for r in not_passing.iter().take(RESOURCES_LISTED) {
            description.push_str(&format!(
                "\n- {} {}: {}",
                check_status_label(r.status),
                md(&r.resource),
                md(&r.reason)
            ));
        }
        if not_passing.len() > RESOURCES_LISTED {
            description.push_str(&format!(
                "\n- and {} more (the JSON record lists all)",
                not_passing.len() - RESOURCES_LISTED
            ));
        }
    }
    let mut observation = Map::new();
    observation.insert("uuid".into(), json!(uuid));
    observation.insert(
        "title".into(),
        json!(context.line(&format!(
            "Check {}: {}",
            result.check,
            check_status_label(result.status)
        ))),
    );
    observation.insert("description".into(), json!(description));
    let mut props = vec![
        prop("check-id", &result.check),
        prop("check-status", result.status.id()),
    ];
    if let Some(requirement) = &result.requirement {
        props.push(prop("requirement", requirement));
    }
    put_array(
        &mut observation,
        "props",
        props.into_iter().flatten().collect(),
    );
    observation.insert("methods".into(), json!(["TEST"]));
    observation.insert("types".into(), json!(["control-objective"]));
    let custody = cited_custody(context, result);
    let mut origins = vec![context.tool_origin()];
    origins.extend(collection_origins(context, &custody));
    observation.insert("origins".into(), Value::Array(origins));
    put_array(
        &mut observation,
        "relevant-evidence",
        cited_evidence(context, result),
    );
    // When the evidence was collected, where a collection manifest says;
    // else when the check ran.
    let collected = custody.iter().map(|c| c.collected_at).min().unwrap_or(*at);
    observation.insert("collected".into(), json!(time_data(&collected)));
    Value::Object(observation)
}

/// The custody of every evidence file `result` cites that has one.
fn cited_custody<'a>(context: &Context<'a>, result: &CheckResult) -> Vec<&'a Custody> {
    let mut paths: Vec<&str> = result
        .evidence
        .iter()
        .chain(result.resources.iter().flat_map(|r| r.evidence.iter()))
        .map(|e| e.path.as_str())
        .collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .filter_map(|path| context.view.file_by_path(path))
        .filter_map(|file| file.provenance.custody.as_ref())
        .collect()
}

/// An origin per tool that collected the cited evidence: the tool, with who
/// ran it against which subscription and context as the actor's props.
fn collection_origins(context: &Context<'_>, custody: &[&Custody]) -> Vec<Value> {
    let mut origins: Vec<Value> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for c in custody {
        let key = format!("{}|{}", c.tool_and_version(), c.collected_by());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let props: Vec<Value> = [
            prop("collected-by", c.collected_by()),
            c.subscription_id
                .as_deref()
                .and_then(|s| prop("subscription", s)),
            c.tenant_id.as_deref().and_then(|t| prop("tenant", t)),
            c.kube_context
                .as_deref()
                .and_then(|k| prop("kube-context", k)),
        ]
        .into_iter()
        .flatten()
        .collect();
        let mut actor = Map::new();
        actor.insert("type".into(), json!("tool"));
        actor.insert(
            "actor-uuid".into(),
            json!(context.collector_component(&c.tool_and_version())),
        );
        put_array(&mut actor, "props", props);
        origins.push(json!({"actors": [Value::Object(actor)]}));
    }
    origins
}

/// One `relevant-evidence` per evidence file a result cites, with the JSON
/// pointers used.
fn cited_evidence(context: &Context<'_>, result: &CheckResult) -> Vec<Value> {
    let mut by_path: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let refs = result
        .evidence
        .iter()
        .chain(result.resources.iter().flat_map(|r| r.evidence.iter()));
    for e in refs {
        let pointers = by_path.entry(e.path.as_str()).or_default();
        if !pointers.contains(&e.pointer.as_str()) {
            pointers.push(e.pointer.as_str());
        }
    }
    by_path
        .into_iter()
        .map(|(path, pointers)| {
            let mut shown: Vec<String> = pointers
                .iter()
                .take(POINTERS_LISTED)
                .map(|p| format!("`{p}`"))
                .collect();
            if pointers.len() > POINTERS_LISTED {
                shown.push(format!("and {} more", pointers.len() - POINTERS_LISTED));
            }
            let mut evidence = Map::new();
            if let Some(file) = context.view.file_by_path(path) {
                evidence.insert(
                    "href".into(),
                    json!(format!("#{}", context.evidence_resource(file.id))),
                );
                put_array(
                    &mut evidence,
                    "props",
                    [prop("sha256", &file.provenance.sha256)]
                        .into_iter()
                        .flatten()
                        .collect(),
                );
            }
            evidence.insert(
                "description".into(),
                json!(format!("{} at {}", md(path), md(&shown.join(", ")))),
            );
            Value::Object(evidence)
        })
        .collect()
}

/// The reviewer's conclusion and note as an observation: (UUID, value).
fn review_observation(context: &Context<'_>, row: &Row<'_>) -> Option<(String, Value)> {
    let review = row.review()?;
    let uuid = context.id(
        "observation",
        format!("review/{}/{}", row.id(), review.event),
    );
    let label = review
        .conclusion()
        .map_or_else(|| "no finding".to_owned(), |c| c.label());
    let mut observation = Map::new();
    observation.insert("uuid".into(), json!(uuid));
    observation.insert(
        "title".into(),
        json!(context.line(&format!("Reviewer's finding on {}: {label}", row.id()))),
    );
    let note = if review.note.trim().is_empty() {
        format!("Finding: {label}. No note recorded.")
    } else {
        markdown_note(&review.note)
    };
    observation.insert("description".into(), json!(note));
    put_array(
        &mut observation,
        "props",
        [
            prop("requirement", row.id()),
            prop(
                "conclusion",
                review
                    .conclusion()
                    .map_or_else(|| "none".to_owned(), |c| c.code()),
            ),
            prop("finding", review.finding.map_or("none", |f| f.id())),
            prop("method", review.method.id()),
            prop("os-user", &review.reviewer.os_user),
            prop("review-event", review.event.to_string()),
        ]
        .into_iter()
        .flatten()
        .collect(),
    );
    observation.insert("methods".into(), json!(["EXAMINE"]));
    observation.insert("types".into(), json!(["control-objective"]));
    observation.insert(
        "origins".into(),
        json!([context.origin_of(&review.reviewer, None)]),
    );
    let evidence: Vec<Value> = row
        .current_attachments()
        .map(|a| {
            json!({
                "href": format!("#{}", context.attachment_resource(a.id)),
                "description": format!(
                    "Attachment {} ({}, SHA-256 {})",
                    md(&a.file_name),
                    md(&a.media_type),
                    a.sha256
                ),
            })
        })
        .collect();
    put_array(&mut observation, "relevant-evidence", evidence);
    observation.insert("collected".into(), json!(time_data(&review.reviewed_at)));
    Some((uuid, Value::Object(observation)))
}

/// A requirement met by a compensating control or the customized approach
/// (In Place by another method) as a risk whose deviation is approved:
/// (UUID, value). The description is the worksheet, then the note.
fn ccw_risk(
    context: &Context<'_>,
    row: &Row<'_>,
    review_observation: Option<&str>,
) -> Option<(String, Value)> {
    let conclusion = row.conclusion()?;
    if conclusion.finding != Finding::InPlace || conclusion.method.is_defined() {
        return None;
    }
    let review = row.review()?;
    let compensating = conclusion.method == Method::Compensating;
    // The UUID of a compensating control's risk is kept from earlier exports.
    let key = if compensating { "ccw" } else { "customized" };
    let uuid = context.id("risk", format!("{key}/{}", row.id()));
    let mut risk = Map::new();
    risk.insert("uuid".into(), json!(uuid));
    let what = if compensating {
        "Compensating control"
    } else {
        "Customized approach"
    };
    risk.insert(
        "title".into(),
        json!(context.line(&format!("{what} for {} {}", row.id(), row.node.title))),
    );
    let mut description = worksheet_markdown(review);
    if !review.note.trim().is_empty() {
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str(&review.note);
    }
    risk.insert(
        "description".into(),
        json!(if description.is_empty() {
            format!(
                "The reviewer recorded no description of the {}.",
                what.to_lowercase()
            )
        } else {
            markdown_note(&description)
        }),
    );
    risk.insert(
        "statement".into(),
        json!(if compensating {
            format!(
                "Requirement {} is not met as written; the reviewer found it In Place with a \
                 compensating control. The description is the compensating controls worksheet and the note.",
                row.id()
            )
        } else {
            format!(
                "Requirement {} is met by the entity's own control under the customized approach; \
                 the description is its documentation (objective, targeted risk analysis, controls, testing) and the note.",
                row.id()
            )
        }),
    );
    put_array(
        &mut risk,
        "props",
        [
            prop("requirement", row.id()),
            prop("conclusion", conclusion.code()),
            prop("method", conclusion.method.id()),
        ]
        .into_iter()
        .flatten()
        .collect(),
    );
    risk.insert("status".into(), json!("deviation-approved"));
    risk.insert(
        "origins".into(),
        json!([context.origin_of(&review.reviewer, None)]),
    );
    if let Some(observation) = review_observation {
        risk.insert(
            "related-observations".into(),
            json!([{"observation-uuid": observation}]),
        );
    }
    Some((uuid, Value::Object(risk)))
}

/// The review's worksheet as Markdown: `**Field**: text` paragraphs.
fn worksheet_markdown(review: &Review) -> String {
    super::super::view::worksheet_fields(review)
        .into_iter()
        .filter(|(_, text)| !text.trim().is_empty())
        .map(|(label, text)| format!("**{label}**: {}", text.trim()))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The finding's target status: (state, reason, remarks).
fn target_status(
    conclusion: Option<Conclusion>,
) -> (&'static str, &'static str, Option<&'static str>) {
    match conclusion.map(|c| c.finding) {
        Some(Finding::InPlace | Finding::NotApplicable) => ("satisfied", "pass", None),
        Some(Finding::NotInPlace) => ("not-satisfied", "fail", None),
        Some(Finding::NotTested) => (
            "not-satisfied",
            "other",
            Some(
                "Not Tested: the reviewer did not test this requirement, so it is not counted as satisfied.",
            ),
        ),
        None => (
            "not-satisfied",
            "other",
            Some(
                "No finding recorded: the requirement has not been reviewed, so it is not counted as satisfied.",
            ),
        ),
    }
}

/// When the reviewer counts a requirement as satisfied although its
/// automated checks fail (or fail in part), says so: the finding must not
/// read as if the automation agreed.
fn overruled_verdict_remarks(row: &Row<'_>, conclusion: Option<Conclusion>) -> Option<String> {
    let conclusion = conclusion?;
    let satisfied = matches!(target_status(Some(conclusion)).0, "satisfied");
    let verdict = row.verdict_status()?;
    if !satisfied || !matches!(verdict, VerdictStatus::Fail | VerdictStatus::Partial) {
        return None;
    }
    let failing: Vec<&str> = row.failing_checks().map(|c| c.check.as_str()).collect();
    let checks = if failing.is_empty() {
        String::new()
    } else {
        format!(" (failing: {})", failing.join(", "))
    };
    Some(format!(
        "Satisfied on the reviewer's conclusion ({}), which overrules the automated verdict {}{checks}; \
         the reviewer's note gives the reasons.",
        conclusion.label(),
        verdict.label()
    ))
}

fn implementation_state(conclusion: Option<Conclusion>) -> Option<&'static str> {
    let conclusion = conclusion?;
    match conclusion.finding {
        Finding::InPlace if conclusion.method.is_defined() => Some("implemented"),
        Finding::InPlace => Some("alternative"),
        Finding::NotApplicable => Some("not-applicable"),
        Finding::NotTested | Finding::NotInPlace => None,
    }
}

fn verdict_label(verdict: Option<VerdictStatus>) -> &'static str {
    verdict.map_or("not run", |v| v.label())
}

fn finding(
    context: &Context<'_>,
    row: &Row<'_>,
    checks: &CheckObservations,
    review_observation: Option<&str>,
    risk: Option<&str>,
) -> Value {
    let conclusion = row.conclusion();
    let (state, reason, remarks) = target_status(conclusion);
    let mut status = Map::new();
    status.insert("state".into(), json!(state));
    status.insert("reason".into(), json!(reason));
    let remarks = remarks
        .map(str::to_owned)
        .or_else(|| overruled_verdict_remarks(row, conclusion));
    if let Some(remarks) = remarks {
        status.insert("remarks".into(), json!(remarks));
    }
    let mut target = Map::new();
    target.insert("type".into(), json!("objective-id"));
    target.insert(
        "target-id".into(),
        json!(objective_id(context.catalog_id(), row.id())),
    );
    target.insert(
        "title".into(),
        json!(context.line(&format!("{} {}", row.id(), row.node.title))),
    );
    target.insert("status".into(), Value::Object(status));
    if let Some(state) = implementation_state(conclusion) {
        target.insert("implementation-status".into(), json!({"state": state}));
    }
    let failing: Vec<&str> = row.failing_checks().map(|c| c.check.as_str()).collect();
    let mut description = format!(
        "Automated verdict: {}{}.",
        verdict_label(row.verdict_status()),
        if failing.is_empty() {
            String::new()
        } else {
            format!(" (failing: {})", failing.join(", "))
        }
    );
    match row.review() {
        Some(review) => description.push_str(&format!(
            " Finding: {}, recorded by {} on {}.",
            review
                .conclusion()
                .map_or_else(|| "none".to_owned(), |c| c.label()),
            md(&review.reviewer.display()),
            time_data(&review.reviewed_at)
        )),
        None => description.push_str(" No finding recorded."),
    }
    if let Some(sign_off) = row.latest_sign_off() {
        description.push_str(&format!(
            " Signed off by {} on {}{} ({}).",
            md(&sign_off.signer.display()),
            time_data(&sign_off.signed_at),
            if sign_off.stale {
                " (stale: changed since)"
            } else {
                ""
            },
            sign_off.signature_label()
        ));
    }
    let mut related: Vec<Value> = row
        .checks()
        .iter()
        .filter_map(|c| checks.uuid_of(c))
        .map(|uuid| json!({"observation-uuid": uuid}))
        .collect();
    related.dedup();
    if let Some(uuid) = review_observation {
        related.push(json!({"observation-uuid": uuid}));
    }
    let mut finding = Map::new();
    finding.insert("uuid".into(), json!(context.id("finding", row.id())));
    finding.insert(
        "title".into(),
        json!(context.line(&format!("{} {}", row.id(), row.node.title))),
    );
    finding.insert("description".into(), json!(description));
    put_array(
        &mut finding,
        "props",
        [
            prop("requirement", row.id()),
            prop(
                "automated-verdict",
                row.verdict_status().map_or("not_run", |v| v.id()),
            ),
            prop(
                "conclusion",
                conclusion.map_or_else(|| "none".to_owned(), |c| c.code()),
            ),
            prop(
                "sign-off-state",
                match row.sign_off_state() {
                    crate::store::SignOffState::None => "none",
                    crate::store::SignOffState::Current => "current",
                    crate::store::SignOffState::Stale => "stale",
                },
            ),
            prop("responsibility", row.node.responsibility.id()),
        ]
        .into_iter()
        .flatten()
        .collect(),
    );
    let origin = match row.review() {
        Some(review) => context.origin_of(&review.reviewer, None),
        None => context.tool_origin(),
    };
    finding.insert("origins".into(), json!([origin]));
    finding.insert("target".into(), Value::Object(target));
    put_array(&mut finding, "related-observations", related);
    if let Some(risk) = risk {
        finding.insert("related-risks".into(), json!([{"risk-uuid": risk}]));
    }
    Value::Object(finding)
}

fn sign_off_prose(s: &SignOff) -> String {
    let mut prose = format!(
        "{}\n\nSigned off by {} as {} on {}. The sign-off binds the cited evidence, the check \
         results, the conclusion, the note and the attachments as they were then (binding \
         SHA-256 `{}`).",
        md(&s.statement),
        md(&s.signer.display()),
        s.role.label(),
        time_data(&s.signed_at),
        s.binding_hash
    );
    match &s.signature {
        Some(signature) => prose.push_str(&format!(
            "\n\nSigned with SSH key {} (SSHSIG, namespace `{}`); the signed statement and its \
             signature are in the evidence bundle under `signatures/`.",
            signature.key_fingerprint,
            crate::signing::NAMESPACE
        )),
        None => prose.push_str("\n\n**Unsigned:** no signature proves who made this sign-off."),
    }
    if s.stale {
        prose.push_str(&format!(
            "\n\n**Stale:** changed since: {}.",
            s.stale_reasons.join(", ")
        ));
    }
    prose
}

fn attestations(context: &Context<'_>) -> Vec<Value> {
    let mut out = Vec::new();
    for row in &context.view.rows {
        for s in row.sign_offs().iter().chain(row.reviewer_sign_offs()) {
            let mut part = Map::new();
            part.insert(
                "uuid".into(),
                json!(context.id("part", format!("sign-off/{}", s.id))),
            );
            part.insert("name".into(), json!("sign-off"));
            part.insert(
                "title".into(),
                json!(context.line(&format!(
                    "{} sign-off of requirement {}",
                    s.level.label(),
                    row.id()
                ))),
            );
            put_array(
                &mut part,
                "props",
                [
                    prop("requirement", row.id()),
                    prop("sign-off-level", s.level.id()),
                    prop("control-id", control_id(context.catalog_id(), row.id())),
                    prop("signed-at", time_data(&s.signed_at)),
                    prop("binding-sha256", &s.binding_hash),
                    prop("stale", s.stale.to_string()),
                    prop("stale-reasons", s.stale_reasons.join(", ")),
                    prop("run", s.run.map(|r| r.to_string()).unwrap_or_default()),
                    prop("os-user", &s.signer.os_user),
                    prop(
                        "signature",
                        s.signature
                            .as_ref()
                            .map_or("unsigned", |sig| sig.key_fingerprint.as_str()),
                    ),
                ]
                .into_iter()
                .flatten()
                .collect(),
            );
            part.insert("prose".into(), json!(sign_off_prose(s)));
            out.push(attestation(context, s.signer.profile, s.role, part));
        }
    }
    for d in &context.record().approval.history {
        let mut part = Map::new();
        part.insert(
            "uuid".into(),
            json!(context.id("part", format!("decision/{}", d.id))),
        );
        part.insert(
            "name".into(),
            json!(match d.decision {
                Decision::Approved => "approval",
                Decision::SentBack => "sent-back",
            }),
        );
        part.insert(
            "title".into(),
            json!(format!("Assessment {}", d.decision.label().to_lowercase())),
        );
        put_array(
            &mut part,
            "props",
            [
                prop("decided-at", time_data(&d.at)),
                prop("binding-sha256", &d.binding_hash),
                prop("stale", d.stale.to_string()),
                prop("os-user", &d.by.os_user),
            ]
            .into_iter()
            .flatten()
            .collect(),
        );
        part.insert("prose".into(), json!(decision_text(d)));
        out.push(attestation(context, d.by.profile, d.role, part));
    }
    out
}

fn attestation(
    context: &Context<'_>,
    profile: Option<i64>,
    role: Role,
    part: Map<String, Value>,
) -> Value {
    let mut attestation = Map::new();
    if let Some(party) = context.party(profile) {
        attestation.insert(
            "responsible-parties".into(),
            json!([{"role-id": role_id(role), "party-uuids": [party]}]),
        );
    }
    attestation.insert("parts".into(), json!([part]));
    Value::Object(attestation)
}

/// Log entries for automated runs, sign-offs and decisions, in event order.
fn log_entries(context: &Context<'_>) -> Vec<Value> {
    let record = context.record();
    let mut entries: Vec<(i64, Value)> = Vec::new();
    for run in &record.runs {
        let c = &run.counts;
        let mut entry = log_entry(
            context,
            format!("run/{}", run.id),
            format!("Automated checks run #{}", run.id),
            format!(
                "Evaluated {} evidence file(s): {}.",
                run.file_count,
                c.describe()
            ),
            &run.at,
        );
        if let Some(by) = context.logged_by(&run.by, None) {
            entry.insert("logged-by".into(), by);
        }
        put_array(
            &mut entry,
            "props",
            [
                prop("run", run.id.to_string()),
                prop("os-user", &run.by.os_user),
            ]
            .into_iter()
            .flatten()
            .collect(),
        );
        entries.push((run.id, Value::Object(entry)));
    }
    for row in &context.view.rows {
        for s in row.sign_offs().iter().chain(row.reviewer_sign_offs()) {
            let mut entry = log_entry(
                context,
                format!("sign-off/{}", s.id),
                format!(
                    "{} signed off as {} by {}{}",
                    row.id(),
                    s.level.id(),
                    md(s.signer.name.as_deref().unwrap_or(&s.signer.os_user)),
                    if s.stale { " (stale)" } else { "" }
                ),
                md(&s.statement),
                &s.signed_at,
            );
            if let Some(by) = context.logged_by(&s.signer, Some(s.role)) {
                entry.insert("logged-by".into(), by);
            }
            put_array(
                &mut entry,
                "props",
                [
                    prop("requirement", row.id()),
                    prop("binding-sha256", &s.binding_hash),
                    prop("stale", s.stale.to_string()),
                ]
                .into_iter()
                .flatten()
                .collect(),
            );
            entries.push((s.id, Value::Object(entry)));
        }
    }
    for d in &record.approval.history {
        let mut entry = log_entry(
            context,
            format!("decision/{}", d.id),
            format!(
                "Assessment {} by {}",
                d.decision.label().to_lowercase(),
                md(d.by.name.as_deref().unwrap_or(&d.by.os_user))
            ),
            decision_text(d),
            &d.at,
        );
        if let Some(by) = context.logged_by(&d.by, Some(d.role)) {
            entry.insert("logged-by".into(), by);
        }
        put_array(
            &mut entry,
            "props",
            [
                prop("decision", d.decision.id()),
                prop("binding-sha256", &d.binding_hash),
            ]
            .into_iter()
            .flatten()
            .collect(),
        );
        entries.push((d.id, Value::Object(entry)));
    }
    entries.sort_by_key(|(seq, _)| *seq);
    entries.into_iter().map(|(_, entry)| entry).collect()
}

fn log_entry(
    context: &Context<'_>,
    key: String,
    title: String,
    description: String,
    at: &chrono::DateTime<chrono::Utc>,
) -> Map<String, Value> {
    let mut entry = Map::new();
    entry.insert("uuid".into(), json!(context.id("log", key)));
    entry.insert("title".into(), json!(context.line(&title)));
    entry.insert("description".into(), json!(description));
    entry.insert("start".into(), json!(time_data(at)));
    entry
}
