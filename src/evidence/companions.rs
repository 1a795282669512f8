//! Files imported together that change how each other reads: an ARM
//! parameter file beside its template, a `kustomization.yaml` beside the
//! manifests it lists.
//!
//! A caller that imports several files first shows every one to
//! [`Companions::scan`] (cheap: small files only, a substring test before
//! any parse), then imports each with the result. Files are matched by the
//! folder they were imported from: a parameter file applies to the template
//! in its folder that declares every parameter it sets (by file name when
//! several do); a kustomization applies to the files its `resources` name,
//! relative to its own folder, and through a listed folder to that folder's
//! kustomization.

use std::collections::BTreeSet;

use serde_json::Value;

use super::k8s::kustomize::{self, Kustomization};
use super::template::parameters::{self, ParameterValues};
use super::{jsonc, text};

/// Files larger than this are not scanned: templates, parameter files and
/// kustomizations are small (ARM refuses templates over 4 MB).
const MAX_SCAN_BYTES: usize = 4 * 1024 * 1024;

/// What the files of one import say about each other.
#[derive(Debug, Default)]
pub struct Companions {
    paths: BTreeSet<String>,
    templates: Vec<(String, Vec<String>)>,
    parameter_files: Vec<(String, ParameterValues)>,
    kustomizations: Vec<Kustomization>,
}

/// No companions: each file read on its own.
pub static NONE: Companions = Companions {
    paths: BTreeSet::new(),
    templates: Vec::new(),
    parameter_files: Vec::new(),
    kustomizations: Vec::new(),
};

/// Which parameter file applies to a template.
#[derive(Debug, PartialEq)]
pub enum Pairing<'a> {
    /// This one.
    One(&'a str, &'a ParameterValues),
    /// Several fit equally; none is applied.
    Several(Vec<&'a str>),
    /// None was imported beside it.
    None,
}

impl Companions {
    /// Nothing scanned yet.
    pub fn new() -> Self {
        Companions::default()
    }

    /// Notes `path` as part of the import, and reads it if it is a template,
    /// a parameter file or a kustomization.
    pub fn scan(&mut self, path: &str, bytes: &[u8]) {
        self.paths.insert(path.to_owned());
        if bytes.len() > MAX_SCAN_BYTES {
            return;
        }
        let Ok((text, _)) = text::decode(bytes) else {
            return;
        };
        match text::first_significant_char(&text) {
            Some('{') if text.contains("\"parameters\"") || text.contains("\"$schema\"") => {
                let stripped = jsonc::strip_comments(&text);
                let json = stripped.as_deref().unwrap_or(&text);
                let root: Value = match serde_json::from_str(json) {
                    Ok(root) => root,
                    Err(_) => match jsonc::escape_control_chars_in_strings(json)
                        .and_then(|t| serde_json::from_str(&t).ok())
                    {
                        Some(root) => root,
                        None => return,
                    },
                };
                if let Some(values) = parameters::read(&root) {
                    self.parameter_files.push((path.to_owned(), values));
                } else if super::arm::is_template_value(&root) {
                    self.templates
                        .push((path.to_owned(), parameters::declared(&root)));
                }
            }
            Some('{') | Some('[') | None => {}
            Some(_) => {
                if let Some(found) = kustomize::read_text(path, &text) {
                    self.kustomizations.push(found);
                }
            }
        }
    }

    /// True if `path` was part of the import.
    pub fn has(&self, path: &str) -> bool {
        self.paths.contains(path)
    }

