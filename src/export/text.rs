//! Text helpers shared by the exports: HTML escaping, reviewer notes
//! (Markdown) as safe HTML or plain text, base64, one-line strings and
//! times.

use chrono::{DateTime, SecondsFormat, Utc};
use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn markdown_options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// Whether a link in a note may stay a link in the report: web and mail
/// links only (no `javascript:`, no relative paths that mean nothing in a
/// report).
fn is_safe_link(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
}

/// Renders a reviewer's note (Markdown) as HTML that is safe to embed.
///
/// Raw HTML in the note is shown as text, never passed through; links stay
/// links only for `http(s)` and `mailto`; images are never fetched (they
/// become their alt text and address); headings are demoted below the
/// report's own.
pub fn markdown_to_html(markdown: &str) -> String {
    markdown_to_html_citing(markdown, &|_| None)
}

/// Whether `url` is the anchor of an evidence reference in the report's
/// evidence index (`#E-12`).
fn is_citation_anchor(url: &str) -> bool {
    url.strip_prefix("#E-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// [`markdown_to_html`], with citations: `[E-12]` in the note becomes a link
/// to `#E-12` (the report's evidence index) when `cite(12)` names the item
/// (its title, shown on hover); a reference it does not know stays text.
pub fn markdown_to_html_citing(markdown: &str, cite: &dyn Fn(i64) -> Option<String>) -> String {
    let mut links: Vec<bool> = Vec::new();
    let mut images: Vec<String> = Vec::new();
    let callback = |link: pulldown_cmark::BrokenLink<'_>| {
        let number = crate::store::parse_reference(&link.reference)?;
        let title = cite(number)?;
        Some((CowStr::from(format!("#E-{number}")), CowStr::from(title)))
    };
    let parser =
        Parser::new_with_broken_link_callback(markdown, markdown_options(), Some(callback));
    let events = parser.filter_map(|event| {
        Some(match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
            Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
            Event::Start(Tag::Heading {
                level,
                id: _,
                classes: _,
                attrs: _,
            }) => Event::Start(Tag::Heading {
                level: demoted(level),
                id: None,
                classes: Vec::new(),
                attrs: Vec::new(),
            }),
            Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demoted(level))),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let safe = is_safe_link(&dest_url) || is_citation_anchor(&dest_url);
                links.push(safe);
                if !safe {
                    return None;
                }
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::End(TagEnd::Link) => {
                if !links.pop().unwrap_or(false) {
                    return None;
                }
                Event::End(TagEnd::Link)
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                images.push(dest_url.to_string());
                Event::Text(CowStr::from("[image: "))
            }
            Event::End(TagEnd::Image) => {
                let url = images.pop().unwrap_or_default();
                Event::Text(CowStr::from(format!(" <{url}>]")))
            }
            other => other,
        })
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

fn demoted(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H4,
        HeadingLevel::H2 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// A reviewer's note (Markdown) as plain text: markup removed, paragraphs
/// and list items on their own lines, links as `text <address>`, and each
/// table row on a line of its own with its cells separated by ` | `.
pub fn markdown_to_plain_text(markdown: &str) -> String {
    let mut out = String::new();
    // Inside a table row: whether a cell of it was written already.
    let mut row_has_cell = false;
    let mut links: Vec<String> = Vec::new();
    // The open lists, innermost last: the next item's number, if ordered.
    let mut lists: Vec<Option<u64>> = Vec::new();
    for event in Parser::new_ext(markdown, markdown_options()) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                out.push_str(&t)
            }
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Rule => out.push_str("\n\n"),
            Event::TaskListMarker(done) => out.push_str(if done { "[x] " } else { "[ ] " }),
            Event::Start(Tag::List(first)) => lists.push(first),
            Event::Start(Tag::Item) => {
                end_line(&mut out);
                out.push_str(&"  ".repeat(lists.len().saturating_sub(1)));
                match lists.last_mut() {
                    Some(Some(number)) => {
                        out.push_str(&format!("{number}. "));
                        *number += 1;
                    }
                    _ => out.push_str("- "),
                }
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                links.push(dest_url.to_string())
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if let Some(url) = links.pop().filter(|u| !u.is_empty() && !out.ends_with(u)) {
                    out.push_str(&format!(" <{url}>"));
                }
            }
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                end_line(&mut out);
                row_has_cell = false;
            }
            Event::Start(Tag::TableCell) => {
                if row_has_cell {
                    out.push_str(" | ");
                }
                row_has_cell = true;
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
                end_line(&mut out);
                if lists.is_empty() {
                    out.push('\n');
                }
            }
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::HtmlBlock
                | TagEnd::Table,
            ) => {
                end_line(&mut out);
                out.push('\n');
            }
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => end_line(&mut out),
            _ => {}
        }
    }
    tidy_lines(&out)
}

