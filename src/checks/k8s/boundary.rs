//! The CDE boundary inside the cluster: `k8s.cde-placement` (in-scope and
//! out-of-scope pods never share a node), `k8s.cde-network-isolation` (no
//! network policy of an in-scope namespace lets out-of-scope traffic in or
//! out, beyond the flows the scope file declares) and `k8s.mesh-mtls` (the
//! mesh enforces mTLS in every in-scope namespace).

use std::collections::BTreeMap;

use super::scope::Controllers;
use crate::checks::{CheckResult, CheckStatus, ResourceResult, Settings};
use crate::collect::export_command as cmd;
use crate::evidence::k8s::boundary::{Mesh, PolicyPeer, Taint, injection};
use crate::evidence::k8s::{NetworkPolicy, ObjectKind, PolicyRule, Workload};
use crate::evidence::{Evidence, EvidenceRef};
use crate::scope::addresses::{block_reaches, parse};
use crate::scope::topology::{Pool, PoolFrom, Topology};
use crate::scope::{Scope, ScopeClass, ScopeFlow, ScopeKind, how_to_state_scope};

const PLACEMENT: &str = "k8s.cde-placement";
const ISOLATION: &str = "k8s.cde-network-isolation";
const MESH: &str = "k8s.mesh-mtls";

/// Runs the three checks, in the registry's order.
pub(super) fn run(
    evidence: &Evidence,
    settings: &Settings,
    pci: &Scope,
    out: &mut Vec<CheckResult>,
) {
    let topology = Topology::of(evidence, pci);
    out.push(cde_placement(evidence, settings, pci, &topology));
    out.push(cde_network_isolation(evidence, settings, pci, &topology));
    out.push(mesh_mtls(evidence, pci));
}

/// The scope of a workload's namespace; excluded system namespaces count as
/// connected (they serve every node) unless the scope says otherwise.
fn namespace_class(
    namespace: Option<&str>,
    pci: &Scope,
    settings: &Settings,
) -> Option<ScopeClass> {
    let namespace = namespace?;
    pci.class_of(ScopeKind::Namespace, namespace).or_else(|| {
        settings
            .is_excluded_namespace(namespace)
            .then_some(ScopeClass::Connected)
    })
}

// ---------------------------------------------------------------------------
// k8s.cde-placement
// ---------------------------------------------------------------------------

fn cde_placement(
    evidence: &Evidence,
    settings: &Settings,
    pci: &Scope,
    topology: &Topology,
) -> CheckResult {
    if !pci.is_known() {
        return CheckResult::not_evaluated(PLACEMENT, how_to_state_scope());
    }
    let workloads = &evidence.k8s.workloads;
    if workloads.is_empty() {
        return CheckResult::not_evaluated(
            PLACEMENT,
            format!(
                "no pods or workloads were imported, so where workloads run is unknown: export {} and {}",
                cmd("pods"),
                cmd("nodes")
            ),
        );
    }
    if topology.pools.is_empty() {
        return CheckResult::not_evaluated(
            PLACEMENT,
            format!(
                "no node pools are known: export {} and {}",
                cmd("aks-cluster"),
                cmd("nodes")
            ),
        );
    }
    let controllers = Controllers::new(workloads);
    let mut resources = Vec::new();
    let mut skipped: BTreeMap<&'static str, usize> = BTreeMap::new();
    for workload in workloads {
        let class = namespace_class(workload.namespace.as_deref(), pci, settings);
        let Some(class @ (ScopeClass::InScope | ScopeClass::OutOfScope)) = class else {
            let why = if class.is_some() {
                "connected or system"
            } else {
                "of unknown scope"
            };
            *skipped.entry(why).or_default() += 1;
            continue;
        };
        if workload.kind == ObjectKind::Pod && workload.placement.node_name.is_some() {
            resources.push(where_it_runs(workload, class, topology).in_scope(Some(class)));
        }
        if controllers.top(workload).is_none() {
            resources.push(what_it_asks(workload, class, topology).in_scope(Some(class)));
        }
    }
    let mut result = CheckResult::from_resources(
        PLACEMENT,
        "pod or workload",
        resources,
        "no workload of an in-scope or out-of-scope namespace was imported",
    );
    let left: Vec<String> = skipped
        .iter()
        .map(|(why, n)| format!("{n} workload(s) of {why} namespaces not judged"))
        .collect();
    if !left.is_empty() {
        result.reason.push_str("; ");
        result.reason.push_str(&left.join("; "));
    }
    result
}

