//! kube-bench `--json`: an object with `Controls` (and `Totals`), or, from
//! older versions, a bare array of controls. Each control has `tests`
//! (sections) with `results` carrying `test_number`, `status` and `scored`.

use serde_json::Value;

use super::findings::{BenchStatus, KubeBenchResult, ScanEvidence};
use super::read::{Doc, first_item, has_keys};
use crate::evidence::node::Node;
use crate::evidence::{Format, ImportContext, ImportError, Recognised};

fn is_control(value: &Value) -> bool {
    has_keys(value, &["tests"])
        && (has_keys(value, &["node_type"])
            || has_keys(value, &["version"])
            || has_keys(value, &["text"]))
}

/// Reads a kube-bench report; `None` if `root` is not one.
pub(super) fn read(
    ctx: ImportContext<'_>,
    root: &Node<'_>,
    out: &mut ScanEvidence,
) -> Option<Result<Recognised, ImportError>> {
    let controls = match root.value() {
        Value::Object(map) => {
            let controls = map.get("Controls")?;
            let first = first_item(controls);
            if !controls.is_array() || first.is_some_and(|c| !is_control(c)) {
                return None;
            }
            root.get("Controls")?
        }
        Value::Array(_) if first_item(root.value()).is_some_and(is_control) => root.clone(),
        _ => return None,
    };
    let doc = Doc::new(ctx, "kube-bench JSON");
    Some(read_controls(doc, &controls).map(|(results, benchmarks)| {
        let mut recognised = Recognised::new(Format::KubeBench).tool("kube-bench", None);
        recognised.notes.push(summary(&results, &benchmarks));
        out.kube_bench.extend(results);
        recognised
    }))
}

fn read_controls(
    doc: Doc<'_>,
    controls: &Node<'_>,
) -> Result<(Vec<KubeBenchResult>, Vec<String>), ImportError> {
    let mut results = Vec::new();
    let mut benchmarks: Vec<String> = Vec::new();
    for control in controls.items() {
        doc.object(&control, "a kube-bench control")?;
        let benchmark = doc.opt_str(&control, "version")?.map(str::to_owned);
        let node_type = doc.opt_str(&control, "node_type")?.map(str::to_owned);
        if let Some(b) = &benchmark
            && !benchmarks.contains(b)
        {
            benchmarks.push(b.clone());
        }
        for section in doc.array(&control, "tests")?.items() {
            doc.object(&section, "a kube-bench section")?;
            for result in doc
                .opt_array(&section, "results")?
                .iter()
                .flat_map(|r| r.items())
            {
                results.push(read_result(doc, &result, &benchmark, &node_type)?);
            }
        }
    }
    Ok((results, benchmarks))
}

fn read_result(
    doc: Doc<'_>,
    result: &Node<'_>,
    benchmark: &Option<String>,
    node_type: &Option<String>,
) -> Result<KubeBenchResult, ImportError> {
    doc.object(result, "a kube-bench result")?;
    let number = doc.str(result, "test_number")?;
    let status_text = doc.str(result, "status")?;
    let status = BenchStatus::parse(status_text).ok_or_else(|| {
        doc.invalid(
            &format!("{}/status", result.pointer()),
            format!("`{status_text}` is not a kube-bench status (PASS, FAIL, WARN, INFO)"),
        )
    })?;
    // kube-bench always writes `scored`; when a file lacks it the result is
    // counted as scored, so that a FAIL is never dropped.
    let scored = doc.opt_bool(result, "scored")?.unwrap_or(true);
    let description = doc.opt_str(result, "test_desc")?.unwrap_or_default();
    let audit_error = doc
        .opt_str(result, "reason")?
        .filter(|r| !r.trim().is_empty())
        .map(str::to_owned);
    Ok(KubeBenchResult {
        number: number.to_owned(),
        description: description.to_owned(),
        status,
        scored,
        benchmark: benchmark.clone(),
        node_type: node_type.clone(),
        audit_error,
        source: doc.at(result, Some(format!("kube-bench {number}"))),
    })
}

fn summary(results: &[KubeBenchResult], benchmarks: &[String]) -> String {
    let count = |s: BenchStatus| results.iter().filter(|r| r.status == s).count();
    let benchmark = if benchmarks.is_empty() {
        String::new()
    } else {
        format!("benchmark {}: ", benchmarks.join(", "))
    };
    format!(
        "kube-bench {benchmark}{} result(s): {} PASS, {} FAIL, {} WARN, {} INFO; {} scored",
        results.len(),
        count(BenchStatus::Pass),
        count(BenchStatus::Fail),
        count(BenchStatus::Warn),
        count(BenchStatus::Info),
        results.iter().filter(|r| r.scored).count()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bad_status_is_an_error_with_pointer() {
        let value = json!({"Controls": [{"id": "4", "version": "cis-1.20", "node_type": "node", "tests": [
            {"section": "4.1", "results": [{"test_number": "4.1.1", "status": "MAYBE", "scored": true}]}]}]});
        let mut out = ScanEvidence::default();
        let err = read(ImportContext::new("kb.json"), &Node::root(&value), &mut out)
            .unwrap()
            .unwrap_err();
        assert_eq!(
            err.location.as_deref(),
            Some("/Controls/0/tests/0/results/0/status")
        );
    }

    #[test]
    fn other_objects_with_controls_fall_through() {
        let value = json!({"Controls": [{"name": "something else"}]});
        let mut out = ScanEvidence::default();
        assert!(read(ImportContext::new("x"), &Node::root(&value), &mut out).is_none());
    }
}
