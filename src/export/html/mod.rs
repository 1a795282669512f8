//! HTML: one self-contained, printable report.
//!
//! No network fetches, no external CSS, scripts or fonts: the style sheet is
//! inline (with print rules: A4 pages, each family on a new page, page
//! numbers), the chart is inline SVG and small image attachments are
//! embedded as `data:` URIs. Every piece of text from the record is escaped;
//! reviewer notes are rendered from Markdown with raw HTML shown as text
//! (see [`markdown_to_html`](super::markdown_to_html)).
//!
//! The first page holds the assessment, cluster, period, approval state,
//! the record's chain head, summary counts, a chart per family and a family
//! table; then every catalog requirement follows, family by family, with its
//! verdict, checks and reasons, cited evidence files (name, SHA-256),
//! conclusion, note, attachments, sign-offs (stale ones marked) and history.

mod chart;
mod requirement;
mod scope;

use std::fmt::Write;

use crate::catalog::Catalog;
use crate::store::{AttachmentMeta, Decision, Person, Role};

use super::ReportData;
use super::index::{EvidenceIndex, Item};
use super::text::{escape_html as esc, human_size, short_hash, time_human};
use super::view::{FINDING_ORDER, Family, NOT_RUN, VERDICT_ORDER, View};
use requirement::verdict_class;

/// The inline style sheet.
const STYLE: &str = include_str!("report.css");

/// Appends formatted text to a `String` (which cannot fail).
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}
pub(crate) use w;

/// Whether an attachment is a picture the report may embed (PNG, JPEG, GIF
/// up to [`EMBED_IMAGE_LIMIT`](super::EMBED_IMAGE_LIMIT)).
pub(crate) fn is_embeddable(attachment: &AttachmentMeta) -> bool {
    matches!(
        attachment.media_type.as_str(),
        "image/png" | "image/jpeg" | "image/gif"
    ) && attachment.size <= super::EMBED_IMAGE_LIMIT
}

/// The report of `data` as one HTML document.
pub fn render(data: &ReportData, catalog: &Catalog) -> String {
    let view = View::new(data, catalog);
    let index = EvidenceIndex::of(&view);
    let a = &view.record.assessment;
    let mut out = String::with_capacity(256 * 1024);
    w!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"Tickmark {}\">\n\
         {}<title>{} assessment report: {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<div class=\"page\">\n",
        esc(&view.record.tickmark_version),
        record_meta(view.record),
        esc(&catalog.name),
        esc(&a.name)
    );
    cover(&mut out, &view);
    scope::render(&mut out, data);
    for family in &view.families {
        family_section(&mut out, &view, &index, data, family);
    }
    evidence_index(&mut out, &view, &index);
    colophon(&mut out, &view);
    out.push_str("</div>\n</body>\n</html>\n");
    out
}

fn cover(out: &mut String, view: &View<'_>) {
    let record = view.record;
    let a = &record.assessment;
    w!(
        out,
        "<section class=\"cover\">\n<div class=\"brand\"><span class=\"mark\">Tickmark</span>\
         <span class=\"doc\">{} assessment report · Tickmark {}</span></div>\n",
        esc(&view.catalog.name),
        esc(&record.tickmark_version)
    );
    w!(out, "<h1>{}</h1>\n", esc(&a.name));
    w!(
        out,
        "<p class=\"subtitle\">Review of AKS cluster <b>{}</b> against {}, {} to {}</p>\n",
        esc(&a.cluster),
        esc(&view.catalog.name),
        a.period_start,
        a.period_end
    );
    facts(out, view);
    out.push_str("<div class=\"status-row\">\n");
    approval_callout(out, view);
    chain_callout(out, view);
    seal_callout(out, view);
    out.push_str("</div>\n");
    summary(out, view);
    out.push_str("<h2 class=\"section\">By family</h2>\n<div class=\"chart\">\n");
    chart::render(out, view);
    out.push_str("</div>\n<div class=\"keep\"><h2 class=\"section\">Families at a glance</h2>\n");
    family_table(out, view);
    out.push_str("</div>\n");
    reading_guide(out);
    legend(out);
    out.push_str("</section>\n");
}

