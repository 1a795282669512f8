//! Resource identity: what each piece of typed evidence describes (an Azure
//! resource ID, a Kubernetes `Kind` in a namespace with a name), so that the
//! same resource described by several files is judged once, from the newest
//! observation.
//!
//! A file's observation time is when its collection manifest says it was
//! collected, else when it was imported; files imported at the same moment
//! (`tickmark evaluate` reads them all at once) are ordered by the time the
//! file was last written, then by their order. A resource from a template or
//! a manifest without a namespace describes what would be deployed, not
//! what is, and has no identity: it is never superseded.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::azure::ResourceInfo;
use super::k8s::{ObjectKind, resource_label};
use super::{Evidence, EvidenceSet, Provenance};

/// One resource judged from a newer file than another that also holds it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Supersession {
    /// The resource as shown (its ARM ID or `namespace/Kind/name`).
    pub resource: String,
    /// The file whose observation is judged.
    pub used: String,
    /// The older file, not judged for this resource.
    pub superseded: String,
}

/// Something typed evidence holds that may describe a resource.
trait Identified {
    /// `(identity key, label)`; `None` for what cannot be identified.
    fn identity(&self) -> Option<(String, String)>;
    /// The file it came from.
    fn file(&self) -> &str;
}

fn azure_identity(info: &ResourceInfo) -> Option<(String, String)> {
    if info.in_template {
        return None;
    }
    let id = info.id.as_deref()?.trim();
    (!id.is_empty() && id.starts_with('/'))
        .then(|| (format!("azure:{}", id.to_ascii_lowercase()), id.to_owned()))
}

fn k8s_identity(namespace: Option<&str>, kind: ObjectKind, name: &str) -> Option<(String, String)> {
    let cluster_scoped = matches!(kind, ObjectKind::Namespace | ObjectKind::ClusterRoleBinding);
    if !cluster_scoped && namespace.is_none() {
        return None;
    }
    let label = resource_label(namespace, kind, name);
    Some((format!("k8s:{label}"), label))
}

macro_rules! azure_identified {
    ($($t:ty),*) => {$(
        impl Identified for $t {
            fn identity(&self) -> Option<(String, String)> {
                azure_identity(&self.info)
            }
            fn file(&self) -> &str {
                &self.info.source.path
            }
        }
    )*};
}

azure_identified!(
    super::azure::AksCluster,
    super::azure::Nsg,
    super::azure::RouteTable,
    super::azure::Firewall,
    super::azure::FirewallPolicy,
    super::azure::RuleCollectionGroup,
    super::azure::ApplicationGateway,
    super::azure::WafPolicy,
    super::azure::KeyVault,
    super::azure::ContainerRegistry,
    super::azure::PrivateEndpoint,
    super::azure::LogAnalyticsWorkspace,
    super::azure::VirtualNetwork,
    super::azure::DefenderPlan,
    super::azure::DiagnosticSetting
);

impl Identified for super::k8s::Workload {
    fn identity(&self) -> Option<(String, String)> {
        k8s_identity(self.namespace.as_deref(), self.kind, &self.name)
    }
    fn file(&self) -> &str {
        &self.source.path
    }
}

macro_rules! k8s_identified {
    ($($t:ty => $kind:expr),*) => {$(
        impl Identified for $t {
            fn identity(&self) -> Option<(String, String)> {
                k8s_identity(self.namespace.as_deref(), $kind, &self.name)
            }
            fn file(&self) -> &str {
                &self.source.path
            }
        }
    )*};
}

k8s_identified!(
    super::k8s::NetworkPolicy => ObjectKind::NetworkPolicy,
    super::k8s::Service => ObjectKind::Service,
    super::k8s::Ingress => ObjectKind::Ingress
);

impl Identified for super::k8s::Namespace {
    fn identity(&self) -> Option<(String, String)> {
        k8s_identity(None, ObjectKind::Namespace, &self.name)
    }
    fn file(&self) -> &str {
        &self.source.path
    }
}

