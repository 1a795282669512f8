//! A crosswalk between two catalogs' numberings (PCI DSS 3.2.1 → 4.0.1):
//! typed many-to-many links, looked up from either side.
//!
//! The file (`assets/crosswalk/<from>--<to>.toml`) has a header `from`, `to`,
//! `description` and one `[[link]]` per link: `from` (an assessed
//! requirement of the `from` catalog), `to` (one of the `to` catalog),
//! `kind` (`same`, `merged`, `split` or `related`), `judgement` (true where
//! the link is Tickmark's judgement rather than the PCI SSC's published
//! summary of changes) and an optional one-line `note`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::error::{CrosswalkError, LinkProblem};
use super::load::{header_text, line_of};
use super::{Catalog, NodeKind};

/// How a requirement of one catalog relates to one of the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// The same requirement, renumbered or reworded.
    Same,
    /// Several earlier requirements were merged into this one.
    Merged,
    /// One earlier requirement was split into several.
    Split,
    /// The two overlap in meaning, without one replacing the other.
    Related,
}

impl LinkKind {
    /// The stable ID used in files and JSON: `same`, `merged`, `split`,
    /// `related`.
    pub fn id(self) -> &'static str {
        match self {
            LinkKind::Same => "same",
            LinkKind::Merged => "merged",
            LinkKind::Split => "split",
            LinkKind::Related => "related",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            LinkKind::Same => "Same requirement",
            LinkKind::Merged => "Merged",
            LinkKind::Split => "Split",
            LinkKind::Related => "Related",
        }
    }

    /// True for the kinds that make the earlier requirement a predecessor
    /// of the later one (all but `related`).
    pub fn is_succession(self) -> bool {
        self != LinkKind::Related
    }
}

/// Which end of a crosswalk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The `from` catalog (the earlier one, 3.2.1).
    From,
    /// The `to` catalog (the later one, 4.0.1).
    To,
}

impl Side {
    /// `from` or `to`, as in the file.
    pub fn key(self) -> &'static str {
        match self {
            Side::From => "from",
            Side::To => "to",
        }
    }
}

/// One link: requirement `from` of the `from` catalog relates to
/// requirement `to` of the `to` catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The requirement ID in the `from` catalog.
    pub from: String,
    /// The requirement ID in the `to` catalog.
    pub to: String,
    /// How they relate.
    pub kind: LinkKind,
    /// True where the link is Tickmark's judgement, not established by the
    /// PCI SSC's summary of changes.
    pub judgement: bool,
    /// A one-line note, if any.
    pub note: Option<String>,
}

impl Link {
    /// The ID at `side`.
    pub fn id_at(&self, side: Side) -> &str {
        match side {
            Side::From => &self.from,
            Side::To => &self.to,
        }
    }
}

/// The links between two catalogs.
#[derive(Debug, Clone, PartialEq)]
pub struct Crosswalk {
    /// The earlier catalog's ID (`pci-dss-3.2.1`).
    pub from: String,
    /// The later catalog's ID (`pci-dss-4.0.1`).
    pub to: String,
    /// How the crosswalk was built, in a few sentences.
    pub description: String,
    /// Every link, in file order.
    pub links: Vec<Link>,
    by_from: HashMap<String, Vec<usize>>,
    by_to: HashMap<String, Vec<usize>>,
}

/// The file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCrosswalk {
    from: String,
    to: String,
    description: String,
    #[serde(default)]
    link: Vec<RawLink>,
}

/// One `[[link]]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLink {
    from: Spanned<String>,
    to: String,
    kind: LinkKind,
    #[serde(default)]
    judgement: bool,
    #[serde(default)]
    note: Option<String>,
}