/// The tick-mark legend: every mark and badge the report uses, drawn as it
/// appears, with what it means.
fn legend(out: &mut String) {
    let marks: &[(&str, &str)] = &[
        (
            "<span class=\"badge b-pass\">Pass</span>",
            "Automated verdict: every mapped check passed and one of them tests the requirement fully.",
        ),
        (
            "<span class=\"badge b-fail\">Fail</span>",
            "Automated verdict: a mapped check failed.",
        ),
        (
            "<span class=\"badge b-partial\">Partial</span>",
            "Automated verdict: some checks passed, the others had no evidence.",
        ),
        (
            "<span class=\"badge b-supported\">Supported</span>",
            "Automated verdict: only supporting checks passed; a person must still test the requirement.",
        ),
        (
            "<span class=\"badge b-manual\">Manual</span>",
            "No automated check: reviewed by hand.",
        ),
        (
            "<span class=\"badge b-noev\">No evidence</span>",
            "Checks exist, none could run on the evidence imported.",
        ),
        (
            "<span class=\"badge b-notrun\">Not run</span>",
            "No automated run has been recorded for the assessment.",
        ),
        (
            "<span class=\"pill p-pass\">Pass</span> <span class=\"pill p-fail\">Fail</span> <span class=\"pill p-not_evaluated\">Not evaluated</span>",
            "One check's result; <i>supports</i> beside a check: it only supports the requirement.",
        ),
        (
            "<span class=\"badge b-c-in_place\">In Place</span>",
            "Finding recorded by the reviewer: In Place.",
        ),
        (
            "<span class=\"badge b-c-not_applicable\">Not Applicable</span>",
            "Finding: Not Applicable (with the reason in the note).",
        ),
        (
            "<span class=\"badge b-c-not_tested\">Not Tested</span>",
            "Finding: Not Tested.",
        ),
        (
            "<span class=\"badge b-c-not_in_place\">Not in Place</span>",
            "Finding: Not in Place.",
        ),
        (
            "<span class=\"badge b-c-none\">No finding</span>",
            "No finding recorded yet.",
        ),
        (
            "<span class=\"badge b-m-compensating\">Compensating control</span> <span class=\"badge b-m-customized\">Customized approach</span>",
            "The method, when it is not the defined approach; its worksheet follows the finding.",
        ),
        (
            "<span class=\"badge b-signed\">&#10003; Signed off</span>",
            "Signed off, and the sign-off still covers what is there.",
        ),
        (
            "<span class=\"badge b-stale\">Sign-off stale</span>",
            "Signed off, but the evidence, results, finding, note or attachments changed since.",
        ),
        (
            "<span class=\"badge b-reviewed\">&#10003;&#10003; Reviewed</span>",
            "A second person signed as reviewer over the preparer's current sign-off, and it still covers what is there.",
        ),
        (
            "<span class=\"badge b-stale\">Review stale</span>",
            "Reviewed, but something changed since (or the preparer's sign-off no longer stands): it is reviewed again.",
        ),
        (
            "<span class=\"badge b-note\">1 open review note(s)</span>",
            "A reviewer raised a point the preparer has to answer; it blocks the reviewer sign-off and the approval until the reviewer clears it.",
        ),
        (
            "<span class=\"badge b-new\">New in v4.0</span>",
            "A requirement PCI DSS v4.0 added.",
        ),
        (
            "<a class=\"cite\">E-12</a>",
            "An evidence reference: the evidence file or attachment listed under that number in the evidence index at the end. Notes cite evidence as [E-12].",
        ),
    ];
    out.push_str("<div class=\"reading keep\" id=\"legend\"><h2 class=\"section\">Tick-mark legend</h2><dl class=\"legend\">\n");
    for (mark, meaning) in marks {
        w!(out, "<dt>{mark}</dt><dd>{meaning}</dd>\n");
    }
    out.push_str("</dl></div>\n");
}