/// A scheduled pod: the scope of the pool its node belongs to.
fn where_it_runs(workload: &Workload, class: ScopeClass, topology: &Topology) -> ResourceResult {
    let node = workload.placement.node_name.as_deref().unwrap_or_default();
    let label = format!("{} on {node}", workload.label());
    let mut evidence = vec![EvidenceRef {
        pointer: format!("{}/spec/nodeName", workload.source.pointer),
        ..workload.source.clone()
    }];
    let Some((pool, from)) = topology.pool_of_node(node) else {
        return ResourceResult::new(
            label,
            CheckStatus::NotEvaluated,
            format!(
                "runs on node {node}, whose pool is not known: export {}",
                cmd("nodes")
            ),
            evidence,
        );
    };
    evidence.extend(pool.source.clone());
    let how = match from {
        PoolFrom::NodeLabel => String::new(),
        PoolFrom::NodeName => " (pool read from the AKS node name; nodes not imported)".to_owned(),
    };
    let pool_class = pool.class;
    let (status, reason) = match (class, pool_class) {
        (_, None) => (
            CheckStatus::NotEvaluated,
            format!(
                "runs on node {node} of pool {}, whose scope is not stated{how}",
                pool.name
            ),
        ),
        (ScopeClass::InScope, Some(ScopeClass::InScope)) => (
            CheckStatus::Pass,
            format!("runs on node {node} of in-scope pool {}{how}", pool.name),
        ),
        (ScopeClass::InScope, Some(other)) => (
            CheckStatus::Fail,
            format!(
                "an in-scope pod runs on node {node} of pool {} ({}){how}",
                pool.name,
                other.id()
            ),
        ),
        (_, Some(ScopeClass::InScope)) => (
            CheckStatus::Fail,
            format!(
                "an out-of-scope pod runs on node {node} of in-scope pool {}, sharing the node with the CDE{how}",
                pool.name
            ),
        ),
        (_, Some(other)) => (
            CheckStatus::Pass,
            format!(
                "runs on node {node} of pool {} ({}){how}",
                pool.name,
                other.id()
            ),
        ),
    };
    ResourceResult::new(label, status, reason, evidence)
}

/// A workload's pod spec: which pools it asks for and which taints it
/// tolerates.
fn what_it_asks(workload: &Workload, class: ScopeClass, topology: &Topology) -> ResourceResult {
    let label = format!("{} (pod spec)", workload.label());
    let evidence = vec![EvidenceRef {
        pointer: workload.pod.pointer.clone(),
        ..workload.source.clone()
    }];
    let in_scope: Vec<&Pool> = topology
        .pools
        .iter()
        .filter(|p| p.class == Some(ScopeClass::InScope))
        .collect();
    let (status, reason) = match class {
        ScopeClass::InScope => pins_in_scope(workload, topology),
        _ => keeps_off(workload, topology, &in_scope),
    };
    ResourceResult::new(label, status, reason, evidence)
}

