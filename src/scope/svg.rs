//! The scope diagram as SVG: self-contained (no fonts, scripts or links
//! outside the document), for the HTML report and as an attachment a
//! reviewer compares with the client's own network diagram.

use std::fmt::Write;

use super::ScopeClass;
use super::diagram::{Diagram, FONT_SIZE, LINE_HEIGHT, ShapeKind};

/// Fill and stroke of a scope, shared with the app's painter: `(fill,
/// stroke)` as `#rrggbb`.
pub fn colours(class: Option<ScopeClass>) -> (&'static str, &'static str) {
    match class {
        Some(ScopeClass::InScope) => ("#fde7d4", "#c2571a"),
        Some(ScopeClass::Connected) => ("#dbe9f8", "#2f6db3"),
        Some(ScopeClass::OutOfScope) => ("#ececec", "#7a7a7a"),
        None => ("#ffffff", "#a0a0a0"),
    }
}

/// The colour that marks a violation.
pub const VIOLATION: &str = "#c62828";

/// The colour of a declared flow.
pub const FLOW: &str = "#2e7d32";

const LEGEND_HEIGHT: f32 = 34.0;

/// The diagram as an SVG document. With `link`, every marked shape links to
/// `#{link}{violation index}` (the report's list of violations).
pub fn render(diagram: &Diagram, link: Option<&str>) -> String {
    let width = diagram.width.max(420.0) + 2.0;
    let height = diagram.height + LEGEND_HEIGHT + 4.0;
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"-1 -1 {width:.0} {height:.0}\" \
         width=\"{width:.0}\" height=\"{height:.0}\" font-family=\"sans-serif\" font-size=\"{FONT_SIZE}\" \
         role=\"img\" aria-label=\"PCI scope diagram\">\n<title>PCI scope diagram</title>\n"
    );
    for (index, shape) in diagram.shapes.iter().enumerate() {
        let r = shape.rect;
        let (fill, stroke) = if shape.kind == ShapeKind::Group {
            ("none", "#cfcfcf")
        } else {
            colours(shape.class)
        };
        let marked = !shape.violations.is_empty();
        let (stroke, width, dash) = match (marked, shape.class) {
            (true, _) => (VIOLATION, 2.5, ""),
            (false, None) if shape.kind != ShapeKind::Group => {
                (stroke, 1.0, " stroke-dasharray=\"4 3\"")
            }
            _ => (stroke, 1.0, ""),
        };
        if let (true, Some(prefix)) = (marked, link) {
            let _ = write!(out, "<a href=\"#{}{}\">", esc(prefix), shape.violations[0]);
        }
        let _ = write!(
            out,
            "<g id=\"shape-{index}\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"4\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{width}\"{dash}/>",
            r.x, r.y, r.w, r.h
        );
        let weight = if shape.kind == ShapeKind::Pod {
            "normal"
        } else {
            "bold"
        };
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-weight=\"{weight}\">{}</text>",
            r.x + 7.0,
            r.y + 7.0 + FONT_SIZE,
            esc(&shape.title)
        );
        if marked {
            let (cx, cy) = (r.x + r.w - 10.0, r.y + 10.0);
            let _ = write!(
                out,
                "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"7\" fill=\"{VIOLATION}\"/>\
                 <text x=\"{cx:.1}\" y=\"{:.1}\" fill=\"#ffffff\" font-weight=\"bold\" text-anchor=\"middle\">!</text>",
                cy + 4.0
            );
        }
        for (line_index, line) in shape.lines.iter().enumerate() {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#444444\">{}</text>",
                r.x + 7.0,
                r.y + 7.0 + FONT_SIZE + LINE_HEIGHT * (line_index + 1) as f32,
                esc(line)
            );
        }
        out.push_str("</g>");
        if marked && link.is_some() {
            out.push_str("</a>");
        }
        out.push('\n');
    }
    for link_ in &diagram.links {
        let (Some(from), Some(to)) = (diagram.shapes.get(link_.from), diagram.shapes.get(link_.to))
        else {
            continue;
        };
        let (x1, y1) = (from.rect.x + from.rect.w, from.rect.y + from.rect.h / 2.0);
        let (x2, y2) = (to.rect.x + to.rect.w, to.rect.y + to.rect.h / 2.0);
        let bulge = x1.max(x2) + 40.0;
        let _ = write!(
            out,
            "<path d=\"M {x1:.1} {y1:.1} C {bulge:.1} {y1:.1}, {bulge:.1} {y2:.1}, {x2:.1} {y2:.1}\" fill=\"none\" stroke=\"{FLOW}\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"><title>{}</title></path>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{FLOW}\">{}</text>",
            esc(&format!("Declared flow: {}", link_.why)),
            bulge - 30.0,
            (y1 + y2) / 2.0,
            esc(&link_.label)
        );
        out.push('\n');
    }
    legend(&mut out, diagram.height + 10.0);
    out.push_str("</svg>\n");
    out
}

fn legend(out: &mut String, y: f32) {
    let items = [
        (Some(ScopeClass::InScope), "in scope (CDE)"),
        (Some(ScopeClass::Connected), "connected"),
        (Some(ScopeClass::OutOfScope), "out of scope"),
        (None, "scope not stated"),
    ];
    let mut x = 0.0;
    for (class, label) in items {
        let (fill, stroke) = colours(class);
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"14\" height=\"14\" fill=\"{fill}\" stroke=\"{stroke}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{label}</text>",
            x + 19.0,
            y + 11.0
        );
        x += 30.0 + label.len() as f32 * 6.4;
    }
    let _ = write!(
        out,
        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"14\" height=\"14\" fill=\"#ffffff\" stroke=\"{VIOLATION}\" stroke-width=\"2.5\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\">fails a boundary check</text>",
        x + 19.0,
        y + 11.0
    );
    x += 200.0;
    let _ = write!(
        out,
        "<path d=\"M {x:.1} {:.1} h 24\" stroke=\"{FLOW}\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\">declared flow across the boundary</text>",
        y + 7.0,
        x + 30.0,
        y + 11.0
    );
    out.push('\n');
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
