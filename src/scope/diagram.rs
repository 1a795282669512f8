//! The scope diagram: the boundary drawn from the evidence, laid out once
//! and drawn twice (egui in the app, SVG in the report and as an
//! attachment).
//!
//! Left, the network as nested boxes: VNets hold subnets (with their NSG),
//! subnets hold node pools, pools hold nodes, nodes hold the pods running on
//! them. Right, the namespaces with their policies. Each box is coloured by
//! its scope; declared flows across the boundary are drawn between
//! namespaces; every failing result of the boundary checks marks the box it
//! is about and is listed with its evidence.
//!
//! The layout is a nested box ("flow") layout written here: the picture is
//! containment, not a graph, so a layered graph-layout crate would not fit,
//! and one layout must feed both an egui painter and an SVG writer with the
//! same coordinates. Text is measured with a fixed average glyph width,
//! which both renderers honour by using the same font size.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::topology::Topology;
use super::{Scope, ScopeClass, ScopeKind};
use crate::checks::{CheckResult, CheckStatus};
use crate::evidence::k8s::ObjectKind;
use crate::evidence::{Evidence, EvidenceRef};

/// The checks whose failures the diagram marks.
pub const BOUNDARY_CHECKS: [&str; 4] = [
    "k8s.cde-placement",
    "k8s.cde-network-isolation",
    "nsg.cde-subnet-isolation",
    "k8s.mesh-mtls",
];

/// Font size of titles and lines, in diagram units (pixels at 100 %).
pub const FONT_SIZE: f32 = 11.0;
/// The average glyph width the layout assumes at [`FONT_SIZE`].
pub const GLYPH_WIDTH: f32 = 6.4;
/// Height of one line of text.
pub const LINE_HEIGHT: f32 = 14.0;
const PAD: f32 = 7.0;
const GAP: f32 = 8.0;
/// Pods shown per node before the rest are counted.
const PODS_PER_NODE: usize = 10;
/// Longest title shown before it is shortened.
const MAX_CHARS: usize = 40;

/// A rectangle in diagram units, origin top left.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Rect {
    /// Left.
    pub x: f32,
    /// Top.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
}

impl Rect {
    /// The centre.
    pub fn center(&self) -> (f32, f32) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    /// True if the point is inside.
    pub fn contains(&self, x: f32, y: f32) -> bool {
        x >= self.x && x <= self.x + self.w && y >= self.y && y <= self.y + self.h
    }
}

/// What a box stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShapeKind {
    /// A column heading group.
    Group,
    /// A virtual network.
    Vnet,
    /// A subnet.
    Subnet,
    /// An AKS node pool.
    Pool,
    /// A node.
    Node,
    /// A pod on a node.
    Pod,
    /// A namespace.
    Namespace,
}

/// One box of the diagram.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shape {
    /// What it stands for.
    pub kind: ShapeKind,
    /// Its title.
    pub title: String,
    /// Lines under the title (address range, NSG, counts).
    pub lines: Vec<String>,
    /// Its scope; `None` when nothing says.
    pub class: Option<ScopeClass>,
    /// Where it is.
    pub rect: Rect,
    /// How deep it is nested (0 for the columns).
    pub depth: u8,
    /// The violations about it (indexes into [`Diagram::violations`]).
    pub violations: Vec<usize>,
    /// What it stands for, as `ns:NAME`, `subnet:NAME`, `pool:NAME`,
    /// `node:NAME` or `pod:NAMESPACE/NAME`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// A declared flow across the boundary, between two shapes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// The shape it starts from.
    pub from: usize,
    /// The shape it goes to.
    pub to: usize,
    /// Ports, shortly.
    pub label: String,
    /// Why it is allowed.
    pub why: String,
}

/// A failing result of a boundary check, placed on the diagram.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    /// The check.
    pub check: String,
    /// The resource, as the check names it.
    pub resource: String,
    /// Why it fails.
    pub reason: String,
    /// Where the evidence is.
    pub evidence: Vec<EvidenceRef>,
    /// The shape it marks.
    pub shape: Option<usize>,
}

