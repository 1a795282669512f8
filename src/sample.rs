//! The bundled sample (`sample-data/`, the fictional Harbourline Payments
//! cluster, embedded in the binary) and [`seed`], which turns it into what a
//! user meets in 2026: an earlier-period assessment against PCI DSS 3.2.1,
//! concluded, signed off and approved by a fictional security lead, and the
//! current assessment against PCI DSS 4.0.1 started from it (its evidence
//! carried forward, the new boundary evidence imported on top, its prior
//! period shown beside each requirement) with a review in progress by a
//! fictional auditor. The app opens the current one.
//!
//! Everything is recorded as ordinary events of the review record, by
//! clearly fictional sample profiles.

use chrono::{NaiveDate, Utc};

use crate::catalog::{self, Catalog};
use crate::checks::Settings;
use crate::evidence::{self, ImportError};
use crate::store::{
    Actor, ApprovalOverride, Assessment, Finding, NewAssessment, NewProfile, Profile, ReviewInput,
    Role, Store, StoreError,
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

/// The current sample assessment's name (PCI DSS 4.0.1); it says that it
/// is the sample.
pub const ASSESSMENT_NAME: &str = "Sample: Harbourline Payments 2026 (fictional)";

/// The earlier-period sample assessment's name (PCI DSS 3.2.1, approved).
pub const EARLIER_ASSESSMENT_NAME: &str =
    "Sample: Harbourline Payments 2023-24, PCI DSS 3.2.1 (fictional)";

/// The sample's cluster.
pub const CLUSTER: &str = "aks-bu0001a0005-01";

/// The fictional auditor who records the sample's reviews.
pub const AUDITOR_NAME: &str = "Robin Sample (fictional sample auditor)";

/// The fictional auditor's e-mail address.
pub const AUDITOR_EMAIL: &str = "robin.sample@auditor.example";

/// The fictional security lead who approved the earlier assessment.
pub const LEAD_NAME: &str = "Morgan Sample (fictional sample security lead)";

/// The fictional security lead's e-mail address.
pub const LEAD_EMAIL: &str = "morgan.sample@harbourline.example";

/// The files the boundary work of 2026 added (nodes, mesh policies, the
/// scope file): the earlier period's evidence does not have them.
const ADDED_IN_2026: [&str; 3] = [
    "sample-data/kubernetes/nodes.json",
    "sample-data/kubernetes/peerauthentications.json",
    "sample-data/tickmark-scope.toml",
];

/// The embedded file at `path` (e.g. `sample-data/attachments/network-diagram.png`).
pub fn file(path: &str) -> Option<&'static SampleFile> {
    FILES.iter().find(|f| f.path == path)
}

/// What [`seed`] did.
#[derive(Debug)]
pub struct Seeded {
    /// The current sample assessment (PCI DSS 4.0.1), the one to open.
    pub assessment: Assessment,
    /// The earlier-period assessment (PCI DSS 3.2.1) it was started from.
    pub earlier: Assessment,
    /// False if the current one already existed and was left as it was.
    pub created: bool,
    /// Sample files this build's importers cannot read (reported, skipped).
    pub skipped: Vec<ImportError>,
}

/// Creates the sample in `store` (unless the current sample assessment
/// exists): the earlier 3.2.1 assessment with its evidence, concluded
/// reviews, sign-offs and the lead's approval; then the current 4.0.1
/// assessment started from it, the 2026 files imported, evaluated, and a
/// review in progress on 4.0.1 requirements: attachments, findings and
/// notes, a current sign-off and one a later note change made stale.
pub fn seed(store: &mut Store, settings: &Settings) -> Result<Seeded, StoreError> {
    if let Some(assessment) = store.assessment(ASSESSMENT_NAME)? {
        let earlier = match store.assessment(EARLIER_ASSESSMENT_NAME)? {
            Some(earlier) => earlier,
            None => assessment.clone(),
        };
        return Ok(Seeded {
            assessment,
            earlier,
            created: false,
            skipped: Vec::new(),
        });
    }
    // One unit: a first start killed part-way leaves no half sample behind
    // (the next start seeds it again).
    store.atomically(|store| seed_now(store, settings))
}

