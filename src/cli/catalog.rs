//! `tickmark catalog [--catalog ID]`: a framework's requirement catalog
//! (PCI DSS 4.0.1 unless told otherwise) as an aligned table or as a JSON
//! tree.

use std::io::{self, Write};
use std::process::ExitCode;

use super::{CatalogFormat, EXIT_OK, EXIT_UNUSABLE};
#[cfg(test)]
use crate::catalog::pci_dss_321;
use crate::catalog::{Catalog, NodeKind, Requirement};

/// The width the table is laid out for.
const TABLE_WIDTH: usize = 120;
/// Column widths: indented ID, title, responsibility, checks.
const ID_WIDTH: usize = 14;
const TITLE_WIDTH: usize = 72;
const RESPONSIBILITY_WIDTH: usize = 20;

/// Runs `tickmark catalog`.
pub(super) fn run(catalog: &Catalog, format: CatalogFormat) -> ExitCode {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let written = match format {
        CatalogFormat::Json => write_json(&mut out, catalog),
        CatalogFormat::Table => write_table(&mut out, catalog),
    }
    .and_then(|()| out.flush());
    match written {
        Ok(()) => ExitCode::from(EXIT_OK),
        // The reader went away (`tickmark catalog | head`): nothing is lost.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(EXIT_OK),
        Err(err) => {
            eprintln!("tickmark catalog: cannot write the output: {err}");
            ExitCode::from(EXIT_UNUSABLE)
        }
    }
}

/// `{"catalog", "name", "nodes": [family trees]}`, pretty-printed.
fn write_json(out: &mut impl Write, catalog: &Catalog) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &catalog.to_json_tree())?;
    writeln!(out)
}

/// An aligned table: indented ID, title, responsibility, number of checks,
/// and the check IDs wrapped on the lines below; a summary at the end.
fn write_table(out: &mut impl Write, catalog: &Catalog) -> io::Result<()> {
    writeln!(out, "{} ({})", catalog.name, catalog.id)?;
    writeln!(out)?;
    write_row(out, "ID", "TITLE", "RESPONSIBILITY", "CHECKS")?;
    for node in &catalog.nodes {
        if node.kind == NodeKind::Family && node.id != "1" {
            writeln!(out)?;
        }
        let indented_id = format!("{}{}", "  ".repeat(node.depth() - 1), node.id);
        let counted = check_count(node);
        let checks = match node.kind {
            NodeKind::Requirement if counted.is_empty() => "manual".to_owned(),
            NodeKind::Requirement => counted,
            NodeKind::Family | NodeKind::Group if counted.is_empty() => String::new(),
            NodeKind::Family | NodeKind::Group => format!("({counted})"),
        };
        let mut marks = String::new();
        if node.new_in_v4 {
            marks.push_str(" [new in v4]");
        }
        if node.future_dated {
            marks.push_str(" [was future-dated]");
        }
        write_row(
            out,
            &indented_id,
            &format!("{}{marks}", node.title),
            node.responsibility.label(),
            &checks,
        )?;
        if let Some(kind) = node
            .applies_to
            .as_deref()
            .filter(|_| node.kind == NodeKind::Family)
        {
            writeln!(out, "{}applies only to {kind}", " ".repeat(ID_WIDTH + 3))?;
        }
        write_check_ids(out, "checks:", &node.checks)?;
        write_check_ids(out, "supports:", &node.supporting_checks)?;
    }
    writeln!(out)?;
    writeln!(out, "{}", summary(catalog))
}

fn write_row(
    out: &mut impl Write,
    id: &str,
    title: &str,
    responsibility: &str,
    checks: &str,
) -> io::Result<()> {
    let line = format!(
        "{} {} {} {}",
        fit(id, ID_WIDTH),
        fit(title, TITLE_WIDTH),
        fit(responsibility, RESPONSIBILITY_WIDTH),
        checks
    );
    writeln!(out, "{}", line.trim_end())
}

/// How many checks a node lists: `2` testing, `2+1` with one supporting,
/// `+1` with only a supporting one; empty with none.
fn check_count(node: &Requirement) -> String {
    match (node.checks.len(), node.supporting_checks.len()) {
        (0, 0) => String::new(),
        (tests, 0) => tests.to_string(),
        (0, supports) => format!("+{supports}"),
        (tests, supports) => format!("{tests}+{supports}"),
    }
}

/// A node's check IDs under its title after `label`, wrapped to the table
/// width; nothing when there are none.
fn write_check_ids(out: &mut impl Write, label: &str, checks: &[String]) -> io::Result<()> {
    if checks.is_empty() {
        return Ok(());
    }
    let indent = " ".repeat(ID_WIDTH + 3);
    let mut line = format!("{indent}{label}");
    for (at, check) in checks.iter().enumerate() {
        let separator = if at + 1 < checks.len() { "," } else { "" };
        let word = format!(" {check}{separator}");
        if line.chars().count() + word.chars().count() > TABLE_WIDTH {
            writeln!(out, "{line}")?;
            line = format!("{indent}{}", " ".repeat(label.len()));
        }
        line.push_str(&word);
    }
    writeln!(out, "{line}")
}

