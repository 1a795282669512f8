//! The report's scope section: what is in PCI scope, connected and out of
//! scope and on what grounds, the flows declared across the boundary, the
//! scope diagram (inline SVG; its marked boxes link to the failures listed
//! under it, each with its evidence) and when the scope was recorded.

use std::fmt::Write;

use super::w;
use crate::export::ReportData;
use crate::export::text::{escape_html as esc, time_human};
use crate::scope::{ScopeClass, ScopeKind, how_to_state_scope, svg};

/// The anchor prefix of the listed failures.
const VIOLATION_ANCHOR: &str = "scope-violation-";

/// Writes the section (nothing when the record has no scope and nothing
/// could be drawn).
pub(super) fn render(out: &mut String, data: &ReportData) {
    let recorded = data.record.scopes.last();
    if recorded.is_none() && data.diagram.is_empty() {
        return;
    }
    out.push_str("<section class=\"scope\" id=\"scope\">\n<div class=\"family-head\"><div class=\"kicker\">Scope</div><h2>The CDE boundary</h2>");
    match recorded {
        Some(r) => w!(
            out,
            "<p>As recorded on {} (event #{}, {}); {} scope record(s) in all. Drawn from the evidence; a person confirms it (PCI DSS 4.0.1 12.5.2).</p>",
            time_human(&r.recorded_at),
            r.event,
            esc(&r.recorded_by.display()),
            data.record.scopes.len()
        ),
        None => out.push_str("<p>No scope has been recorded for this assessment.</p>"),
    }
    out.push_str("</div>\n");
    if let Some(r) = recorded {
        let scope = &r.scope;
        if !scope.is_known() {
            w!(
                out,
                "<p class=\"muted\">{}</p>\n",
                esc(&how_to_state_scope())
            );
        }
        out.push_str("<table class=\"scope-table\"><thead><tr><th>Part</th><th>Scope</th><th>On what grounds</th></tr></thead><tbody>\n");
        for kind in ScopeKind::ALL {
            for entry in scope.of_kind(kind).filter(|e| e.class.is_some()) {
                let class = entry.class.map_or("not stated", ScopeClass::label);
                let grounds: Vec<String> = entry
                    .grounds
                    .iter()
                    .map(|g| {
                        let at = g
                            .source
                            .as_ref()
                            .map(|s| {
                                format!(
                                    " <span class=\"mono\">{} {}</span>",
                                    esc(&s.path),
                                    esc(&s.pointer)
                                )
                            })
                            .unwrap_or_default();
                        format!("{}{at}", esc(&g.says))
                    })
                    .collect();
                w!(
                    out,
                    "<tr><td>{} <b>{}</b></td><td class=\"scope-{}\">{}</td><td>{}</td></tr>\n",
                    esc(kind.label()),
                    esc(&entry.name),
                    entry.class.map_or("unknown", ScopeClass::id),
                    esc(class),
                    grounds.join("<br>")
                );
            }
        }
        out.push_str("</tbody></table>\n");
        let unstated: Vec<String> = scope
            .entries
            .iter()
            .filter(|e| e.class.is_none())
            .map(|e| esc(&e.label()))
            .collect();
        if !unstated.is_empty() {
            w!(
                out,
                "<p class=\"muted\">Scope not stated: {}.</p>\n",
                unstated.join(", ")
            );
        }
        out.push_str("<h3>Declared flows across the boundary</h3>\n");
        if scope.flows.is_empty() {
            out.push_str("<p>None declared.</p>\n");
        }
        for flow in &scope.flows {
            w!(
                out,
                "<p><b>{}</b><br>{} <span class=\"mono\">{} {}</span></p>\n",
                esc(&flow.describe()),
                esc(&flow.why),
                esc(&flow.source.path),
                esc(&flow.source.pointer)
            );
        }
    }
    if !data.diagram.is_empty() {
        out.push_str("<h3>Scope diagram</h3>\n<div class=\"scope-diagram\">\n");
        out.push_str(&svg::render(&data.diagram, Some(VIOLATION_ANCHOR)));
        out.push_str("</div>\n");
        w!(
            out,
            "<h3>Failures of the boundary checks ({})</h3>\n",
            data.diagram.violations.len()
        );
        if data.diagram.violations.is_empty() {
            out.push_str("<p>None in the latest run.</p>\n");
        }
        for (index, v) in data.diagram.violations.iter().enumerate() {
            w!(
                out,
                "<div class=\"violation\" id=\"{VIOLATION_ANCHOR}{index}\"><p><span class=\"mono\">{}</span> <b>{}</b><br>{}</p><ul>",
                esc(&v.check),
                esc(&v.resource),
                esc(&v.reason)
            );
            for e in &v.evidence {
                w!(
                    out,
                    "<li><span class=\"mono\">{} {}</span></li>",
                    esc(&e.path),
                    esc(&e.pointer)
                );
            }
            out.push_str("</ul></div>\n");
        }
    }
    if data.record.scopes.len() > 1 {
        out.push_str("<h3>Scope as recorded</h3>\n<ul>\n");
        for r in &data.record.scopes {
            w!(
                out,
                "<li>Event #{} on {} by {}: {}</li>\n",
                r.event,
                time_human(&r.recorded_at),
                esc(&r.recorded_by.display()),
                esc(&crate::store::scope_summary(&r.scope))
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}
