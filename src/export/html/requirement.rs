//! One requirement of the report: verdict, checks, evidence, conclusion,
//! note, attachments, sign-offs and history.

use std::fmt::Write;

use crate::catalog::MappingStrength;
use crate::checks::{CheckResult, CheckStatus, VerdictStatus, strength_in};
use crate::evidence::EvidenceRef;
use crate::store::{AttachmentMeta, Method, Review, ReviewNote, SignOff, SignOffState};

use super::super::ReportData;
use super::super::index::EvidenceIndex;
use super::super::text::{
    base64, escape_html as esc, human_size, markdown_to_html, markdown_to_html_citing, short_hash,
    time_human,
};
use super::super::view::{Row, View};
use super::{person_detail, person_name, text_with_ids, w};

/// Resources listed per check (those that do not pass); the rest are
/// counted.
const RESOURCES_SHOWN: usize = 20;
/// Evidence pointers listed per check.
const CITES_SHOWN: usize = 4;

/// Appends one requirement's article.
pub(super) fn render(
    out: &mut String,
    view: &View<'_>,
    index: &EvidenceIndex<'_>,
    data: &ReportData,
    row: &Row<'_>,
) {
    let verdict = row.verdict_status();
    let compact = row.checks().is_empty()
        && row.prior(view.record).is_empty()
        && row.review().is_none()
        && row.attachments().is_empty()
        && row.sign_offs().is_empty()
        && row.review_notes().is_empty();
    w!(
        out,
        "<article class=\"req v-{}{}\" id=\"req-{}\">\n",
        verdict.map_or("notrun", verdict_class),
        if compact { " compact" } else { "" },
        esc(row.id())
    );
    head(out, row, verdict);
    meta(out, view, row);
    if !row.checks().is_empty() {
        checks(out, view, row.id(), row.checks());
    }
    evidence_files(out, view, index, row);
    prior_period(out, view, row);
    conclusion(out, index, row);
    if !row.attachments().is_empty() {
        attachments(out, index, data, row.attachments());
    }
    if !row.sign_offs().is_empty() {
        sign_offs(out, "Preparer sign-offs", row.sign_offs());
    }
    if !row.reviewer_sign_offs().is_empty() {
        sign_offs(out, "Reviewer sign-offs", row.reviewer_sign_offs());
    }
    if !row.review_notes().is_empty() {
        review_notes(out, row.review_notes());
    }
    history(out, row);
    out.push_str("</article>\n");
}

/// The CSS class suffix of a verdict (`pass`, `supported`, `noev` ...).
pub(super) fn verdict_class(status: VerdictStatus) -> &'static str {
    match status {
        VerdictStatus::NoEvidence => "noev",
        other => other.id(),
    }
}

fn verdict_badge(status: Option<VerdictStatus>) -> String {
    let (class, label) = match status {
        Some(status) => (format!("b-{}", verdict_class(status)), status.label()),
        None => ("b-notrun".to_owned(), "Not run"),
    };
    format!("<span class=\"badge {class}\" title=\"Automated verdict\">{label}</span>")
}

