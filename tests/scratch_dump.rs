mod common;
use tickmark::checks::{Settings, evaluate};
use tickmark::evidence::{EvidenceSet, import_bytes};

#[test]
fn dump() {
    let Some(shared) = common::shared_dir() else { return };
    let files = std::env::var("DUMP").unwrap_or_default();
    for f in files.split(',').filter(|f| !f.is_empty()) {
        let path = if f.starts_with('/') { std::path::PathBuf::from(f) } else { shared.join("evidence-formats").join(f) };
        let bytes = std::fs::read(&path).unwrap();
        let now = chrono::Utc::now();
        let file = match import_bytes(&path.display().to_string(), &bytes, now) {
            Ok(f) => f,
            Err(e) => { println!("ERR {e}"); continue; }
        };
        println!("== {} {:?} {:?}", f, file.provenance.format, file.provenance.notes);
        let mut set = EvidenceSet::default();
        set.add(file);
        for r in evaluate(&set, &Settings::default()) {
            if r.status.id() == "not_evaluated" && (r.reason.starts_with("no ") ) { continue; }
            println!("{:35} {:13} {}", r.check, r.status.id(), r.reason);
        }
    }
}
