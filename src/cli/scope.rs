//! `tickmark scope PATH... [--format text|json|svg]`: the PCI scope the
//! evidence implies (the `pci-scope` labels, the pools' subnets and any
//! scope file), with the grounds for each part and the declared flows; or
//! the scope diagram as SVG. Nothing is stored.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use super::{Cli, EXIT_OK, EXIT_UNUSABLE, ScopeFormat};
use crate::checks;
use crate::scope::diagram::Diagram;
use crate::scope::{Scope, ScopeClass, ScopeKind, how_to_state_scope, svg};

/// Runs `tickmark scope`.
pub(super) fn run(cli: &Cli, paths: &[PathBuf], format: ScopeFormat) -> ExitCode {
    let settings = match super::load_settings(cli) {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("tickmark scope: {message}");
            return ExitCode::from(EXIT_UNUSABLE);
        }
    };
    let (set, errors) = super::evaluate::import_all(paths);
    let scope = Scope::derive(&set.evidence);
    let mut out = io::stdout().lock();
    let written = match format {
        ScopeFormat::Text => write_text(&mut out, &scope),
        ScopeFormat::Json => serde_json::to_writer_pretty(&mut out, &scope)
            .map_err(io::Error::other)
            .and_then(|()| writeln!(out)),
        ScopeFormat::Svg => {
            let results = checks::evaluate(&set, &settings);
            let diagram = Diagram::build(&set.evidence, &scope, &results);
            out.write_all(svg::render(&diagram, None).as_bytes())
        }
    };
    if let Err(error) = written
        && error.kind() != io::ErrorKind::BrokenPipe
    {
        eprintln!("tickmark scope: cannot write the output: {error}");
        return ExitCode::from(EXIT_UNUSABLE);
    }
    for error in &errors {
        eprintln!("tickmark scope: {error}");
    }
    if errors.is_empty() {
        ExitCode::from(EXIT_OK)
    } else {
        ExitCode::from(EXIT_UNUSABLE)
    }
}

fn write_text(out: &mut dyn Write, scope: &Scope) -> io::Result<()> {
    if !scope.is_known() {
        writeln!(out, "{}", how_to_state_scope())?;
    }
    for kind in ScopeKind::ALL {
        let entries: Vec<_> = scope.of_kind(kind).collect();
        if entries.is_empty() {
            continue;
        }
        let [inside, connected, outside, unknown] = scope.counts(kind);
        writeln!(
            out,
            "\n{}s: {inside} in scope, {connected} connected, {outside} out of scope, {unknown} not stated",
            capitalise(kind.label())
        )?;
        for entry in entries {
            let class = entry.class.map_or("not stated", ScopeClass::label);
            let grounds = match entry.deciding() {
                Some(g) => {
                    let at = g
                        .source
                        .as_ref()
                        .map(|s| format!(" ({} {})", s.path, s.pointer))
                        .unwrap_or_default();
                    format!("{}{at}", g.says)
                }
                None => String::new(),
            };
            writeln!(out, "  {:<34} {:<16} {grounds}", entry.name, class)?;
        }
    }
    if !scope.flows.is_empty() {
        writeln!(out, "\nDeclared flows across the boundary:")?;
        for flow in &scope.flows {
            writeln!(
                out,
                "  {}: {} ({} {})",
                flow.describe(),
                flow.why,
                flow.source.path,
                flow.source.pointer
            )?;
        }
    }
    Ok(())
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