impl Identified for super::k8s::ClusterRoleBinding {
    fn identity(&self) -> Option<(String, String)> {
        k8s_identity(None, ObjectKind::ClusterRoleBinding, &self.name)
    }
    fn file(&self) -> &str {
        &self.source.path
    }
}

/// Runs `$body` with `$list` bound to every identified list of an
/// [`Evidence`] (or of a view of one) in turn.
macro_rules! each_list {
    ($evidence:expr, $list:ident => $body:expr) => {{
        let e = $evidence;
        {
            let $list = &mut e.azure.clusters;
            $body;
        }
        {
            let $list = &mut e.azure.nsgs;
            $body;
        }
        {
            let $list = &mut e.azure.route_tables;
            $body;
        }
        {
            let $list = &mut e.azure.firewalls;
            $body;
        }
        {
            let $list = &mut e.azure.firewall_policies;
            $body;
        }
        {
            let $list = &mut e.azure.rule_collection_groups;
            $body;
        }
        {
            let $list = &mut e.azure.app_gateways;
            $body;
        }
        {
            let $list = &mut e.azure.waf_policies;
            $body;
        }
        {
            let $list = &mut e.azure.key_vaults;
            $body;
        }
        {
            let $list = &mut e.azure.registries;
            $body;
        }
        {
            let $list = &mut e.azure.private_endpoints;
            $body;
        }
        {
            let $list = &mut e.azure.workspaces;
            $body;
        }
        {
            let $list = &mut e.azure.vnets;
            $body;
        }
        {
            let $list = &mut e.azure.defender_plans;
            $body;
        }
        {
            let $list = &mut e.azure.diagnostic_settings;
            $body;
        }
        {
            let $list = &mut e.k8s.namespaces;
            $body;
        }
        {
            let $list = &mut e.k8s.network_policies;
            $body;
        }
        {
            let $list = &mut e.k8s.workloads;
            $body;
        }
        {
            let $list = &mut e.k8s.services;
            $body;
        }
        {
            let $list = &mut e.k8s.ingresses;
            $body;
        }
        {
            let $list = &mut e.k8s.cluster_role_bindings;
            $body;
        }
    }};
}

/// The identities of the resources `evidence` describes, sorted, each once
/// (as labels: ARM IDs as written, `namespace/Kind/name`).
pub fn resources_of(evidence: &Evidence) -> Vec<String> {
    let mut out = BTreeMap::new();
    // `each_list!` takes `&mut`; identities only read, so work on a view.
    let mut view = ListsView::of(evidence);
    each_list!(&mut view, list => collect_identities(list, &mut out));
    out.into_values().collect()
}

/// When a file was observed, for ordering files that describe the same
/// resource (see the module documentation).
pub fn observed_at(provenance: &Provenance) -> DateTime<Utc> {
    provenance
        .custody
        .as_ref()
        .map_or(provenance.imported_at, |c| c.collected_at)
}

/// The evidence with every identified resource judged once: items from a
/// file older than another current file holding the same resource are left
/// out (and the sensitive findings on them). Borrowed when nothing repeats.
pub fn newest(set: &EvidenceSet) -> (Cow<'_, Evidence>, Vec<Supersession>) {
    let rank: HashMap<&str, Rank> = set
        .files
        .iter()
        .enumerate()
        .map(|(i, p)| (p.path.as_str(), (observed_at(p), p.modified_at, i)))
        .collect();
    let mut winners = Winners::default();
    let mut view = ListsView::of(&set.evidence);
    each_list!(&mut view, list => winners.scan(list, &rank));
    if winners.superseded.is_empty() {
        return (Cow::Borrowed(&set.evidence), Vec::new());
    }
    let mut evidence = set.evidence.clone();
    each_list!(&mut evidence, list => winners.retain(list));
    let dropped: std::collections::HashSet<(&str, &str)> = winners
        .superseded
        .iter()
        .map(|s| (s.superseded.as_str(), s.resource.as_str()))
        .collect();
    evidence.sensitive.retain(|f| {
        f.resource
            .as_deref()
            .is_none_or(|r| !dropped.contains(&(f.path.as_str(), r)))
    });
    let mut superseded = winners.superseded;
    superseded.sort();
    superseded.dedup();
    (Cow::Owned(evidence), superseded)
}

