//! The first page's chart, inline SVG: per family, a bar of automated
//! verdicts (pass, fail, partial, supported, manual, no evidence) and two
//! progress bars
//! (concluded, signed off).

use std::fmt::Write;

use super::super::text::escape_html as esc;
use super::super::view::{NOT_RUN, Tally, View};
use super::w;

const WIDTH: f64 = 720.0;
const LABEL_WIDTH: f64 = 248.0;
const VERDICT_X: f64 = LABEL_WIDTH;
const VERDICT_WIDTH: f64 = 232.0;
const REVIEWED_X: f64 = 500.0;
const SIGNED_X: f64 = 612.0;
const PROGRESS_WIDTH: f64 = 110.0;
const TOP: f64 = 22.0;
const ROW: f64 = 20.0;
const BAR: f64 = 13.0;

/// Verdict colours, in [`Tally::verdicts`] order (the last is "no run").
const VERDICT_COLOURS: [(&str, &str); 7] = [
    ("#2da44e", "Pass"),
    ("#cf222e", "Fail"),
    ("#d4a72c", "Partial"),
    ("#a9cf6e", "Supported"),
    ("#54aeff", "Manual"),
    ("#afb8c1", "No evidence"),
    ("#eaeef2", "Not run"),
];
/// The width of one legend item.
const LEGEND_SLOT: f64 = 68.0;
const TRACK: &str = "#eaeef2";
const CONCLUDED: &str = "#0b3d66";
const SIGNED: &str = "#1a7f37";
const TEXT: &str = "#1f2328";
const MUTED: &str = "#59636e";

/// Appends the chart to `out`.
pub(super) fn render(out: &mut String, view: &View<'_>) {
    let rows = view.families.len() as f64;
    let legend_y = TOP + rows * ROW + 14.0;
    let height = legend_y + 16.0;
    w!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" \
         aria-label=\"Automated verdicts and review progress per family\" \
         font-family=\"-apple-system, Segoe UI, Noto Sans, Liberation Sans, Arial, sans-serif\" font-size=\"11\">\n"
    );
    for (x, title) in [
        (VERDICT_X, "Automated verdicts"),
        (REVIEWED_X, "Concluded"),
        (SIGNED_X, "Signed off"),
    ] {
        w!(
            out,
            "<text x=\"{x}\" y=\"12\" fill=\"{MUTED}\" font-size=\"9.5\" font-weight=\"700\" letter-spacing=\"0.5\">{}</text>\n",
            title.to_uppercase()
        );
    }
    for (at, family) in view.families.iter().enumerate() {
        let y = TOP + at as f64 * ROW;
        family_row(out, y, &family.node.id, &family.node.title, &family.tally);
    }
    legend(out, legend_y, view.tally.verdicts[NOT_RUN] > 0);
    out.push_str("</svg>\n");
}

fn family_row(out: &mut String, y: f64, id: &str, title: &str, tally: &Tally) {
    let mid = y + BAR / 2.0 + 4.0;
    w!(
        out,
        "<text x=\"0\" y=\"{mid}\" fill=\"{TEXT}\"><tspan font-weight=\"700\">{}</tspan>\
         <tspan dx=\"6\">{}</tspan><tspan dx=\"4\" fill=\"{MUTED}\">({})</tspan></text>\n",
        esc(id),
        esc(&truncate(title, 36)),
        tally.total
    );
    let total = tally.total.max(1) as f64;
    let mut x = VERDICT_X;
    for (at, &count) in tally.verdicts.iter().enumerate() {
        if count == 0 {
            continue;
        }
        let width = VERDICT_WIDTH * count as f64 / total;
        let (colour, label) = VERDICT_COLOURS[at];
        w!(
            out,
            "<rect x=\"{x:.2}\" y=\"{y}\" width=\"{width:.2}\" height=\"{BAR}\" fill=\"{colour}\">\
             <title>{label}: {count}</title></rect>\n"
        );
        if width >= 16.0 {
            let text_colour = if at >= 3 { TEXT } else { "#ffffff" };
            w!(
                out,
                "<text x=\"{:.2}\" y=\"{:.2}\" fill=\"{text_colour}\" font-size=\"9.5\" text-anchor=\"middle\">{count}</text>\n",
                x + width / 2.0,
                y + BAR - 3.5
            );
        }
        x += width;
    }
    progress(out, REVIEWED_X, y, tally.reviewed, tally.total, CONCLUDED);
    progress(out, SIGNED_X, y, tally.signed, tally.total, SIGNED);
}

fn progress(out: &mut String, x: f64, y: f64, done: usize, total: usize, colour: &str) {
    let width = PROGRESS_WIDTH - 38.0;
    let filled = if total == 0 {
        0.0
    } else {
        width * done as f64 / total as f64
    };
    w!(
        out,
        "<rect x=\"{x}\" y=\"{:.2}\" width=\"{width}\" height=\"8\" rx=\"4\" fill=\"{TRACK}\"/>\n",
        y + 3.0
    );
    if filled > 0.0 {
        w!(
            out,
            "<rect x=\"{x}\" y=\"{:.2}\" width=\"{filled:.2}\" height=\"8\" rx=\"4\" fill=\"{colour}\"/>\n",
            y + 3.0
        );
    }
    w!(
        out,
        "<text x=\"{:.2}\" y=\"{:.2}\" fill=\"{MUTED}\" font-size=\"9.5\">{done}/{total}</text>\n",
        x + width + 5.0,
        y + BAR / 2.0 + 4.0
    );
}

fn legend(out: &mut String, y: f64, with_not_run: bool) {
    let mut x = VERDICT_X;
    let shown = if with_not_run {
        VERDICT_COLOURS.len()
    } else {
        NOT_RUN
    };
    for (colour, label) in VERDICT_COLOURS.iter().take(shown) {
        w!(
            out,
            "<rect x=\"{x}\" y=\"{:.2}\" width=\"10\" height=\"10\" fill=\"{colour}\"/>\
             <text x=\"{:.2}\" y=\"{:.2}\" fill=\"{MUTED}\" font-size=\"9.5\">{label}</text>\n",
            y - 9.0,
            x + 14.0,
            y
        );
        x += LEGEND_SLOT;
    }
}

/// `text` cut to `max` characters with an ellipsis.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{}…", cut.trim_end())
    }
}
