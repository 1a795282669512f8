//! The Markdown renderers of the exports on any text: the HTML report's
//! note renderer passes no raw HTML, no script link and fetches no image;
//! evidence text escaped for OSCAL renders as exactly that text, in one
//! paragraph; a note made safe for OSCAL renders no raw HTML, no unsafe link
//! and no image.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pulldown_cmark::{Event, Options, Parser, Tag};
use tickmark::export::{markdown_note, markdown_text, markdown_to_html, markdown_to_plain_text};

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM
}

/// A link to the report's own evidence index (`<a href="#E-12">`), the
/// one place inside the page a note may link to.
fn is_evidence_anchor(lower_tag: &str) -> bool {
    lower_tag
        .strip_prefix("a href=\"#e-")
        .and_then(|rest| rest.split('"').next())
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The HTML report's notes: judged by the elements made, not by text
    // (an escaped `href="javascript:` in a paragraph is only words).
    let html = markdown_to_html(text);
    for tag in html.split('<').skip(1).filter_map(|t| t.split('>').next()) {
        let lower = tag.to_ascii_lowercase();
        let name = lower.split_whitespace().next().unwrap_or_default();
        assert!(
            !matches!(name, "img" | "script" | "iframe"),
            "<{tag}> in {html}"
        );
        if name == "a" {
            assert!(
                lower.starts_with("a href=\"http://")
                    || lower.starts_with("a href=\"https://")
                    || lower.starts_with("a href=\"mailto:")
                    || is_evidence_anchor(&lower),
                "<{tag}> in {html}"
            );
        }
    }
    let _ = markdown_to_plain_text(text);

    // Evidence text: one paragraph of exactly its words.
    let escaped = markdown_text(text);
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut shown = String::new();
    for event in Parser::new_ext(&escaped, options()) {
        match event {
            Event::Text(t) => shown.push_str(&t),
            Event::Start(Tag::Paragraph) | Event::End(_) => {}
            other => panic!("{escaped:?} renders {other:?}"),
        }
    }
    assert_eq!(
        shown.split_whitespace().collect::<Vec<_>>(),
        words,
        "{escaped:?}"
    );

    // A note: Markdown kept, raw HTML, unsafe links and images gone.
    let note = markdown_note(text);
    for event in Parser::new_ext(&note, options()) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => panic!("raw HTML {h:?} in {note:?}"),
            Event::Start(Tag::Image { .. }) => panic!("an image in {note:?}"),
            Event::Start(Tag::Link { dest_url, .. }) => {
                let url = dest_url.to_ascii_lowercase();
                assert!(
                    url.starts_with("http://")
                        || url.starts_with("https://")
                        || url.starts_with("mailto:"),
                    "link {dest_url:?} in {note:?}"
                );
            }
            _ => {}
        }
    }
});
