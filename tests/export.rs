//! CSV, JSON and HTML exports of a reviewed assessment, the atomic write,
//! cancellation and `tickmark export` as a user runs it.

mod export_fixture;

use std::process::Command;
use std::sync::atomic::AtomicBool;

use export_fixture::{NAME, export, reviewed};
use tickmark::export::{
    self, ExportError, ExportFormat, ExportStage, ReportData, csv::COLUMNS, json,
};

#[test]
fn csv_has_every_requirement_in_catalog_order() {
    let f = reviewed();
    let path = f.out("requirements.csv");
    let summary = export(&f, ExportFormat::Csv, &path);
    assert_eq!(summary.requirements, 232);
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(headers, COLUMNS);
    // The columns the export issue names, in its order, then attachments.
    assert_eq!(
        headers,
        [
            "requirement",
            "title",
            "new in v4.0",
            "automated verdict",
            "failing checks",
            "finding",
            "method",
            "worksheet",
            "reviewer",
            "reviewed at",
            "signed by",
            "signed at",
            "stale",
            "signature",
            "note",
            "evidence count",
            "attachments",
            "prior period",
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let ids: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    let expected: Vec<&str> = f.catalog.requirements().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, expected);
    assert_eq!(ids.len(), 232);

    let row = |id: &str| rows.iter().find(|r| &r[0] == id).unwrap();
    let column = |name: &str| COLUMNS.iter().position(|c| *c == name).unwrap();
    let ccw = row("1.3.7");
    assert_eq!(&ccw[column("finding")], "In Place");
    assert_eq!(&ccw[column("method")], "Compensating control");
    assert!(
        ccw[column("worksheet")].starts_with("Constraints: The cluster's DNS zone")
            && ccw[column("worksheet")].contains("\nMaintenance: "),
        "{ccw:?}"
    );
    assert_eq!(&row("9.1")[column("method")], "Defined approach");
    assert_eq!(&row("1.1.3")[column("method")], "");
    assert_eq!(&row("1.1.3")[column("new in v4.0")], "");
    assert_eq!(&row("1.1.3")[column("prior period")], "");
    assert!(ccw[column("signed by")].contains("Ana Auditor"), "{ccw:?}");
    assert_eq!(&ccw[column("stale")], "no");
    assert_eq!(&ccw[column("signature")], "unsigned");
    assert_eq!(&row("12.1")[column("signature")], "");
    assert_eq!(&row("2.1")[column("stale")], "yes");
    assert_eq!(&row("9.1")[column("finding")], "Not Applicable");
    assert_eq!(&row("1.1.3")[column("finding")], "");
    assert_eq!(&row("12.1")[column("stale")], "");
    let note = &row("1.1.2")[column("note")];
    assert!(note.starts_with("The network diagram matches"), "{note}");
    assert!(
        note.contains("\n- hub and spoke\n- private cluster"),
        "{note}"
    );
    assert!(!note.contains("**"), "{note}");
    assert_eq!(&row("1.1.2")[column("attachments")], "2");
    assert_eq!(&row("1.1.3")[column("attachments")], "0");
    // A note that looks like a formula is kept as text.
    assert!(row("1.2.1")[column("note")].starts_with("'=HYPERLINK"));
    let failing_any = rows.iter().any(|r| {
        r[column("automated verdict")] == *"Fail" && !r[column("failing checks")].is_empty()
    });
    assert!(
        failing_any,
        "the fixture has a failing requirement with its checks named"
    );
    let record = f.record();
    let with_evidence = rows
        .iter()
        .filter(|r| r[column("evidence count")] != *"0")
        .count();
    assert!(with_evidence > 0);
    assert!(
        record.requirements.len() >= with_evidence,
        "only requirements with results cite evidence"
    );
}

#[test]
fn json_round_trips_to_the_same_record() {
    let f = reviewed();
    let path = f.out("record.json");
    export(&f, ExportFormat::Json, &path);
    let bytes = std::fs::read(&path).unwrap();
    let parsed = json::parse(&bytes).unwrap();
    assert_eq!(parsed, f.record());
    assert_eq!(
        parsed.schema_version,
        tickmark::store::RECORD_SCHEMA_VERSION
    );
    // Rendering the parsed record again gives the same bytes.
    assert_eq!(json::render(&parsed).unwrap().as_bytes(), &bytes[..]);

    let mut value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    value["schema_version"] = 99.into();
    let e = json::parse(value.to_string().as_bytes()).unwrap_err();
    assert!(
        e.to_string().contains("schema version 99 is not supported"),
        "{e}"
    );
    assert!(json::parse(b"{\"x\": 1}").is_err());
}

#[test]
fn html_report_holds_every_requirement_and_fetches_nothing() {
    let f = reviewed();
    let path = f.out("report.html");
    export(&f, ExportFormat::Html, &path);
    let html = std::fs::read_to_string(&path).unwrap();
    for requirement in f.catalog.requirements() {
        assert!(
            html.contains(&format!("id=\"req-{}\"", requirement.id)),
            "{} is missing",
            requirement.id
        );
    }
    let record = f.record();
    let head = record.chain_head.as_ref().unwrap();
    assert!(html.contains(&head.hash));
    assert!(html.contains("aks-bu0001a0005-01"));
    assert!(html.contains("Approved"));
    // The note's raw HTML is text; its safe link stays, the unsafe one does not.
    assert!(!html.contains("<script"));
    assert!(
        html.contains("&lt;script&gt;alert('x')&lt;/script&gt;"),
        "the note's raw HTML shows as text"
    );
    assert!(html.contains("<a href=\"https://runbooks.example/net\">the runbook</a>"));
    assert!(!html.contains("javascript:"));
    // The diagram is embedded; nothing is fetched from elsewhere.
    assert!(html.contains("<img src=\"data:image/png;base64,iVBORw0KGgo"));
    for external in ["src=\"http", "<link", "@import", "url(", "<script"] {
        assert!(
            !html.contains(external),
            "the report refers out: {external}"
        );
    }
    // Stale sign-offs, withdrawn attachments, file names and their hashes.
    assert!(html.contains("Sign-off stale"));
    assert!(html.contains("attached to the wrong requirement"));
    let aks = record
        .files
        .iter()
        .find(|f| f.provenance.path.ends_with("aks-cluster.json"))
        .unwrap();
    assert!(html.contains(&aks.provenance.sha256));
    assert!(html.contains("ports &amp; protocols.md"));
    // Evidence files are named as the bundle names them: the second
    // nsg-list.json carries its hash.
    let second = record
        .files
        .iter()
        .filter(|f| f.provenance.path.ends_with("nsg-list.json"))
        .nth(1)
        .unwrap();
    assert!(html.contains(&format!("nsg-list-{}.json", &second.provenance.sha256[..8])));
    // Every family starts a new printed page.
    assert_eq!(html.matches("<section class=\"family\"").count(), 12);
    assert!(html.contains(".family { break-before: page; }"));
}

#[test]
fn exports_are_deterministic_and_renderable_from_a_json_record() {
    let f = reviewed();
    let (a, b) = (f.out("a.html"), f.out("b.html"));
    export(&f, ExportFormat::Html, &a);
    export(&f, ExportFormat::Html, &b);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());

    let data = ReportData::from_record(f.record());
    let html =
        String::from_utf8(export::render(&data, f.catalog, ExportFormat::Html).unwrap()).unwrap();
    assert!(html.contains("id=\"req-12.10.6\""));
    assert!(
        html.contains("Review of 1.1.2"),
        "histories come from the events"
    );
    assert!(matches!(
        export::render(&data, f.catalog, ExportFormat::Bundle),
        Err(ExportError::Render { .. })
    ));
}