/// The evidence index: every evidence file and attachment under its
/// reference, with its hash, when it was collected and brought in, by whom,
/// which requirements use it and whether it still counts.
fn evidence_index(out: &mut String, view: &View<'_>, index: &EvidenceIndex<'_>) {
    out.push_str(
        "<section class=\"family\" id=\"evidence-index\">\n<div class=\"family-head\">\
         <div class=\"kicker\">Index</div><h2>Evidence index</h2>",
    );
    w!(
        out,
        "<p>{} item(s): every evidence file and attachment of the assessment, cited as [E-n] in notes and above.</p></div>\n",
        index.entries.len()
    );
    if index.entries.is_empty() {
        out.push_str(
            "<p class=\"empty\">No evidence has been imported or attached.</p></section>\n",
        );
        return;
    }
    out.push_str(
        "<table class=\"files index\"><thead><tr><th>Ref.</th><th>File</th><th>SHA-256</th>\
         <th>Collected / brought in</th><th>Used by</th><th>Status</th></tr></thead><tbody>\n",
    );
    for entry in &index.entries {
        let name = match entry.item {
            Item::File(f) => format!(
                "{}<div class=\"path\">{}</div>",
                esc(&view.file_label(f)),
                esc(&f.provenance.path)
            ),
            Item::Attachment(a) => esc(&a.file_name),
        };
        let collected = entry
            .collected()
            .map(|at| format!("Collected {}<br>", time_human(&at)))
            .unwrap_or_default();
        let used: Vec<String> = entry
            .used_by
            .iter()
            .map(|id| format!("<a href=\"#req-{0}\">{0}</a>", esc(id)))
            .collect();
        let status = index.status(entry);
        w!(
            out,
            "<tr id=\"{label}\"{class}><td class=\"cid\"><b>{label}</b></td><td class=\"fname\">{name}\
             <div class=\"path\">{kind} · {format} · {size}</div></td><td class=\"hash\">{sha}</td>\
             <td>{collected}{verb} {at}<br>by {by}</td><td>{used}</td><td>{status}</td></tr>\n",
            label = esc(&entry.label()),
            class = if entry.is_current() {
                ""
            } else {
                " class=\"replaced\""
            },
            kind = entry.kind(),
            format = esc(entry.format()),
            size = human_size(entry.size()),
            sha = esc(entry.sha256()),
            verb = match entry.item {
                Item::File(_) => "Imported",
                Item::Attachment(_) => "Attached",
            },
            at = time_human(&entry.added()),
            by = esc(&person_name(entry.added_by())),
            used = if used.is_empty() {
                "—".to_owned()
            } else {
                used.join(", ")
            },
            status = if status.is_empty() {
                "Current".to_owned()
            } else {
                esc(&status)
            },
        );
    }
    out.push_str("</tbody></table></section>\n");
}

fn facts(out: &mut String, view: &View<'_>) {
    let record = view.record;
    let a = &record.assessment;
    let current_files = record
        .files
        .iter()
        .filter(|f| f.superseded_by.is_none())
        .count();
    let run = match &record.latest_run {
        Some(run) => format!(
            "#{} on {} ({} files)",
            run.id,
            time_human(&run.at),
            run.files.len()
        ),
        None => "none yet".to_owned(),
    };
    let new_in_v4 = view.rows.iter().filter(|r| r.node.new_in_v4).count();
    let catalog_text = if new_in_v4 > 0 {
        format!(
            "{} ({} requirements, {new_in_v4} of them new in v4.0)",
            esc(&view.catalog.name),
            view.rows.len()
        )
    } else {
        format!(
            "{} ({} requirements)",
            esc(&view.catalog.name),
            view.rows.len()
        )
    };
    let prior = record.prior_period.as_ref().map_or_else(
        || "none".to_owned(),
        |p| {
            format!(
                "{} ({}, {} to {})",
                esc(&p.assessment.name),
                esc(&p.assessment.catalog_id),
                p.assessment.period_start,
                p.assessment.period_end,
            )
        },
    );
    let rows = [
        ("Cluster", esc(&a.cluster)),
        (
            "Assessed period",
            format!("{} to {}", a.period_start, a.period_end),
        ),
        ("Catalog", catalog_text),
        ("Prior period", prior),
        ("Record as of", time_human(&view.as_of())),
        (
            "Created",
            format!(
                "{} by {}",
                time_human(&a.created_at),
                esc(&a.created_by.display())
            ),
        ),
        (
            "Evidence files",
            format!(
                "{current_files} current, {} in all{}",
                record.files.len(),
                custody_summary(record)
            ),
        ),
        ("Latest automated run", esc(&run)),
        (
            "Events",
            format!("{} of this assessment", record.events.len()),
        ),
    ];
    out.push_str("<dl class=\"facts\">\n");
    for (label, value) in rows {
        w!(out, "<div><dt>{label}</dt><dd>{value}</dd></div>\n");
    }
    out.push_str("</dl>\n");
}

