//! The Azure importers (az CLI, ARM REST bodies, resource lists, templates)
//! on any JSON (with comments, as ARM templates have): every resource the
//! ARM reader finds goes through the Azure readers directly, whatever the
//! scanners' detection would say.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tickmark::evidence::{ImportContext, arm, azure, jsonc};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let stripped = jsonc::strip_comments(text);
    let text = stripped.as_deref().unwrap_or(text);
    let Ok(root) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    let ctx = ImportContext::new("fuzz/azure.json");
    let Some((_, resources)) = arm::resources(&root) else {
        return;
    };
    let mut out = azure::AzureEvidence::default();
    for resource in &resources {
        let _ = azure::read_resource(ctx, resource, &mut out);
    }
});