fn head(out: &mut String, row: &Row<'_>, verdict: Option<VerdictStatus>) {
    let conclusion = match row.conclusion() {
        Some(c) => {
            let method = match c.method {
                Method::Defined => String::new(),
                other => format!(
                    "<span class=\"badge b-m-{}\" title=\"Method\">{}</span>",
                    other.id(),
                    other.label()
                ),
            };
            format!(
                "<span class=\"badge b-c-{}\" title=\"Finding\">{}</span>{method}",
                c.finding.id(),
                c.finding.label()
            )
        }
        None => "<span class=\"badge b-c-none\" title=\"Finding\">No finding</span>".to_owned(),
    };
    let sign_off = match row.sign_off_state() {
        SignOffState::Current => "<span class=\"badge b-signed\">&#10003; Signed off</span>",
        SignOffState::Stale => "<span class=\"badge b-stale\">Sign-off stale</span>",
        SignOffState::None => "",
    };
    let reviewed = match row.reviewer_state() {
        SignOffState::Current => {
            "<span class=\"badge b-reviewed\">&#10003;&#10003; Reviewed</span>"
        }
        SignOffState::Stale => "<span class=\"badge b-stale\">Review stale</span>",
        SignOffState::None => "",
    };
    let open_notes = row.review_notes().iter().filter(|n| n.is_open()).count();
    let notes = if open_notes > 0 {
        format!("<span class=\"badge b-note\">{open_notes} open review note(s)</span>")
    } else {
        String::new()
    };
    let sign_off = format!("{sign_off}{reviewed}{notes}");
    let new = if row.node.new_in_v4 {
        "<span class=\"badge b-new\" title=\"Added by PCI DSS v4.0: no 3.2.1 requirement precedes it\">New in v4.0</span>"
    } else {
        ""
    };
    w!(
        out,
        "<header class=\"req-head\"><span class=\"req-id\">{}</span><h3>{}</h3>\
         <span class=\"badges\">{new}{}{conclusion}{sign_off}</span></header>\n",
        esc(row.id()),
        esc(&row.node.title),
        verdict_badge(verdict)
    );
}

fn meta(out: &mut String, view: &View<'_>, row: &Row<'_>) {
    let mut parts = vec![format!(
        "Responsibility: {}",
        row.node.responsibility.label()
    )];
    let checks = row.checks().len();
    if checks == 0 && view.catalog.is_manual(row.id()) {
        parts.push("reviewed by hand (no automated checks)".to_owned());
    } else if checks > 0 {
        parts.push(format!("{checks} automated check result(s)"));
    }
    let files = view.cited_files(row).len();
    if files > 0 {
        parts.push(format!("{files} evidence file(s) cited"));
    }
    let attachments = row.current_attachments().count();
    if attachments > 0 {
        parts.push(format!("{attachments} attachment(s)"));
    }
    w!(out, "<p class=\"req-meta\">{}</p>\n", parts.join(" · "));
}

fn check_pill(status: CheckStatus) -> String {
    let label = match status {
        CheckStatus::Pass => "Pass",
        CheckStatus::Fail => "Fail",
        CheckStatus::NotEvaluated => "Not evaluated",
    };
    format!("<span class=\"pill p-{}\">{label}</span>", status.id())
}

fn checks(out: &mut String, view: &View<'_>, requirement: &str, checks: &[CheckResult]) {
    out.push_str("<div class=\"block\"><h4>Automated checks</h4><table class=\"checks\">\n");
    for check in checks {
        let supports = strength_in(view.catalog, requirement, check) == MappingStrength::Supports;
        w!(
            out,
            "<tr><td class=\"cid\"><code>{}</code>{}</td><td class=\"cst\">{}</td><td>{}",
            esc(&check.check),
            if supports {
                "<div class=\"supports\" title=\"Only supports the requirement: its pass alone does not decide it\">supports</div>"
            } else {
                ""
            },
            check_pill(check.status),
            text_with_ids(&check.reason)
        );
        resources(out, check);
        cites(out, view, &check.evidence);
        out.push_str("</td></tr>\n");
    }
    out.push_str("</table></div>\n");
}

fn resources(out: &mut String, check: &CheckResult) {
    if check.resources.len() < 2 {
        return;
    }
    let not_passing: Vec<_> = check
        .resources
        .iter()
        .filter(|r| r.status != CheckStatus::Pass)
        .collect();
    if not_passing.is_empty() {
        return;
    }
    let passing = check.resources.len() - not_passing.len();
    out.push_str("<ul class=\"resources\">");
    for resource in not_passing.iter().take(RESOURCES_SHOWN) {
        w!(
            out,
            "<li>{} <code>{}</code>: {}</li>",
            check_pill(resource.status),
            text_with_ids(&resource.resource),
            text_with_ids(&resource.reason)
        );
    }
    if not_passing.len() > RESOURCES_SHOWN {
        w!(
            out,
            "<li>and {} more that do not pass (the JSON export lists all)</li>",
            not_passing.len() - RESOURCES_SHOWN
        );
    }
    if passing > 0 {
        w!(out, "<li>{passing} resource(s) pass</li>");
    }
    out.push_str("</ul>");
}

