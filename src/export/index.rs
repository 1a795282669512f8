//! The evidence index of a workpaper: every evidence file and attachment of
//! the assessment under its reference (E-1, E-2, ...), with its hash, when
//! it was collected or imported, who brought it in, which requirements use
//! it and whether it is still current. The HTML report, the XLSX workpaper
//! and the CSV all cite evidence by these references.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::store::{AttachmentMeta, EvidenceFile, Person, reference_label};

use super::view::View;

/// What an index entry is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Item<'a> {
    /// An imported evidence file.
    File(&'a EvidenceFile),
    /// A document attached to a requirement.
    Attachment(&'a AttachmentMeta),
}

/// One line of the evidence index.
#[derive(Debug, Clone)]
pub(crate) struct Entry<'a> {
    /// The reference number (`E-3` is 3).
    pub number: i64,
    /// The file or attachment.
    pub item: Item<'a>,
    /// The requirements that use it, in catalog order: those whose latest
    /// results cite the file, or the requirement an attachment documents.
    pub used_by: Vec<&'a str>,
}

impl<'a> Entry<'a> {
    /// `E-3`.
    pub fn label(&self) -> String {
        reference_label(self.number)
    }

    /// `Evidence file` or `Attachment`.
    pub fn kind(&self) -> &'static str {
        match self.item {
            Item::File(_) => "Evidence file",
            Item::Attachment(_) => "Attachment",
        }
    }

    /// The file's path as imported, or the attachment's file name.
    pub fn name(&self) -> &'a str {
        match self.item {
            Item::File(f) => &f.provenance.path,
            Item::Attachment(a) => &a.file_name,
        }
    }

    /// The evidence format's label, or the attachment's media type.
    pub fn format(&self) -> &'a str {
        match self.item {
            Item::File(f) => f.provenance.format.label(),
            Item::Attachment(a) => &a.media_type,
        }
    }

    /// SHA-256 of the bytes.
    pub fn sha256(&self) -> &'a str {
        match self.item {
            Item::File(f) => &f.provenance.sha256,
            Item::Attachment(a) => &a.sha256,
        }
    }

    /// Size in bytes.
    pub fn size(&self) -> u64 {
        match self.item {
            Item::File(f) => f.provenance.size,
            Item::Attachment(a) => a.size,
        }
    }

    /// When a collection manifest says the file was collected.
    pub fn collected(&self) -> Option<DateTime<Utc>> {
        match self.item {
            Item::File(f) => f.provenance.custody.as_ref().map(|c| c.collected_at),
            Item::Attachment(_) => None,
        }
    }

    /// When it entered the record (imported or attached).
    pub fn added(&self) -> DateTime<Utc> {
        match self.item {
            Item::File(f) => f.provenance.imported_at,
            Item::Attachment(a) => a.added_at,
        }
    }

    /// Who imported or attached it.
    pub fn added_by(&self) -> &'a Person {
        match self.item {
            Item::File(f) => &f.imported_by,
            Item::Attachment(a) => &a.added_by,
        }
    }

    /// Whether it still counts: a replaced file or a withdrawn attachment
    /// does not.
    pub fn is_current(&self) -> bool {
        match self.item {
            Item::File(f) => f.superseded_by.is_none(),
            Item::Attachment(a) => a.withdrawn.is_none(),
        }
    }
}

/// The evidence index of a view, in reference order.
#[derive(Debug, Clone, Default)]
pub(crate) struct EvidenceIndex<'a> {
    /// Every entry, by reference.
    pub entries: Vec<Entry<'a>>,
    /// Evidence file or attachment ID → reference number.
    numbers: BTreeMap<i64, i64>,
}

impl<'a> EvidenceIndex<'a> {
    /// The index of `view`'s record. Records exported before references
    /// existed (every number 0) are numbered as the review record numbers
    /// them: by event, files and attachments together.
    pub fn of(view: &View<'a>) -> EvidenceIndex<'a> {
        let record = view.record;
        let mut items: Vec<(i64, i64, Item<'a>)> = record
            .files
            .iter()
            .map(|f| (f.reference, f.id, Item::File(f)))
            .chain(
                record
                    .requirements
                    .iter()
                    .flat_map(|s| s.attachments.iter())
                    .map(|a| (a.reference, a.id, Item::Attachment(a))),
            )
            .collect();
        items.sort_by_key(|(_, id, _)| *id);
        if items.iter().any(|(number, ..)| *number == 0) {
            for (at, item) in items.iter_mut().enumerate() {
                item.0 = at as i64 + 1;
            }
        }
        items.sort_by_key(|(number, ..)| *number);
        let mut used: BTreeMap<i64, BTreeSet<usize>> = BTreeMap::new();
        for (at, row) in view.rows.iter().enumerate() {
            for file in view.cited_files(row) {
                used.entry(file.id).or_default().insert(at);
            }
            for attachment in row.attachments() {
                used.entry(attachment.id).or_default().insert(at);
            }
        }
        let numbers = items.iter().map(|(n, id, _)| (*id, *n)).collect();
        let entries = items
            .into_iter()
            .map(|(number, id, item)| Entry {
                number,
                item,
                used_by: used
                    .get(&id)
                    .map(|rows| rows.iter().map(|&at| view.rows[at].id()).collect())
                    .unwrap_or_default(),
            })
            .collect();
        EvidenceIndex { entries, numbers }
    }

    /// The reference number of an evidence file or attachment (by ID).
    pub fn number(&self, id: i64) -> Option<i64> {
        self.numbers.get(&id).copied()
    }

    /// The entry of a reference number.
    pub fn entry(&self, number: i64) -> Option<&Entry<'a>> {
        self.entries
            .binary_search_by_key(&number, |e| e.number)
            .ok()
            .map(|at| &self.entries[at])
    }

    /// What happened to an entry since it came in: `Replaced by E-9`,
    /// `Withdrawn: reason`, or empty while current.
    pub fn status(&self, entry: &Entry<'_>) -> String {
        match entry.item {
            Item::File(f) => match f.superseded_by {
                Some(later) => match self.number(later) {
                    Some(n) => format!("Replaced by {}", reference_label(n)),
                    None => "Replaced".to_owned(),
                },
                None => String::new(),
            },
            Item::Attachment(a) => a
                .withdrawn
                .as_ref()
                .map(|w| format!("Withdrawn: {}", w.reason))
                .unwrap_or_default(),
        }
    }
}

/// The references a requirement row uses: the files its checks cite and
/// its attachments that are not withdrawn, in reference order.
pub(crate) fn row_references(
    view: &View<'_>,
    index: &EvidenceIndex<'_>,
    row: &super::view::Row<'_>,
) -> Vec<i64> {
    let mut out: Vec<i64> = view
        .cited_files(row)
        .iter()
        .map(|f| f.id)
        .chain(row.current_attachments().map(|a| a.id))
        .filter_map(|id| index.number(id))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}