fn names(pools: &[&Pool]) -> String {
    pools
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn tolerates(workload: &Workload, taint: &Taint) -> bool {
    workload
        .placement
        .tolerations
        .iter()
        .any(|t| t.tolerates(taint))
}

/// An in-scope workload must pin in-scope pools and tolerate their taints.
fn pins_in_scope(workload: &Workload, topology: &Topology) -> (CheckStatus, String) {
    let Some(allowed) = topology.pools_allowed(&workload.pod) else {
        return (
            CheckStatus::Fail,
            "does not pin its pods to in-scope pools: no nodeSelector and no required node affinity"
                .to_owned(),
        );
    };
    if allowed.is_empty() {
        return (
            CheckStatus::NotEvaluated,
            format!(
                "its node selector ({}) matches no known pool: export {}",
                describe_selector(workload),
                cmd("nodes")
            ),
        );
    }
    let outside: Vec<&Pool> = allowed
        .iter()
        .copied()
        .filter(|p| p.class != Some(ScopeClass::InScope))
        .collect();
    if !outside.is_empty() {
        return (
            CheckStatus::Fail,
            format!(
                "its node selector ({}) also allows pool(s) not in scope: {}",
                describe_selector(workload),
                names(&outside)
            ),
        );
    }
    let untolerated: Vec<String> = allowed
        .iter()
        .flat_map(|p| p.repelling_taints().map(move |t| (p, t)))
        .filter(|(_, t)| !tolerates(workload, t))
        .map(|(p, t)| format!("{t} of {}", p.name))
        .collect();
    if !untolerated.is_empty() {
        return (
            CheckStatus::Fail,
            format!(
                "pins in-scope pool(s) {} but does not tolerate their taint ({}), so its pods cannot be scheduled there",
                names(&allowed),
                untolerated.join(", ")
            ),
        );
    }
    (
        CheckStatus::Pass,
        format!(
            "pins in-scope pool(s) {} ({}) and tolerates their taints",
            names(&allowed),
            describe_selector(workload)
        ),
    )
}

/// An out-of-scope workload must not tolerate the in-scope pools' taints,
/// and where an in-scope pool has no taint, must keep off it by selector.
fn keeps_off(
    workload: &Workload,
    topology: &Topology,
    in_scope: &[&Pool],
) -> (CheckStatus, String) {
    let tolerated: Vec<String> = in_scope
        .iter()
        .flat_map(|p| p.repelling_taints().map(move |t| (p, t)))
        .filter(|(_, t)| tolerates(workload, t))
        .map(|(p, t)| format!("{t} of {}", p.name))
        .collect();
    if !tolerated.is_empty() {
        return (
            CheckStatus::Fail,
            format!(
                "tolerates the in-scope taint {}, so its pods may be scheduled onto CDE nodes",
                tolerated.join(", ")
            ),
        );
    }
    let allowed = topology.pools_allowed(&workload.pod);
    if let Some(allowed) = &allowed {
        let cde: Vec<&Pool> = allowed
            .iter()
            .copied()
            .filter(|p| p.class == Some(ScopeClass::InScope))
            .collect();
        if !cde.is_empty() {
            return (
                CheckStatus::Fail,
                format!(
                    "its node selector ({}) allows in-scope pool(s) {}",
                    describe_selector(workload),
                    names(&cde)
                ),
            );
        }
    }
    let open: Vec<&Pool> = in_scope
        .iter()
        .copied()
        .filter(|p| p.repelling_taints().next().is_none())
        .collect();
    match (&allowed, open.is_empty()) {
        (None, false) => (
            CheckStatus::Fail,
            format!(
                "in-scope pool(s) {} have no NoSchedule taint and this pod spec pins no pool, so its pods may land on CDE nodes",
                names(&open)
            ),
        ),
        (Some(allowed), _) => (
            CheckStatus::Pass,
            format!(
                "keeps to pool(s) {} ({}) and tolerates no in-scope taint",
                names(allowed),
                describe_selector(workload)
            ),
        ),
        (None, true) => (
            CheckStatus::Pass,
            "tolerates no taint of the in-scope pools, so the scheduler keeps its pods off them"
                .to_owned(),
        ),
    }
}

fn describe_selector(workload: &Workload) -> String {
    let mut parts: Vec<String> = workload
        .pod
        .node_selector
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for term in &workload.pod.required_node_terms {
        let term: Vec<String> = term
            .iter()
            .map(|r| format!("{} {} ({})", r.key, r.operator, r.values.join(", ")))
            .collect();
        parts.push(term.join(" and "));
    }
    parts.join("; ")
}

// ---------------------------------------------------------------------------
// k8s.cde-network-isolation
// ---------------------------------------------------------------------------

/// Which way a rule lets traffic through.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Ingress,
    Egress,
}

/// One place out of scope that a rule reaches.
struct Crossing {
    /// The namespace, subnet or range reached.
    target: Target,
    /// The peer's pod labels, if it narrows to pods.
    pods: BTreeMap<String, String>,
    /// In words.
    says: String,
}

enum Target {
    Namespace(String),
    Range {
        subnet: Option<String>,
        cidr: String,
    },
    Anything,
}

fn cde_network_isolation(
    evidence: &Evidence,
    settings: &Settings,
    pci: &Scope,
    topology: &Topology,
) -> CheckResult {
    if !pci.is_known() {
        return CheckResult::not_evaluated(ISOLATION, how_to_state_scope());
    }
    let in_scope: Vec<&str> = pci
        .of_kind(ScopeKind::Namespace)
        .filter(|e| e.class == Some(ScopeClass::InScope))
        .map(|e| e.name.as_str())
        .collect();
    if in_scope.is_empty() {
        return CheckResult::not_evaluated(
            ISOLATION,
            format!(
                "no namespace is in scope, so there is no CDE namespace to judge: label the CDE's namespaces {}=in-scope (export {}) or declare them in a tickmark-scope.toml",
                crate::scope::SCOPE_LABEL,
                cmd("namespaces")
            ),
        );
    }
    let k8s = &evidence.k8s;
    let outside = Outside::of(evidence, pci, settings, topology);
    let resources = in_scope
        .into_iter()
        .map(|namespace| {
            let source = k8s
                .namespaces
                .iter()
                .find(|n| n.name == namespace)
                .map(|n| n.source.clone());
            let policies: Vec<&NetworkPolicy> = k8s
                .network_policies
                .iter()
                .filter(|p| p.namespace.as_deref() == Some(namespace))
                .collect();
            judge_isolation(namespace, source, &policies, &outside, &pci.flows)
                .in_scope(Some(ScopeClass::InScope))
        })
        .collect();
    CheckResult::from_resources(ISOLATION, "in-scope namespace", resources, "")
}