fn approval_callout(out: &mut String, view: &View<'_>) {
    let (class, headline, detail) = match &view.record.approval.current {
        None => (
            "none",
            "Not yet approved".to_owned(),
            "The security lead has not decided on this assessment yet.".to_owned(),
        ),
        Some(a) if a.decision == Decision::SentBack => (
            "bad",
            "Sent back".to_owned(),
            format!(
                "by {} on {}: “{}”",
                person_detail(&a.by, Some(a.role)),
                time_human(&a.at),
                esc(&a.statement)
            ),
        ),
        Some(a) => {
            let mut detail = format!(
                "by {} on {}: “{}”",
                person_detail(&a.by, Some(a.role)),
                time_human(&a.at),
                esc(&a.statement)
            );
            if !a.unconcluded.is_empty() {
                w!(
                    detail,
                    "<br>{} requirement(s) had no conclusion; justification: “{}”",
                    a.unconcluded.len(),
                    esc(a.justification.as_deref().unwrap_or(""))
                );
            }
            if a.stale {
                w!(
                    detail,
                    "<br><b>{} requirement(s) changed since:</b> {}",
                    a.changed_requirements.len(),
                    esc(&list_some(&a.changed_requirements, 12))
                );
                ("warn", "Approval stale".to_owned(), detail)
            } else {
                ("ok", "Approved".to_owned(), detail)
            }
        }
    };
    w!(
        out,
        "<div class=\"callout {class}\"><h2>Security lead's approval</h2>\
         <div class=\"big\">{headline}</div><p>{detail}</p></div>\n"
    );
}

/// What `tickmark verify --against` reads from a report: the assessment,
/// the chain head it was made at and the seal it carries.
fn record_meta(record: &crate::store::AssessmentRecord) -> String {
    let mut out = format!(
        "<meta name=\"tickmark-assessment\" content=\"{}\">\n",
        record.assessment.id
    );
    if let Some(head) = &record.chain_head {
        out.push_str(&format!(
            "<meta name=\"tickmark-chain-head\" content=\"{} {}\">\n",
            head.seq,
            esc(&head.hash)
        ));
    }
    if let Some(seal) = &record.seal {
        out.push_str(&format!(
            "<meta name=\"tickmark-seal\" content=\"{}\">\n",
            super::signatures::seal_token(seal)
        ));
    }
    out
}

/// The seal: which history is signed, by whom, and the signature itself.
fn seal_callout(out: &mut String, view: &View<'_>) {
    let record = view.record;
    let Some(seal) = &record.seal else {
        out.push_str(
            "<div class=\"callout none\"><h2>Seal</h2><div class=\"big\">Not sealed</div>\
             <p>No security lead's signed decision or signed seal covers this assessment yet.</p></div>\n",
        );
        return;
    };
    let after = record.chain_head.as_ref().map_or(0, |h| h.seq - seal.event);
    let later = if after > 0 {
        format!(" {after} event(s) were recorded after the seal and are not covered by it.")
    } else {
        " Nothing was recorded after it.".to_owned()
    };
    w!(
        out,
        "<div class=\"callout chain\"><h2>Seal</h2><div class=\"big\">Event #{} signed</div>\
         <p>The {} of event #{} by {} on {} signs the history up to event #{}:</p>\
         <p class=\"hash\">{}</p><p>Key {}.{later} <code>tickmark verify --against</code> this report \
         checks the record still holds exactly this history.</p>\
         <details><summary>Signed statement and signature</summary><pre class=\"signed\">{}</pre>\
         <pre class=\"signed\">{}</pre></details></div>\n",
        seal.event,
        esc(&seal.kind),
        seal.event,
        esc(seal.signer.name.as_deref().unwrap_or(&seal.signer.os_user)),
        time_human(&seal.at),
        seal.sealed_head.seq,
        esc(&seal.sealed_head.hash),
        esc(&seal.signature.key_fingerprint),
        esc(&seal.signature.statement),
        esc(&seal.signature.signature)
    );
}

