//! Falco alerts with `json_output`: one JSON object per line (`time`,
//! `rule`, `priority`, `output`, `hostname`, `output_fields`). A single alert
//! saved as one object, or an array of alerts, is read too.

use serde_json::Value;

use super::findings::{FalcoAlert, FalcoPriority, ScanEvidence};
use super::read::{Doc, first_item, has_keys};
use crate::evidence::node::Node;
use crate::evidence::{EvidenceRef, Format, ImportContext, ImportError, Recognised};

const FORMAT: &str = "Falco JSON lines";

fn is_alert(value: &Value) -> bool {
    has_keys(value, &["rule", "priority", "output"])
}

/// Reads Falco JSON lines; `None` if the first non-blank line is not a Falco
/// alert.
pub(super) fn read_lines(
    ctx: ImportContext<'_>,
    text: &str,
    out: &mut ScanEvidence,
) -> Option<Result<Recognised, ImportError>> {
    let mut lines = text
        .split('\n')
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim_end_matches('\r')))
        .filter(|(_, line)| !line.trim().is_empty());
    let (_, first) = lines.clone().next()?;
    let first_value: Value = serde_json::from_str(first).ok()?;
    if !is_alert(&first_value) {
        return None;
    }
    let doc = Doc::new(ctx, FORMAT);
    let mut alerts = Vec::new();
    for (number, line) in lines.by_ref() {
        let value: Value = match serde_json::from_str(line) {
            Ok(value) => value,
            Err(e) => {
                return Some(Err(ImportError::syntax(
                    ctx.path,
                    FORMAT,
                    number,
                    e.column(),
                    format!("not a JSON object: {e}"),
                )));
            }
        };
        let pointer = format!("line {number}");
        match read_alert(doc, &Node::at_pointer(&value, ""), &pointer) {
            Ok(alert) => alerts.push(alert),
            Err(e) => return Some(Err(e)),
        }
    }
    Some(Ok(finish(alerts, out)))
}

/// Reads a single alert object or an array of alerts; `None` otherwise.
pub(super) fn read_json(
    ctx: ImportContext<'_>,
    root: &Node<'_>,
    out: &mut ScanEvidence,
) -> Option<Result<Recognised, ImportError>> {
    let value = root.value();
    let items: Vec<Node<'_>> = if is_alert(value) {
        vec![root.clone()]
    } else if first_item(value).is_some_and(is_alert) {
        root.items().collect()
    } else {
        return None;
    };
    let doc = Doc::new(ctx, "Falco JSON");
    let mut alerts = Vec::new();
    for item in &items {
        match read_alert(doc, item, item.pointer()) {
            Ok(alert) => alerts.push(alert),
            Err(e) => return Some(Err(e)),
        }
    }
    Some(Ok(finish(alerts, out)))
}

fn finish(alerts: Vec<FalcoAlert>, out: &mut ScanEvidence) -> Recognised {
    let mut recognised = Recognised::new(Format::Falco).tool("Falco", None);
    let critical = alerts
        .iter()
        .filter(|a| a.priority.is_critical_or_above())
        .count();
    recognised.notes.push(format!(
        "{} Falco alert(s), {critical} of priority Critical or higher",
        alerts.len()
    ));
    out.falco_alerts.extend(alerts);
    recognised
}

/// Reads one alert; `pointer` is where it is (`line N` or a JSON pointer).
fn read_alert(doc: Doc<'_>, node: &Node<'_>, pointer: &str) -> Result<FalcoAlert, ImportError> {
    let locate = |e: ImportError| relocate(e, pointer);
    if !node.value().is_object() {
        return Err(doc.invalid_at(pointer, "a Falco alert should be a JSON object"));
    }
    let rule = doc.str(node, "rule").map_err(locate)?;
    let text = doc.str(node, "priority").map_err(locate)?;
    let priority = FalcoPriority::parse(text).ok_or_else(|| {
        doc.invalid_at(
            pointer,
            format!("`{text}` is not a Falco priority (Emergency ... Debug)"),
        )
    })?;
    let output = doc.str(node, "output").map_err(locate)?;
    let hostname = doc.opt_str(node, "hostname").map_err(locate)?;
    let workload = workload(node.value().get("output_fields"));
    Ok(FalcoAlert {
        rule: rule.to_owned(),
        priority,
        time: doc
            .opt_str(node, "time")
            .map_err(locate)?
            .map(str::to_owned),
        hostname: hostname.map(str::to_owned),
        workload: workload.clone(),
        output: output.to_owned(),
        source: EvidenceRef {
            path: doc.ctx.path.to_owned(),
            pointer: pointer.to_owned(),
            resource: workload.or(hostname.map(str::to_owned)),
        },
    })
}

/// Errors inside one line point at the line (plus the member's pointer).
fn relocate(mut e: ImportError, pointer: &str) -> ImportError {
    if pointer.starts_with("line ") {
        let member = e.location.take().filter(|l| l != "/").unwrap_or_default();
        e.location = Some(format!(
            "{pointer}{}",
            if member.is_empty() {
                String::new()
            } else {
                format!(", {member}")
            }
        ));
    }
    e
}

/// `namespace/pod/container` from Kubernetes fields, else the container name.
fn workload(fields: Option<&Value>) -> Option<String> {
    let fields = fields?;
    let field = |key: &str| {
        fields
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty() && *s != "<NA>")
    };
    match (field("k8s.ns.name"), field("k8s.pod.name")) {
        (Some(ns), Some(pod)) => Some(match field("container.name") {
            Some(container) => format!("{ns}/{pod}/{container}"),
            None => format!("{ns}/{pod}"),
        }),
        _ => field("container.name").map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Option<Result<(Recognised, ScanEvidence), ImportError>> {
        let mut out = ScanEvidence::default();
        read_lines(ImportContext::new("f.jsonl"), text, &mut out).map(|r| r.map(|x| (x, out)))
    }

    #[test]
    fn reads_lines_and_names_bad_ones() {
        let good = r#"{"rule":"A","priority":"Critical","output":"x","output_fields":{"k8s.ns.name":"a0005-i","k8s.pod.name":"web-1","container.name":"web"}}"#;
        let text = format!("{good}\r\n\r\n{good}\n");
        let (_, out) = lines(&text).unwrap().unwrap();
        assert_eq!(out.falco_alerts.len(), 2);
        assert_eq!(out.falco_alerts[1].source.pointer, "line 3");
        assert_eq!(
            out.falco_alerts[0].workload.as_deref(),
            Some("a0005-i/web-1/web")
        );

        let truncated = format!("{good}\n{{\"rule\":\"B\",\"prio");
        let err = lines(&truncated).unwrap().unwrap_err();
        assert!(err.location.as_deref().unwrap().starts_with("line 2"));
        assert_eq!(err.format_tried.as_deref(), Some(FORMAT));

        let missing = format!("{good}\n{{\"rule\":\"B\",\"output\":\"o\"}}");
        let err = lines(&missing).unwrap().unwrap_err();
        assert!(err.location.as_deref().unwrap().starts_with("line 2"));
        assert!(err.message.contains("priority"));
    }

    #[test]
    fn other_json_lines_fall_through() {
        assert!(lines("{\"a\":1}\n{\"a\":2}").is_none());
        assert!(lines("not json\n").is_none());
    }
}
