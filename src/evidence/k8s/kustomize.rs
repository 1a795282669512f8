//! `kustomization.yaml`: the common subset of what kustomize does to the
//! manifests it lists — `namespace`, `resources` and `images` — read so that
//! raw manifests imported beside it are judged as they are deployed.
//! Anything else it does (patches, generators, components, name prefixes...)
//! is named as not applied, with the advice to import `kubectl kustomize`
//! output instead.

use serde_json::Value;

/// The fields of a kustomization that Tickmark applies.
const APPLIED: &[&str] = &[
    "apiVersion",
    "kind",
    "namespace",
    "resources",
    "bases",
    "images",
];

/// Fields that change nothing the checks read.
const HARMLESS: &[&str] = &[
    "commonAnnotations",
    "buildMetadata",
    "sortOptions",
    "generatorOptions",
    "metadata",
];

/// Every field kustomize knows, to tell a kustomization without `kind`
/// from other YAML.
const KNOWN: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "namespace",
    "resources",
    "bases",
    "images",
    "components",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "configMapGenerator",
    "secretGenerator",
    "generators",
    "transformers",
    "validators",
    "replicas",
    "namePrefix",
    "nameSuffix",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "helmCharts",
    "helmGlobals",
    "replacements",
    "vars",
    "crds",
    "openapi",
    "generatorOptions",
    "buildMetadata",
    "sortOptions",
    "configurations",
];

/// One `images:` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRewrite {
    /// The image name it matches (without tag or digest).
    pub name: String,
    /// `newName`.
    pub new_name: Option<String>,
    /// `newTag`.
    pub new_tag: Option<String>,
    /// `digest`.
    pub digest: Option<String>,
}

impl ImageRewrite {
    /// The image `image` becomes, if this entry matches it.
    pub fn apply(&self, image: &str) -> Option<String> {
        let (name, tag, digest) = split_image(image);
        if name != self.name {
            return None;
        }
        let name = self.new_name.as_deref().unwrap_or(name);
        Some(match (&self.digest, &self.new_tag) {
            (Some(digest), _) => format!("{name}@{digest}"),
            (None, Some(tag)) => format!("{name}:{tag}"),
            (None, None) => {
                let mut out = name.to_owned();
                if let Some(tag) = tag {
                    out.push(':');
                    out.push_str(tag);
                }
                if let Some(digest) = digest {
                    out.push('@');
                    out.push_str(digest);
                }
                out
            }
        })
    }
}

/// `registry/repo:tag@digest` → (`registry/repo`, tag, digest).
fn split_image(image: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match image.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (image, None),
    };
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[slash..].rfind(':') {
        Some(colon) => (
            &rest[..slash + colon],
            Some(&rest[slash + colon + 1..]),
            digest,
        ),
        None => (rest, None, digest),
    }
}

/// A kustomization as Tickmark reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Kustomization {
    /// The file, as imported.
    pub path: String,
    /// `namespace`.
    pub namespace: Option<String>,
    /// `resources` (and the older `bases`), as written.
    pub resources: Vec<String>,
    /// `images`.
    pub images: Vec<ImageRewrite>,
    /// The fields it has that Tickmark does not apply.
    pub not_applied: Vec<String>,
}

impl Kustomization {
    /// What the reviewer should know about it, for the import notes.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(namespace) = &self.namespace {
            parts.push(format!("namespace {namespace}"));
        }
        parts.push(format!("{} resource(s)", self.resources.len()));
        if !self.images.is_empty() {
            parts.push(format!("{} image rewrite(s)", self.images.len()));
        }
        format!(
            "kustomization ({}): applied to the listed manifests imported with it",
            parts.join(", ")
        )
    }

    /// The note naming what is not applied, if anything.
    pub fn not_applied_note(&self) -> Option<String> {
        (!self.not_applied.is_empty()).then(|| {
            format!(
                "not applied: {} (import the output of kubectl kustomize {} to judge the manifests as built)",
                self.not_applied.join(", "),
                super::super::companions::dir_of(&self.path).unwrap_or(".")
            )
        })
    }
}