impl Crosswalk {
    /// Parses and validates a crosswalk file; `catalog` finds a catalog by
    /// its ID (e.g. [`super::builtin`]).
    ///
    /// Checks that the header is complete and names two different known
    /// catalogs; that every link joins an assessed requirement of the `from`
    /// catalog to one of the `to` catalog, appears once, and has a one-line
    /// note if any; and that every requirement of the `to` catalog that is
    /// not flagged `new_in_v4` is reached by at least one link.
    pub fn from_toml<'c>(
        text: &str,
        catalog: impl Fn(&str) -> Option<&'c Catalog>,
    ) -> Result<Crosswalk, CrosswalkError> {
        let raw: RawCrosswalk = toml::from_str(text)?;
        let header =
            |field, value: &str| header_text(value).ok_or(CrosswalkError::EmptyHeader(field));
        let from_id = header("from", &raw.from)?;
        let to_id = header("to", &raw.to)?;
        let description = header("description", &raw.description)?;
        if from_id == to_id {
            return Err(CrosswalkError::SameCatalog(from_id));
        }
        let known = |side: Side, id: &str| {
            catalog(id).ok_or_else(|| CrosswalkError::UnknownCatalog {
                side: side.key(),
                id: id.to_owned(),
            })
        };
        let from_catalog = known(Side::From, &from_id)?;
        let to_catalog = known(Side::To, &to_id)?;
        if raw.link.is_empty() {
            return Err(CrosswalkError::NoLinks);
        }
        let mut crosswalk = Crosswalk {
            from: from_id,
            to: to_id,
            description,
            links: Vec::with_capacity(raw.link.len()),
            by_from: HashMap::new(),
            by_to: HashMap::new(),
        };
        let mut lines: HashMap<(String, String), usize> = HashMap::new();
        for raw_link in raw.link {
            let line = line_of(text, raw_link.from.span().start);
            let link = Link {
                from: raw_link.from.into_inner(),
                to: raw_link.to,
                kind: raw_link.kind,
                judgement: raw_link.judgement,
                note: raw_link.note.map(|note| note.trim().to_owned()),
            };
            let fail = |problem| CrosswalkError::Link {
                line,
                from: link.from.clone(),
                to: link.to.clone(),
                problem,
            };
            check_link(&link, from_catalog, to_catalog).map_err(fail)?;
            let key = (link.from.clone(), link.to.clone());
            if let Some(&first_line) = lines.get(&key) {
                return Err(fail(LinkProblem::Duplicate { first_line }));
            }
            lines.insert(key, line);
            crosswalk.push(link);
        }
        crosswalk.check_new_requirements(to_catalog)?;
        Ok(crosswalk)
    }

    fn push(&mut self, link: Link) {
        let at = self.links.len();
        self.by_from.entry(link.from.clone()).or_default().push(at);
        self.by_to.entry(link.to.clone()).or_default().push(at);
        self.links.push(link);
    }

    /// Every requirement of the `to` catalog that no link reaches is
    /// flagged new. (A requirement flagged new may still have links: v4
    /// counts some requirements as new that grew out of a 3.2.1 one.)
    fn check_new_requirements(&self, to_catalog: &Catalog) -> Result<(), CrosswalkError> {
        match to_catalog
            .requirements()
            .find(|node| !node.new_in_v4 && self.links_to(&node.id).next().is_none())
        {
            Some(node) => Err(CrosswalkError::Untraced(node.id.clone())),
            None => Ok(()),
        }
    }

    /// The links from requirement `id` of the `from` catalog, in file order.
    pub fn links_from<'a>(&'a self, id: &str) -> impl Iterator<Item = &'a Link> + use<'a> {
        self.indexed(&self.by_from, id)
    }

    /// The links to requirement `id` of the `to` catalog, in file order.
    pub fn links_to<'a>(&'a self, id: &str) -> impl Iterator<Item = &'a Link> + use<'a> {
        self.indexed(&self.by_to, id)
    }

    fn indexed<'a>(
        &'a self,
        index: &'a HashMap<String, Vec<usize>>,
        id: &str,
    ) -> impl Iterator<Item = &'a Link> + use<'a> {
        index
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|&at| self.links.get(at))
    }

    /// Which side catalog `catalog_id` is on (`None` if it is neither).
    pub fn side_of(&self, catalog_id: &str) -> Option<Side> {
        if catalog_id == self.from {
            Some(Side::From)
        } else if catalog_id == self.to {
            Some(Side::To)
        } else {
            None
        }
    }

    /// The links of requirement `id` of catalog `catalog_id`, from whichever
    /// side that catalog is on, each with the requirement ID on the other
    /// side: for a 4.0.1 requirement its 3.2.1 predecessors, for a 3.2.1
    /// requirement its 4.0.1 successors. Empty if the catalog is neither.
    pub fn counterparts<'a>(&'a self, catalog_id: &str, id: &str) -> Vec<(&'a str, &'a Link)> {
        match self.side_of(catalog_id) {
            Some(Side::From) => self
                .links_from(id)
                .map(|link| (link.to.as_str(), link))
                .collect(),
            Some(Side::To) => self
                .links_to(id)
                .map(|link| (link.from.as_str(), link))
                .collect(),
            None => Vec::new(),
        }
    }
}

/// A link's IDs are assessed requirements of their catalogs and its note is
/// one non-empty line.
fn check_link(link: &Link, from: &Catalog, to: &Catalog) -> Result<(), LinkProblem> {
    for (side, catalog, id) in [(Side::From, from, &link.from), (Side::To, to, &link.to)] {
        if !catalog
            .get(id)
            .is_some_and(|node| node.kind == NodeKind::Requirement)
        {
            return Err(LinkProblem::NotAssessed {
                side: side.key(),
                catalog: catalog.name.clone(),
            });
        }
    }
    match link.note.as_deref() {
        Some("") => Err(LinkProblem::EmptyNote),
        Some(note) if note.contains('\n') => Err(LinkProblem::MultiLineNote),
        _ => Ok(()),
    }
}
