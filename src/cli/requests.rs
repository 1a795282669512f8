//! `tickmark requests --assessment NAME [--format table|csv|xlsx|json]
//! [--out PATH] [--open]`: the evidence request list.
//!
//! Exit codes: 0 written, 2 when nothing was written (no review record, no
//! such assessment, an unwritable path).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use super::{Cli, EXIT_OK, EXIT_UNUSABLE, RequestsFormat};
use crate::export::requests::{self as render, RequestFormat};
use crate::requests::{RequestList, request_list};
use crate::store::Store;

/// Runs `tickmark requests`.
pub(super) fn run(
    cli: &Cli,
    name: &str,
    format: RequestsFormat,
    out: Option<&Path>,
    open: bool,
) -> ExitCode {
    match try_run(cli, name, format, out, open) {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(message) => {
            eprintln!("tickmark requests: {message}");
            ExitCode::from(EXIT_UNUSABLE)
        }
    }
}

fn try_run(
    cli: &Cli,
    name: &str,
    format: RequestsFormat,
    out: Option<&Path>,
    open: bool,
) -> Result<(), String> {
    let db = super::db_path(cli)?;
    let store = Store::open_existing(&db).map_err(|e| e.to_string())?;
    let assessment = match store.assessment(name).map_err(|e| e.to_string())? {
        Some(found) => found,
        None => return Err(super::record::unknown_assessment(&store, name, &db)),
    };
    let catalog = crate::catalog::builtin(&assessment.catalog_id).ok_or_else(|| {
        format!(
            "assessment \"{name}\" uses catalog {}, which this build of Tickmark does not have",
            assessment.catalog_id
        )
    })?;
    let record = store.record(assessment.id).map_err(|e| e.to_string())?;
    let mut list = request_list(crate::collect::builtin(), catalog, &record);
    if open {
        list.requests.retain(|r| r.is_open());
    }
    let as_of = render::as_of(&record);
    let file_format = match format {
        RequestsFormat::Csv => Some(RequestFormat::Csv),
        RequestsFormat::Xlsx => Some(RequestFormat::Xlsx),
        RequestsFormat::Table | RequestsFormat::Json => None,
    };
    match (file_format, out) {
        (Some(file_format), Some(out)) => {
            let (bytes, sha256) =
                render::write(&list, file_format, as_of, out).map_err(|e| e.to_string())?;
            println!(
                "{}: {} request(s), {bytes} bytes, SHA-256 {sha256}",
                out.display(),
                list.requests.len()
            );
            Ok(())
        }
        (Some(RequestFormat::Xlsx), None) => {
            Err("an Excel workbook needs a file: give --out PATH".to_owned())
        }
        (Some(RequestFormat::Csv), None) => {
            let bytes = render::csv(&list).map_err(|e| e.to_string())?;
            print_out(&bytes)
        }
        (None, _) if out.is_some() => {
            Err("--out is for csv and xlsx; the table and JSON are printed".to_owned())
        }
        (None, _) => {
            let text = match format {
                RequestsFormat::Json => {
                    serde_json::to_string_pretty(&list).map_err(|e| e.to_string())? + "\n"
                }
                _ => table(&list),
            };
            print_out(text.as_bytes())
        }
    }
}

fn print_out(bytes: &[u8]) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write the output: {e}"))
        }
        _ => Ok(()),
    }
}

/// The list as a readable table: one block per request.
fn table(list: &RequestList) -> String {
    let mut out = format!(
        "Evidence requests for \"{}\" (cluster {}, {} to {}): {} request(s), {} open\n",
        list.assessment,
        list.cluster,
        list.period_start,
        list.period_end,
        list.requests.len(),
        list.open().count()
    );
    for r in &list.requests {
        out.push_str(&format!(
            "\n{:<6} {:<11} {:<9} {:<9} {}\n",
            r.reference,
            r.kind.label(),
            r.state.label(),
            r.status().label(),
            r.title
        ));
        let mut line = |label: &str, value: &str| {
            if !value.is_empty() {
                out.push_str(&format!("       {label:<14}{value}\n"));
            }
        };
        line("ask:", &r.ask);
        line("file:", r.file.as_deref().unwrap_or(""));
        line("requirements:", &r.requirements.join(", "));
        for reason in &r.reasons {
            line("why:", reason);
        }
        line("owner:", r.owner());
        line("due:", &r.due().map(|d| d.to_string()).unwrap_or_default());
        line("note:", r.note());
    }
    out
}
