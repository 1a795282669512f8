//! Reading a catalog file (TOML) and validating it.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use toml::Spanned;

use super::error::{CatalogError, ListProblem, NodeProblem};
use super::{Catalog, NodeKind, Requirement, Responsibility, id};
use crate::check_registry::{CheckScope, check_def};

/// The file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    id: String,
    name: String,
    description: String,
    requirement_ids: Vec<String>,
    #[serde(default)]
    customized_approach: bool,
    #[serde(default)]
    node: Vec<RawNode>,
}

/// One `[[node]]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNode {
    id: Spanned<String>,
    title: String,
    responsibility: Responsibility,
    guidance: String,
    #[serde(default)]
    evidence: Vec<String>,
    #[serde(default)]
    checks: Vec<String>,
    #[serde(default)]
    supporting_checks: Vec<String>,
    #[serde(default)]
    new_in_v4: bool,
    #[serde(default)]
    future_dated: bool,
    #[serde(default)]
    applies_to: Option<String>,
}

/// Parses and validates a catalog file; see [`Catalog::from_toml`].
pub(super) fn from_toml(text: &str) -> Result<Catalog, CatalogError> {
    let raw: RawCatalog = toml::from_str(text)?;
    let header = |field, value: &str| header_text(value).ok_or(CatalogError::EmptyHeader(field));
    let catalog_id = header("id", &raw.id)?;
    let name = header("name", &raw.name)?;
    let description = header("description", &raw.description)?;
    if raw.node.is_empty() {
        return Err(CatalogError::NoNodes);
    }
    let assessed = assessed_ids(&raw.requirement_ids)?;

    let mut nodes: Vec<Requirement> = Vec::with_capacity(raw.node.len());
    let mut lines: Vec<usize> = Vec::with_capacity(raw.node.len());
    let mut index: HashMap<String, usize> = HashMap::with_capacity(raw.node.len());
    let mut previous: Option<(id::IdParts, String)> = None;
    for raw_node in raw.node {
        let line = line_of(text, raw_node.id.span().start);
        let node_id = raw_node.id.get_ref().clone();
        let fail = |problem| CatalogError::Node {
            line,
            id: node_id.clone(),
            problem,
        };
        let parts = id::parse(&node_id).map_err(|why| fail(NodeProblem::MalformedId(why)))?;
        if let Some(&first) = index.get(&node_id) {
            return Err(fail(NodeProblem::Duplicate {
                first_line: lines[first],
            }));
        }
        if let Some((previous_parts, previous_id)) = &previous
            && parts <= *previous_parts
        {
            return Err(fail(NodeProblem::OutOfOrder {
                previous: previous_id.clone(),
            }));
        }
        let parent = id::parent(&node_id).map(str::to_owned);
        if let Some(parent) = &parent
            && !index.contains_key(parent)
        {
            return Err(fail(NodeProblem::MissingParent {
                parent: parent.clone(),
            }));
        }
        let kind = if parent.is_none() {
            NodeKind::Family
        } else if assessed.contains(node_id.as_str()) {
            NodeKind::Requirement
        } else {
            NodeKind::Group
        };
        let inherited = parent
            .as_ref()
            .and_then(|p| index.get(p))
            .and_then(|&at| nodes[at].applies_to.clone());
        let mut node = build_node(raw_node, node_id.clone(), kind, parent).map_err(fail)?;
        if node.applies_to.is_none() {
            node.applies_to = inherited;
        }
        if let Some(parent) = &node.parent
            && let Some(&parent_at) = index.get(parent)
        {
            nodes[parent_at].children.push(node_id.clone());
        }
        index.insert(node_id.clone(), nodes.len());
        nodes.push(node);
        lines.push(line);
        previous = Some((parts, node_id));
    }

    if let Some(at) = nodes
        .iter()
        .position(|n| n.kind == NodeKind::Group && n.children.is_empty())
    {
        return Err(CatalogError::Node {
            line: lines[at],
            id: nodes[at].id.clone(),
            problem: NodeProblem::EmptyGroup,
        });
    }
    if let Some(missing) = raw
        .requirement_ids
        .iter()
        .find(|listed| !index.contains_key(listed.as_str()))
    {
        return Err(CatalogError::RequirementIds {
            id: missing.clone(),
            problem: ListProblem::NoNode,
        });
    }
    Ok(Catalog {
        id: catalog_id,
        name,
        description,
        customized_approach: raw.customized_approach,
        nodes,
        index,
    })
}

