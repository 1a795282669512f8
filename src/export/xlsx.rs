//! Excel workbooks, written with `rust_xlsxwriter` (a spreadsheet format is
//! never written by hand here). A small shared layer: a summary sheet of
//! label/value pairs, and table sheets with a bold frozen header, filters,
//! column widths, wrapped text, dates as real dates and coloured cells.
//! Every export that produces a workbook builds it with [`Workbook`].
//!
//! Text is always written as text, never as a formula, whatever it starts
//! with, so a cell cannot run anything when the file is opened.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, FormatUnderline,
    Worksheet, XlsxError,
};

use super::ExportError;

/// A cell's colour, by meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// No colour.
    Plain,
    /// Good (pass, accepted, satisfied): green.
    Good,
    /// Bad (fail, missing, returned): red.
    Bad,
    /// Needs attention (partial, stale, received): amber.
    Warn,
    /// Neutral information (manual, requested): grey-blue.
    Info,
}

impl Tone {
    fn fill(self) -> Option<(u32, u32)> {
        // (background, font)
        match self {
            Tone::Plain => None,
            Tone::Good => Some((0xD8EFD9, 0x1E5B26)),
            Tone::Bad => Some((0xF8D7D6, 0x8A1C17)),
            Tone::Warn => Some((0xFCEBC7, 0x7A4B00)),
            Tone::Info => Some((0xE1E8F2, 0x2A3F5F)),
        }
    }
}

/// One cell of a table sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text.
    Text(String),
    /// Text in a colour that says what it means.
    Toned(String, Tone),
    /// A whole number.
    Number(i64),
    /// A date (shown as YYYY-MM-DD).
    Date(NaiveDate),
    /// A date and time in UTC (shown as YYYY-MM-DD HH:MM).
    Time(DateTime<Utc>),
    /// A link to another cell of the workbook (`internal:'Sheet'!A2`) or a URL.
    Link {
        /// The target.
        url: String,
        /// The text shown.
        text: String,
    },
}

impl Cell {
    /// Text, or [`Cell::Empty`] when empty.
    pub fn text(text: impl Into<String>) -> Cell {
        let text = text.into();
        if text.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(text)
        }
    }
}

/// A column of a table sheet.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The header.
    pub header: &'static str,
    /// Its width in characters.
    pub width: f64,
    /// Whether long text wraps (else it is cut at the column edge).
    pub wrap: bool,
}

impl Column {
    /// A column `width` characters wide whose text does not wrap.
    pub const fn new(header: &'static str, width: f64) -> Column {
        Column {
            header,
            width,
            wrap: false,
        }
    }

    /// A column `width` characters wide whose text wraps.
    pub const fn wrapped(header: &'static str, width: f64) -> Column {
        Column {
            header,
            width,
            wrap: true,
        }
    }
}

/// A workbook being built.
pub struct Workbook {
    book: rust_xlsxwriter::Workbook,
}

fn fail(e: XlsxError) -> ExportError {
    ExportError::Render {
        format: "XLSX",
        message: e.to_string(),
    }
}

impl Workbook {
    /// A new workbook; `title` and `created` go into its document properties
    /// (`created` from the record, never the clock, so the same record gives
    /// the same file).
    pub fn new(title: &str, created: DateTime<Utc>) -> Workbook {
        let mut book = rust_xlsxwriter::Workbook::new();
        let mut properties = DocProperties::new()
            .set_title(title)
            .set_author("Tickmark")
            .set_comment(format!("Written by Tickmark {}", env!("CARGO_PKG_VERSION")));
        if let Some(when) = excel_time(created) {
            properties = properties.set_creation_datetime(&when);
        }
        book.set_properties(&properties);
        Workbook { book }
    }

    /// Adds a sheet of label/value pairs with a title row: what the export
    /// is about.
    pub fn summary_sheet(
        &mut self,
        name: &str,
        title: &str,
        pairs: &[(&str, Cell)],
    ) -> Result<(), ExportError> {
        let sheet = self.book.add_worksheet();
        sheet.set_name(name).map_err(fail)?;
        let heading = Format::new().set_bold().set_font_size(14);
        let label = Format::new().set_bold().set_align(FormatAlign::Top);
        sheet
            .write_string_with_format(0, 0, title, &heading)
            .map_err(fail)?;
        sheet.set_column_width(0, 28).map_err(fail)?;
        sheet.set_column_width(1, 90).map_err(fail)?;
        for (i, (name, value)) in pairs.iter().enumerate() {
            let row = i as u32 + 2;
            sheet
                .write_string_with_format(row, 0, *name, &label)
                .map_err(fail)?;
            write_cell(sheet, row, 1, value, true)?;
            set_height(sheet, row, lines(value, 90.0))?;
        }
        sheet.set_landscape();
        sheet.set_print_fit_to_pages(1, 1);
        Ok(())
    }

    /// Adds a table sheet: a bold, frozen, filtered header row, then
    /// `rows` (each as tall as its longest wrapped text); printed on A3
    /// landscape, one page wide, the header repeated.
    pub fn table_sheet(
        &mut self,
        name: &str,
        columns: &[Column],
        rows: &[Vec<Cell>],
    ) -> Result<(), ExportError> {
        self.table_sheet_across(name, columns, rows, 1)
    }