fn seed_now(store: &mut Store, settings: &Settings) -> Result<Seeded, StoreError> {
    let earlier_catalog = catalog::pci_dss_321();
    let current_catalog = catalog::builtin(catalog::PCI_DSS_401_ID)
        .ok_or_else(|| StoreError::Invalid("the PCI DSS 4.0.1 catalog is not built in".into()))?;
    let system = Actor::os_user_only();
    let auditor = Actor::with_profile(
        sample_profile(store, &system, AUDITOR_NAME, AUDITOR_EMAIL, Role::Auditor)?.id,
    );
    let lead = Actor::with_profile(
        sample_profile(store, &system, LEAD_NAME, LEAD_EMAIL, Role::SecurityLead)?.id,
    );

    let earlier = match store.assessment(EARLIER_ASSESSMENT_NAME)? {
        Some(earlier) => earlier,
        None => {
            let earlier = store.create_sample_assessment(
                &system,
                &NewAssessment {
                    name: EARLIER_ASSESSMENT_NAME.to_owned(),
                    cluster: CLUSTER.to_owned(),
                    period_start: date(2023, 10, 1),
                    period_end: date(2024, 3, 31),
                    catalog_id: earlier_catalog.id.clone(),
                },
            )?;
            import_files(store, &system, earlier.id, |path| {
                !ADDED_IN_2026.contains(&path)
            })?;
            store.evaluate_and_record(&system, earlier.id, earlier_catalog, settings)?;
            record_reviews(
                store,
                &auditor,
                earlier.id,
                earlier_catalog,
                EARLIER_REVIEWS,
            )?;
            // The sample records eight requirements: the fictional lead
            // approves over the others with an override naming each.
            let open = store.approval_gate(earlier.id, earlier_catalog, None)?.open;
            store.approve(
                &lead,
                earlier.id,
                earlier_catalog,
                "I approve the 2023-24 assessment of the Harbourline Payments cluster against PCI DSS 3.2.1 (fictional sample).",
                Some(&ApprovalOverride {
                    justification: "The sample records eight requirements; in this fictional assessment the others were concluded in the report on compliance's own worksheets.".to_owned(),
                    items: open,
                }),
                None,
            )?;
            earlier
        }
    };

    let (assessment, _) = store.start_sample_from(
        &system,
        earlier.id,
        &NewAssessment {
            name: ASSESSMENT_NAME.to_owned(),
            cluster: CLUSTER.to_owned(),
            period_start: date(2026, 6, 1),
            period_end: date(2026, 11, 30),
            catalog_id: current_catalog.id.clone(),
        },
    )?;
    let mut skipped = import_files(store, &system, assessment.id, |path| {
        ADDED_IN_2026.contains(&path)
    })?;
    let (_, problems) =
        store.evaluate_and_record(&system, assessment.id, current_catalog, settings)?;
    skipped.extend(problems);
    record_reviews(
        store,
        &auditor,
        assessment.id,
        current_catalog,
        CURRENT_REVIEWS,
    )?;
    amend_after_sign_off(store, &auditor, assessment.id, current_catalog)?;
    Ok(Seeded {
        assessment,
        earlier,
        created: true,
        skipped,
    })
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

/// Imports the embedded files `wanted` picks into `assessment`.
fn import_files(
    store: &mut Store,
    actor: &Actor,
    assessment: i64,
    wanted: impl Fn(&str) -> bool,
) -> Result<Vec<ImportError>, StoreError> {
    let mut skipped = Vec::new();
    for file in FILES.iter().filter(|f| wanted(f.path)) {
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

fn sample_profile(
    store: &mut Store,
    system: &Actor,
    name: &str,
    email: &str,
    role: Role,
) -> Result<Profile, StoreError> {
    if let Some(existing) = store.profiles()?.into_iter().find(|p| p.name == name) {
        return Ok(existing);
    }
    store.create_sample_profile(
        system,
        &NewProfile {
            name: name.to_owned(),
            email: email.to_owned(),
            role,
        },
    )
}

/// One requirement's part of a sample review.
struct SampleReview {
    requirement: &'static str,
    attachment: Option<&'static str>,
    finding: Finding,
    note: &'static str,
    sign_off: bool,
}

/// The earlier period (PCI DSS 3.2.1): concluded and signed off.
const EARLIER_REVIEWS: &[SampleReview] = &[
    SampleReview {
        requirement: "1.1.2",
        attachment: Some("network-diagram.png"),
        finding: Finding::InPlace,
        note: "The diagram shows the hub (`vnet-hub-eastus2`) and the spoke \
(`vnet-spoke-BU0001A0005-01`) with every subnet, the firewall, the gateway and the private \
endpoints; it matches the exported VNets. Walked through with Network Engineering.",
        sign_off: true,
    },
    SampleReview {
        requirement: "1.1.3",
        attachment: Some("data-flow-diagram.png"),
        finding: Finding::InPlace,
        note: "Cardholder data enters only through the Application Gateway (HTTPS) and flows to \
`web-frontend` and `microservice-a` in `a0005-i`; `a0005-o` receives no card data.",
        sign_off: true,
    },
    SampleReview {
        requirement: "1.1.5",
        attachment: Some("roles-and-responsibilities.md"),
        finding: Finding::InPlace,
        note: "Document NET-RR-A0005 names an owning team and an Entra ID group for every \
network segment.",
        sign_off: true,
    },
    SampleReview {
        requirement: "1.1.6",
        attachment: Some("ports-protocols-services.md"),
        finding: Finding::InPlace,
        note: "Every allowed port is justified in the register.",
        sign_off: true,
    },
    SampleReview {
        requirement: "1.1.7",
        attachment: Some("firewall-rule-review-2026-H2.md"),
        finding: Finding::InPlace,
        note: "Rule sets are reviewed every six months; the latest review record is attached.",
        sign_off: true,
    },
    SampleReview {
        requirement: "1.3.7",
        attachment: None,
        finding: Finding::InPlace,
        note: "Private cluster with a bring-your-own private DNS zone and no public FQDN.",
        sign_off: true,
    },
    SampleReview {
        requirement: "10.7",
        attachment: None,
        finding: Finding::InPlace,
        note: "The workspace keeps 90 days online (the automated check fails on that alone); the \
`archive-to-storage` diagnostic setting keeps the audit logs in immutable storage for 400 days.",
        sign_off: true,
    },
    SampleReview {
        requirement: "3.6.4",
        attachment: None,
        finding: Finding::InPlace,
        note: "Keys rotate every 12 months under the Key Vault rotation policy, seen in the \
portal with Security Engineering.",
        sign_off: true,
    },
];

/// The current period (PCI DSS 4.0.1): a review in progress.
const CURRENT_REVIEWS: &[SampleReview] = &[
    SampleReview {
        requirement: "1.2.3",
        attachment: Some("network-diagram.png"),
        finding: Finding::InPlace,
        note: "The attached diagram shows the hub (`vnet-hub-eastus2`) and the spoke \
(`vnet-spoke-BU0001A0005-01`) with every subnet, the firewall, the gateway and the private \
endpoints.\n\n- Subnets and address ranges match the exported VNets.\n- It agrees with \
Tickmark's scope view: the in-scope pool's subnet, the out-of-scope pool's subnet and the one \
declared flow from `microservice-a` to `microservice-b`.\n\nWalked through with Network \
Engineering on 2026-11-19.",
        sign_off: true,
    },
    SampleReview {
        requirement: "1.2.4",
        attachment: Some("data-flow-diagram.png"),
        finding: Finding::InPlace,
        note: "Cardholder data enters only through the Application Gateway (HTTPS) and flows to \
`web-frontend` and `microservice-a` in `a0005-i`. The out-of-scope namespace `a0005-o` receives \
no card data: the only flow across the boundary is the address lookup the scope file declares.",
        sign_off: false,
    },
    SampleReview {
        requirement: "1.1.2",
        attachment: Some("roles-and-responsibilities.md"),
        finding: Finding::InPlace,
        note: "Document NET-RR-A0005 v3.1 names an owning team and an Entra ID group for every \
network segment; privileged roles are eligible-only in PIM. Approved by the CISO on 2026-08-27.",
        sign_off: false,
    },
    SampleReview {
        requirement: "1.2.5",
        attachment: Some("ports-protocols-services.md"),
        finding: Finding::NotInPlace,
        note: "The register justifies every allowed port **except** `AllowAllOutBound` on the \
gateway's NSG (any protocol, any destination), which the automated check also flags.\n\n\
Open finding RR-2026-H2-03, change CHG-48213 due 2026-12-15. Re-test after the change.",
        sign_off: false,
    },
    SampleReview {
        requirement: "1.2.7",
        attachment: Some("firewall-rule-review-2026-H2.md"),
        finding: Finding::InPlace,
        note: "Review RR-2026-H2 was held on 2026-11-19, within six months of RR-2026-H1 \
(2026-05-21). Every rule set was reviewed; three findings are tracked with owners and dates.",
        sign_off: true,
    },
    SampleReview {
        requirement: "2.2.3",
        attachment: None,
        finding: Finding::NotInPlace,
        note: "`k8s.cde-placement` fails: the pod `netshoot-debug` of the out-of-scope namespace \
`a0005-o` runs on `aks-npinscope01-28461735-vmss000001`, a node of the in-scope pool, with a \
blanket toleration. An SRE started it on 2026-11-12 to chase a latency problem and left it.\n\n\
Finding RR-2026-H2-05: delete the pod, and admit pods to a0005-o only with the out-of-scope \
toleration (Azure Policy). Re-test with a fresh pod and node export.",
        sign_off: false,
    },
    SampleReview {
        requirement: "1.4.5",
        attachment: None,
        finding: Finding::InPlace,
        note: "Private cluster with a bring-your-own private DNS zone and no public FQDN, as the \
AKS export shows.",
        sign_off: false,
    },
    SampleReview {
        requirement: "10.5.1",
        attachment: None,
        finding: Finding::InPlace,
        note: "The workspace keeps 90 days online (the automated check fails on that alone); the \
`archive-to-storage` diagnostic setting sends the audit logs to immutable storage kept for 400 \
days. Storage policy seen in the portal with Security Operations.",
        sign_off: false,
    },
    SampleReview {
        requirement: "12.5.2",
        attachment: None,
        finding: Finding::NotTested,
        note: "The scope file (`tickmark-scope.toml`) and the `pci-scope` labels were walked \
through with Security Engineering on 2026-11-20; Tickmark's scope section matches the scope \
document except for the open placement finding (2.2.3). To conclude once that is closed.",
        sign_off: false,
    },
];

/// The note amended after 1.2.7 was signed off, which makes that sign-off stale.
const AMENDED_1_2_7: &str = "\n\nAddendum: RR-2026-H2-02 (leaver's Reader assignment) was \
closed on 2026-11-21; see requirement 8.2.6.";

fn record_reviews(
    store: &mut Store,
    auditor: &Actor,
    assessment: i64,
    catalog: &Catalog,
    reviews: &[SampleReview],
) -> Result<(), StoreError> {
    for review in reviews {
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
    Ok(())
}

/// A note amended after its sign-off: the sign-off goes stale.
fn amend_after_sign_off(
    store: &mut Store,
    auditor: &Actor,
    assessment: i64,
    catalog: &Catalog,
) -> Result<(), StoreError> {
    let amended = CURRENT_REVIEWS
        .iter()
        .find(|r| r.requirement == "1.2.7")
        .map(|r| format!("{}{AMENDED_1_2_7}", r.note))
        .unwrap_or_default();
    store.set_review(
        auditor,
        assessment,
        catalog,
        "1.2.7",
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
    fn seeding_records_an_approved_earlier_period_and_a_current_review_in_progress_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
        let seeded = seed(&mut store, &Settings::default()).unwrap();
        assert!(seeded.created);
        // The earlier period: PCI DSS 3.2.1, concluded, signed off, approved.
        let earlier = seeded.earlier.id;
        assert_eq!(seeded.earlier.catalog_id, crate::catalog::PCI_DSS_321_ID);
        assert!(store.approval_state(earlier).unwrap().is_approved());
        let before = |r: &str| store.requirement_state(earlier, r).unwrap();
        assert_eq!(before("1.1.7").sign_off_state, SignOffState::Current);
        assert!(
            store
                .evidence_files(earlier)
                .unwrap()
                .iter()
                .all(|f| !ADDED_IN_2026.contains(&f.provenance.path.as_str()))
        );

        // The current period: 4.0.1, started from it, a review in progress.
        let id = seeded.assessment.id;
        assert_eq!(seeded.assessment.cluster, CLUSTER);
        assert_eq!(seeded.assessment.catalog_id, crate::catalog::PCI_DSS_401_ID);
        assert_eq!(seeded.assessment.prior_assessment, Some(earlier));
        let run = store.latest_run(id).unwrap().unwrap();
        assert!(run.verdicts.len() > 250);
        let state = |r: &str| store.requirement_state(id, r).unwrap();
        assert_eq!(state("1.2.3").sign_off_state, SignOffState::Current);
        assert_eq!(state("1.2.3").attachments.len(), 1);
        let stale = state("1.2.7");
        assert_eq!(stale.sign_off_state, SignOffState::Stale);
        assert_eq!(stale.sign_offs[0].stale_reasons, vec!["note".to_owned()]);
        assert_eq!(
            state("2.2.3").conclusion(),
            Some(Conclusion::defined(Finding::NotInPlace))
        );
        assert_eq!(state("1.2.4").sign_off_state, SignOffState::None);
        let prior = store.prior_period(id).unwrap().unwrap();
        assert!(
            prior
                .requirements
                .get("1.2.3")
                .is_some_and(|p| !p.is_empty())
        );
        let files = store.current_evidence_files(id).unwrap();
        assert!(files.iter().any(|f| {
            f.provenance
                .notes
                .iter()
                .any(|n| n.starts_with("Carried forward"))
        }));
        assert!(
            files
                .iter()
                .any(|f| f.provenance.path == "sample-data/tickmark-scope.toml")
        );
        // The scope with its one deliberate violation is recorded.
        let scopes = store.scopes(id).unwrap();
        assert_eq!(scopes.len(), 1);
        assert_eq!(scopes[0].scope.flows.len(), 1);
        let placement = run
            .results
            .iter()
            .find(|r| r.check == "k8s.cde-placement")
            .unwrap();
        assert_eq!(placement.status, crate::checks::CheckStatus::Fail);

        let again = seed(&mut store, &Settings::default()).unwrap();
        assert!(!again.created);
        assert_eq!(again.assessment.id, id);
        assert_eq!(store.assessments().unwrap().len(), 2);
        assert!(store.verify().unwrap().is_intact());
    }
}
