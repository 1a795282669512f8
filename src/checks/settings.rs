//! Settings that tune the checks, in a TOML file the user can edit.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// Check settings. Every field has PRODUCT.md's default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Registries images may come from (`k8s.image-registry`). A leading `*.`
    /// matches any subdomain.
    pub allowed_registries: Vec<String>,
    /// System namespaces that the Kubernetes checks leave out: the platform
    /// (AKS, Gatekeeper, Calico) runs its own components there, and the
    /// seeds advise against deny rules in them. `k8s.default-deny` does not
    /// require a policy in them, and the pod-security and image checks
    /// (`k8s.pod-non-root`, `k8s.no-privilege-escalation`, `k8s.no-privileged`,
    /// `k8s.drop-capabilities`, `k8s.image-digest`, `k8s.image-registry`) do
    /// not judge the workloads in them. Each result's reason says how many
    /// namespaces and containers were left out this way, so a reviewer can
    /// see the exclusion. Exact names; see also the prefixes below.
    pub excluded_namespaces: Vec<String>,
    /// Namespace name prefixes excluded the same way (AKS's `aks-`).
    pub excluded_namespace_prefixes: Vec<String>,
    /// Log retention that passes `logs.retention` outright, in days.
    pub log_retention_days: u32,
    /// Below this, `logs.retention` fails without the archive remark.
    pub log_retention_min_days: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            allowed_registries: vec!["*.azurecr.io".into(), "mcr.microsoft.com".into()],
            excluded_namespaces: [
                "kube-system",
                "kube-public",
                "kube-node-lease",
                "gatekeeper-system",
                "calico-system",
                "tigera-operator",
            ]
            .map(String::from)
            .to_vec(),
            excluded_namespace_prefixes: vec!["aks-".into()],
            log_retention_days: 365,
            log_retention_min_days: 90,
        }
    }
}

impl Settings {
    /// Parses settings from TOML; missing keys take their defaults.
    pub fn from_toml(text: &str) -> Result<Settings, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// The defaults as a commented TOML file, for a user to edit.
    pub fn default_toml() -> String {
        let body = toml::to_string_pretty(&Settings::default()).unwrap_or_default();
        format!(
            "# Tickmark check settings. Delete a line to go back to its default.\n\
             # allowed_registries: image registries k8s.image-registry accepts (\"*.\" matches subdomains).\n\
             # excluded_namespaces / excluded_namespace_prefixes: system namespaces that k8s.default-deny\n\
             #   and the pod-security and image checks leave out (each result says how many).\n\
             # log_retention_days: retention that passes logs.retention; log_retention_min_days: the floor.\n\n{body}"
        )
    }

    /// Reads settings from `path`; a missing file gives the defaults.
    pub fn load(path: &Path) -> Result<Settings, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => Settings::from_toml(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// True if `namespace` is excluded from workload-namespace checks.
    pub fn is_excluded_namespace(&self, namespace: &str) -> bool {
        self.excluded_namespaces.iter().any(|n| n == namespace)
            || self
                .excluded_namespace_prefixes
                .iter()
                .any(|p| namespace.starts_with(p.as_str()))
    }

    /// True if an image reference comes from an allowed registry.
    pub fn is_allowed_registry(&self, image: &str) -> bool {
        let registry = image_registry(image);
        self.allowed_registries
            .iter()
            .any(|allowed| match allowed.strip_prefix("*.") {
                // Host names ignore case, so `Contoso.AzureCR.io` is `*.azurecr.io`.
                Some(suffix) => registry
                    .len()
                    .checked_sub(suffix.len())
                    .and_then(|at| registry.get(at..).map(|tail| (at, tail)))
                    .is_some_and(|(at, tail)| {
                        tail.eq_ignore_ascii_case(suffix) && registry[..at].ends_with('.') && at > 1
                    }),
                None => registry.eq_ignore_ascii_case(allowed),
            })
    }
}

/// The registry host of an image reference; Docker Hub for bare names.
pub fn image_registry(image: &str) -> &str {
    match image.split_once('/') {
        Some((first, _)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            first
        }
        _ => "docker.io",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_through_the_toml_file() {
        let text = Settings::default_toml();
        assert_eq!(Settings::from_toml(&text).unwrap(), Settings::default());
        let custom = Settings::from_toml("log_retention_days = 400").unwrap();
        assert_eq!(custom.log_retention_days, 400);
        assert_eq!(
            custom.allowed_registries,
            Settings::default().allowed_registries
        );
        assert!(Settings::from_toml("nonsense = 1").is_err());
    }

    #[test]
    fn registries_and_namespaces() {
        let s = Settings::default();
        assert!(s.is_allowed_registry("contoso.azurecr.io/app@sha256:abc"));
        assert!(s.is_allowed_registry("mcr.microsoft.com/oss/nginx:1.2"));
        assert!(!s.is_allowed_registry("nginx:latest"));
        assert!(!s.is_allowed_registry("evil.azurecr.io.example.com/x"));
        assert!(!s.is_allowed_registry("azurecr.io/x"));
        assert!(s.is_allowed_registry("Contoso.AzureCR.io/app:1"));
        assert!(s.is_allowed_registry("MCR.microsoft.com/oss/nginx:1.2"));
        assert!(!s.is_allowed_registry(".azurecr.io/x"));
        assert!(!s.is_allowed_registry("é.azurecr.io.example/x"));
        assert!(s.is_excluded_namespace("kube-system"));
        assert!(s.is_excluded_namespace("aks-command"));
        assert!(!s.is_excluded_namespace("a0005-i"));
    }
}