    /// [`Workbook::table_sheet`] for a table too wide to read on one
    /// printed page: it prints `pages_wide` pages across, each repeating the
    /// first column and the header row (frozen on screen as well).
    pub fn table_sheet_across(
        &mut self,
        name: &str,
        columns: &[Column],
        rows: &[Vec<Cell>],
        pages_wide: u16,
    ) -> Result<(), ExportError> {
        let sheet = self.book.add_worksheet();
        sheet.set_name(name).map_err(fail)?;
        let header = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_background_color(Color::RGB(0x2A3F5F))
            .set_font_color(Color::White)
            .set_border(FormatBorder::Thin);
        for (c, column) in columns.iter().enumerate() {
            let c = c as u16;
            sheet
                .write_string_with_format(0, c, column.header, &header)
                .map_err(fail)?;
            sheet.set_column_width(c, column.width).map_err(fail)?;
        }
        // Room for a header of two lines in a narrow column.
        let header_lines = columns
            .iter()
            .map(|c| lines(&Cell::text(c.header), c.width))
            .max()
            .unwrap_or(1);
        set_height(sheet, 0, header_lines)?;
        for (r, row) in rows.iter().enumerate() {
            let mut height = 1;
            for (c, cell) in row.iter().enumerate() {
                let wrap = columns.get(c).filter(|col| col.wrap);
                write_cell(sheet, r as u32 + 1, c as u16, cell, wrap.is_some())?;
                if let Some(column) = wrap {
                    height = height.max(lines(cell, column.width));
                }
            }
            set_height(sheet, r as u32 + 1, height)?;
        }
        let last_column = columns.len().saturating_sub(1) as u16;
        let frozen_columns = u16::from(pages_wide > 1);
        sheet.set_freeze_panes(1, frozen_columns).map_err(fail)?;
        sheet
            .autofilter(0, 0, rows.len() as u32, last_column)
            .map_err(fail)?;
        sheet.set_landscape();
        // A3: a wide table stays legible on one page's width.
        sheet.set_paper_size(8);
        sheet.set_print_fit_to_pages(pages_wide.max(1), 0);
        sheet.set_repeat_rows(0, 0).map_err(fail)?;
        if pages_wide > 1 {
            sheet.set_repeat_columns(0, 0).map_err(fail)?;
        }
        Ok(())
    }

    /// The finished workbook's bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, ExportError> {
        self.book.save_to_buffer().map_err(fail)
    }
}

/// How many lines `cell` takes in a wrapped column `width` characters wide
/// (spreadsheet programs do not all fit row heights to wrapped text
/// themselves, so the height is set).
fn lines(cell: &Cell, width: f64) -> usize {
    let text = match cell {
        Cell::Text(text) | Cell::Toned(text, _) | Cell::Link { text, .. } => text,
        _ => return 1,
    };
    let per_line = (width * 1.1).max(1.0);
    text.split('\n')
        .map(|line| ((line.chars().count() as f64) / per_line).ceil().max(1.0) as usize)
        .sum::<usize>()
        .clamp(1, 26)
}

/// Sets a row's height for `lines` lines of text.
fn set_height(sheet: &mut Worksheet, row: u32, lines: usize) -> Result<(), ExportError> {
    if lines > 1 {
        sheet
            .set_row_height(row, 15.0 * lines as f64)
            .map_err(fail)?;
    }
    Ok(())
}

fn excel_time(time: DateTime<Utc>) -> Option<ExcelDateTime> {
    let date = ExcelDateTime::from_ymd(
        u16::try_from(time.year()).ok()?,
        time.month() as u8,
        time.day() as u8,
    )
    .ok()?;
    use chrono::Timelike;
    date.and_hms(time.hour() as u16, time.minute() as u8, time.second())
        .ok()
}

fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    cell: &Cell,
    wrap: bool,
) -> Result<(), ExportError> {
    let base = || {
        let format = Format::new().set_align(FormatAlign::Top);
        if wrap { format.set_text_wrap() } else { format }
    };
    match cell {
        Cell::Empty => Ok(()),
        Cell::Text(text) => sheet
            .write_string_with_format(row, column, text, &base())
            .map(|_| ()),
        Cell::Toned(text, tone) => {
            let format = match tone.fill() {
                Some((background, font)) => base()
                    .set_background_color(Color::RGB(background))
                    .set_font_color(Color::RGB(font))
                    .set_bold(),
                None => base(),
            };
            sheet
                .write_string_with_format(row, column, text, &format)
                .map(|_| ())
        }
        Cell::Number(n) => sheet
            .write_number_with_format(row, column, *n as f64, &base())
            .map(|_| ()),
        Cell::Date(date) => {
            let Some(when) = excel_time(date.and_time(chrono::NaiveTime::MIN).and_utc()) else {
                return write_cell(sheet, row, column, &Cell::text(date.to_string()), wrap);
            };
            sheet
                .write_date_with_format(row, column, &when, &base().set_num_format("yyyy-mm-dd"))
                .map(|_| ())
        }
        Cell::Time(time) => {
            let Some(when) = excel_time(*time) else {
                return write_cell(sheet, row, column, &Cell::text(time.to_rfc3339()), wrap);
            };
            sheet
                .write_datetime_with_format(
                    row,
                    column,
                    &when,
                    &base().set_num_format("yyyy-mm-dd hh:mm \"UTC\""),
                )
                .map(|_| ())
        }
        Cell::Link { url, text } => {
            let link = base()
                .set_font_color(Color::RGB(0x1F4E8C))
                .set_underline(FormatUnderline::Single);
            sheet
                .write_url_with_options(row, column, url.as_str(), text, "", Some(&link))
                .map(|_| ())
        }
    }
    .map_err(fail)
}