    /// The parameter file that applies to the template at `template`.
    pub fn parameters_for(&self, template: &str) -> Pairing<'_> {
        let mine: Vec<&(String, ParameterValues)> = self
            .parameter_files
            .iter()
            .filter(|(path, values)| self.template_of(path, values).as_deref() == Some(template))
            .collect();
        match mine.as_slice() {
            [] => Pairing::None,
            [(path, values)] => Pairing::One(path, values),
            several => Pairing::Several(several.iter().map(|(p, _)| p.as_str()).collect()),
        }
    }

    /// The template a parameter file applies to, if exactly one fits.
    pub fn template_for(&self, parameter_file: &str) -> Result<&str, String> {
        let Some((path, values)) = self
            .parameter_files
            .iter()
            .find(|(p, _)| p == parameter_file)
        else {
            return Err("it was not scanned".to_owned());
        };
        let candidates = self.candidates(path, values);
        match self.template_of(path, values) {
            Some(template) => Ok(self
                .templates
                .iter()
                .find(|(t, _)| *t == template)
                .map_or("", |(t, _)| t.as_str())),
            None if candidates.is_empty() => Err(
                "no template imported from the same folder declares every parameter it sets"
                    .to_owned(),
            ),
            None => Err(format!(
                "templates {} all declare its parameters; import one of them at a time",
                candidates.join(", ")
            )),
        }
    }

    fn candidates<'a>(&'a self, path: &str, values: &ParameterValues) -> Vec<&'a str> {
        let folder = dir_of(path);
        self.templates
            .iter()
            .filter(|(template, declared)| {
                dir_of(template) == folder
                    && values.names().next().is_some()
                    && values.names().all(|n| declared.iter().any(|d| d == n))
            })
            .map(|(t, _)| t.as_str())
            .collect()
    }

    fn template_of(&self, path: &str, values: &ParameterValues) -> Option<String> {
        let candidates = self.candidates(path, values);
        let chosen = match candidates.as_slice() {
            [one] => *one,
            [] => return None,
            several => {
                let named: Vec<&str> = several
                    .iter()
                    .copied()
                    .filter(|t| file_name(path).starts_with(&format!("{}.", stem(file_name(t)))))
                    .collect();
                match named.as_slice() {
                    [one] => *one,
                    _ => return None,
                }
            }
        };
        Some(chosen.to_owned())
    }

    /// The kustomizations that apply to the file at `path`, innermost first
    /// (the one that lists it, then the ones that list its folder...).
    pub fn kustomizations_for(&self, path: &str) -> Vec<&Kustomization> {
        let mut chain: Vec<&Kustomization> = Vec::new();
        let mut target = path.to_owned();
        let mut is_dir = false;
        while let Some(found) = self
            .kustomizations
            .iter()
            .find(|k| !chain.iter().any(|c| std::ptr::eq(*c, *k)) && lists(k, &target, is_dir))
        {
            chain.push(found);
            target = dir_of(&found.path).unwrap_or("").to_owned();
            is_dir = true;
        }
        chain
    }

    /// True if a file imported with `path` changes how it reads: a
    /// kustomization that lists it, a parameter file for it, or the
    /// template it is the parameter file of.
    pub fn change(&self, path: &str) -> bool {
        !self.kustomizations_for(path).is_empty()
            || !matches!(self.parameters_for(path), Pairing::None)
            || self.template_for(path).is_ok()
    }

    /// The kustomization read from `path`, if it is one.
    pub fn kustomization(&self, path: &str) -> Option<&Kustomization> {
        self.kustomizations.iter().find(|k| k.path == path)
    }

    /// The entries of the kustomization at `path` that name no file or
    /// folder of this import.
    pub fn missing_resources(&self, kustomization: &Kustomization) -> Vec<String> {
        let folder = dir_of(&kustomization.path);
        kustomization
            .resources
            .iter()
            .filter(|entry| !entry.contains("://") && !entry.starts_with("github.com/"))
            .filter(|entry| {
                let joined = join(folder, entry);
                !self.paths.contains(&joined)
                    && !self
                        .paths
                        .iter()
                        .any(|p| p.starts_with(&format!("{}/", joined.trim_end_matches('/'))))
            })
            .cloned()
            .collect()
    }
}

/// True if kustomization `k` lists `target` (a file, or a folder).
fn lists(k: &Kustomization, target: &str, is_dir: bool) -> bool {
    let folder = dir_of(&k.path);
    k.resources.iter().any(|entry| {
        let joined = join(folder, entry);
        if is_dir {
            joined.trim_end_matches('/') == target.trim_end_matches('/')
        } else {
            joined == target
        }
    })
}

