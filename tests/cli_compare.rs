//! `tickmark compare` as a user runs it: the real binary on a review record
//! with two half-years of the same cluster, printed as a table and CSV and
//! written as an Excel workbook (read back with calamine) and an HTML page.

mod export_fixture;
mod store_fixture;

use std::path::Path;
use std::process::Output;

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use export_fixture::{FILES, NAME, reviewed};
use store_fixture::{text, tickmark};
use tickmark::checks::Settings;
use tickmark::store::{Finding, NewAssessment, ReviewInput};

const LATER: &str = "H2 2026";

/// `tickmark compare --from H1 --to H2` with `extra` arguments.
fn compare(db: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["compare", "--from", NAME, "--to", LATER];
    args.extend_from_slice(extra);
    tickmark(db, &args)
}

fn cell(data: Option<&Data>) -> String {
    match data {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => format!("{other:?}"),
    }
}

/// The reviewed first half-year and a second one of the same evidence,
/// where 2.1 is now Not in Place with another note.
fn two_half_years() -> export_fixture::Reviewed {
    let mut f = reviewed();
    let new = NewAssessment {
        name: LATER.into(),
        cluster: "aks-bu0001a0005-01".into(),
        period_start: NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
        period_end: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
        catalog_id: f.catalog.id.clone(),
    };
    let paths: Vec<_> = FILES
        .iter()
        .map(|p| Path::new(env!("CARGO_MANIFEST_DIR")).join(p))
        .collect();
    let later = f
        .store
        .import_paths(&f.auditor, LATER, Some(&new), &paths, &mut |_| {})
        .unwrap()
        .assessment
        .unwrap();
    f.store
        .evaluate_and_record(&f.auditor, later.id, f.catalog, &Settings::default())
        .unwrap();
    f.store
        .set_review(
            &f.auditor,
            later.id,
            f.catalog,
            "2.1",
            &ReviewInput::defined(
                Some(Finding::NotInPlace),
                "The ACR admin user was switched on again in August.",
            ),
        )
        .unwrap();
    f
}

#[test]
fn compare_prints_a_table_and_writes_csv_xlsx_and_html() {
    let f = two_half_years();
    let db = f.db.clone();

    // The table: every row, 2.1's finding before and after.
    let out = compare(&db, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(table.starts_with("H1 2026 (pci-dss-3.2.1) → H2 2026 (pci-dss-3.2.1), matched by"));
    let row = table.lines().find(|l| l.starts_with("2.1 ")).unwrap();
    assert!(row.contains("In Place → Not in Place"), "{row}");
    assert!(row.contains("changed"), "{row}");

    // CSV on standard output, only what changed.
    let out = compare(&db, &["--format", "csv", "--changed"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(headers[0], "Requirement");
    assert!(headers.contains(&"Finding before".to_owned()));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(rows.iter().all(|r| &r[3] == "yes"), "only changed rows");
    let two_one = rows.iter().find(|r| &r[0] == "2.1").unwrap();
    let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
    assert_eq!(&two_one[at("Finding before")], "In Place");
    assert_eq!(&two_one[at("Finding after")], "Not in Place");
    assert_eq!(&two_one[at("Note")], "changed");
    // 1.1.2 was signed in H1 and not in H2.
    let signed = rows.iter().find(|r| &r[0] == "1.1.2").unwrap();
    assert_eq!(
        &signed[at("Sign-off before → after")],
        "signed → not signed"
    );

    // The workbook, read back.
    let xlsx = f.out("comparison.xlsx");
    let out = compare(&db, &["--format", "xlsx", "--out", xlsx.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("changed"),
        "{}",
        text(&out.stdout)
    );
    let mut book: Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    assert_eq!(book.sheet_names(), vec!["Summary", "Comparison"]);
    let summary = book.worksheet_range("Summary").unwrap();
    let value = |label: &str| {
        (0..summary.height())
            .find(|&r| cell(summary.get((r, 0))) == label)
            .map(|r| cell(summary.get((r, 1))))
            .unwrap_or_else(|| panic!("no {label} on the summary sheet"))
    };
    assert!(value("Earlier").starts_with("H1 2026 (pci-dss-3.2.1, 2026-01-01 to 2026-06-30)"));
    assert!(value("Later").starts_with("H2 2026"));
    let sheet = book.worksheet_range("Comparison").unwrap();
    let header: Vec<String> = (0..sheet.width())
        .map(|c| cell(sheet.get((0, c))))
        .collect();
    assert_eq!(header, headers);
    assert_eq!(
        sheet.height(),
        233,
        "one row per 3.2.1 requirement and the header"
    );
    let r = (1..sheet.height())
        .find(|&r| cell(sheet.get((r, 0))) == "2.1")
        .unwrap();
    assert_eq!(cell(sheet.get((r, at("Finding after")))), "Not in Place");
    assert_eq!(cell(sheet.get((r, at("Changed")))), "yes");

    // The HTML page marks the changed rows.
    let html = f.out("comparison.html");
    let out = compare(&db, &["--format", "html", "--out", html.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("<tr class=\"changed\"><td>2.1</td>"),
        "{page}"
    );
    assert!(page.contains("Not in Place"));
}

#[test]
fn compare_refuses_what_it_cannot_write() {
    let f = two_half_years();
    let db = f.db.clone();
    let out = tickmark(&db, &["compare", "--from", NAME, "--to", "H3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("known assessments: \"H1 2026\", \"H2 2026\""),
        "{}",
        text(&out.stderr)
    );
    let out = tickmark(
        &db,
        &["compare", "--from", NAME, "--to", LATER, "--format", "xlsx"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("needs a file"),
        "{}",
        text(&out.stderr)
    );
    let out = tickmark(&db, &["compare", "--from", NAME, "--to", NAME]);
    assert_eq!(out.status.code(), Some(2));
    let missing = f.out("no-such-dir/comparison.csv");
    let out = compare(
        &db,
        &["--format", "csv", "--out", missing.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!missing.exists());
}