/// The laid-out diagram.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Diagram {
    /// Total width.
    pub width: f32,
    /// Total height.
    pub height: f32,
    /// Every box, parents before children.
    pub shapes: Vec<Shape>,
    /// Declared flows between namespaces.
    pub links: Vec<Link>,
    /// The boundary checks' failures.
    pub violations: Vec<Violation>,
}

impl Diagram {
    /// True if the evidence gave nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.shapes.is_empty()
    }

    /// The innermost shape at a point.
    pub fn shape_at(&self, x: f32, y: f32) -> Option<usize> {
        self.shapes
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind != ShapeKind::Group && s.rect.contains(x, y))
            .max_by_key(|(_, s)| s.depth)
            .map(|(i, _)| i)
    }

    /// Builds and lays out the diagram of `evidence` with its `scope`,
    /// marking the failures among `results`.
    pub fn build(evidence: &Evidence, scope: &Scope, results: &[CheckResult]) -> Diagram {
        let topology = Topology::of(evidence, scope);
        let network = network_column(evidence, scope, &topology);
        let namespaces = namespace_column(evidence, scope);
        if network.children.is_empty() && namespaces.children.is_empty() {
            return Diagram::default();
        }
        let mut diagram = Diagram::default();
        let mut keys = BTreeMap::new();
        let (nw, nh) = measure(&network, 980.0);
        let mut x = 0.0;
        if !network.children.is_empty() {
            place(&network, (x, 0.0), 980.0, 0, &mut diagram, &mut keys);
            x += nw + GAP * 4.0;
        }
        let (mw, mh) = measure(&namespaces, 300.0);
        if !namespaces.children.is_empty() {
            place(&namespaces, (x, 0.0), 300.0, 0, &mut diagram, &mut keys);
            x += mw;
        }
        diagram.links = links(scope, &keys);
        // Room on the right for the flows' curves and labels.
        diagram.width = if diagram.links.is_empty() {
            x
        } else {
            x + 90.0
        };
        diagram.height = nh.max(mh);
        diagram.violations = violations(results, &keys);
        for (index, violation) in diagram.violations.iter().enumerate() {
            if let Some(shape) = violation.shape {
                diagram.shapes[shape].violations.push(index);
            }
        }
        diagram
    }
}

/// A box before layout.
struct Item {
    kind: ShapeKind,
    key: Option<String>,
    title: String,
    lines: Vec<String>,
    class: Option<ScopeClass>,
    children: Vec<Item>,
}

impl Item {
    fn new(kind: ShapeKind, title: impl Into<String>, class: Option<ScopeClass>) -> Item {
        Item {
            kind,
            key: None,
            title: shorten(&title.into()),
            lines: Vec::new(),
            class,
            children: Vec::new(),
        }
    }

    fn key(mut self, key: String) -> Item {
        self.key = Some(key);
        self
    }