fn chain_callout(out: &mut String, view: &View<'_>) {
    match &view.record.chain_head {
        Some(head) => w!(
            out,
            "<div class=\"callout chain\"><h2>Review record chain head</h2>\
             <div class=\"big\">Event #{}</div><p class=\"hash\">{}</p>\
             <p>Every change is a hash-chained event; <code>tickmark verify</code> on the \
             review record recomputes the chain, and event #{} there must carry this hash.</p></div>\n",
            head.seq,
            esc(&head.hash),
            head.seq
        ),
        None => out.push_str(
            "<div class=\"callout none\"><h2>Review record chain head</h2>\
             <div class=\"big\">No events</div></div>\n",
        ),
    }
}

fn summary(out: &mut String, view: &View<'_>) {
    let t = &view.tally;
    out.push_str("<h2 class=\"section\">Automated verdicts</h2>\n<div class=\"tiles\">\n");
    for (verdict, n) in VERDICT_ORDER.iter().zip(t.verdicts) {
        if let Some(verdict) = verdict {
            w!(
                out,
                "<div class=\"tile {}\"><div class=\"n\">{n}</div><div class=\"l\">{}</div></div>\n",
                verdict_class(*verdict),
                verdict.label()
            );
        }
    }
    out.push_str("</div>\n");
    if t.verdicts[NOT_RUN] > 0 {
        w!(
            out,
            "<p class=\"conclusion-line\">{} requirement(s) have no automated result: no run has been recorded.</p>\n",
            t.verdicts[NOT_RUN]
        );
    }
    out.push_str("<h2 class=\"section\">Review progress</h2>\n<div class=\"tiles review\">\n");
    let review_tiles = [
        (t.reviewed, format!("of {} with a finding", t.total)),
        (t.signed, "signed off (current)".to_owned()),
        (t.stale, "sign-offs stale".to_owned()),
        (t.total - t.reviewed, "without a finding".to_owned()),
    ];
    for (n, label) in review_tiles {
        w!(
            out,
            "<div class=\"tile plain\"><div class=\"n\">{n}</div><div class=\"l\">{label}</div></div>\n"
        );
    }
    out.push_str("</div>\n<p class=\"conclusion-line\">Findings: ");
    let parts: Vec<String> = FINDING_ORDER
        .iter()
        .zip(t.findings.iter())
        .filter_map(|(f, n)| f.map(|f| format!("<b>{n}</b> {}", f.label())))
        .collect();
    out.push_str(&parts.join(" · "));
    if t.compensating + t.customized > 0 {
        w!(
            out,
            " — by a compensating control: <b>{}</b>, by the customized approach: <b>{}</b>",
            t.compensating,
            t.customized
        );
    }
    out.push_str("</p>\n");
}

