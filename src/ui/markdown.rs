//! A Markdown preview for review notes and attached documents: headings,
//! paragraphs, emphasis, `code`, lists, block quotes, code blocks, tables
//! and rules, laid out with egui (no HTML, no images, links shown as text).

use egui::text::{LayoutJob, TextFormat};
use egui::{FontId, Stroke, Ui};
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::theme::Palette;

/// Renders `markdown` into `ui`.
pub fn show(ui: &mut Ui, markdown: &str, palette: &Palette) {
    let mut renderer = Renderer::new(ui, palette);
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for event in Parser::new_ext(markdown, options) {
        renderer.event(ui, event);
    }
    renderer.flush(ui);
}

struct Renderer {
    job: LayoutJob,
    body: FontId,
    mono: FontId,
    text_color: egui::Color32,
    weak_color: egui::Color32,
    code_background: egui::Color32,
    strong: usize,
    emphasis: usize,
    strikethrough: usize,
    heading: Option<HeadingLevel>,
    lists: Vec<Option<u64>>,
    quote: usize,
    code_block: Option<String>,
    table: Option<Vec<Vec<String>>>,
    cell: Option<String>,
}

impl Renderer {
    fn new(ui: &Ui, palette: &Palette) -> Renderer {
        let body = egui::TextStyle::Body.resolve(ui.style());
        Renderer {
            job: LayoutJob::default(),
            mono: FontId::monospace(body.size - 1.0),
            body,
            text_color: ui.visuals().text_color(),
            weak_color: ui.visuals().weak_text_color(),
            code_background: palette.code_background,
            strong: 0,
            emphasis: 0,
            strikethrough: 0,
            heading: None,
            lists: Vec::new(),
            quote: 0,
            code_block: None,
            table: None,
            cell: None,
        }
    }