    fn line(mut self, line: impl Into<String>) -> Item {
        self.lines.push(shorten(&line.into()));
        self
    }
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_CHARS {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(MAX_CHARS - 1).collect();
    out.push('…');
    out
}

fn network_column(evidence: &Evidence, scope: &Scope, topology: &Topology) -> Item {
    let mut column = Item::new(
        ShapeKind::Group,
        "Network: VNets, subnets, pools, nodes, pods",
        None,
    );
    let pods = pods_by_node(evidence, scope);
    let mut placed_pools = Vec::new();
    let mut vnets: Vec<Item> = Vec::new();
    for vnet in &evidence.azure.vnets {
        let name = vnet.info.name.clone().unwrap_or_else(|| vnet.info.label());
        let mut item = Item::new(
            ShapeKind::Vnet,
            format!("VNet {name}"),
            scope.class_of(ScopeKind::Vnet, &name),
        );
        if !vnet.address_space.is_empty() {
            item = item.line(vnet.address_space.join(", "));
        }
        for subnet in &vnet.subnets {
            let Some(sub) = subnet.name.value() else {
                continue;
            };
            let mut s = Item::new(
                ShapeKind::Subnet,
                sub.clone(),
                scope.class_of(ScopeKind::Subnet, sub),
            )
            .key(format!("subnet:{}", sub.to_ascii_lowercase()));
            if !subnet.address_prefixes.is_empty() {
                s = s.line(subnet.address_prefixes.join(", "));
            }
            if let Some(nsg) = subnet.nsg_id.value() {
                s = s.line(format!("NSG {}", super::last_segment(nsg)));
            }
            for pool in topology.pools.iter().filter(|p| {
                p.subnet
                    .as_deref()
                    .is_some_and(|ps| ps.eq_ignore_ascii_case(sub))
            }) {
                placed_pools.push(pool.name.clone());
                s.children.push(pool_item(pool, &pods));
            }
            item.children.push(s);
        }
        vnets.push(item);
    }
    // Pools whose subnet is not in an imported VNet.
    let unplaced: Vec<_> = topology
        .pools
        .iter()
        .filter(|p| !placed_pools.contains(&p.name))
        .collect();
    if !unplaced.is_empty() {
        let mut holder = Item::new(
            ShapeKind::Vnet,
            "Node pools (their VNet not imported)",
            None,
        );
        for pool in unplaced {
            let mut s = Item::new(
                ShapeKind::Subnet,
                pool.subnet
                    .clone()
                    .unwrap_or_else(|| "subnet not stated".to_owned()),
                pool.subnet
                    .as_deref()
                    .and_then(|s| scope.class_of(ScopeKind::Subnet, s)),
            );
            if let Some(sub) = &pool.subnet {
                s = s.key(format!("subnet:{}", sub.to_ascii_lowercase()));
            }
            s.children.push(pool_item(pool, &pods));
            holder.children.push(s);
        }
        vnets.push(holder);
    }
    column.children = vnets;
    column
}

fn pool_item(pool: &super::topology::Pool, pods: &BTreeMap<String, Vec<Item>>) -> Item {
    let mode = pool
        .mode
        .as_deref()
        .map(|m| format!(" ({m})"))
        .unwrap_or_default();
    let mut item = Item::new(
        ShapeKind::Pool,
        format!("pool {}{mode}", pool.name),
        pool.class,
    )
    .key(format!("pool:{}", pool.name));
    let taints: Vec<String> = pool.repelling_taints().map(|t| t.to_string()).collect();
    if !taints.is_empty() {
        item = item.line(format!("taint {}", taints.join(", ")));
    }
    let mut nodes: Vec<&String> = pool.nodes.iter().collect();
    let extra: Vec<&String> = pods
        .keys()
        .filter(|n| !pool.nodes.contains(n) && inferred_pool(n) == Some(pool.name.as_str()))
        .collect();
    nodes.extend(extra);
    for node in nodes {
        let short = node
            .strip_prefix(&format!("aks-{}-", pool.name))
            .unwrap_or(node);
        let mut n = Item::new(ShapeKind::Node, format!("node …{short}"), pool.class)
            .key(format!("node:{node}"));
        if let Some(list) = pods.get(node) {
            for pod in list.iter().take(PODS_PER_NODE) {
                n.children.push(Item {
                    kind: pod.kind,
                    key: pod.key.clone(),
                    title: pod.title.clone(),
                    lines: pod.lines.clone(),
                    class: pod.class,
                    children: Vec::new(),
                });
            }
            if list.len() > PODS_PER_NODE {
                n.children.push(Item::new(
                    ShapeKind::Pod,
                    format!("+{} more pod(s)", list.len() - PODS_PER_NODE),
                    None,
                ));
            }
        }
        item.children.push(n);
    }
    item
}

fn inferred_pool(node: &str) -> Option<&str> {
    node.strip_prefix("aks-")?.split_once('-').map(|(p, _)| p)
}

/// The pods that run somewhere, by node, each as a small box.
fn pods_by_node(evidence: &Evidence, scope: &Scope) -> BTreeMap<String, Vec<Item>> {
    let mut out: BTreeMap<String, Vec<Item>> = BTreeMap::new();
    for pod in evidence
        .k8s
        .workloads
        .iter()
        .filter(|w| w.kind == ObjectKind::Pod)
    {
        let Some(node) = pod.placement.node_name.as_deref() else {
            continue;
        };
        let namespace = pod.namespace.as_deref().unwrap_or("?");
        let class = scope.class_of(ScopeKind::Namespace, namespace);
        out.entry(node.to_owned()).or_default().push(
            Item::new(ShapeKind::Pod, pod.name.clone(), class)
                .key(format!("pod:{namespace}/{}", pod.name))
                .line(namespace.to_owned()),
        );
    }
    out
}

fn namespace_column(evidence: &Evidence, scope: &Scope) -> Item {
    let mut column = Item::new(ShapeKind::Group, "Namespaces and their policies", None);
    let k8s = &evidence.k8s;
    for entry in scope.of_kind(ScopeKind::Namespace) {
        let pods = k8s
            .workloads
            .iter()
            .filter(|w| w.kind == ObjectKind::Pod && w.namespace.as_deref() == Some(&entry.name))
            .count();
        let policies = k8s
            .network_policies
            .iter()
            .filter(|p| p.namespace.as_deref() == Some(&entry.name))
            .count();
        let why = entry
            .deciding()
            .map(|g| g.says.clone())
            .unwrap_or_else(|| "scope not stated".to_owned());
        column.children.push(
            Item::new(
                ShapeKind::Namespace,
                format!("namespace {}", entry.name),
                entry.class,
            )
            .key(format!("ns:{}", entry.name))
            .line(format!("{pods} pod(s), {policies} network polic(ies)"))
            .line(why),
        );
    }
    column
}

/// Size of `item` laid out within `max_width`.
fn measure(item: &Item, max_width: f32) -> (f32, f32) {
    let text_width = std::iter::once(&item.title)
        .chain(&item.lines)
        .map(|t| t.chars().count() as f32 * GLYPH_WIDTH)
        .fold(0.0, f32::max)
        + 2.0 * PAD;
    let header = PAD + LINE_HEIGHT * (1 + item.lines.len()) as f32;
    if item.children.is_empty() {
        return (text_width, header + PAD);
    }
    let inner_max = (max_width - 2.0 * PAD).max(60.0);
    let rows = rows_of(item, inner_max);
    let mut width: f32 = 0.0;
    let mut height = header + PAD / 2.0;
    for row in &rows {
        let row_width: f32 =
            row.iter().map(|(w, _)| *w).sum::<f32>() + GAP * (row.len() as f32 - 1.0);
        width = width.max(row_width);
        height += row.iter().map(|(_, h)| *h).fold(0.0, f32::max) + GAP;
    }
    ((width + 2.0 * PAD).max(text_width), height - GAP + PAD)
}

/// The children's sizes, flowed into rows no wider than `inner_max`.
/// Namespaces and VNets stack one per row; the rest flow.
fn rows_of(item: &Item, inner_max: f32) -> Vec<Vec<(f32, f32)>> {
    let stack = item.kind == ShapeKind::Group;
    let mut rows: Vec<Vec<(f32, f32)>> = Vec::new();
    let mut used = 0.0;
    for child in &item.children {
        let size = measure(child, inner_max);
        let fits = rows
            .last()
            .is_some_and(|_| used + GAP + size.0 <= inner_max);
        if stack || !fits {
            rows.push(vec![size]);
            used = size.0;
        } else if let Some(row) = rows.last_mut() {
            row.push(size);
            used += GAP + size.0;
        }
    }
    rows
}

/// Places `item` at `at`, laid out within `max_width`, and its children
/// inside it.
fn place(
    item: &Item,
    (x, y): (f32, f32),
    max_width: f32,
    depth: u8,
    diagram: &mut Diagram,
    keys: &mut BTreeMap<String, usize>,
) {
    let (w, h) = measure(item, max_width);
    let index = diagram.shapes.len();
    diagram.shapes.push(Shape {
        kind: item.kind,
        title: item.title.clone(),
        lines: item.lines.clone(),
        class: item.class,
        rect: Rect { x, y, w, h },
        depth,
        violations: Vec::new(),
        key: item.key.clone(),
    });
    if let Some(key) = &item.key {
        keys.insert(key.clone(), index);
    }
    if item.children.is_empty() {
        return;
    }
    let header = PAD + LINE_HEIGHT * (1 + item.lines.len()) as f32 + PAD / 2.0;
    let inner_max = (max_width - 2.0 * PAD).max(60.0);
    let rows = rows_of(item, inner_max);
    let mut children = item.children.iter();
    let mut cy = y + header;
    for row in rows {
        let mut cx = x + PAD;
        let row_height = row.iter().map(|(_, h)| *h).fold(0.0, f32::max);
        for (cw, _) in row {
            if let Some(child) = children.next() {
                let at = diagram.shapes.len();
                place(child, (cx, cy), inner_max, depth + 1, diagram, keys);
                // Children fill the row's height so a row reads as one band.
                diagram.shapes[at].rect.h = diagram.shapes[at].rect.h.max(row_height);
            }
            cx += cw + GAP;
        }
        cy += row_height + GAP;
    }
}

fn links(scope: &Scope, keys: &BTreeMap<String, usize>) -> Vec<Link> {
    scope
        .flows
        .iter()
        .filter_map(|flow| {
            let end = |e: &super::FlowEnd| match e.kind {
                Some(ScopeKind::Namespace) => keys.get(&format!("ns:{}", e.name)).copied(),
                Some(ScopeKind::Subnet) => keys
                    .get(&format!("subnet:{}", e.name.to_ascii_lowercase()))
                    .copied(),
                Some(ScopeKind::NodePool) => keys.get(&format!("pool:{}", e.name)).copied(),
                _ => None,
            };
            Some(Link {
                from: end(&flow.from)?,
                to: end(&flow.to)?,
                label: if flow.ports.is_empty() {
                    "any port".to_owned()
                } else {
                    flow.ports.join(", ")
                },
                why: flow.why.clone(),
            })
        })
        .collect()
}

/// The failing resources of the boundary checks, each placed on the shape
/// it is about.
fn violations(results: &[CheckResult], keys: &BTreeMap<String, usize>) -> Vec<Violation> {
    let mut out = Vec::new();
    for result in results
        .iter()
        .filter(|r| r.requirement.is_none() && BOUNDARY_CHECKS.contains(&r.check.as_str()))
    {
        for resource in result
            .resources
            .iter()
            .filter(|r| r.status == CheckStatus::Fail)
        {
            out.push(Violation {
                check: result.check.clone(),
                resource: resource.resource.clone(),
                reason: resource.reason.clone(),
                evidence: resource.evidence.clone(),
                shape: shape_of(&resource.resource, keys),
            });
        }
    }
    out
}

/// The shape a check's resource label names: `ns/Pod/name on node` → the
/// pod, `ns/Kind/name (pod spec)` → its namespace, `namespace X`, `subnet X`.
fn shape_of(resource: &str, keys: &BTreeMap<String, usize>) -> Option<usize> {
    if let Some(name) = resource.strip_prefix("namespace ") {
        return keys.get(&format!("ns:{name}")).copied();
    }
    if let Some(name) = resource.strip_prefix("subnet ") {
        return keys
            .get(&format!("subnet:{}", name.to_ascii_lowercase()))
            .copied();
    }
    let mut parts = resource.splitn(3, '/');
    let namespace = parts.next()?;
    let kind = parts.next()?;
    let rest = parts.next()?;
    if kind == "Pod"
        && let Some((name, _node)) = rest.split_once(" on ")
    {
        return keys.get(&format!("pod:{namespace}/{name}")).copied();
    }
    keys.get(&format!("ns:{namespace}")).copied()
}