/// The header's list of assessed requirement IDs, checked for duplicates and
/// families.
fn assessed_ids(listed: &[String]) -> Result<HashSet<&str>, CatalogError> {
    let mut assessed = HashSet::with_capacity(listed.len());
    for listed_id in listed {
        let problem = if !assessed.insert(listed_id.as_str()) {
            Some(ListProblem::Duplicate)
        } else if id::parent(listed_id).is_none() {
            Some(ListProblem::Family)
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(CatalogError::RequirementIds {
                id: listed_id.clone(),
                problem,
            });
        }
    }
    Ok(assessed)
}

/// Validates one node's content and turns it into a [`Requirement`].
fn build_node(
    raw: RawNode,
    id: String,
    kind: NodeKind,
    parent: Option<String>,
) -> Result<Requirement, NodeProblem> {
    let title = raw.title.trim();
    if title.is_empty() {
        return Err(NodeProblem::EmptyField("title"));
    }
    if title.contains('\n') {
        return Err(NodeProblem::MultiLineTitle);
    }
    let guidance = reflow(&raw.guidance);
    if guidance.is_empty() {
        return Err(NodeProblem::EmptyField("guidance"));
    }
    let evidence: Vec<String> = raw.evidence.iter().map(|e| reflow(e)).collect();
    if evidence.iter().any(String::is_empty) {
        return Err(NodeProblem::EmptyField("evidence"));
    }
    if kind == NodeKind::Requirement && evidence.is_empty() {
        return Err(NodeProblem::NoEvidence);
    }
    validate_checks(&raw.checks, &raw.supporting_checks, kind)?;
    let applies_to = match raw.applies_to.as_deref().map(str::trim) {
        None => None,
        Some("") => return Err(NodeProblem::EmptyField("applies_to")),
        Some(_) if kind != NodeKind::Family => return Err(NodeProblem::AppliesToBelowFamily),
        Some(text) => Some(text.to_owned()),
    };
    for (set, flag) in [
        (raw.new_in_v4, "new_in_v4"),
        (raw.future_dated, "future_dated"),
    ] {
        if set && kind != NodeKind::Requirement {
            return Err(NodeProblem::FlagOnUnassessed(flag));
        }
    }
    Ok(Requirement {
        id,
        title: title.to_owned(),
        kind,
        responsibility: raw.responsibility,
        guidance,
        evidence,
        checks: raw.checks,
        supporting_checks: raw.supporting_checks,
        new_in_v4: raw.new_in_v4,
        future_dated: raw.future_dated,
        applies_to,
        parent,
        children: Vec::new(),
    })
}

/// Every check must be a known, catalog-mapped (static) check, listed once
/// (in one of the two lists), and families carry none.
fn validate_checks(
    checks: &[String],
    supporting: &[String],
    kind: NodeKind,
) -> Result<(), NodeProblem> {
    if kind == NodeKind::Family && !(checks.is_empty() && supporting.is_empty()) {
        return Err(NodeProblem::ChecksOnFamily);
    }
    if let Some(both) = checks.iter().find(|check| supporting.contains(check)) {
        return Err(NodeProblem::TestingAndSupporting(both.clone()));
    }
    let mut seen = HashSet::with_capacity(checks.len() + supporting.len());
    for check in checks.iter().chain(supporting) {
        match check_def(check) {
            None => return Err(NodeProblem::UnknownCheck(check.clone())),
            Some(def) if def.scope != CheckScope::Static => {
                return Err(NodeProblem::PerRequirementCheck(check.clone()));
            }
            Some(_) => {}
        }
        if !seen.insert(check.as_str()) {
            return Err(NodeProblem::DuplicateCheck(check.clone()));
        }
    }
    Ok(())
}

/// A header value reflowed, or `None` if it is blank.
pub(super) fn header_text(value: &str) -> Option<String> {
    let text = reflow(value);
    (!text.is_empty()).then_some(text)
}

/// The 1-based line of byte `offset` in `text`.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Reflows text written hard-wrapped in the file: single line breaks become
/// spaces, blank lines separate paragraphs (`\n\n`), and a line starting
/// with `- ` starts a list item on its own line.
pub(super) fn reflow(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut new_paragraph = false;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            new_paragraph = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            if new_paragraph {
                out.push_str("\n\n");
            } else if line.starts_with("- ") {
                out.push('\n');
            } else {
                out.push(' ');
            }
        }
        new_paragraph = false;
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflow_joins_lines_and_keeps_paragraphs_and_items() {
        let text = "\nOne line\n  wrapped here.\n\n\nSecond paragraph:\n- item one\n  continued\n- item two\n";
        assert_eq!(
            reflow(text),
            "One line wrapped here.\n\nSecond paragraph:\n- item one continued\n- item two"
        );
        assert_eq!(reflow("  \n \n"), "");
    }

    #[test]
    fn line_numbers_are_one_based() {
        let text = "a\nb\nc";
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, 2), 2);
        assert_eq!(line_of(text, 4), 3);
        assert_eq!(line_of(text, 99), 3);
    }
}
