//! The scanner importers (Trivy, kube-bench, Kubescape, SARIF, Checkov,
//! KICS, Azure Policy, Defender, Falco, Prowler) on any text: as a JSON
//! document, as JSON lines and as CSV.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tickmark::evidence::{ImportContext, scans};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let ctx = ImportContext::new("fuzz/scan.json");
    let mut out = scans::ScanEvidence::default();
    if let Ok(root) = serde_json::from_str::<serde_json::Value>(text) {
        let _ = scans::read_json(ctx, &root, &mut out);
    }
    let _ = scans::read_json_lines(ctx, text, &mut out);
    let _ = scans::read_text(ctx, text, &mut out);
});