fn cites(out: &mut String, view: &View<'_>, evidence: &[EvidenceRef]) {
    if evidence.is_empty() {
        return;
    }
    let shown: Vec<String> = evidence
        .iter()
        .take(CITES_SHOWN)
        .map(|e| {
            let name = view
                .file_by_path(&e.path)
                .map_or_else(|| e.path.clone(), |f| view.file_label(f));
            format!("{} <code>{}</code>", esc(&name), esc(&e.pointer))
        })
        .collect();
    let more = if evidence.len() > CITES_SHOWN {
        format!(" and {} more", evidence.len() - CITES_SHOWN)
    } else {
        String::new()
    };
    w!(
        out,
        "<div class=\"cites\">Evidence: {}{more}</div>",
        shown.join("; ")
    );
}

/// `<a class="cite" href="#E-3">E-3</a>`, the reference of an evidence
/// file or attachment linked to its line of the evidence index.
fn cite_link(index: &EvidenceIndex<'_>, id: i64) -> String {
    index.number(id).map_or_else(String::new, |n| {
        let label = crate::store::reference_label(n);
        format!("<a class=\"cite\" href=\"#{label}\">{label}</a> ")
    })
}

fn evidence_files(out: &mut String, view: &View<'_>, index: &EvidenceIndex<'_>, row: &Row<'_>) {
    let files = view.cited_files(row);
    if files.is_empty() {
        return;
    }
    out.push_str("<div class=\"block\"><h4>Evidence files cited</h4><table class=\"files\">\n");
    for file in files {
        let p = &file.provenance;
        let tool = match (&p.tool, &p.tool_version) {
            (Some(tool), Some(version)) => format!(" · {} {}", esc(tool), esc(version)),
            (Some(tool), None) => format!(" · {}", esc(tool)),
            _ => String::new(),
        };
        let custody = p.custody.as_ref().map_or_else(String::new, |c| {
            let modified = if c.modified {
                format!(
                    "<div class=\"modified\">Modified after collection: the manifest recorded SHA-256 {}</div>",
                    esc(&c.collected_sha256)
                )
            } else {
                String::new()
            };
            format!(
                "<div class=\"custody\">Collected {} by {} with {}: <code>{}</code></div>{modified}",
                esc(&c.collected_at.format("%Y-%m-%d %H:%M UTC").to_string()),
                esc(&c.collected_by()),
                esc(&c.tool_and_version()),
                esc(&c.command)
            )
        });
        w!(
            out,
            "<tr><td class=\"fname\">{}{}<div class=\"path\">{}</div>{custody}</td><td>{}{tool}<br>{}</td>\
             <td class=\"hash\">SHA-256 {}</td></tr>\n",
            cite_link(index, file.id),
            esc(&view.file_label(file)),
            esc(&p.path),
            esc(p.format.label()),
            human_size(p.size),
            esc(&p.sha256)
        );
    }
    out.push_str("</table></div>\n");
}

