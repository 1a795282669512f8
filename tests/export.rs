//! CSV, JSON and HTML exports of a reviewed assessment, the atomic write,
//! cancellation and `tickmark export` as a user runs it.

mod export_fixture;

use std::process::Command;
use std::sync::atomic::AtomicBool;

use export_fixture::{NAME, export, reviewed};
use tickmark::export::{self, ExportError, ExportFormat, ExportStage, ReportData, json};

/// The CSV's table (after the assessment header and a blank line): its
/// header row and its rows.
fn csv_table(path: &std::path::Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    let text = std::fs::read_to_string(path).unwrap();
    let (head, table) = text
        .split_once("\r\n\r\n")
        .expect("a blank line after the header");
    assert!(head.starts_with("Assessment,"), "{head}");
    let mut reader = csv::Reader::from_reader(table.as_bytes());
    let headers = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader.records().map(Result::unwrap).collect();
    (headers, rows)
}

#[test]
fn csv_has_every_requirement_in_catalog_order() {
    let f = reviewed();
    let path = f.out("requirements.csv");
    let summary = export(&f, ExportFormat::Csv, &path);
    assert_eq!(summary.requirements, 232);
    // The assessment header comes first.
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().take_while(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], format!("Assessment,{NAME}"));
    for label in [
        "Cluster,",
        "Framework,PCI DSS 3.2.1",
        "Period,",
        "Approval,Approved by Lee Lead",
        "Automated run,\"Run 1 of 1,",
        "Record,Chain head event #",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(label)),
            "{label} in {lines:?}"
        );
    }
    let (headers, rows) = csv_table(&path);
    assert_eq!(headers, export::csv::columns());
    // The same columns as the XLSX workpaper's requirements sheet: people
    // split, attachments by name, evidence by reference.
    assert_eq!(
        headers,
        [
            "Requirement",
            "Title",
            "New in v4.0",
            "Automated verdict",
            "Failing checks",
            "Finding",
            "Method",
            "Worksheet",
            "Note",
            "Recorded by",
            "Recorded by e-mail",
            "Recorded by OS user",
            "Recorded at",
            "Preparer",
            "Preparer e-mail",
            "Preparer OS user",
            "Prepared at",
            "Preparer sign-off",
            "Preparer signature",
            "Reviewer",
            "Reviewer e-mail",
            "Reviewer OS user",
            "Reviewed at",
            "Reviewer sign-off",
            "Reviewer signature",
            "Open review notes",
            "Evidence references",
            "Evidence files",
            "Attachments",
            "Prior period",
        ]
    );
    let ids: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    let expected: Vec<&str> = f.catalog.requirements().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, expected);
    assert_eq!(ids.len(), 232);

    let row = |id: &str| rows.iter().find(|r| &r[0] == id).unwrap();
    let column = |name: &str| headers.iter().position(|c| c == name).unwrap();
    let ccw = row("1.3.7");
    assert_eq!(&ccw[column("Finding")], "In Place");
    assert_eq!(&ccw[column("Method")], "Compensating control");
    assert!(
        ccw[column("Worksheet")].starts_with("Constraints: The cluster's DNS zone")
            && ccw[column("Worksheet")].contains("\nMaintenance: "),
        "{ccw:?}"
    );
    assert_eq!(&row("9.1")[column("Method")], "Defined approach");
    assert_eq!(&row("1.1.3")[column("Method")], "");
    assert_eq!(&row("1.1.3")[column("New in v4.0")], "");
    assert_eq!(&row("1.1.3")[column("Prior period")], "");
    // Name, e-mail and OS user in their own columns.
    assert_eq!(&ccw[column("Preparer")], "Ana Auditor");
    assert_eq!(&ccw[column("Preparer OS user")], "tester");
    assert!(!ccw[column("Preparer e-mail")].contains("Ana"), "{ccw:?}");
    assert!(ccw[column("Prepared at")].ends_with('Z'), "{ccw:?}");
    assert_eq!(&ccw[column("Preparer sign-off")], "Current");
    assert_eq!(&ccw[column("Preparer signature")], "unsigned");
    assert_eq!(&row("12.1")[column("Preparer signature")], "");
    assert_eq!(&ccw[column("Recorded by")], "Ana Auditor");
    assert_eq!(&row("2.1")[column("Preparer sign-off")], "Stale");
    assert_eq!(&row("9.1")[column("Finding")], "Not Applicable");
    assert_eq!(&row("1.1.3")[column("Finding")], "");
    assert_eq!(&row("12.1")[column("Preparer sign-off")], "");
    let note = &row("1.1.2")[column("Note")];
    assert!(note.starts_with("The network diagram matches"), "{note}");
    assert!(
        note.contains("\n- hub and spoke\n- private cluster"),
        "{note}"
    );
    assert!(!note.contains("**"), "{note}");
    // Attachments by name (withdrawn ones left out), with their references.
    let attachments = &row("1.1.2")[column("Attachments")];
    assert_eq!(attachments.lines().count(), 2, "{attachments}");
    assert!(
        attachments.lines().all(|l| l.starts_with("E-")),
        "{attachments}"
    );
    assert_eq!(&row("1.1.3")[column("Attachments")], "");
    // A note that looks like a formula is kept as text.
    assert!(row("1.2.1")[column("Note")].starts_with("'=HYPERLINK"));
    let failing_any = rows.iter().any(|r| {
        r[column("Automated verdict")] == *"Fail" && !r[column("Failing checks")].is_empty()
    });
    assert!(
        failing_any,
        "the fixture has a failing requirement with its checks named"
    );
    let with_evidence: Vec<&csv::StringRecord> = rows
        .iter()
        .filter(|r| !r[column("Evidence files")].is_empty())
        .collect();
    assert!(!with_evidence.is_empty());
    for r in with_evidence {
        let references = &r[column("Evidence references")];
        let files = &r[column("Evidence files")];
        for line in files.lines() {
            let reference = line.split(' ').next().unwrap();
            assert!(references.contains(reference), "{references} / {files}");
        }
    }
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
    // Both sign-offs, the review notes with their threads, and the legend
    // explaining the marks.
    let article = |id: &str| {
        let start = html.find(&format!("id=\"req-{id}\"")).unwrap();
        let end = html[start..].find("</article>").unwrap();
        html[start..start + end].to_owned()
    };
    let reviewed = article("1.3.7");
    assert!(
        reviewed.contains("<h4>Preparer sign-offs</h4>"),
        "{reviewed}"
    );
    assert!(
        reviewed.contains("<h4>Reviewer sign-offs</h4>"),
        "{reviewed}"
    );
    assert!(reviewed.contains("&#10003;&#10003; Reviewed"), "{reviewed}");
    let noted = article("1.2.1");
    assert!(noted.contains("1 open review note(s)"), "{noted}");
    assert!(
        noted.contains("Which NSG rules applied in June?"),
        "{noted}"
    );
    let cleared = article("1.1.2");
    assert!(cleared.contains("answered by"), "{cleared}");
    assert!(cleared.contains("cleared by"), "{cleared}");
    assert!(html.contains("A second person signed as reviewer"));
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
    // Every family starts a new printed page, and so does the evidence
    // index after them.
    assert_eq!(html.matches("<section class=\"family\"").count(), 12 + 1);
    assert!(html.contains("<section class=\"family\" id=\"evidence-index\">"));
    // The index lists every file and attachment under its reference; the
    // files cited and the attachments carry theirs; a note's [E-4] links
    // to the index.
    let attachments: usize = record
        .requirements
        .iter()
        .map(|r| r.attachments.len())
        .sum();
    for n in 1..=record.files.len() + attachments {
        assert!(html.contains(&format!("<tr id=\"E-{n}\"")), "E-{n}");
    }
    assert!(html.contains("<a class=\"cite\" href=\"#E-"));
    assert!(
        html.contains(
            "<a href=\"#E-4\" title=\"sample-data/azure/container-registry.json\">E-4</a>"
        ) || html.contains("<a href=\"#E-4\" title=\""),
        "the note's citation is a link"
    );
    assert!(html.contains("id=\"legend\"") && html.contains("Tick-mark legend"));
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
    for format in ["csv", "xlsx", "json", "html", "oscal", "bundle"] {
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
    // Every requirement's, and the tick-mark legend's.
    assert_eq!(html.matches("class=\"badge b-notrun\"").count(), 232 + 1);
    let (_, rows) = csv_table(&dir.path().join(ExportFormat::Csv.default_file_name("bare")));
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