/// `text` padded or cut (with an ellipsis) to exactly `width` characters.
fn fit(text: &str, width: usize) -> String {
    let length = text.chars().count();
    if length <= width {
        format!("{text}{}", " ".repeat(width - length))
    } else {
        let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

fn summary(catalog: &Catalog) -> String {
    let requirements = catalog.count(NodeKind::Requirement);
    let automated = catalog
        .requirements()
        .filter(|node| !catalog.check_links(&node.id).is_empty())
        .count();
    let appendix = catalog
        .requirements()
        .filter(|node| node.is_appendix())
        .count();
    let in_appendices = if appendix > 0 {
        format!(", {appendix} of them in appendices")
    } else {
        String::new()
    };
    let new = catalog.new_in_v4().count();
    let new = if new > 0 {
        format!(", {new} new in v4")
    } else {
        String::new()
    };
    format!(
        "{} nodes: {} families, {} groups, {} assessed requirements{in_appendices}\n{} with automated checks, {} reviewed by hand{new}",
        catalog.nodes.len(),
        catalog.count(NodeKind::Family),
        catalog.count(NodeKind::Group),
        requirements,
        automated,
        requirements - automated,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> String {
        let mut out = Vec::new();
        write_table(&mut out, pci_dss_321()).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn table_fits_120_columns_and_aligns_columns() {
        let table = table();
        for line in table.lines() {
            assert!(line.chars().count() <= TABLE_WIDTH, "too wide: {line}");
        }
        let row = table
            .lines()
            .find(|line| line.trim_start().starts_with("1.3.7 "))
            .unwrap();
        assert!(row.starts_with("    1.3.7 "));
        let responsibility_at = ID_WIDTH + 1 + TITLE_WIDTH + 1;
        assert_eq!(
            &row[responsibility_at..responsibility_at + "Customer".len()],
            "Customer"
        );
        assert!(row.trim_end().ends_with(" 3"));
        assert!(
            table.contains("checks: aks.private-cluster, aks.no-public-fqdn, aks.private-dns-zone")
        );
        assert!(table.contains("232 assessed requirements"));
    }

    #[test]
    fn long_check_lists_wrap() {
        let table = table();
        let lines: Vec<&str> = table.lines().collect();
        let at = lines
            .iter()
            .position(|line| line.trim_start().starts_with("1.2.1 "))
            .unwrap();
        assert!(
            lines[at + 1]
                .trim_start()
                .starts_with("checks: aks.private-cluster,")
        );
        // Twelve check IDs (one dot each) over the continuation lines: six
        // testing, six supporting.
        let listed: usize = lines[at + 1..]
            .iter()
            .take_while(|line| line.starts_with(&" ".repeat(ID_WIDTH + 3)))
            .map(|line| line.matches(['.']).count())
            .sum();
        assert_eq!(listed, 12);
    }

    #[test]
    fn v4_table_marks_strength_appendices_and_new_requirements() {
        let mut out = Vec::new();
        let catalog = crate::catalog::builtin(crate::catalog::PCI_DSS_401_ID).unwrap();
        write_table(&mut out, catalog).unwrap();
        let table = String::from_utf8(out).unwrap();
        assert!(table.starts_with("PCI DSS 4.0.1 (pci-dss-4.0.1)"));
        for line in table.lines() {
            assert!(line.chars().count() <= TABLE_WIDTH, "too wide: {line}");
        }
        let lines: Vec<&str> = table.lines().collect();
        // A node with only supporting checks counts them as `+N` and lists
        // them on a `supports:` line.
        let supported = catalog
            .requirements()
            .find(|n| n.checks.is_empty() && !n.supporting_checks.is_empty())
            .unwrap();
        let at = lines
            .iter()
            .position(|l| l.trim_start().starts_with(&format!("{} ", supported.id)))
            .unwrap();
        assert!(
            lines[at]
                .trim_end()
                .ends_with(&format!(" +{}", supported.supporting_checks.len())),
            "{}",
            lines[at]
        );
        assert!(lines[at + 1].trim_start().starts_with("supports: "));
        let a1 = lines.iter().position(|l| l.starts_with("A1 ")).unwrap();
        assert!(lines[a1 + 1].trim_start().starts_with("applies only to "));
        assert!(table.contains("[new in v4]"));
        assert!(table.contains("of them in appendices"));
        assert_eq!(check_count(catalog.get("1.1.1").unwrap()), "");
    }

    #[test]
    fn fit_pads_and_cuts() {
        assert_eq!(fit("ab", 4), "ab  ");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("äöü", 3), "äöü");
    }
}
