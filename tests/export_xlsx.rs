//! The Excel workpaper (`tickmark export --format xlsx`), read back with a
//! real spreadsheet library (calamine) and, where LibreOffice is installed,
//! converted to PDF by it as a reviewer's machine would open it.

mod export_fixture;

use std::io::Read;
use std::path::Path;
use std::process::Command;

use calamine::{Data, Reader, Xlsx};
use export_fixture::{NAME, export, reviewed};
use tickmark::export::{self, ExportFormat};

fn text(data: Option<&Data>) -> String {
    match data {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::Int(i)) => i.to_string(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => format!("{other:?}"),
    }
}

/// The XML of one part of the workbook (a zip).
fn part(path: &Path, name: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut entry = zip.by_name(name).unwrap();
    let mut out = String::new();
    entry.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn the_workpaper_has_its_four_sheets_and_the_csv_columns() {
    let f = reviewed();
    let path = f.out("workpaper.xlsx");
    let summary = export(&f, ExportFormat::Xlsx, &path);
    assert_eq!(summary.requirements, 232);
    let mut book: Xlsx<_> = calamine::open_workbook(&path).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec![
            "Summary",
            "Requirements",
            "Evidence index",
            "Checks",
            "Review notes"
        ]
    );

    // Summary: the assessment, its approval and the counts.
    let sheet = book.worksheet_range("Summary").unwrap();
    let value = |label: &str| {
        (0..sheet.height())
            .find(|&r| text(sheet.get((r, 0))) == label)
            .map(|r| text(sheet.get((r, 1))))
            .unwrap_or_else(|| panic!("no {label} on the summary sheet"))
    };
    assert_eq!(value("Assessment"), NAME);
    assert_eq!(value("Framework"), "PCI DSS 3.2.1");
    assert!(
        value("Approval").starts_with("Approved by Lee Lead"),
        "{}",
        value("Approval")
    );
    assert!(value("Automated run").starts_with("Run 1 of 1"));
    assert!(value("Record").starts_with("Chain head event #"));
    assert_eq!(value("Requirements"), "232");
    let sign_offs = value("Sign-offs");
    assert!(
        sign_offs.starts_with("preparer: ") && sign_offs.contains("; reviewer: "),
        "{sign_offs}"
    );
    assert!(
        value("Open review notes").parse::<usize>().is_ok(),
        "{}",
        value("Open review notes")
    );

    // Requirements: the CSV's columns, one row per requirement.
    let sheet = book.worksheet_range("Requirements").unwrap();
    assert_eq!(sheet.height(), 233);
    let headers: Vec<String> = (0..sheet.width())
        .map(|c| text(sheet.get((0, c))))
        .collect();
    assert_eq!(headers, export::csv::columns());
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let row = |id: &str| {
        (1..sheet.height())
            .find(|&r| text(sheet.get((r, 0))) == id)
            .unwrap()
    };
    let ccw = row("1.3.7");
    assert_eq!(text(sheet.get((ccw, column("Finding")))), "In Place");
    assert_eq!(text(sheet.get((ccw, column("Preparer")))), "Ana Auditor");
    assert!(matches!(
        sheet.get((ccw, column("Prepared at"))),
        Some(Data::DateTime(_))
    ));
    // A formula-like note is text, not a formula, and not guarded.
    assert!(
        text(sheet.get((row("1.2.1"), column("Note")))).starts_with("=HYPERLINK"),
        "the note is written as text"
    );
    // Preparer and reviewer are different people; an open review note is
    // listed on its requirement.
    let reviewed = row("1.3.7");
    assert_eq!(
        text(sheet.get((reviewed, column("Reviewer")))),
        "Rey Reviewer"
    );
    assert_eq!(
        text(sheet.get((reviewed, column("Reviewer sign-off")))),
        "Current"
    );
    assert_eq!(
        text(sheet.get((reviewed, column("Reviewer signature")))),
        "unsigned"
    );
    assert_eq!(text(sheet.get((row("1.1.2"), column("Reviewer")))), "");
    let open = text(sheet.get((row("1.2.1"), column("Open review notes"))));
    assert!(
        open.contains("(Rey Reviewer, ") && open.contains("Which NSG rules"),
        "{open}"
    );
    assert_eq!(
        text(sheet.get((row("1.1.2"), column("Open review notes")))),
        ""
    );
    // Every review note, cleared ones too, with its thread.
    let notes = book.worksheet_range("Review notes").unwrap();
    assert_eq!(notes.height(), 3);
    assert_eq!(text(notes.get((1, 1))), "1.1.2");
    assert_eq!(text(notes.get((1, 2))), "Cleared");
    assert!(text(notes.get((1, 6))).contains("Yes, redrawn in May"));
    assert_eq!(text(notes.get((1, 7))), "Rey Reviewer");
    assert_eq!(text(notes.get((2, 1))), "1.2.1");
    assert_eq!(text(notes.get((2, 2))), "Open");
    let references = text(sheet.get((row("1.1.2"), column("Evidence references"))));
    assert!(references.starts_with("E-"), "{references}");

    // The evidence index: every file and attachment, in reference order.
    let index = book.worksheet_range("Evidence index").unwrap();
    let record = f.record();
    let attachments: usize = record
        .requirements
        .iter()
        .map(|r| r.attachments.len())
        .sum();
    assert_eq!(index.height(), 1 + record.files.len() + attachments);
    for r in 1..index.height() {
        assert_eq!(text(index.get((r, 0))), format!("E-{r}"));
        assert_eq!(text(index.get((r, 4))).len(), 64, "SHA-256");
    }
    let withdrawn = (1..index.height())
        .filter(|&r| text(index.get((r, 12))).starts_with("Withdrawn: "))
        .count();
    assert_eq!(withdrawn, 1, "the fixture withdrew one attachment");

    // Checks: one row per check result per requirement.
    let checks = book.worksheet_range("Checks").unwrap();
    let results: usize = record
        .latest_run
        .as_ref()
        .map(|run| run.verdicts.iter().map(|v| v.checks.len()).sum())
        .unwrap();
    assert_eq!(checks.height(), results + 1);
    assert!(
        (1..checks.height()).any(|r| text(checks.get((r, 4))) == "Fail"),
        "a failing check"
    );

    // Frozen headers, filters, widths and links into the index.
    let requirements_xml = part(&path, "xl/worksheets/sheet2.xml");
    assert!(requirements_xml.contains("ySplit=\"1\""), "frozen header");
    assert!(requirements_xml.contains("<autoFilter"), "filters");
    assert!(requirements_xml.contains("customWidth=\"1\""), "widths");
    assert!(
        requirements_xml.contains("location=\"'Evidence index'!A"),
        "references link to the index"
    );
    let index_xml = part(&path, "xl/worksheets/sheet3.xml");
    assert!(index_xml.contains("location=\"'Requirements'!A"));
    // Verdict and finding colours: filled styles exist.
    let styles = part(&path, "xl/styles.xml");
    assert!(
        styles.contains("FFD8EFD9") && styles.contains("FFF8D7D6"),
        "green and red fills"
    );

    // The same record gives the same bytes.
    let again = f.out("again.xlsx");
    export(&f, ExportFormat::Xlsx, &again);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        std::fs::read(&again).unwrap()
    );
}

#[test]
fn libreoffice_opens_the_workpaper_and_prints_it_to_pdf() {
    let Some(office) = ["libreoffice", "soffice"].into_iter().find(|program| {
        Command::new(program)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        eprintln!(
            "skipped (libreoffice_opens_the_workpaper_and_prints_it_to_pdf): LibreOffice is not installed"
        );
        return;
    };
    let f = reviewed();
    let path = f.out("workpaper.xlsx");
    export(&f, ExportFormat::Xlsx, &path);
    let out_dir = f.out("pdf");
    std::fs::create_dir_all(&out_dir).unwrap();
    // A profile of its own, so that a LibreOffice already running (or
    // another test) does not take the conversion over.
    let profile = f.out("lo-profile");
    let output = Command::new(office)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&out_dir)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let pdf = std::fs::read(out_dir.join("workpaper.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    // Summary, requirements (three pages across), index and checks: many
    // pages ("/Type/Page" objects, "/Type/Pages" not counted).
    let pages = pdf
        .windows(b"/Type/Pages".len())
        .filter(|w| w.starts_with(b"/Type/Page") && w[10] != b's')
        .count();
    assert!(pages >= 6, "every sheet printed: {pages} page(s)");
}
