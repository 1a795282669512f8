//! The built-in frameworks: every catalog file of `assets/catalog/` and
//! every crosswalk file of `assets/crosswalk/`, embedded by `build.rs` and
//! parsed on first use.

use std::sync::LazyLock;

use super::{Catalog, Crosswalk};

/// A file embedded in the binary.
pub(crate) struct EmbeddedFile {
    /// Its path in the repository, e.g. `assets/catalog/pci-dss-3.2.1.toml`.
    pub path: &'static str,
    /// Its text.
    pub text: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/catalog_files.rs"));
include!(concat!(env!("OUT_DIR"), "/crosswalk_files.rs"));

/// The ID of the built-in PCI DSS 3.2.1 catalog.
pub const PCI_DSS_321_ID: &str = "pci-dss-3.2.1";

/// The ID of the built-in PCI DSS 4.0.1 catalog.
pub const PCI_DSS_401_ID: &str = "pci-dss-4.0.1";

/// The catalog new assessments and `tickmark evaluate` use unless told
/// otherwise: PCI DSS 4.0.1, the only version an assessment may be made
/// against since 3.2.1 was retired (31 March 2024).
pub const DEFAULT_CATALOG_ID: &str = PCI_DSS_401_ID;

/// The PCI DSS 3.2.1 catalog file, as embedded in the binary.
pub const PCI_DSS_321_TOML: &str = include_str!("../../assets/catalog/pci-dss-3.2.1.toml");

static CATALOGS: LazyLock<Vec<Catalog>> = LazyLock::new(|| {
    CATALOG_FILES
        .iter()
        .map(|file| {
            // The embedded files are validated by the test suite; a failure
            // here is a build defect, not bad user input.
            Catalog::from_toml(file.text)
                .unwrap_or_else(|error| panic!("the embedded {} is invalid: {error}", file.path))
        })
        .collect()
});

static CROSSWALKS: LazyLock<Vec<Crosswalk>> = LazyLock::new(|| {
    CROSSWALK_FILES
        .iter()
        .map(|file| {
            // As above: validated by the test suite against the catalogs.
            Crosswalk::from_toml(file.text, builtin)
                .unwrap_or_else(|error| panic!("the embedded {} is invalid: {error}", file.path))
        })
        .collect()
});

/// Every built-in catalog, in file-name order.
pub fn builtins() -> &'static [Catalog] {
    &CATALOGS
}

/// The IDs of the built-in catalogs, in file-name order
/// (`pci-dss-3.2.1`, `pci-dss-4.0.1`).
pub fn builtin_ids() -> Vec<&'static str> {
    builtins()
        .iter()
        .map(|catalog| catalog.id.as_str())
        .collect()
}

/// A built-in catalog by its ID (e.g. `pci-dss-4.0.1`).
pub fn builtin(id: &str) -> Option<&'static Catalog> {
    builtins().iter().find(|catalog| catalog.id == id)
}

/// The built-in PCI DSS 3.2.1 catalog (parsed on first use).
pub fn pci_dss_321() -> &'static Catalog {
    // The 3.2.1 file is embedded by `include_str!` above, so it is always
    // among the built-ins.
    builtin(PCI_DSS_321_ID).expect("the PCI DSS 3.2.1 catalog is built in")
}

/// The catalog for new assessments ([`DEFAULT_CATALOG_ID`]), or, in a build
/// without it, the newest built-in one.
pub fn default_catalog() -> &'static Catalog {
    builtin(DEFAULT_CATALOG_ID)
        .or_else(|| builtins().last())
        .unwrap_or_else(pci_dss_321)
}

/// Every built-in crosswalk, in file-name order.
pub fn builtin_crosswalks() -> &'static [Crosswalk] {
    &CROSSWALKS
}

/// The built-in crosswalk from catalog `from` to catalog `to`, in that
/// direction.
pub fn builtin_crosswalk(from: &str, to: &str) -> Option<&'static Crosswalk> {
    builtin_crosswalks()
        .iter()
        .find(|crosswalk| crosswalk.from == from && crosswalk.to == to)
}

/// The built-in crosswalk that joins catalogs `a` and `b`, whichever way it
/// was written; look links up from either side with [`Crosswalk::links_of`].
pub fn crosswalk_between(a: &str, b: &str) -> Option<&'static Crosswalk> {
    builtin_crosswalk(a, b).or_else(|| builtin_crosswalk(b, a))
}