/// What lies outside the CDE: the namespaces (with their labels) and the
/// address ranges of out-of-scope subnets and pools.
struct Outside<'a> {
    /// Every known namespace: name → (labels, scope).
    namespaces: BTreeMap<String, (BTreeMap<String, String>, Option<ScopeClass>)>,
    /// Namespace objects were imported (selectors can be resolved).
    namespaces_imported: bool,
    /// Out-of-scope ranges: (subnet or pool it belongs to, CIDR).
    ranges: Vec<(String, String)>,
    _scope: &'a Scope,
}

impl<'a> Outside<'a> {
    fn of(evidence: &Evidence, pci: &'a Scope, settings: &Settings, topology: &Topology) -> Self {
        let mut namespaces = BTreeMap::new();
        for entry in pci.of_kind(ScopeKind::Namespace) {
            let mut labels = evidence
                .k8s
                .namespaces
                .iter()
                .find(|n| n.name == entry.name)
                .map(|n| n.labels.clone())
                .unwrap_or_default();
            labels
                .entry("kubernetes.io/metadata.name".to_owned())
                .or_insert_with(|| entry.name.clone());
            let class = namespace_class(Some(&entry.name), pci, settings);
            namespaces.insert(entry.name.clone(), (labels, class));
        }
        let mut ranges = Vec::new();
        for entry in pci
            .of_kind(ScopeKind::Subnet)
            .filter(|e| e.class == Some(ScopeClass::OutOfScope))
        {
            for cidr in &entry.addresses {
                ranges.push((format!("subnet {}", entry.name), cidr.clone()));
            }
        }
        for node in &evidence.k8s.nodes {
            let out = node
                .pool()
                .and_then(|p| topology.pool(p))
                .is_some_and(|p| p.class == Some(ScopeClass::OutOfScope));
            if out {
                for cidr in &node.pod_cidrs {
                    ranges.push((format!("pods of node {}", node.name), cidr.clone()));
                }
            }
        }
        Outside {
            namespaces,
            namespaces_imported: !evidence.k8s.namespaces.is_empty(),
            ranges,
            _scope: pci,
        }
    }

    /// What out of scope a peer reaches; `Err` when it cannot be told.
    fn reached(&self, peer: &PolicyPeer) -> Result<Vec<Crossing>, String> {
        if let Some(block) = &peer.ip_block {
            let mut out = Vec::new();
            for (owner, cidr) in &self.ranges {
                let Some(range) = parse(cidr) else {
                    continue;
                };
                match block_reaches(&block.cidr, &block.except, &range) {
                    Some(true) => out.push(Crossing {
                        target: Target::Range {
                            subnet: owner.strip_prefix("subnet ").map(str::to_owned),
                            cidr: cidr.clone(),
                        },
                        pods: BTreeMap::new(),
                        says: format!(
                            "ipBlock {} reaches out-of-scope {owner} ({cidr})",
                            block.cidr
                        ),
                    }),
                    Some(false) => {}
                    None => {
                        return Err(format!(
                            "ipBlock {} is not an IPv4 range Tickmark can judge",
                            block.cidr
                        ));
                    }
                }
            }
            return Ok(out);
        }
        let pods = peer
            .pod_selector
            .as_ref()
            .map(|s| s.match_labels.clone())
            .unwrap_or_default();
        let Some(selector) = &peer.namespace_selector else {
            // Pods of the policy's own namespace.
            return Ok(Vec::new());
        };
        if selector.is_empty() {
            return Ok(vec![Crossing {
                target: Target::Anything,
                pods,
                says: format!(
                    "peer `{}` selects every namespace, out-of-scope ones included",
                    peer.describe()
                ),
            }]);
        }
        if !self.namespaces_imported {
            return Err(format!(
                "peer `{}` selects namespaces by label, and no namespaces were imported to resolve it: export {}",
                peer.describe(),
                cmd("namespaces")
            ));
        }
        let mut out = Vec::new();
        for (name, (labels, class)) in &self.namespaces {
            match selector.matches(labels) {
                Some(true) if *class == Some(ScopeClass::OutOfScope) => out.push(Crossing {
                    target: Target::Namespace(name.clone()),
                    pods: pods.clone(),
                    says: format!(
                        "peer `{}` reaches out-of-scope namespace {name}",
                        peer.describe()
                    ),
                }),
                Some(_) => {}
                None => {
                    return Err(format!(
                        "peer `{}` uses a selector operator Kubernetes does not define",
                        peer.describe()
                    ));
                }
            }
        }
        Ok(out)
    }
}

