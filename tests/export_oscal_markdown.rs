//! OSCAL's `title`, `description`, `remarks`, `prose` and `statement` are
//! Markdown (issue 19, finding 7): notes and evidence-derived names used to
//! go in verbatim, so an `<img onerror>` in a resource name or a note ran
//! script in an ordinary Markdown viewer. Every such field of the export is
//! rendered here with a Markdown library (pulldown-cmark, CommonMark with
//! the GitHub extensions) and may hold only the elements Tickmark meant.

mod export_fixture;

use std::collections::BTreeSet;

use export_fixture::{FILES, bare, export, reviewed_from};
use pulldown_cmark::{Options, Parser, html};
use serde_json::Value;
use tickmark::export::ExportFormat;

/// The Markdown fields of OSCAL (markup-line and markup-multiline).
const MARKUP_FIELDS: &[&str] = &["title", "description", "remarks", "prose", "statement"];

/// The elements an export's Markdown may render to: paragraphs and the
/// inline and block markup of reviewers' notes, and links (checked below).
const MEANT: &[&str] = &[
    "p",
    "em",
    "strong",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "hr",
    "br",
    "del",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "input",
];

const HOSTILE_NAME: &str = "<img src=x onerror=alert(1)>";

/// An NSG whose name is markup, with a rule that fails (so the name is in
/// a failing check's reason and resources).
fn hostile_nsg(dir: &std::path::Path) -> std::path::PathBuf {
    let id = format!(
        "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/{HOSTILE_NAME}"
    );
    let text = serde_json::json!({"value": [{
        "id": id, "name": HOSTILE_NAME, "type": "Microsoft.Network/networkSecurityGroups",
        "properties": {"securityRules": [{"name": "*evil* [x](javascript:alert(2))",
            "properties": {"access": "Allow", "direction": "Inbound", "protocol": "Tcp",
                "sourceAddressPrefix": "*", "destinationPortRange": "22", "priority": 100}}]}
    }]});
    let path = dir.join("hostile-nsg.json");
    std::fs::write(&path, text.to_string()).unwrap();
    path
}

/// Every Markdown field of `value`: (JSON path, text).
fn markup_fields(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                let here = format!("{at}/{key}");
                match item {
                    Value::String(text) if MARKUP_FIELDS.contains(&key.as_str()) => {
                        out.push((here, text.clone()))
                    }
                    other => markup_fields(other, &here, out),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                markup_fields(item, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The HTML an ordinary Markdown viewer makes of `markdown`.
fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM;
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(markdown, options));
    out
}

/// The opening tags (`name attr=value…`) in `html`.
fn tags(html: &str) -> Vec<String> {
    html.split('<')
        .skip(1)
        .filter_map(|rest| rest.split('>').next())
        .filter(|tag| !tag.starts_with('/'))
        .map(str::to_owned)
        .collect()
}

/// Renders every Markdown field of the OSCAL export at `path` and checks
/// that only meant elements come out; returns the rendered HTML joined.
fn check_rendered(path: &std::path::Path) -> String {
    let document: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut fields = Vec::new();
    markup_fields(&document, "", &mut fields);
    assert!(fields.len() > 50, "{} fields", fields.len());
    let mut all = String::new();
    for (at, text) in &fields {
        let html = render(text);
        for tag in tags(&html) {
            let name = tag.split_whitespace().next().unwrap_or_default();
            assert!(MEANT.contains(&name), "{at}: <{tag}> from {text:?}");
            assert!(
                !tag.to_ascii_lowercase().contains("onerror"),
                "{at}: <{tag}>"
            );
            if name == "a" {
                assert!(
                    tag.starts_with("a href=\"https://") || tag.starts_with("a href=\"http://"),
                    "{at}: <{tag}> from {text:?}"
                );
            }
        }
        all.push_str(&html);
    }
    all
}

#[test]
fn oscal_markdown_fields_render_only_what_tickmark_meant() {
    let dir = tempfile::tempdir().unwrap();
    let nsg = hostile_nsg(dir.path());
    let mut paths: Vec<&str> = FILES.to_vec();
    paths.push(nsg.to_str().unwrap());
    let f = reviewed_from(&paths, false);
    let out = f.out("results.json");
    export(&f, ExportFormat::Oscal, &out);
    let html = check_rendered(&out);
    // The markup is there, as text: escaped, not dropped.
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "the NSG name is not shown"
    );
    assert!(
        html.contains("&lt;script&gt;alert('x')&lt;/script&gt;")
            || html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
        "the note's script is not shown as text"
    );
    // The note keeps its Markdown: emphasis, the list and the safe link.
    assert!(
        html.contains("<strong>network diagram</strong>"),
        "note emphasis lost"
    );
    assert!(html.contains("<a href=\"https://runbooks.example/net\">the runbook</a>"));
    assert!(html.contains("<li>hub and spoke</li>"));
    assert!(!html.contains("href=\"javascript"));
}

#[test]
fn oscal_escapes_the_assessment_name_and_cluster() {
    let (dir, store, assessment) = bare();
    let out = dir.path().join("bare-results.json");
    tickmark::export::export(
        &store,
        tickmark::catalog::pci_dss_321(),
        assessment.id,
        ExportFormat::Oscal,
        &out,
        &mut |_| {},
        &std::sync::atomic::AtomicBool::new(false),
    )
    .unwrap();
    let html = check_rendered(&out);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;b&gt;aks&lt;/b&gt;"));
    let names: BTreeSet<String> = tags(&html)
        .iter()
        .filter_map(|t| t.split_whitespace().next().map(str::to_owned))
        .collect();
    assert!(
        !names.contains("script") && !names.contains("b"),
        "{names:?}"
    );
}