/// The folder part of a path (forward slashes), `None` for a bare name.
pub fn dir_of(path: &str) -> Option<&str> {
    path.rfind('/').map(|i| &path[..i])
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A file name without its last extension.
fn stem(name: &str) -> &str {
    name.rfind('.').map_or(name, |i| &name[..i])
}

/// `folder/entry` with `.` and `..` worked out.
pub fn join(folder: Option<&str>, entry: &str) -> String {
    let mut parts: Vec<&str> = match folder {
        Some(f) if !entry.starts_with('/') => f.split('/').collect(),
        _ => Vec::new(),
    };
    for segment in entry.split('/') {
        match segment {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != ".." && !p.is_empty()) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if entry.ends_with('/') {
        format!("{joined}/")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0", "parameters": {"location": {"type": "string"}, "name": {"type": "string"}}, "resources": []}"#;
    const PARAMETERS: &str = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0", "parameters": {"location": {"value": "eastus2"}}}"#;

    #[test]
    fn parameter_files_pair_with_the_template_of_their_folder() {
        let mut c = Companions::new();
        c.scan("infra/cluster-stamp.json", TEMPLATE.as_bytes());
        c.scan(
            "infra/azuredeploy.parameters.prod.json",
            PARAMETERS.as_bytes(),
        );
        c.scan("other/hub.json", TEMPLATE.as_bytes());
        assert!(matches!(
            c.parameters_for("infra/cluster-stamp.json"),
            Pairing::One("infra/azuredeploy.parameters.prod.json", _)
        ));
        assert_eq!(c.parameters_for("other/hub.json"), Pairing::None);
        assert_eq!(
            c.template_for("infra/azuredeploy.parameters.prod.json"),
            Ok("infra/cluster-stamp.json")
        );
        // Two templates that both fit: the file name decides, else neither.
        c.scan("infra/spoke.json", TEMPLATE.as_bytes());
        assert_eq!(c.parameters_for("infra/cluster-stamp.json"), Pairing::None);
        assert!(
            c.template_for("infra/azuredeploy.parameters.prod.json")
                .unwrap_err()
                .contains("infra/spoke.json")
        );
        c.scan("infra/spoke.parameters.json", PARAMETERS.as_bytes());
        assert!(matches!(
            c.parameters_for("infra/spoke.json"),
            Pairing::One("infra/spoke.parameters.json", _)
        ));
    }

    #[test]
    fn kustomizations_chain_through_listed_folders() {
        let mut c = Companions::new();
        c.scan(
            "m/a0005-i/kustomization.yaml",
            b"kind: Kustomization\nnamespace: a0005-i\nresources:\n- np.yaml\n- missing.yaml\n",
        );
        c.scan(
            "m/kustomization.yaml",
            b"kind: Kustomization\nresources:\n- ./a0005-i/\nimages:\n- name: x\n  newName: y\n",
        );
        c.scan("m/a0005-i/np.yaml", b"kind: NetworkPolicy");
        let chain: Vec<&str> = c
            .kustomizations_for("m/a0005-i/np.yaml")
            .iter()
            .map(|k| k.path.as_str())
            .collect();
        assert_eq!(
            chain,
            vec!["m/a0005-i/kustomization.yaml", "m/kustomization.yaml"]
        );
        assert!(c.kustomizations_for("m/other.yaml").is_empty());
        let inner = c.kustomization("m/a0005-i/kustomization.yaml").unwrap();
        assert_eq!(c.missing_resources(inner), vec!["missing.yaml".to_owned()]);
        let outer = c.kustomization("m/kustomization.yaml").unwrap();
        assert!(c.missing_resources(outer).is_empty());
    }

    #[test]
    fn paths_join_relative_to_the_folder() {
        assert_eq!(join(Some("a/b"), "../c.yaml"), "a/c.yaml");
        assert_eq!(join(Some("a"), "./d/"), "a/d/");
        assert_eq!(join(None, "x.yaml"), "x.yaml");
        assert_eq!(dir_of("x.yaml"), None);
    }
}