fn judge_isolation(
    namespace: &str,
    source: Option<EvidenceRef>,
    policies: &[&NetworkPolicy],
    outside: &Outside<'_>,
    flows: &[ScopeFlow],
) -> ResourceResult {
    let label = format!("namespace {namespace}");
    let mut evidence: Vec<EvidenceRef> = source.into_iter().collect();
    if policies.is_empty() {
        return ResourceResult::new(
            label,
            CheckStatus::Fail,
            "no network policy: every pod of this in-scope namespace accepts traffic from any namespace, out-of-scope ones included",
            evidence,
        );
    }
    let mut undeclared = Vec::new();
    let mut declared = Vec::new();
    let mut unknown = Vec::new();
    for policy in policies {
        let (ingress, egress) = policy.covers();
        let sides = [
            (Direction::Ingress, ingress, &policy.ingress),
            (Direction::Egress, egress, &policy.egress),
        ];
        for (direction, covered, rules) in sides {
            if !covered {
                continue;
            }
            for (index, rule) in rules.iter().enumerate() {
                let at = rule_pointer(policy, direction, index);
                for crossing in rule_crossings(rule, outside, &mut unknown, &policy.name) {
                    let text = format!(
                        "policy {} {} rule {} ({}): {}",
                        policy.name,
                        side(direction),
                        index + 1,
                        ports(rule),
                        crossing.says
                    );
                    match flows
                        .iter()
                        .find(|f| declares(f, namespace, policy, direction, rule, &crossing))
                    {
                        Some(flow) => {
                            declared.push(format!("{} (declared: {})", flow.describe(), flow.why));
                            evidence.push(flow.source.clone());
                        }
                        None => undeclared.push(text),
                    }
                    evidence.push(at.clone());
                }
            }
        }
    }
    evidence.sort();
    evidence.dedup();
    if !undeclared.is_empty() {
        return ResourceResult::new(
            label,
            CheckStatus::Fail,
            format!(
                "{} undeclared flow(s) across the boundary: {}",
                undeclared.len(),
                undeclared.join("; ")
            ),
            evidence,
        );
    }
    if !unknown.is_empty() {
        evidence.extend(policies.iter().map(|p| p.source.clone()));
        return ResourceResult::new(
            label,
            CheckStatus::NotEvaluated,
            unknown.join("; "),
            evidence,
        );
    }
    evidence.extend(policies.iter().map(|p| p.source.clone()));
    evidence.sort();
    evidence.dedup();
    let reason = if declared.is_empty() {
        format!(
            "{} network polic(ies); none lets traffic in from or out to out-of-scope namespaces or subnets",
            policies.len()
        )
    } else {
        declared.sort();
        declared.dedup();
        format!(
            "{} network polic(ies); traffic crosses the boundary only as the scope file declares: {}",
            policies.len(),
            declared.join("; ")
        )
    };
    ResourceResult::new(label, CheckStatus::Pass, reason, evidence)
}

/// What out of scope one rule reaches. A rule without peers reaches
/// everything.
fn rule_crossings(
    rule: &PolicyRule,
    outside: &Outside<'_>,
    unknown: &mut Vec<String>,
    policy: &str,
) -> Vec<Crossing> {
    if rule.peer_list.is_empty() {
        return vec![Crossing {
            target: Target::Anything,
            pods: BTreeMap::new(),
            says: "names no peer, so it admits every source or destination".to_owned(),
        }];
    }
    let mut out = Vec::new();
    for peer in &rule.peer_list {
        match outside.reached(peer) {
            Ok(found) => out.extend(found),
            Err(why) => unknown.push(format!("policy {policy}: {why}")),
        }
    }
    out
}

fn side(direction: Direction) -> &'static str {
    match direction {
        Direction::Ingress => "ingress",
        Direction::Egress => "egress",
    }
}

