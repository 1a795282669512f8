//! What can be wrong with a catalog file.

use thiserror::Error;

/// A catalog file that cannot be used, and why.
///
/// Errors about a node name the node's ID and the line where its `id` is;
/// the caller adds the file name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CatalogError {
    /// Not valid TOML, or a key of the wrong type, missing or unknown
    /// (the message carries the line and column).
    #[error("not a valid catalog: {0}")]
    Syntax(#[from] toml::de::Error),
    /// A required header key is empty.
    #[error("catalog header: `{0}` is empty")]
    EmptyHeader(&'static str),
    /// The file has no `[[node]]` tables.
    #[error("catalog has no nodes")]
    NoNodes,
    /// Something is wrong with one node.
    #[error("line {line}: node `{id}`: {problem}")]
    Node {
        /// The 1-based line of the node's `id`.
        line: usize,
        /// The node's ID as written.
        id: String,
        /// What is wrong.
        problem: NodeProblem,
    },
    /// Something is wrong with the header's `requirement_ids` list.
    #[error("requirement_ids: `{id}` {problem}")]
    RequirementIds {
        /// The listed ID.
        id: String,
        /// What is wrong.
        problem: ListProblem,
    },
}

/// What is wrong with one node.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NodeProblem {
    /// The ID is not dot-separated numbers such as `1.2.3` (or `A1.2.3`).
    #[error("the ID is not of the form 1.2.3 or A1.2.3 ({0})")]
    MalformedId(String),
    /// Another node has the same ID.
    #[error("the ID is used twice (first on line {first_line})")]
    Duplicate {
        /// The line of the first node with this ID.
        first_line: usize,
    },
    /// The node does not come after the previous one in numeric order.
    #[error("out of order: it must come after `{previous}` in numeric order (1.9 before 1.10)")]
    OutOfOrder {
        /// The ID of the node before it in the file.
        previous: String,
    },
    /// The node's parent (its ID without the last part) is not in the file.
    #[error("its parent `{parent}` is missing")]
    MissingParent {
        /// The parent ID that should exist.
        parent: String,
    },
    /// A text field is empty.
    #[error("`{0}` is empty")]
    EmptyField(&'static str),
    /// The title spans more than one line.
    #[error("`title` must be a single line")]
    MultiLineTitle,
    /// An assessed requirement says nothing about its evidence.
    #[error("an assessed requirement needs at least one `evidence` entry")]
    NoEvidence,
    /// A check ID that no check has.
    #[error("unknown check `{0}`")]
    UnknownCheck(String),
    /// A check whose results name their requirements themselves.
    #[error("check `{0}` maps itself to requirements (per-requirement scope) and cannot be listed")]
    PerRequirementCheck(String),
    /// The same check is listed twice.
    #[error("check `{0}` is listed twice")]
    DuplicateCheck(String),
    /// A check listed both as testing and as supporting the node.
    #[error("check `{0}` is listed in both `checks` and `supporting_checks`")]
    TestingAndSupporting(String),
    /// A family lists checks.
    #[error("a family cannot carry checks; list them on its requirements")]
    ChecksOnFamily,
    /// `applies_to` on a node that is not a family (it is set on an
    /// appendix and inherited below it).
    #[error(
        "`applies_to` belongs on a family (an appendix such as A1); the nodes below inherit it"
    )]
    AppliesToBelowFamily,
    /// A flag that only an assessed requirement may carry.
    #[error("`{0}` is only for assessed requirements (IDs listed in `requirement_ids`)")]
    FlagOnUnassessed(&'static str),
    /// A node that is neither assessed nor a parent of anything.
    #[error(
        "it is not in `requirement_ids` and has no children, so it is neither a requirement nor a group"
    )]
    EmptyGroup,
}

/// What is wrong with an entry of `requirement_ids`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ListProblem {
    /// Listed more than once.
    #[error("is listed twice")]
    Duplicate,
    /// Listed, but there is no node with this ID.
    #[error("has no `[[node]]`")]
    NoNode,
    /// A top-level ID (a family) is listed.
    #[error("is a family, which is never an assessed requirement")]
    Family,
}

/// A crosswalk file that cannot be used, and why.
///
/// Errors about a link name its IDs and the line of its `from`; the caller
/// adds the file name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CrosswalkError {
    /// Not valid TOML, or a key of the wrong type, missing or unknown
    /// (the message carries the line and column).
    #[error("not a valid crosswalk: {0}")]
    Syntax(#[from] toml::de::Error),
    /// A required header key is empty.
    #[error("crosswalk header: `{0}` is empty")]
    EmptyHeader(&'static str),
    /// `from` and `to` name the same catalog.
    #[error("crosswalk header: `from` and `to` are both `{0}`")]
    SameCatalog(String),
    /// The header names a catalog that is not known.
    #[error("crosswalk header: `{side}` names `{id}`, which is not a known catalog")]
    UnknownCatalog {
        /// `from` or `to`.
        side: &'static str,
        /// The catalog ID as written.
        id: String,
    },
    /// The file has no `[[link]]` tables.
    #[error("crosswalk has no links")]
    NoLinks,
    /// Something is wrong with one link.
    #[error("line {line}: link `{from}` → `{to}`: {problem}")]
    Link {
        /// The 1-based line of the link's `from`.
        line: usize,
        /// The `from` ID as written.
        from: String,
        /// The `to` ID as written.
        to: String,
        /// What is wrong.
        problem: LinkProblem,
    },
    /// A requirement of the later catalog that no link reaches and that is
    /// not flagged new.
    #[error(
        "requirement `{0}` of the later catalog has no link and is not flagged new_in_v4; link it or flag it"
    )]
    Untraced(String),
}

/// What is wrong with one crosswalk link.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LinkProblem {
    /// An ID that is not an assessed requirement of its catalog.
    #[error("`{side}` is not an assessed requirement of {catalog}")]
    NotAssessed {
        /// `from` or `to`.
        side: &'static str,
        /// The catalog's name.
        catalog: String,
    },
    /// The same pair of IDs is linked twice.
    #[error("the same two requirements are linked twice (first on line {first_line})")]
    Duplicate {
        /// The line of the first link.
        first_line: usize,
    },
    /// An empty note.
    #[error("`note` is empty (leave it out instead)")]
    EmptyNote,
    /// A note of several lines.
    #[error("`note` must be a single line")]
    MultiLineNote,
}