/// Reads `doc` (one YAML document as JSON) as a kustomization: `kind:
/// Kustomization`, or no `kind` and only kustomize's own fields with
/// `resources`, `bases` or `components` among them.
pub fn read(path: &str, doc: &Value) -> Option<Kustomization> {
    let map = doc.as_object()?;
    let kind = map.get("kind").and_then(Value::as_str);
    let is_kustomization = match kind {
        Some(kind) => kind == "Kustomization",
        None => {
            map.keys().all(|k| KNOWN.contains(&k.as_str()))
                && ["resources", "bases", "components"]
                    .iter()
                    .any(|k| map.contains_key(*k))
        }
    };
    if !is_kustomization {
        return None;
    }
    let strings = |key: &str| -> Vec<String> {
        map.get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    let mut resources = strings("resources");
    resources.extend(strings("bases"));
    let text = |entry: &Value, key: &str| entry.get(key).and_then(Value::as_str).map(str::to_owned);
    let images = map
        .get("images")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            Some(ImageRewrite {
                name: text(entry, "name")?,
                new_name: text(entry, "newName"),
                new_tag: text(entry, "newTag").or_else(|| {
                    entry
                        .get("newTag")
                        .filter(|v| v.is_number())
                        .map(|v| v.to_string())
                }),
                digest: text(entry, "digest"),
            })
        })
        .collect();
    let not_applied = map
        .keys()
        .filter(|k| !APPLIED.contains(&k.as_str()) && !HARMLESS.contains(&k.as_str()))
        .cloned()
        .collect();
    Some(Kustomization {
        path: path.to_owned(),
        namespace: map
            .get("namespace")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .map(str::to_owned),
        resources,
        images,
        not_applied,
    })
}

/// The first YAML document of `text` as JSON, if the text looks like a
/// kustomization at all (cheap test first).
pub fn read_text(path: &str, text: &str) -> Option<Kustomization> {
    if !(text.contains("Kustomization") || text.contains("resources:") || text.contains("bases:")) {
        return None;
    }
    let doc: Value = serde_yaml_ng::from_str(text).ok()?;
    read(path, &doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(
        name: &str,
        new_name: Option<&str>,
        tag: Option<&str>,
        digest: Option<&str>,
    ) -> ImageRewrite {
        ImageRewrite {
            name: name.into(),
            new_name: new_name.map(Into::into),
            new_tag: tag.map(Into::into),
            digest: digest.map(Into::into),
        }
    }

    #[test]
    fn images_are_rewritten_as_kustomize_does() {
        let r = rewrite(
            "YOUR_ACR.azurecr.io/live/app",
            Some("acr1.azurecr.io/live/app"),
            None,
            None,
        );
        assert_eq!(
            r.apply("YOUR_ACR.azurecr.io/live/app:1.0").as_deref(),
            Some("acr1.azurecr.io/live/app:1.0")
        );
        assert_eq!(r.apply("other.io/app:1.0"), None);
        let tagged = rewrite(
            "busybox",
            Some("acr1.azurecr.io/busybox"),
            Some("1.33.0"),
            None,
        );
        assert_eq!(
            tagged.apply("busybox").as_deref(),
            Some("acr1.azurecr.io/busybox:1.33.0")
        );
        let pinned = rewrite("nginx", None, Some("x"), Some("sha256:abc"));
        assert_eq!(
            pinned.apply("nginx:1.25").as_deref(),
            Some("nginx@sha256:abc")
        );
        assert_eq!(
            split_image("localhost:5000/app"),
            ("localhost:5000/app", None, None)
        );
        assert_eq!(
            split_image("localhost:5000/app:2@sha256:x"),
            ("localhost:5000/app", Some("2"), Some("sha256:x"))
        );
    }

    #[test]
    fn reads_the_subset_and_names_the_rest() {
        let doc: Value = serde_yaml_ng::from_str(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: a0005-i\nresources:\n- np.yaml\n- sub/\nimages:\n- name: busybox\n  newTag: 1\npatches:\n- path: p.yaml\ncommonAnnotations:\n  a: b\n",
        )
        .unwrap();
        let k = read("m/kustomization.yaml", &doc).unwrap();
        assert_eq!(k.namespace.as_deref(), Some("a0005-i"));
        assert_eq!(k.resources, vec!["np.yaml", "sub/"]);
        assert_eq!(k.images[0].new_tag.as_deref(), Some("1"));
        assert_eq!(k.not_applied, vec!["patches"]);
        assert!(
            k.not_applied_note()
                .unwrap()
                .contains("kubectl kustomize m")
        );
        let kindless: Value = serde_yaml_ng::from_str("resources:\n- a.yaml\n").unwrap();
        assert!(read("k.yaml", &kindless).is_some());
        let other: Value = serde_yaml_ng::from_str("resources:\n- a.yaml\nfoo: 1\n").unwrap();
        assert!(read("k.yaml", &other).is_none());
    }
}