fn ports(rule: &PolicyRule) -> String {
    if rule.port_list.is_empty() {
        "any port".to_owned()
    } else {
        rule.port_list.join(", ")
    }
}

fn rule_pointer(policy: &NetworkPolicy, direction: Direction, index: usize) -> EvidenceRef {
    EvidenceRef {
        pointer: format!("{}/spec/{}/{index}", policy.source.pointer, side(direction)),
        ..policy.source.clone()
    }
}

/// True if `flow` declares what `rule` of `policy` (in in-scope `namespace`)
/// lets across: the same ends, the rule's pods within the flow's, and the
/// rule's ports among the flow's.
fn declares(
    flow: &ScopeFlow,
    namespace: &str,
    policy: &NetworkPolicy,
    direction: Direction,
    rule: &PolicyRule,
    crossing: &Crossing,
) -> bool {
    let (inside, other) = match direction {
        Direction::Ingress => (&flow.to, &flow.from),
        Direction::Egress => (&flow.from, &flow.to),
    };
    let inside_fits = inside.kind == Some(ScopeKind::Namespace)
        && inside.name == namespace
        && labels_within(
            &inside.pods,
            policy
                .pod_selector
                .as_ref()
                .map(|s| &s.match_labels)
                .unwrap_or(&BTreeMap::new()),
        );
    let other_fits = match &crossing.target {
        Target::Namespace(name) => {
            other.kind == Some(ScopeKind::Namespace)
                && &other.name == name
                && labels_within(&other.pods, &crossing.pods)
        }
        Target::Range { subnet, cidr } => match other.kind {
            Some(ScopeKind::Subnet) => subnet
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(&other.name)),
            None => match (parse(&other.name), parse(cidr)) {
                (Some(declared), Some(range)) => declared.contains(&range),
                _ => false,
            },
            _ => false,
        },
        Target::Anything => false,
    };
    inside_fits && other_fits && ports_within(&rule.port_list, &flow.ports)
}

/// True if every label the flow narrows to is also required by `actual`
/// (the rule selects no more pods than the flow allows).
fn labels_within(flow: &BTreeMap<String, String>, actual: &BTreeMap<String, String>) -> bool {
    flow.iter().all(|(k, v)| actual.get(k) == Some(v))
}

/// True if every port of the rule is among the flow's; a flow without
/// ports allows any, a rule without ports needs such a flow.
fn ports_within(rule: &[String], flow: &[String]) -> bool {
    if flow.is_empty() {
        return true;
    }
    !rule.is_empty()
        && rule
            .iter()
            .all(|p| flow.iter().any(|f| f.eq_ignore_ascii_case(p)))
}

// ---------------------------------------------------------------------------
// k8s.mesh-mtls
// ---------------------------------------------------------------------------

/// The namespaces where Istio's mesh-wide policy lives (upstream, AKS add-on).
const ISTIO_ROOT_NAMESPACES: [&str; 2] = ["istio-system", "aks-istio-system"];

/// Linkerd default inbound policies that demand mTLS.
const LINKERD_AUTHENTICATED: [&str; 3] = ["all-authenticated", "cluster-authenticated", "deny"];

fn mesh_mtls(evidence: &Evidence, pci: &Scope) -> CheckResult {
    if !pci.is_known() {
        return CheckResult::not_evaluated(MESH, how_to_state_scope());
    }
    let k8s = &evidence.k8s;
    let in_scope: Vec<&str> = pci
        .of_kind(ScopeKind::Namespace)
        .filter(|e| e.class == Some(ScopeClass::InScope))
        .map(|e| e.name.as_str())
        .collect();
    if in_scope.is_empty() {
        return CheckResult::not_evaluated(
            MESH,
            "no namespace is in scope, so no CDE namespace needs the mesh",
        );
    }
    if k8s.namespaces.is_empty() {
        return CheckResult::not_evaluated(
            MESH,
            format!(
                "no namespaces were imported, so mesh injection cannot be read: export {}",
                cmd("namespaces")
            ),
        );
    }
    let resources = in_scope
        .into_iter()
        .map(|name| judge_mesh(evidence, name).in_scope(Some(ScopeClass::InScope)))
        .collect();
    CheckResult::from_resources(MESH, "in-scope namespace", resources, "")
}

