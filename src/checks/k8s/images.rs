//! Images: `k8s.image-digest` and `k8s.image-registry`.

use super::scope::{ContainerScope, Judged, Judgement};
use crate::checks::{CheckResult, Settings, image_registry};

/// Runs the two image checks over the containers in scope.
pub(super) fn run(scope: &ContainerScope<'_>, settings: &Settings, out: &mut Vec<CheckResult>) {
    out.push(scope.result("k8s.image-digest", digest));
    out.push(scope.result("k8s.image-registry", |judged| registry(judged, settings)));
}

/// True if `image` is pinned as `...@sha256:<64 hex digits>`.
pub(super) fn has_digest(image: &str) -> bool {
    image
        .rsplit_once("@sha256:")
        .is_some_and(|(_, hex)| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn image_of(judged: Judged<'_>) -> Result<(&str, String), Judgement> {
    let container = judged.container;
    match container.image.as_deref().filter(|i| !i.trim().is_empty()) {
        Some(image) => Ok((image, format!("{}/image", container.pointer))),
        None => Err(Judgement::unknown(
            "the evidence names no image for this container",
            container.pointer.clone(),
        )),
    }
}

fn digest(judged: Judged<'_>) -> Judgement {
    let (image, pointer) = match image_of(judged) {
        Ok(found) => found,
        Err(judgement) => return judgement,
    };
    if has_digest(image) {
        Judgement::pass(format!("{image} is pinned by digest"), pointer)
    } else if image.contains("@sha256:") {
        Judgement::fail(
            format!("{image} carries a malformed sha256 digest"),
            pointer,
        )
    } else {
        Judgement::fail(
            format!("{image} is referenced by tag, not by digest (@sha256:...)"),
            pointer,
        )
    }
}

fn registry(judged: Judged<'_>, settings: &Settings) -> Judgement {
    let (image, pointer) = match image_of(judged) {
        Ok(found) => found,
        Err(judgement) => return judgement,
    };
    let registry = image_registry(image);
    if settings.is_allowed_registry(image) {
        Judgement::pass(
            format!("{image} comes from {registry}, an allowed registry"),
            pointer,
        )
    } else {
        Judgement::fail(
            format!(
                "{image} comes from {registry}, which is not an allowed registry ({})",
                settings.allowed_registries.join(", ")
            ),
            pointer,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_must_be_complete() {
        let hex = "a".repeat(64);
        assert!(has_digest(&format!("x.azurecr.io/app@sha256:{hex}")));
        assert!(has_digest(&format!("x.azurecr.io/app:1.0@sha256:{hex}")));
        assert!(!has_digest("x.azurecr.io/app@sha256:abc"));
        assert!(!has_digest("nginx:1.25"));
    }
}