/// What the earlier assessment recorded about the requirements mapped to
/// this one: for reference, never this period's finding.
fn prior_period(out: &mut String, view: &View<'_>, row: &Row<'_>) {
    let Some(prior) = &view.record.prior_period else {
        return;
    };
    let found = row.prior(view.record);
    w!(
        out,
        "<div class=\"block prior\"><h4>Prior period: {} ({})</h4>",
        esc(&prior.assessment.name),
        esc(&prior.assessment.catalog_id)
    );
    if found.is_empty() {
        out.push_str(if row.node.new_in_v4 {
            "<p class=\"empty\">New in PCI DSS v4.0: no earlier requirement precedes it.</p></div>\n"
        } else {
            "<p class=\"empty\">No earlier requirement maps to this one.</p></div>\n"
        });
        return;
    }
    out.push_str("<p class=\"prior-why\">Shown for reference: what the earlier assessment recorded. It is not this period's finding.</p><ul>");
    for earlier in found {
        let mapping = earlier.mapping.as_ref().map_or(String::new(), |m| {
            format!(
                " · {}{}",
                m.kind.label().to_lowercase(),
                if m.judgement {
                    " (Tickmark's judgement)"
                } else {
                    ""
                }
            )
        });
        let finding = earlier
            .review
            .as_ref()
            .and_then(|r| r.conclusion())
            .map_or_else(|| "no finding".to_owned(), |c| c.label());
        w!(
            out,
            "<li><b>{}</b>{} — {}; automated then: {}",
            esc(&earlier.requirement),
            esc(&mapping),
            esc(&finding),
            earlier.verdict.map_or("not evaluated", |v| v.label())
        );
        if let Some(review) = &earlier.review {
            w!(
                out,
                " (recorded by {} on {})",
                esc(&person_name(&review.reviewer)),
                time_human(&review.reviewed_at)
            );
            if !review.note.trim().is_empty() {
                w!(
                    out,
                    "<div class=\"note\">{}</div>",
                    markdown_to_html(&review.note)
                );
            }
        }
        out.push_str("</li>");
    }
    out.push_str("</ul></div>\n");
}

fn conclusion(out: &mut String, index: &EvidenceIndex<'_>, row: &Row<'_>) {
    // Without a review the head's "Not concluded" badge says it all.
    let Some(review) = row.review() else {
        return;
    };
    out.push_str("<div class=\"block\"><h4>Finding and note</h4>");
    let label = review
        .conclusion()
        .map_or_else(|| "No finding (note only)".to_owned(), |c| c.label());
    w!(
        out,
        "<p class=\"review-line\"><b>{}</b> — recorded by {} on {}</p>",
        esc(&label),
        person_detail(&review.reviewer, None),
        time_human(&review.reviewed_at)
    );
    worksheet(out, review);
    if review.note.trim().is_empty() {
        out.push_str("<p class=\"empty\">No note.</p>");
    } else {
        let cite = |n: i64| index.entry(n).map(|e| e.name().to_owned());
        w!(
            out,
            "<div class=\"note\">{}</div>",
            markdown_to_html_citing(&review.note, &cite)
        );
    }
    out.push_str("</div>\n");
}

/// The compensating controls worksheet (Appendix C) or the customized
/// approach's documentation (Appendix E), field by field.
fn worksheet(out: &mut String, review: &Review) {
    let (title, fields): (&str, Vec<(&str, &str)>) =
        match (&review.compensating, &review.customized) {
            (Some(w), _) => (
                "Compensating controls worksheet (Appendix C)",
                w.fields().iter().map(|f| (f.1, f.2)).collect(),
            ),
            (None, Some(w)) => (
                "Customized approach (Appendices D and E)",
                w.fields().iter().map(|f| (f.1, f.2)).collect(),
            ),
            (None, None) if !review.method.is_defined() => {
                w!(
                    out,
                    "<p class=\"empty\">{}: no worksheet recorded.</p>",
                    review.method.label()
                );
                return;
            }
            (None, None) => return,
        };
    w!(out, "<div class=\"worksheet\"><h5>{title}</h5><dl>");
    for (label, text) in fields {
        let body = if text.trim().is_empty() {
            "<span class=\"empty\">(not filled in)</span>".to_owned()
        } else {
            markdown_to_html(text)
        };
        w!(out, "<dt>{}</dt><dd>{body}</dd>", esc(label));
    }
    out.push_str("</dl></div>");
}