#[test]
fn a_cancelled_or_failed_export_leaves_no_file() {
    let f = reviewed();
    let out = f.out("report.html");
    std::fs::write(&out, "earlier export").unwrap();
    let cancel = AtomicBool::new(false);
    let mut stages = Vec::new();
    let result = export::export(
        &f.store,
        f.catalog,
        f.assessment.id,
        ExportFormat::Bundle,
        &out,
        &mut |p| {
            stages.push(p.stage);
            if p.stage == ExportStage::Writing && p.done == 3 {
                cancel.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        },
        &cancel,
    );
    assert!(matches!(result, Err(ExportError::Cancelled)), "{result:?}");
    assert!(stages.contains(&ExportStage::Reading) && stages.contains(&ExportStage::Rendering));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "earlier export");
    let leftovers: Vec<_> = std::fs::read_dir(f.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tickmark-partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let other = tickmark::catalog::Catalog::from_toml(
        &tickmark::catalog::PCI_DSS_321_TOML.replace("id = \"pci-dss-3.2.1\"", "id = \"other\""),
    )
    .unwrap();
    {
        let e = export::export(
            &f.store,
            &other,
            f.assessment.id,
            ExportFormat::Csv,
            &out,
            &mut |_| {},
            &AtomicBool::new(false),
        )
        .unwrap_err();
        assert!(e.to_string().contains("uses catalog pci-dss-3.2.1"), "{e}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "earlier export");
    }
}

#[test]
fn the_command_exports_every_format_without_a_display() {
    let f = reviewed();
    for format in ["csv", "json", "html", "oscal", "bundle"] {
        let out = f.out(&format!("cli.{format}"));
        let output = Command::new(env!("CARGO_BIN_EXE_tickmark"))
            .arg("--db")
            .arg(&f.db)
            .args(["export", "--assessment", NAME, "--format", format, "--out"])
            .arg(&out)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{format}: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.contains("232 requirements"), "{stdout}");
        assert!(out.is_file());
    }
    let output = Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .arg("--db")
        .arg(&f.db)
        .args([
            "export",
            "--assessment",
            "H2 2026",
            "--format",
            "csv",
            "--out",
        ])
        .arg(f.out("x.csv"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("known assessments: \"H1 2026\""),
        "{stderr}"
    );
}

#[test]
fn an_empty_assessment_with_hostile_names_exports_escaped() {
    let (dir, store, assessment) = export_fixture::bare();
    let catalog = tickmark::catalog::pci_dss_321();
    for format in ExportFormat::ALL {
        let out = dir.path().join(format.default_file_name("bare"));
        let summary = export::export(
            &store,
            catalog,
            assessment.id,
            *format,
            &out,
            &mut |_| {},
            &AtomicBool::new(false),
        )
        .unwrap();
        assert_eq!(summary.requirements, 232);
    }
    let html = std::fs::read_to_string(
        dir.path()
            .join(ExportFormat::Html.default_file_name("bare")),
    )
    .unwrap();
    assert!(!html.contains("<script>alert(1)"), "the name is escaped");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Q1&quot;"));
    assert!(html.contains("&lt;b&gt;aks&lt;/b&gt;"));
    assert_eq!(html.matches("class=\"badge b-notrun\"").count(), 232);
    let mut reader =
        csv::Reader::from_path(dir.path().join(ExportFormat::Csv.default_file_name("bare")))
            .unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 232);
    assert!(rows.iter().all(|r| &r[3] == export::csv::NOT_RUN));
}

/// Writes every export of the fixture to `$TICKMARK_EXPORT_DEMO` (a
/// directory) for looking at: `TICKMARK_EXPORT_DEMO=/tmp/demo cargo test
/// --test export -- --ignored`.
#[test]
#[ignore = "writes files for people to look at"]
fn write_demo_exports() {
    let Some(dir) = std::env::var_os("TICKMARK_EXPORT_DEMO") else {
        eprintln!("skipped: set TICKMARK_EXPORT_DEMO to a directory");
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    // The whole sample assessment (files not readable yet are skipped).
    let f = export_fixture::reviewed_from(&["sample-data"], true);
    for format in ExportFormat::ALL {
        export(&f, *format, &dir.join(format.default_file_name(NAME)));
    }
}