fn end_line(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// Trims each line's end, keeps at most one blank line in a row and trims
/// the whole.
fn tidy_lines(text: &str) -> String {
    let mut out = String::new();
    let mut blank = 0;
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    out
}

/// Text from evidence, a person or a file name as Markdown that renders as
/// exactly that text on one line: whitespace runs collapsed, and every
/// character that Markdown, its common extensions or HTML could read as
/// markup escaped with a backslash (CommonMark lets any ASCII punctuation be
/// escaped). For OSCAL's `title`, `description` and `remarks`, which are
/// Markdown.
pub fn markdown_text(text: &str) -> String {
    let line = one_line(text);
    let mut out = String::with_capacity(line.len() + line.len() / 8);
    // Leading digits then `.` or `)` would start an ordered list.
    let leading_digits = line.chars().take_while(char::is_ascii_digit).count();
    for (i, c) in line.chars().enumerate() {
        let escape = match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '~' | '|' | '!' | '#' | '$'
            | '{' | '}' | '^' | ':' => true,
            '-' | '+' | '=' => i == 0,
            '.' | ')' => i == leading_digits && i > 0,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A reviewer's note as Markdown for an export whose readers render it
/// (OSCAL): the note keeps its Markdown, but raw HTML, links to anything but
/// `http(s)` and `mailto`, and images are escaped so they show as the text
/// they were typed as (as in the HTML report, nothing is fetched or run).
pub fn markdown_note(note: &str) -> String {
    let mut text = note.to_owned();
    // Each pass escapes at least one `<`, `[` or `!` that was markup; text a
    // pass frees (an HTML block's later lines) is caught by the next. A note
    // that still holds such markup after many passes loses those
    // characters' meaning altogether.
    for _ in 0..32 {
        let spots = markup_to_escape(&text);
        if spots.is_empty() {
            return text;
        }
        for at in spots.into_iter().rev() {
            text.insert(at, '\\');
        }
    }
    text.chars()
        .flat_map(|c| {
            let escape = matches!(c, '<' | '[' | '!' | '\\');
            escape.then_some('\\').into_iter().chain(std::iter::once(c))
        })
        .collect()
}

/// Where a backslash goes before raw HTML, unsafe links and images of
/// `markdown` (byte offsets, ascending, each once).
fn markup_to_escape(markdown: &str) -> Vec<usize> {
    let mut spots = std::collections::BTreeSet::new();
    let bytes = markdown.as_bytes();
    // Read with and without the extensions a viewer may have on: a
    // construct either reading finds is escaped.
    let readings = [
        Options::empty(),
        markdown_options() | Options::ENABLE_FOOTNOTES | Options::ENABLE_GFM,
    ];
    let events = readings
        .into_iter()
        .flat_map(|options| Parser::new_ext(markdown, options).into_offset_iter());
    for (event, range) in events {
        let first = |wanted: u8| {
            bytes[range.clone()]
                .iter()
                .position(|&b| b == wanted)
                .map(|p| range.start + p)
        };
        match event {
            Event::Html(_) | Event::InlineHtml(_) => {
                // Every `<` of the raw HTML: a later line of an HTML block
                // must not become inline HTML once the block is broken up.
                spots.extend(
                    bytes[range.clone()]
                        .iter()
                        .enumerate()
                        .filter(|(_, b)| **b == b'<')
                        .map(|(p, _)| range.start + p),
                );
            }
            Event::Start(Tag::Link { dest_url, .. }) if !is_safe_link(&dest_url) => {
                spots.extend(first(b'[').or_else(|| first(b'<')));
            }
            Event::Start(Tag::Image { .. }) => {
                spots.extend(first(b'!'));
                spots.extend(first(b'['));
            }
            _ => {}
        }
    }
    spots.into_iter().collect()
}

/// `text` on one line: runs of whitespace (line breaks included) become one
/// space, ends trimmed.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Base64 (standard alphabet, padded).
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sextet = |shift: u32| char::from(ALPHABET[((n >> shift) & 63) as usize]);
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if chunk.len() > 1 { sextet(6) } else { '=' });
        out.push(if chunk.len() > 2 { sextet(0) } else { '=' });
    }
    out
}