fn family_table(out: &mut String, view: &View<'_>) {
    out.push_str(
        "<table class=\"families\">\n<thead><tr><th>Req.</th><th>Title</th><th class=\"num\">Total</th>\
         <th class=\"num\">Pass</th><th class=\"num\">Fail</th><th class=\"num\">Partial</th>\
         <th class=\"num\">Supp.</th><th class=\"num\">Manual</th><th class=\"num\">No ev.</th>\
         <th class=\"num\">Concluded</th>\
         <th class=\"num\">Signed</th></tr></thead>\n<tbody>\n",
    );
    for family in &view.families {
        let t = &family.tally;
        let num = |n: usize| {
            if n == 0 {
                "<td class=\"num zero\">0</td>".to_owned()
            } else {
                format!("<td class=\"num\">{n}</td>")
            }
        };
        w!(
            out,
            "<tr><td><a href=\"#family-{id}\"><b>{id}</b></a></td><td><a href=\"#family-{id}\">{title}</a></td>\
             <td class=\"num\">{}</td>{}{}{}</tr>\n",
            t.total,
            t.verdicts[..NOT_RUN]
                .iter()
                .map(|&n| num(n))
                .collect::<String>(),
            num(t.reviewed),
            num(t.signed),
            id = esc(&family.node.id),
            title = esc(&family.node.title),
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// What the report's terms mean.
fn reading_guide(out: &mut String) {
    out.push_str(
        "<div class=\"reading keep\"><h2 class=\"section\">How to read this report</h2><dl>\n\
         <dt>Automated verdict</dt><dd><b>Pass</b>: every mapped check passed, and at least one of \
         them tests the requirement fully. \
         <b>Fail</b>: a mapped check, testing or supporting, failed. <b>Partial</b>: some checks passed, the rest had no \
         evidence. <b>Supported</b>: only checks that support the requirement passed (a check may \
         test a requirement fully, or only support it by looking at part of what it asks); nothing \
         was found wrong, but a person must still test it. \
         <b>Manual</b>: no automated checks; documents and processes are reviewed by hand. \
         <b>No evidence</b>: checks exist but none could run. A check never passes for lack of evidence.</dd>\n\
         <dt>Finding and method</dt><dd>The reviewer's finding as the v4.x Report on Compliance states \
         it: In Place, Not Applicable, Not Tested or Not in Place, with a note. Separately, the method: \
         the defined approach, a compensating control (with its Appendix C worksheet) or the customized \
         approach (with its Appendix E documentation). Not Applicable and Not in Place, and In Place over \
         a failing check, are signed off only with a written reason.</dd>\n\
         <dt>New in v4.0; prior period</dt><dd>Requirements PCI DSS v4.0 added are marked <b>New in \
         v4.0</b>. An assessment started from an earlier one shows, beside each requirement, what the \
         earlier assessment recorded for the requirements mapped to it (through the crosswalk across \
         frameworks), for reference only.</dd>\n\
         <dt>Sign-off</dt><dd>A reviewer's statement bound to a SHA-256 of exactly what was signed: \
         the cited evidence files, the check results, the conclusion, the note and the attachments. \
         If any of them changes later, the sign-off is shown as <b>stale</b>.</dd>\n\
         <dt>Approval</dt><dd>The security lead's decision on the whole assessment, bound the same way \
         to every requirement; it turns stale when any requirement changes.</dd>\n\
         <dt>Evidence</dt><dd>Every evidence file and attachment has a reference (E-1, E-2, ...) that \
         stays the same for the assessment; notes cite evidence by it, and the evidence index at the \
         end lists each with its SHA-256. The evidence bundle holds the files themselves and a \
         manifest; <code>tickmark verify --bundle</code> checks it.</dd>\n\
         <dt>Chain head</dt><dd>Every change to the review record is an event whose hash covers the \
         one before. <code>tickmark verify</code> recomputes the chain; the event named on the first \
         page must still carry the hash shown there.</dd>\n\
         </dl></div>\n",
    );
}

fn family_section(
    out: &mut String,
    view: &View<'_>,
    index: &EvidenceIndex<'_>,
    data: &ReportData,
    family: &Family<'_>,
) {
    let t = &family.tally;
    w!(
        out,
        "<section class=\"family\" id=\"family-{id}\">\n<div class=\"family-head\">\
         <div class=\"kicker\">Requirement {id}</div><h2>{title}</h2>\
         <p>{} requirement(s): {} · {} concluded · {} signed off{}</p></div>\n",
        t.total,
        t.counts().describe(),
        t.reviewed,
        t.signed,
        if t.stale > 0 {
            format!(" · {} stale", t.stale)
        } else {
            String::new()
        },
        id = esc(&family.node.id),
        title = esc(&family.node.title),
    );
    for &at in &family.rows {
        if let Some(row) = view.rows.get(at) {
            requirement::render(out, view, index, data, row);
        }
    }
    out.push_str("</section>\n");
}

fn colophon(out: &mut String, view: &View<'_>) {
    let head = view.record.chain_head.as_ref().map_or_else(
        || "no events".to_owned(),
        |h| format!("event #{} ({})", h.seq, short_hash(&h.hash)),
    );
    w!(
        out,
        "<p class=\"colophon\">Written by Tickmark {} from the review record as of {} (chain head {}). \
         Requirement titles and guidance are Tickmark's own words, not the PCI SSC's text. \
         The JSON export holds the complete record.</p>\n",
        esc(&view.record.tickmark_version),
        time_human(&view.as_of()),
        esc(&head)
    );
}

/// A person's name, or their OS user when the change had no profile.
pub(crate) fn person_name(person: &Person) -> String {
    person
        .name
        .clone()
        .unwrap_or_else(|| format!("OS user {}", person.os_user))
}

/// `Name (Role · e-mail · OS user x)`, escaped.
pub(crate) fn person_detail(person: &Person, role: Option<Role>) -> String {
    let mut details: Vec<String> = Vec::new();
    if let Some(role) = role.or(person.role) {
        details.push(role.label().to_owned());
    }
    if let Some(email) = person.email.as_deref().filter(|e| !e.is_empty()) {
        details.push(email.to_owned());
    }
    if person.name.is_some() {
        details.push(format!("OS user {}", person.os_user));
    }
    let name = esc(&person_name(person));
    if details.is_empty() {
        name
    } else {
        format!("{name} ({})", esc(&details.join(" · ")))
    }
}

/// Escapes `text` for HTML and shortens Azure resource IDs in it
/// (`/subscriptions/…/subnets/snet-a` → `…/subnets/snet-a`, the full ID
/// kept as the tooltip; the JSON export has every ID in full).
pub(crate) fn text_with_ids(text: &str) -> String {
    const START: &str = "/subscriptions/";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(START) {
        out.push_str(&esc(&rest[..at]));
        let id_len = rest[at..]
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | ',' | ';' | '"' | '\'' | ']'))
            .unwrap_or(rest.len() - at);
        let id = &rest[at..at + id_len];
        let parts: Vec<&str> = id.split('/').filter(|p| !p.is_empty()).collect();
        if parts.len() > 4 {
            let short = parts[parts.len() - 2..].join("/");
            w!(out, "<abbr title=\"{}\">…/{}</abbr>", esc(id), esc(&short));
        } else {
            out.push_str(&esc(id));
        }
        rest = &rest[at + id_len..];
    }
    out.push_str(&esc(rest));
    out
}

/// Up to `max` items, then `and N more`.
pub(crate) fn list_some(items: &[String], max: usize) -> String {
    let shown: Vec<&str> = items.iter().take(max).map(String::as_str).collect();
    let mut text = shown.join(", ");
    if items.len() > max {
        w!(text, " and {} more", items.len() - max);
    }
    text
}

/// How many current evidence files a collection manifest accounts for, and
/// how many of those were changed after collection ("" when none).
fn custody_summary(record: &crate::store::AssessmentRecord) -> String {
    let current: Vec<_> = record
        .files
        .iter()
        .filter(|f| f.superseded_by.is_none())
        .filter_map(|f| f.provenance.custody.as_ref())
        .collect();
    if current.is_empty() {
        return String::new();
    }
    let modified = current.iter().filter(|c| c.modified).count();
    let mut text = format!("; {} collected with a manifest", current.len());
    if modified > 0 {
        text.push_str(&format!(
            ", <strong class=\"modified\">{modified} modified after collection</strong>"
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_ids_are_shortened_and_escaped() {
        let text = "subnet /subscriptions/0b7d/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet-a (pool <a>): fails";
        assert_eq!(
            text_with_ids(text),
            "subnet <abbr title=\"/subscriptions/0b7d/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet-a\">…/subnets/snet-a</abbr> (pool &lt;a&gt;): fails"
        );
        assert_eq!(text_with_ids("/subscriptions/x"), "/subscriptions/x");
    }
}
