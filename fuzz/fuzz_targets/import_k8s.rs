//! The Kubernetes importers: the streaming reader of large kubectl lists,
//! the JSON object reader and the YAML stream reader, each on any text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tickmark::evidence::{Evidence, ImportContext, k8s};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let ctx = ImportContext::new("fuzz/k8s.json");
    let mut out = Evidence::default();
    let _ = k8s::read_large_json(ctx, text, &mut out.k8s);
    if let Ok(root) = serde_json::from_str::<serde_json::Value>(text) {
        let _ = k8s::read_json(ctx, &root, &mut out.k8s);
    }
    let _ = k8s::read_yaml(ctx, text, &mut out);
});