/// A time as the exports write it in data: RFC 3339, UTC, microseconds.
pub(crate) fn time_data(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A time as people read it: `2026-03-02 14:05 UTC`.
pub(crate) fn time_human(time: &DateTime<Utc>) -> String {
    time.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The first 12 characters of a hash.
pub(crate) fn short_hash(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// A size in bytes as people read it: `512 B`, `12.3 KB`, `4.1 MB`.
pub(crate) fn human_size(bytes: u64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} B")
    } else if b < KB * KB {
        format!("{:.1} KB", b / KB)
    } else if b < KB * KB * KB {
        format!("{:.1} MB", b / (KB * KB))
    } else {
        format!("{:.1} GB", b / (KB * KB * KB))
    }
}

/// Percent-encodes a relative path for a URI reference: everything but
/// unreserved characters and `/`.
pub(crate) fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The HTML elements (opening tags) in `html`.
    fn elements(html: &str) -> Vec<String> {
        html.split('<')
            .skip(1)
            .filter_map(|t| t.split('>').next())
            .filter(|t| !t.starts_with('/'))
            .map(str::to_ascii_lowercase)
            .collect()
    }

    #[test]
    fn inputs_the_markdown_fuzzer_stopped_on_render_no_unmeant_element() {
        // fuzz/markdown's first property matched the text `href="javascript:`
        // anywhere in the HTML; these inputs (its findings) have it only as
        // escaped words. No element is made that was not meant.
        for input in [
            "\u{0}\u{0}\u{0}href=\"javascript:leript>\n</div>",
            "<img src=x o\u{0}\u{0}\u{0}pnerror=alhref=\"javascript:ert(>alert(1)</script>\n\n<t(>>",
            "=im' . !fi anote\n- od -href=\"javascript:te\n-1*_--",
            "1href=\"javascript:\u{0}\u{0}\u{0}a\u{0}\u{0}\u{0}\u{0}0\u{0}\u{0}",
            // A link to the evidence index beside script-like words.
            "[click](#E-1)) and/ 2)> <javascript=ale/\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}rt(2)> and [ogi(https://example[trg)",
        ] {
            for tag in elements(&markdown_to_html(input)) {
                assert!(
                    !tag.starts_with("img") && !tag.starts_with("script"),
                    "<{tag}>"
                );
                assert!(
                    !tag.starts_with("a ")
                        || tag.starts_with("a href=\"http")
                        || tag == "a href=\"#e-1\"",
                    "<{tag}>"
                );
            }
            let note = markdown_note(input);
            for event in Parser::new_ext(&note, markdown_options() | Options::ENABLE_GFM) {
                assert!(
                    !matches!(
                        event,
                        Event::Html(_) | Event::InlineHtml(_) | Event::Start(Tag::Image { .. })
                    ),
                    "{event:?} in {note:?}"
                );
            }
        }
    }

    #[test]
    fn script_link_text_in_a_note_stays_text() {
        // Found by fuzz/markdown (its first property matched text, not
        // elements): raw HTML whose attribute text survives as words.
        let html = markdown_to_html("\0\0\0href=\"javascript:leript>\n</div>");
        assert!(!html.contains("<a"), "{html}");
        assert!(html.contains("href=\"javascript:leript&gt;"), "{html}");
        let note = markdown_note("<a href=\"javascript:x\">y</a>\n</div>");
        assert!(!note.contains("\n<a"), "{note}");
        assert!(note.starts_with("\\<a"), "{note}");
    }

    #[test]
    fn raw_html_in_notes_is_text_and_links_are_filtered() {
        let html = markdown_to_html(
            "# Title\n\n<script>alert(1)</script>\n\nSee [docs](https://example.com) and \
             [bad](javascript:alert(1)) and ![x](http://tracker.example/p.png) <b>bold</b>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(html.contains("&lt;b&gt;bold&lt;/b&gt;"), "{html}");
        assert!(
            html.contains("<a href=\"https://example.com\">docs</a>"),
            "{html}"
        );
        assert!(!html.contains("javascript:alert"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("<h4>Title</h4>"), "{html}");
    }

    #[test]
    fn plain_text_strips_markup() {
        let text = markdown_to_plain_text(
            "**Checked** the `nsg` rules.\nAll fine.\n\n- one\n- two [link](https://x.example)\n\n<i>raw</i>",
        );
        assert_eq!(
            text,
            "Checked the nsg rules. All fine.\n\n- one\n- two link <https://x.example>\n\n<i>raw</i>"
        );
    }

    #[test]
    fn plain_text_keeps_list_numbers_and_nesting() {
        let text =
            markdown_to_plain_text("Steps:\n\n3. first\n4. second\n   - detail\n5. third\n\nDone.");
        assert_eq!(
            text,
            "Steps:\n\n3. first\n4. second\n  - detail\n5. third\n\nDone."
        );
    }

    #[test]
    fn base64_matches_known_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
        assert_eq!(base64(&[0xff, 0xfe, 0xfd]), "//79");
    }

    #[test]
    fn small_helpers() {
        assert_eq!(one_line("  a\n b\t\tc  "), "a b c");
        assert_eq!(
            escape_html("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(uri_path("evidence/a b#.json"), "evidence/a%20b%23.json");
        assert_eq!(human_size(2048), "2.0 KB");
    }
}

#[cfg(test)]
mod citation_tests {
    use super::*;

    #[test]
    fn citations_link_to_the_evidence_index_and_tables_keep_their_rows() {
        let note = "Checked the NSGs [E-2] and the diagram [E-9].\n\n\
                    | Rule | Port |\n|---|---|\n| deny-all | * |\n| allow-https | 443 |\n";
        let cite = |n: i64| (n == 2).then(|| "nsgs.json".to_owned());
        let html = markdown_to_html_citing(note, &cite);
        assert!(
            html.contains("<a href=\"#E-2\" title=\"nsgs.json\">E-2</a>"),
            "{html}"
        );
        assert!(
            html.contains("[E-9]"),
            "an unknown reference stays text: {html}"
        );
        assert!(!markdown_to_html(note).contains("href=\"#E-2\""));
        let plain = markdown_to_plain_text(note);
        assert!(plain.contains("[E-2]"), "{plain}");
        assert!(
            plain.ends_with("Rule | Port\ndeny-all | *\nallow-https | 443"),
            "{plain}"
        );
        assert!(!plain.contains('\t'));
    }
}