fn judge_mesh(evidence: &Evidence, name: &str) -> ResourceResult {
    let k8s = &evidence.k8s;
    let label = format!("namespace {name}");
    let Some(namespace) = k8s.namespaces.iter().find(|n| n.name == name) else {
        return ResourceResult::new(
            label,
            CheckStatus::NotEvaluated,
            format!(
                "the namespace object was not imported, so its mesh injection is unknown: export {}",
                cmd("namespaces")
            ),
            Vec::new(),
        );
    };
    let mut evidence_refs = vec![namespace.source.clone()];
    let injected = [Mesh::Istio, Mesh::Linkerd, Mesh::Osm]
        .into_iter()
        .find_map(|mesh| {
            injection::state(&namespace.labels, &namespace.annotations, mesh)
                .map(|(on, key)| (mesh, on, key))
        });
    let (mesh, key) = match injected {
        Some((mesh, true, key)) => (mesh, key),
        Some((mesh, false, key)) => {
            return ResourceResult::new(
                label,
                CheckStatus::Fail,
                format!("{} sidecar injection is turned off ({key})", mesh.label()),
                evidence_refs,
            );
        }
        None => {
            return ResourceResult::new(
                label,
                CheckStatus::Fail,
                "no service mesh injects its proxies here (no istio-injection / istio.io/rev label, linkerd.io/inject or openservicemesh.io/sidecar-injection annotation), so pod-to-pod traffic is not mTLS",
                evidence_refs,
            );
        }
    };
    let unmeshed = pods_without_proxy(evidence, name, mesh);
    if !unmeshed.is_empty() {
        let listed: Vec<&str> = unmeshed.iter().map(|(label, _)| label.as_str()).collect();
        evidence_refs.extend(unmeshed.iter().map(|(_, at)| at.clone()));
        return ResourceResult::new(
            label,
            CheckStatus::Fail,
            format!(
                "{} injection is on ({key}), but {} pod(s) run without its proxy: {}",
                mesh.label(),
                listed.len(),
                listed.join(", ")
            ),
            evidence_refs,
        );
    }
    let (status, why) = match mesh {
        Mesh::Istio => istio_mode(evidence, name, &mut evidence_refs),
        Mesh::Linkerd => linkerd_mode(evidence, namespace, &mut evidence_refs),
        Mesh::Osm => osm_mode(evidence, &mut evidence_refs),
    };
    ResourceResult::new(
        label,
        status,
        format!("{} injection on ({key}); {why}", mesh.label()),
        evidence_refs,
    )
}

/// The imported pods of `namespace` that lack `mesh`'s proxy container.
fn pods_without_proxy(
    evidence: &Evidence,
    namespace: &str,
    mesh: Mesh,
) -> Vec<(String, EvidenceRef)> {
    let proxies = injection::proxy_container(mesh);
    evidence
        .k8s
        .workloads
        .iter()
        .filter(|w| w.kind == ObjectKind::Pod && w.namespace.as_deref() == Some(namespace))
        .filter(|w| {
            !w.pod
                .containers
                .iter()
                .any(|c| proxies.contains(&c.name.as_str()))
        })
        .map(|w| (w.name.clone(), w.source.clone()))
        .collect()
}

