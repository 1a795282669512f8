//! The bundled sample assessment: every file of `sample-data/` (the fictional
//! Harbourline Payments cluster), embedded in the binary, and [`seed`], which
//! turns it into an assessment with a review in progress, so that a new user
//! sees a full review at once.
//!
//! The review is recorded by a clearly fictional sample auditor profile; its
//! conclusions, notes, attachments and sign-offs are ordinary events of the
//! review record, like any other.

use chrono::{NaiveDate, Utc};

use crate::catalog::Catalog;
use crate::checks::Settings;
use crate::evidence::{self, ImportError};
use crate::store::{
    Actor, Assessment, Finding, NewAssessment, NewProfile, Profile, ReviewInput, Role, Store,
    StoreError,
};

/// One embedded file of the sample.
#[derive(Debug, Clone, Copy)]
pub struct SampleFile {
    /// The path as imported, e.g. `sample-data/azure/aks-cluster.json`.
    pub path: &'static str,
    /// The exact bytes.
    pub bytes: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/sample_files.rs"));

/// The sample assessment's name; it says that it is the sample.
pub const ASSESSMENT_NAME: &str = "Sample: Harbourline Payments (fictional)";

/// The sample's cluster.
pub const CLUSTER: &str = "aks-bu0001a0005-01";

/// The fictional auditor who records the sample's review.
pub const AUDITOR_NAME: &str = "Robin Sample (fictional sample auditor)";

/// The fictional auditor's e-mail address.
pub const AUDITOR_EMAIL: &str = "robin.sample@auditor.example";

/// The embedded file at `path` (e.g. `sample-data/attachments/network-diagram.png`).
pub fn file(path: &str) -> Option<&'static SampleFile> {
    FILES.iter().find(|f| f.path == path)
}

/// What [`seed`] did.
#[derive(Debug)]
pub struct Seeded {
    /// The sample assessment.
    pub assessment: Assessment,
    /// False if it already existed and was left as it was.
    pub created: bool,
    /// Sample files this build's importers cannot read (reported, skipped).
    pub skipped: Vec<ImportError>,
}

/// Creates the sample assessment in `store` (unless one of that name exists):
/// imports every embedded file, evaluates, and records a review in progress
/// by the fictional sample auditor: attachments, conclusions and notes on
/// the network documentation requirements, a few other conclusions, a
/// current sign-off and one that a later note change made stale.
pub fn seed(
    store: &mut Store,
    catalog: &Catalog,
    settings: &Settings,
) -> Result<Seeded, StoreError> {
    if let Some(assessment) = store.assessment(ASSESSMENT_NAME)? {
        return Ok(Seeded {
            assessment,
            created: false,
            skipped: Vec::new(),
        });
    }
    // One unit: a first start killed part-way leaves no half sample behind
    // (the next start seeds it again).
    store.atomically(|store| seed_now(store, catalog, settings))
}