fn collect_identities<T: Identified>(items: &mut [T], out: &mut BTreeMap<String, String>) {
    for item in items.iter() {
        if let Some((key, label)) = item.identity() {
            out.entry(key).or_insert(label);
        }
    }
}

/// For every identity, the file whose observation is judged.
#[derive(Default)]
struct Winners {
    by_identity: HashMap<String, String>,
    superseded: Vec<Supersession>,
}

type Rank = (DateTime<Utc>, Option<DateTime<Utc>>, usize);

impl Winners {
    fn scan<T: Identified>(&mut self, items: &mut [T], rank: &HashMap<&str, Rank>) {
        let mut files: HashMap<String, (String, Vec<&str>)> = HashMap::new();
        for item in items.iter() {
            if let Some((key, label)) = item.identity() {
                let entry = files.entry(key).or_insert_with(|| (label, Vec::new()));
                if !entry.1.contains(&item.file()) {
                    entry.1.push(item.file());
                }
            }
        }
        for (key, (label, paths)) in files {
            if paths.len() < 2 {
                continue;
            }
            let newest = paths
                .iter()
                .copied()
                .max_by_key(|p| rank.get(p).copied())
                .unwrap_or_default();
            for older in paths.iter().filter(|p| **p != newest) {
                self.superseded.push(Supersession {
                    resource: label.clone(),
                    used: newest.to_owned(),
                    superseded: (*older).to_owned(),
                });
            }
            self.by_identity.insert(key, newest.to_owned());
        }
    }

    fn retain<T: Identified>(&self, items: &mut Vec<T>) {
        items.retain(|item| match item.identity() {
            Some((key, _)) => self
                .by_identity
                .get(&key)
                .is_none_or(|winner| winner == item.file()),
            None => true,
        });
    }
}

/// Shallow copies of an [`Evidence`]'s identified lists, so that the
/// `&mut` list macro can read them without cloning the items.
struct ListsView<'e> {
    azure: AzureView<'e>,
    k8s: K8sView<'e>,
}

macro_rules! view_struct {
    ($name:ident, $src:ty, $($field:ident: $t:ty),*) => {
        struct $name<'e> { $($field: Vec<&'e $t>,)* }
        impl<'e> $name<'e> {
            fn of(src: &'e $src) -> Self {
                $name { $($field: src.$field.iter().collect(),)* }
            }
        }
    };
}

view_struct!(AzureView, super::azure::AzureEvidence,
    clusters: super::azure::AksCluster,
    nsgs: super::azure::Nsg,
    route_tables: super::azure::RouteTable,
    firewalls: super::azure::Firewall,
    firewall_policies: super::azure::FirewallPolicy,
    rule_collection_groups: super::azure::RuleCollectionGroup,
    app_gateways: super::azure::ApplicationGateway,
    waf_policies: super::azure::WafPolicy,
    key_vaults: super::azure::KeyVault,
    registries: super::azure::ContainerRegistry,
    private_endpoints: super::azure::PrivateEndpoint,
    workspaces: super::azure::LogAnalyticsWorkspace,
    vnets: super::azure::VirtualNetwork,
    defender_plans: super::azure::DefenderPlan,
    diagnostic_settings: super::azure::DiagnosticSetting);

view_struct!(K8sView, super::k8s::K8sEvidence,
    namespaces: super::k8s::Namespace,
    network_policies: super::k8s::NetworkPolicy,
    workloads: super::k8s::Workload,
    services: super::k8s::Service,
    ingresses: super::k8s::Ingress,
    cluster_role_bindings: super::k8s::ClusterRoleBinding);

impl<'e> ListsView<'e> {
    fn of(evidence: &'e Evidence) -> Self {
        ListsView {
            azure: AzureView::of(&evidence.azure),
            k8s: K8sView::of(&evidence.k8s),
        }
    }
}

impl<T: Identified> Identified for &T {
    fn identity(&self) -> Option<(String, String)> {
        (**self).identity()
    }
    fn file(&self) -> &str {
        (**self).file()
    }
}