    fn event(&mut self, ui: &mut Ui, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(ui, tag),
            Event::End(tag) => self.end(ui, tag),
            Event::Text(text) => self.text(&text, false),
            Event::Code(text) => self.text(&text, true),
            Event::SoftBreak => self.text(" ", false),
            Event::HardBreak => self.text("\n", false),
            Event::Rule => {
                self.flush(ui);
                ui.separator();
            }
            Event::Html(html) | Event::InlineHtml(html) => self.text(&html, true),
            Event::TaskListMarker(done) => self.text(if done { "[x] " } else { "[ ] " }, false),
            _ => {}
        }
    }

    fn start(&mut self, ui: &mut Ui, tag: Tag<'_>) {
        match tag {
            Tag::Heading { level, .. } => {
                self.flush(ui);
                self.heading = Some(level);
            }
            Tag::Paragraph => self.flush(ui),
            Tag::BlockQuote(_) => {
                self.flush(ui);
                self.quote += 1;
            }
            Tag::CodeBlock(_) => {
                self.flush(ui);
                self.code_block = Some(String::new());
            }
            Tag::List(first) => {
                self.flush(ui);
                self.lists.push(first);
            }
            Tag::Item => {
                self.flush(ui);
                let marker = match self.lists.last_mut() {
                    Some(Some(number)) => {
                        let marker = format!("{number}. ");
                        *number += 1;
                        marker
                    }
                    _ => "•  ".to_owned(),
                };
                self.text(&marker, false);
            }
            Tag::Emphasis => self.emphasis += 1,
            Tag::Strong => self.strong += 1,
            Tag::Strikethrough => self.strikethrough += 1,
            Tag::Table(_) => {
                self.flush(ui);
                self.table = Some(Vec::new());
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(table) = &mut self.table {
                    table.push(Vec::new());
                }
            }
            Tag::TableCell => self.cell = Some(String::new()),
            _ => {}
        }
    }

    fn end(&mut self, ui: &mut Ui, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) => {
                self.flush(ui);
                self.heading = None;
            }
            TagEnd::Paragraph | TagEnd::Item => self.flush(ui),
            TagEnd::BlockQuote(_) => {
                self.flush(ui);
                self.quote = self.quote.saturating_sub(1);
            }
            TagEnd::CodeBlock => {
                if let Some(code) = self.code_block.take() {
                    self.code_block_ui(ui, code.trim_end());
                }
            }
            TagEnd::List(_) => {
                self.flush(ui);
                self.lists.pop();
            }
            TagEnd::Emphasis => self.emphasis = self.emphasis.saturating_sub(1),
            TagEnd::Strong => self.strong = self.strong.saturating_sub(1),
            TagEnd::Strikethrough => self.strikethrough = self.strikethrough.saturating_sub(1),
            TagEnd::TableCell => {
                if let (Some(cell), Some(row)) = (
                    self.cell.take(),
                    self.table.as_mut().and_then(|t| t.last_mut()),
                ) {
                    row.push(cell);
                }
            }
            TagEnd::Table => {
                if let Some(rows) = self.table.take() {
                    table_ui(ui, &rows);
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, text: &str, code: bool) {
        if let Some(block) = &mut self.code_block {
            block.push_str(text);
            return;
        }
        if let Some(cell) = &mut self.cell {
            cell.push_str(text);
            return;
        }
        let mut format = TextFormat::simple(self.body.clone(), self.text_color);
        if let Some(level) = self.heading {
            format.font_id = FontId::proportional(match level {
                HeadingLevel::H1 => self.body.size + 6.0,
                HeadingLevel::H2 => self.body.size + 3.5,
                _ => self.body.size + 1.5,
            });
        }
        if code {
            format.font_id = self.mono.clone();
            format.background = self.code_background;
        }
        if self.strong > 0 || self.heading.is_some() {
            // The default fonts have no bold face: strong text is drawn in
            // the strong text colour, headings larger.
            format.color = self.strong_color();
        }
        if self.emphasis > 0 {
            format.italics = true;
        }
        if self.strikethrough > 0 {
            format.strikethrough = Stroke::new(1.0, self.text_color);
        }
        if self.quote > 0 {
            format.color = self.weak_color;
        }
        self.job.append(text, 0.0, format);
    }

    fn strong_color(&self) -> egui::Color32 {
        // Strong text stands out by contrast: darker on light, lighter on dark.
        let [r, g, b, _] = self.text_color.to_array();
        if u16::from(r) + u16::from(g) + u16::from(b) > 3 * 128 {
            egui::Color32::WHITE
        } else {
            egui::Color32::BLACK
        }
    }

    fn flush(&mut self, ui: &mut Ui) {
        if self.job.text.trim().is_empty() {
            self.job = LayoutJob::default();
            return;
        }
        let mut job = std::mem::take(&mut self.job);
        let indent = 14.0 * (self.lists.len().saturating_sub(1) as f32) + 10.0 * self.quote as f32;
        let indent = if self.lists.is_empty() && self.quote == 0 {
            0.0
        } else {
            indent + 4.0
        };
        ui.horizontal_top(|ui| {
            ui.add_space(indent);
            ui.vertical(|ui| {
                job.wrap.max_width = ui.available_width();
                ui.label(job);
            });
        });
    }

    fn code_block_ui(&self, ui: &mut Ui, code: &str) {
        egui::Frame::new()
            .fill(self.code_background)
            .inner_margin(6.0)
            .corner_radius(4.0)
            .show(ui, |ui| {
                ui.label(egui::RichText::new(code).font(self.mono.clone()));
            });
    }
}

fn table_ui(ui: &mut Ui, rows: &[Vec<String>]) {
    let id = ui.next_auto_id();
    // Wide tables scroll sideways rather than widen the note or dialog.
    egui::ScrollArea::horizontal()
        .id_salt(id)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            egui::Grid::new(id)
                .striped(true)
                .spacing([12.0, 4.0])
                .show(ui, |ui| {
                    for (i, row) in rows.iter().enumerate() {
                        for cell in row {
                            let text = egui::RichText::new(cell.trim());
                            ui.label(if i == 0 { text.strong() } else { text });
                        }
                        ui.end_row();
                    }
                });
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_block_kind_without_panicking() {
        let markdown = "# Title\n\nText with **bold**, *italic* and `code`.\n\n- one\n- two\n  1. nested\n\n> quoted\n\n```\ncode block\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n";
        let mut harness = egui_kittest::Harness::new_ui(|ui| {
            show(ui, markdown, &Palette::for_dark_mode(false));
        });
        harness.run();
        use egui_kittest::kittest::Queryable as _;
        harness.get_by_label_contains("Text with bold");
        harness.get_by_label("1. nested");
    }
}