fn seed_now(
    store: &mut Store,
    catalog: &Catalog,
    settings: &Settings,
) -> Result<Seeded, StoreError> {
    let system = Actor::os_user_only();
    let assessment = store.create_sample_assessment(
        &system,
        &NewAssessment {
            name: ASSESSMENT_NAME.to_owned(),
            cluster: CLUSTER.to_owned(),
            period_start: date(2026, 6, 1),
            period_end: date(2026, 11, 30),
            catalog_id: catalog.id.clone(),
        },
    )?;
    let mut skipped = import_files(store, &system, assessment.id)?;
    let (_, problems) = store.evaluate_and_record(&system, assessment.id, catalog, settings)?;
    skipped.extend(problems);
    let auditor = sample_auditor(store, &system)?;
    record_review(
        store,
        &Actor::with_profile(auditor.id),
        assessment.id,
        catalog,
    )?;
    Ok(Seeded {
        assessment,
        created: true,
        skipped,
    })
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

fn import_files(
    store: &mut Store,
    actor: &Actor,
    assessment: i64,
) -> Result<Vec<ImportError>, StoreError> {
    let mut skipped = Vec::new();
    for file in FILES {
        match evidence::import_bytes(file.path, file.bytes, Utc::now()) {
            Ok(imported) => {
                store.import_evidence(actor, assessment, &imported, file.bytes)?;
            }
            Err(e) => {
                log::info!("sample: {e}");
                skipped.push(e);
            }
        }
    }
    Ok(skipped)
}

fn sample_auditor(store: &mut Store, system: &Actor) -> Result<Profile, StoreError> {
    if let Some(existing) = store.profiles()?.into_iter().find(|p| p.sample) {
        return Ok(existing);
    }
    store.create_sample_profile(
        system,
        &NewProfile {
            name: AUDITOR_NAME.to_owned(),
            email: AUDITOR_EMAIL.to_owned(),
            role: Role::Auditor,
        },
    )
}

/// One requirement's part of the sample review.
struct SampleReview {
    requirement: &'static str,
    attachment: Option<&'static str>,
    finding: Finding,
    note: &'static str,
    sign_off: bool,
}

const REVIEWS: &[SampleReview] = &[
    SampleReview {
        requirement: "1.1.2",
        attachment: Some("network-diagram.png"),
        finding: Finding::InPlace,
        note: "The attached diagram shows the hub (`vnet-hub-eastus2`) and the spoke \
(`vnet-spoke-BU0001A0005-01`) with every subnet, the firewall, the gateway and the private \
endpoints.\n\n- Subnets and address ranges match the exported VNets.\n- The node pools sit in \
their own subnets, as the AKS export shows.\n\nWalked through with Network Engineering on \
2026-11-19.",
        sign_off: true,
    },
    SampleReview {
        requirement: "1.1.3",
        attachment: Some("data-flow-diagram.png"),
        finding: Finding::InPlace,
        note: "Cardholder data enters only through the Application Gateway (HTTPS) and flows to \
`web-frontend` and `microservice-a` in `a0005-i`. The out-of-scope namespace `a0005-o` receives \
no card data. The diagram matches the services and network policies exported.",
        sign_off: false,
    },
    SampleReview {
        requirement: "1.1.5",
        attachment: Some("roles-and-responsibilities.md"),
        finding: Finding::InPlace,
        note: "Document NET-RR-A0005 v3.1 names an owning team and an Entra ID group for every \
network segment; privileged roles are eligible-only in PIM. Approved by the CISO on 2026-08-27.",
        sign_off: false,
    },
    SampleReview {
        requirement: "1.1.6",
        attachment: Some("ports-protocols-services.md"),
        finding: Finding::NotInPlace,
        note: "The register justifies every allowed port **except** `AllowAllOutBound` on the \
gateway's NSG (any protocol, any destination), which the automated check also flags.\n\n\
Open finding RR-2026-H2-03, change CHG-48213 due 2026-12-15. Re-test after the change.",
        sign_off: false,
    },
    SampleReview {
        requirement: "1.1.7",
        attachment: Some("firewall-rule-review-2026-H2.md"),
        finding: Finding::InPlace,
        note: "Review RR-2026-H2 was held on 2026-11-19, within six months of RR-2026-H1 \
(2026-05-21). Every rule set was reviewed; three findings are tracked with owners and dates.",
        sign_off: true,
    },
    SampleReview {
        requirement: "1.3.7",
        attachment: None,
        finding: Finding::InPlace,
        note: "Private cluster with a bring-your-own private DNS zone and no public FQDN, as the \
AKS export shows.",
        sign_off: false,
    },
    SampleReview {
        requirement: "10.7",
        attachment: None,
        finding: Finding::InPlace,
        note: "The workspace keeps 90 days online (the automated check fails on that alone); the \
`archive-to-storage` diagnostic setting sends the audit logs to immutable storage kept for 400 \
days. Storage policy seen in the portal with Security Operations.",
        sign_off: false,
    },
    SampleReview {
        requirement: "3.6.4",
        attachment: None,
        finding: Finding::NotTested,
        note: "Only the Key Vault's Bicep template was supplied, in which purge protection is a \
parameter. Asked Security Engineering for `az keyvault show` of the vault.",
        sign_off: false,
    },
];

/// The note amended after 1.1.7 was signed off, which makes that sign-off stale.
const AMENDED_1_1_7: &str = "\n\nAddendum: RR-2026-H2-02 (leaver's Reader assignment) was \
closed on 2026-11-21; see requirement 8.1.3.";

fn record_review(
    store: &mut Store,
    auditor: &Actor,
    assessment: i64,
    catalog: &Catalog,
) -> Result<(), StoreError> {
    for review in REVIEWS {
        if let Some(name) = review.attachment {
            let path = format!("sample-data/attachments/{name}");
            if let Some(file) = file(&path) {
                store.add_attachment(
                    auditor,
                    assessment,
                    catalog,
                    review.requirement,
                    name,
                    None,
                    file.bytes,
                )?;
            }
        }
        store.set_review(
            auditor,
            assessment,
            catalog,
            review.requirement,
            &ReviewInput::defined(Some(review.finding), review.note),
        )?;
        if review.sign_off {
            store.sign_off(
                auditor,
                assessment,
                catalog,
                review.requirement,
                &format!(
                    "I examined the evidence, checks and attachments of {} and agree with the conclusion.",
                    review.requirement
                ),
            )?;
        }
    }
    let amended = REVIEWS
        .iter()
        .find(|r| r.requirement == "1.1.7")
        .map(|r| format!("{}{AMENDED_1_1_7}", r.note))
        .unwrap_or_default();
    store.set_review(
        auditor,
        assessment,
        catalog,
        "1.1.7",
        &ReviewInput::defined(Some(Finding::InPlace), &amended),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Conclusion, SignOffState};

    #[test]
    fn every_visible_sample_file_is_embedded_and_hidden_ones_are_not() {
        assert!(file("sample-data/azure/aks-cluster.json").is_some());
        assert!(file("sample-data/attachments/network-diagram.png").is_some());
        assert!(FILES.iter().all(|f| !f.path.contains("/.")));
        let on_disk = evidence::walk(&[std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/sample-data"
        ))]);
        assert!(on_disk.errors.is_empty(), "{:?}", on_disk.errors);
        assert_eq!(on_disk.files.len(), FILES.len());
    }

    #[test]
    fn seeding_records_a_review_in_progress_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
        let catalog = crate::catalog::pci_dss_321();
        let seeded = seed(&mut store, catalog, &Settings::default()).unwrap();
        assert!(seeded.created);
        let id = seeded.assessment.id;
        assert_eq!(seeded.assessment.cluster, CLUSTER);
        let run = store.latest_run(id).unwrap().unwrap();
        assert_eq!(run.verdicts.len(), 232);
        let state = |r: &str| store.requirement_state(id, r).unwrap();
        assert_eq!(state("1.1.2").sign_off_state, SignOffState::Current);
        assert_eq!(state("1.1.2").attachments.len(), 1);
        let stale = state("1.1.7");
        assert_eq!(stale.sign_off_state, SignOffState::Stale);
        assert_eq!(stale.sign_offs[0].stale_reasons, vec!["note".to_owned()]);
        assert_eq!(
            state("1.1.6").conclusion(),
            Some(Conclusion::defined(Finding::NotInPlace))
        );
        assert_eq!(state("1.1.3").sign_off_state, SignOffState::None);
        let again = seed(&mut store, catalog, &Settings::default()).unwrap();
        assert!(!again.created);
        assert_eq!(again.assessment.id, id);
        assert_eq!(store.assessments().unwrap().len(), 1);
        assert!(store.verify().unwrap().is_intact());
    }
}
