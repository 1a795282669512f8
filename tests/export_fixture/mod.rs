//! A reviewed PCI DSS 3.2.1 assessment for the export tests: a few evidence
//! files (two with the same name), an automated run, reviews with every kind
//! of conclusion, attachments (one withdrawn), current and stale sign-offs
//! and an approval.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use tickmark::catalog::{Catalog, pci_dss_321};
use tickmark::checks::Settings;
use tickmark::store::*;

/// The assessment's name.
pub const NAME: &str = "H1 2026";

/// A reviewed assessment in a temporary review record.
pub struct Reviewed {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub store: Store,
    pub catalog: &'static Catalog,
    pub assessment: Assessment,
    pub auditor: Actor,
    pub lead: Actor,
}

fn project(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn actor(profile: Option<i64>) -> Actor {
    Actor {
        profile,
        os_user: "tester".into(),
    }
}

/// The notes recorded, by requirement.
pub const NOTES: &[(&str, Option<Conclusion>, &str)] = &[
    (
        "1.1.2",
        Some(Conclusion::defined(Finding::InPlace)),
        "The **network diagram** matches the exported NSGs and routes.\n\n\
         - hub and spoke\n- private cluster\n\n<script>alert('x')</script>\n\n\
         See [the runbook](https://runbooks.example/net) and [bad](javascript:alert(1)).",
    ),
    (
        "1.3.7",
        Some(Conclusion {
            finding: Finding::InPlace,
            method: Method::Compensating,
        }),
        "Private DNS is a bring-your-own zone; the compensating control is the \
         firewall's DNS proxy with logging (change CHG-1042).",
    ),
    (
        "9.1",
        Some(Conclusion::defined(Finding::NotApplicable)),
        "Physical security is inherited from Azure (see the attestation of compliance).",
    ),
    (
        "1.1.7",
        Some(Conclusion::defined(Finding::NotTested)),
        "The six-monthly rule review falls outside this period.",
    ),
    (
        "1.2.1",
        Some(Conclusion::defined(Finding::NotInPlace)),
        "=HYPERLINK(\"x\") egress is not restricted for the ops subnet.",
    ),
    ("1.1.3", None, "Waiting for the data-flow diagram."),
    (
        "2.1",
        Some(Conclusion::defined(Finding::InPlace)),
        "Vendor defaults removed: local accounts disabled, ACR admin user off.",
    ),
];

/// The compensating controls worksheet of 1.3.7.
pub fn ccw_worksheet() -> CompensatingControl {
    CompensatingControl {
        constraints: "The cluster's DNS zone must stay resolvable from the on-premises network."
            .into(),
        objective: "Name resolution cannot be used to reach the API server from the internet."
            .into(),
        identified_risk: "A public record could reveal the API server's address.".into(),
        definition: "The firewall's DNS proxy answers for the zone and logs every query.".into(),
        validation: "Queried the zone from outside on 2026-06-10: no answer.".into(),
        maintenance: "The DNS proxy rules are part of the six-monthly rule review.".into(),
    }
}

/// The evidence files [`reviewed`] imports (two share a name).
pub const FILES: &[&str] = &[
    "sample-data/azure/aks-cluster.json",
    "sample-data/azure/route-tables.json",
    "sample-data/azure/firewall.json",
    "sample-data/azure/container-registry.json",
    "sample-data/scans/trivy-web-frontend.json",
    "tests/fixtures/azure-network/compliant-az/nsg-list.json",
    "tests/fixtures/azure-network/gaps-arm/nsg-list.json",
];

/// Builds the reviewed assessment from [`FILES`].
pub fn reviewed() -> Reviewed {
    reviewed_from(FILES, false)
}

/// Builds the reviewed assessment from `paths` (project-relative files or
/// directories); with `allow_unusable`, files Tickmark cannot read yet are
/// skipped.
pub fn reviewed_from(paths: &[&str], allow_unusable: bool) -> Reviewed {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("record.sqlite3");
    let mut store = Store::open(&db).unwrap();
    let system = actor(None);
    let auditor = store
        .create_profile(
            &system,
            &NewProfile {
                name: "Ana Auditor".into(),
                email: "ana@example.com".into(),
                role: Role::Auditor,
            },
        )
        .unwrap();
    let lead = store
        .create_profile(
            &system,
            &NewProfile {
                name: "Lee Lead".into(),
                email: "lee@example.com".into(),
                role: Role::SecurityLead,
            },
        )
        .unwrap();
    let catalog = pci_dss_321();
    let new = NewAssessment {
        name: NAME.into(),
        cluster: "aks-bu0001a0005-01".into(),
        period_start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        period_end: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        catalog_id: catalog.id.clone(),
    };
    let paths: Vec<PathBuf> = paths.iter().map(|p| project(p)).collect();
    let summary = store
        .import_paths(&system, NAME, Some(&new), &paths, &mut |_| {})
        .unwrap();
    if !allow_unusable {
        assert_eq!(summary.unusable().count(), 0, "{:?}", summary.files);
    }
    let assessment = summary.assessment.unwrap();
    store
        .evaluate_and_record(&system, assessment.id, catalog, &Settings::default())
        .unwrap();
    let auditor = actor(Some(auditor.id));
    let lead = actor(Some(lead.id));
    let mut f = Reviewed {
        dir,
        db,
        store,
        catalog,
        assessment,
        auditor,
        lead,
    };
    f.review();
    f
}

impl Reviewed {
    fn review(&mut self) {
        let (id, catalog) = (self.assessment.id, self.catalog);
        for (requirement, conclusion, note) in NOTES {
            self.store
                .set_review(
                    &self.auditor,
                    id,
                    catalog,
                    requirement,
                    &ReviewInput {
                        finding: conclusion.map(|c| c.finding),
                        method: conclusion.map_or(Method::Defined, |c| c.method),
                        compensating: (conclusion.map(|c| c.method) == Some(Method::Compensating))
                            .then(ccw_worksheet),
                        customized: None,
                        note: (*note).to_owned(),
                    },
                )
                .unwrap();
        }
        let diagram =
            std::fs::read(project("sample-data/attachments/network-diagram.png")).unwrap();
        self.store
            .add_attachment(
                &self.auditor,
                id,
                catalog,
                "1.1.2",
                "network-diagram.png",
                None,
                &diagram,
            )
            .unwrap();
        let rules = std::fs::read(project(
            "sample-data/attachments/ports-protocols-services.md",
        ))
        .unwrap();
        self.store
            .add_attachment(
                &self.auditor,
                id,
                catalog,
                "1.1.2",
                "ports & protocols.md",
                None,
                &rules,
            )
            .unwrap();
        let wrong = self
            .store
            .add_attachment(
                &self.auditor,
                id,
                catalog,
                "1.1.3",
                "draft.txt",
                None,
                b"draft flow",
            )
            .unwrap();
        self.store
            .withdraw_attachment(&self.auditor, wrong.id, "attached to the wrong requirement")
            .unwrap();
        for requirement in ["1.1.2", "1.3.7", "2.1", "1.2.1"] {
            self.store
                .sign_off(
                    &self.auditor,
                    id,
                    catalog,
                    requirement,
                    "I checked the evidence and the note.",
                )
                .unwrap();
        }
        // A second auditor reviews: a note on 1.1.2, answered and cleared,
        // and a reviewer sign-off of 1.3.7.
        let reviewer = self
            .store
            .create_profile(
                &Actor {
                    profile: None,
                    os_user: "tester".into(),
                },
                &NewProfile {
                    name: "Rey Reviewer".into(),
                    email: "rey@example.com".into(),
                    role: Role::Auditor,
                },
            )
            .unwrap();
        let reviewer = Actor {
            profile: Some(reviewer.id),
            os_user: "rey".into(),
        };
        let note = self
            .store
            .raise_review_note(&reviewer, id, catalog, "1.1.2", "Is the diagram current?")
            .unwrap();
        self.store
            .answer_review_note(&self.auditor, note.id, "Yes, redrawn in May [E-1].")
            .unwrap();
        self.store
            .clear_review_note(&reviewer, note.id, "Thanks.")
            .unwrap();
        self.store
            .review_sign_off_with(&reviewer, id, catalog, "1.3.7", "Reviewed.", None)
            .unwrap();
        // A later edit makes 2.1's sign-off stale.
        self.store
            .set_review(
                &self.auditor,
                id,
                catalog,
                "2.1",
                &ReviewInput::defined(
                    Some(Finding::InPlace),
                    "Vendor defaults removed; ACR admin user confirmed off on 2026-06-12 [E-4].",
                ),
            )
            .unwrap();
        let open = self.store.approval_gate(id, catalog, None).unwrap().open;
        self.store
            .approve(
                &self.lead,
                id,
                catalog,
                "Approved for the first half of 2026.",
                Some(&ApprovalOverride {
                    justification: "The remaining requirements are covered by the annual ROC."
                        .into(),
                    items: open,
                }),
                None,
            )
            .unwrap();
        // A review note raised after the approval stays open.
        self.store
            .raise_review_note(
                &reviewer,
                id,
                catalog,
                "1.2.1",
                "Which NSG rules applied in June?",
            )
            .unwrap();
    }

    /// Where to write an export.
    pub fn out(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The record, read now.
    pub fn record(&self) -> AssessmentRecord {
        self.store.record(self.assessment.id).unwrap()
    }
}

/// Exports `format` of the reviewed assessment to `path`.
pub fn export(
    f: &Reviewed,
    format: tickmark::export::ExportFormat,
    path: &Path,
) -> tickmark::export::ExportSummary {
    let cancel = std::sync::atomic::AtomicBool::new(false);
    tickmark::export::export(
        &f.store,
        f.catalog,
        f.assessment.id,
        format,
        path,
        &mut |_| {},
        &cancel,
    )
    .unwrap()
}

/// A review record with one assessment and nothing else in it (no evidence,
/// no run, no reviews), named and placed with characters that need
/// escaping.
pub fn bare() -> (tempfile::TempDir, Store, Assessment) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("bare.sqlite3")).unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let assessment = store
        .create_assessment(
            &actor(None),
            &NewAssessment {
                name: "<script>alert(1)</script> & \"Q1\"\nnext line".into(),
                cluster: "<b>aks</b>".into(),
                period_start: day,
                period_end: day,
                catalog_id: pci_dss_321().id.clone(),
            },
        )
        .unwrap();
    (dir, store, assessment)
}