fn istio_mode(
    evidence: &Evidence,
    namespace: &str,
    refs: &mut Vec<EvidenceRef>,
) -> (CheckStatus, String) {
    let policies: Vec<_> = evidence
        .k8s
        .mesh_policies
        .iter()
        .filter(|p| p.mesh == Mesh::Istio)
        .collect();
    if policies.is_empty() {
        return (
            CheckStatus::NotEvaluated,
            format!(
                "no Istio PeerAuthentication was imported, so the mTLS mode is unknown (without one Istio accepts plain text): export {}",
                cmd("peer-authentications")
            ),
        );
    }
    let whole = |ns: &str| {
        policies
            .iter()
            .find(|p| p.namespace.as_deref() == Some(ns) && p.workloads.is_none())
    };
    let own = whole(namespace);
    let mesh_wide = ISTIO_ROOT_NAMESPACES.iter().find_map(|root| whole(root));
    let deciding = match own {
        Some(p) if p.mode.as_deref().is_some_and(|m| m != "UNSET") => Some((*p, "namespace-wide")),
        _ => mesh_wide.map(|p| (*p, "mesh-wide")),
    };
    let weaker: Vec<String> = policies
        .iter()
        .filter(|p| p.namespace.as_deref() == Some(namespace) && p.workloads.is_some())
        .flat_map(|p| {
            let own = p
                .mode
                .as_deref()
                .filter(|m| matches!(*m, "PERMISSIVE" | "DISABLE"))
                .map(|m| {
                    format!(
                        "{} sets {m} for pods {}",
                        p.name,
                        p.workloads
                            .as_ref()
                            .map(|s| s.describe())
                            .unwrap_or_default()
                    )
                });
            let ports = p
                .port_modes
                .iter()
                .filter(|(_, m)| matches!(m.as_str(), "PERMISSIVE" | "DISABLE"))
                .map(move |(port, m)| format!("{} sets {m} on port {port}", p.name));
            own.into_iter().chain(ports).collect::<Vec<_>>()
        })
        .collect();
    refs.extend(
        policies
            .iter()
            .filter(|p| p.namespace.as_deref() == Some(namespace))
            .map(|p| p.source.clone()),
    );
    let Some((policy, level)) = deciding else {
        return (
            CheckStatus::Fail,
            "no PeerAuthentication covers the namespace or the mesh, so Istio's default, PERMISSIVE, accepts plain text".to_owned(),
        );
    };
    refs.push(policy.source.clone());
    let mode = policy.mode.as_deref().unwrap_or("UNSET");
    if mode != "STRICT" {
        return (
            CheckStatus::Fail,
            format!(
                "the {level} PeerAuthentication {} sets mTLS mode {mode}, which accepts plain text",
                policy.name
            ),
        );
    }
    if !weaker.is_empty() {
        return (
            CheckStatus::Fail,
            format!(
                "the {level} PeerAuthentication {} is STRICT, but {}",
                policy.name,
                weaker.join("; ")
            ),
        );
    }
    (
        CheckStatus::Pass,
        format!(
            "the {level} PeerAuthentication {} sets mTLS mode STRICT",
            policy.name
        ),
    )
}

fn linkerd_mode(
    evidence: &Evidence,
    namespace: &crate::evidence::k8s::Namespace,
    refs: &mut Vec<EvidenceRef>,
) -> (CheckStatus, String) {
    let permissive: Vec<String> = evidence
        .k8s
        .mesh_policies
        .iter()
        .filter(|p| p.mesh == Mesh::Linkerd && p.namespace.as_deref() == Some(&namespace.name))
        .filter(|p| {
            p.mode
                .as_deref()
                .is_some_and(|m| !LINKERD_AUTHENTICATED.contains(&m))
        })
        .map(|p| {
            refs.push(p.source.clone());
            format!(
                "Server {} has accessPolicy {}",
                p.name,
                p.mode.as_deref().unwrap_or_default()
            )
        })
        .collect();
    let key = "config.linkerd.io/default-inbound-policy";
    let default = namespace.annotations.get(key).map(|v| v.trim());
    match default {
        _ if !permissive.is_empty() => (
            CheckStatus::Fail,
            format!(
                "{} (it admits unauthenticated, plain-text clients)",
                permissive.join("; ")
            ),
        ),
        Some(policy) if LINKERD_AUTHENTICATED.contains(&policy) => (
            CheckStatus::Pass,
            format!(
                "the namespace's default inbound policy is {policy} ({key}): only mTLS-authenticated clients are admitted"
            ),
        ),
        Some(policy) => (
            CheckStatus::Fail,
            format!(
                "the namespace's default inbound policy is {policy} ({key}), which admits unauthenticated plain-text clients"
            ),
        ),
        None => (
            CheckStatus::NotEvaluated,
            format!(
                "the namespace does not set {key}, so the cluster default (proxy.defaultInboundPolicy, all-unauthenticated unless changed at install) decides; set the annotation or export {}",
                cmd("linkerd-servers")
            ),
        ),
    }
}

fn osm_mode(evidence: &Evidence, refs: &mut Vec<EvidenceRef>) -> (CheckStatus, String) {
    let configs: Vec<_> = evidence
        .k8s
        .mesh_policies
        .iter()
        .filter(|p| p.mesh == Mesh::Osm)
        .collect();
    let Some(config) = configs.first() else {
        return (
            CheckStatus::NotEvaluated,
            format!(
                "no OSM MeshConfig was imported, so the mesh's settings are unknown: export {}",
                cmd("osm-meshconfigs")
            ),
        );
    };
    refs.push(config.source.clone());
    let note = if config.mode.as_deref() == Some("permissive-traffic-policy") {
        " (permissive traffic policy mode is on: any meshed pod may call any other, still over mTLS)"
    } else {
        ""
    };
    (
        CheckStatus::Pass,
        format!(
            "MeshConfig {}: OSM's sidecars accept only mTLS from other sidecars; it has no plain-text mode{note}",
            config.name
        ),
    )
}