fn attachments(
    out: &mut String,
    index: &EvidenceIndex<'_>,
    data: &ReportData,
    attachments: &[AttachmentMeta],
) {
    out.push_str("<div class=\"block\"><h4>Attachments</h4><ul class=\"attachments\">\n");
    for a in attachments {
        let withdrawn = a.withdrawn.as_ref();
        w!(
            out,
            "<li{}>{}<span class=\"aname\"><b>{}</b></span> · {} · {} · added by {} on {}<br>\
             <span class=\"hash\">SHA-256 {}</span>",
            if withdrawn.is_some() {
                " class=\"withdrawn\""
            } else {
                ""
            },
            cite_link(index, a.id),
            esc(&a.file_name),
            esc(&a.media_type),
            human_size(a.size),
            esc(&person_name(&a.added_by)),
            time_human(&a.added_at),
            esc(&a.sha256)
        );
        if let Some(w) = withdrawn {
            w!(
                out,
                "<br><b>Withdrawn</b> on {}: {}",
                time_human(&w.at),
                esc(&w.reason)
            );
        } else if let Some(bytes) = data.images.get(&a.sha256) {
            w!(
                out,
                "<figure><img src=\"data:{};base64,{}\" alt=\"{}\"></figure>",
                esc(&a.media_type),
                base64(bytes),
                esc(&a.file_name)
            );
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ul></div>\n");
}

fn sign_offs(out: &mut String, title: &str, sign_offs: &[SignOff]) {
    w!(
        out,
        "<div class=\"block\"><h4>{title}</h4><ul class=\"signoffs\">\n"
    );
    for s in sign_offs {
        let run = s.run.map(|r| format!(", run #{r}")).unwrap_or_default();
        w!(
            out,
            "<li{}><span class=\"who\">{}</span> signed off on {}: \
             <span class=\"statement\">“{}”</span><br><span class=\"binding\">Binds evidence, results, \
             conclusion, note and attachments as hashed in {}…{run}</span>",
            if s.stale { " class=\"stale\"" } else { "" },
            person_detail(&s.signer, Some(s.role)),
            time_human(&s.signed_at),
            esc(&s.statement),
            esc(short_hash(&s.binding_hash))
        );
        match &s.signature {
            Some(signature) => w!(
                out,
                "<br><span class=\"badge b-signed\">Signed</span> SSH signature with key {}",
                esc(&signature.key_fingerprint)
            ),
            None => out.push_str(
                "<br><span class=\"badge b-unsigned\">Unsigned</span> no signature proves who made it",
            ),
        }
        if s.stale {
            w!(
                out,
                "<br><span class=\"badge b-stale\">Stale</span> changed since: {}",
                esc(&s.stale_reasons.join(", "))
            );
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ul></div>\n");
}

fn review_notes(out: &mut String, notes: &[ReviewNote]) {
    out.push_str("<div class=\"block\"><h4>Review notes</h4><ul class=\"review-notes\">\n");
    for n in notes {
        let state = if n.is_open() {
            "<span class=\"badge b-note\">Open</span>"
        } else {
            "<span class=\"badge b-signed\">Cleared</span>"
        };
        w!(
            out,
            "<li>{state} <b>{}</b> raised by <span class=\"who\">{}</span> on {}: {}",
            esc(&n.label()),
            esc(&person_name(&n.raised_by)),
            time_human(&n.raised_at),
            esc(&n.text)
        );
        for a in &n.answers {
            w!(
                out,
                "<br>&#8627; answered by <span class=\"who\">{}</span> on {}: {}",
                esc(&person_name(&a.by)),
                time_human(&a.at),
                esc(&a.text)
            );
        }
        if let Some(c) = &n.cleared {
            let remark = if c.text.is_empty() {
                String::new()
            } else {
                format!(": {}", esc(&c.text))
            };
            w!(
                out,
                "<br>&#8627; cleared by <span class=\"who\">{}</span> on {}{remark}",
                esc(&person_name(&c.by)),
                time_human(&c.at)
            );
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ul></div>\n");
}

fn history(out: &mut String, row: &Row<'_>) {
    if row.history.is_empty() {
        return;
    }
    out.push_str("<div class=\"block\"><h4>History</h4><table class=\"history\">\n");
    for entry in row.history {
        let who = person_name(&entry.actor);
        w!(
            out,
            "<tr><td class=\"seq\">#{}</td><td class=\"when\">{}</td><td class=\"who\">{}</td><td>{}</td></tr>\n",
            entry.seq,
            time_human(&entry.at),
            esc(&who),
            esc(&entry.summary)
        );
    }
    out.push_str("</table></div>\n");
}
