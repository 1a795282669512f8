//! The scope file (`tickmark-scope.toml`): what the assessed entity declares
//! in PCI scope, connected to it or out of scope, overriding the `pci-scope`
//! labels of the evidence, and which flows across the boundary it allows and
//! why. It is imported like any other evidence file and recognised by its
//! first key, `tickmark_scope` (the format version).
//!
//! ```toml
//! tickmark_scope = 1
//!
//! [[scope]]
//! namespace = "a0005-i"
//! scope = "in-scope"
//! reason = "Runs the checkout and card services"
//!
//! [[flow]]
//! from = { namespace = "a0005-i", pods = { "app.kubernetes.io/name" = "microservice-a" } }
//! to = { namespace = "a0005-o" }
//! ports = ["8443/TCP"]
//! why = "Loyalty lookup; no card data (change CHG-1021)"
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{EvidenceRef, Format, ImportContext, ImportError, ImportErrorKind, Recognised};

/// The first key of every scope file; its value is the format version.
pub const SCOPE_KEY: &str = "tickmark_scope";

/// The scope file version this build reads.
pub const SCOPE_VERSION: i64 = 1;

/// The label (on namespaces, and on AKS node pools' `nodeLabels`) that
/// states PCI scope in the evidence itself.
pub const SCOPE_LABEL: &str = "pci-scope";

/// Where a part of the estate stands towards the cardholder data
/// environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ScopeClass {
    /// Part of the CDE: stores, processes or transmits account data, or can
    /// affect its security without segmentation in between.
    #[serde(rename = "in-scope")]
    InScope,
    /// Connected to the CDE or providing security services to it (in
    /// scope for the requirements that apply to it, not part of the CDE).
    #[serde(rename = "connected")]
    Connected,
    /// Segmented from the CDE.
    #[serde(rename = "out-of-scope")]
    OutOfScope,
}

impl ScopeClass {
    /// Every class, CDE first.
    pub const ALL: [ScopeClass; 3] = [
        ScopeClass::InScope,
        ScopeClass::Connected,
        ScopeClass::OutOfScope,
    ];

    /// `in-scope`, `connected` or `out-of-scope`: the label values.
    pub fn id(self) -> &'static str {
        match self {
            ScopeClass::InScope => "in-scope",
            ScopeClass::Connected => "connected",
            ScopeClass::OutOfScope => "out-of-scope",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            ScopeClass::InScope => "In scope (CDE)",
            ScopeClass::Connected => "Connected",
            ScopeClass::OutOfScope => "Out of scope",
        }
    }

    /// Reads a label value (`in-scope`, `connected`, `out-of-scope`; case
    /// and surrounding spaces ignored).
    pub fn from_id(value: &str) -> Option<ScopeClass> {
        let value = value.trim();
        ScopeClass::ALL
            .into_iter()
            .find(|c| c.id().eq_ignore_ascii_case(value))
    }
}

/// The kinds of thing a scope is stated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeKind {
    /// A Kubernetes namespace.
    Namespace,
    /// An AKS node pool.
    NodePool,
    /// A subnet (by name).
    Subnet,
    /// A virtual network (by name).
    Vnet,
}

impl ScopeKind {
    /// Every kind, outermost last.
    pub const ALL: [ScopeKind; 4] = [
        ScopeKind::Namespace,
        ScopeKind::NodePool,
        ScopeKind::Subnet,
        ScopeKind::Vnet,
    ];

    /// `namespace`, `node pool`, `subnet` or `VNet`.
    pub fn label(self) -> &'static str {
        match self {
            ScopeKind::Namespace => "namespace",
            ScopeKind::NodePool => "node pool",
            ScopeKind::Subnet => "subnet",
            ScopeKind::Vnet => "VNet",
        }
    }

    /// The key the scope file uses (`namespace`, `node_pool`, `subnet`, `vnet`).
    pub fn key(self) -> &'static str {
        match self {
            ScopeKind::Namespace => "namespace",
            ScopeKind::NodePool => "node_pool",
            ScopeKind::Subnet => "subnet",
            ScopeKind::Vnet => "vnet",
        }
    }
}

/// One `[[scope]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScopeDeclaration {
    /// What it is about.
    pub kind: ScopeKind,
    /// Its name.
    pub name: String,
    /// The scope declared.
    pub class: ScopeClass,
    /// Why, as the file says.
    pub reason: String,
    /// Where it is (`line N` of the scope file).
    pub source: EvidenceRef,
}

/// One end of a declared flow: a namespace (optionally some of its pods), a
/// node pool, a subnet, a VNet or an address range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowEnd {
    /// The kind; `None` for an address range (`cidr`).
    pub kind: Option<ScopeKind>,
    /// The name, or the CIDR.
    pub name: String,
    /// For a namespace: the pod labels the flow is limited to (empty: every
    /// pod of the namespace).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pods: BTreeMap<String, String>,
}

impl FlowEnd {
    /// `namespace a0005-i (app=x)`, `subnet snet-a`, `10.0.0.0/8`.
    pub fn describe(&self) -> String {
        let mut out = match self.kind {
            Some(kind) => format!("{} {}", kind.label(), self.name),
            None => self.name.clone(),
        };
        if !self.pods.is_empty() {
            let pods: Vec<String> = self.pods.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.push_str(&format!(" (pods {})", pods.join(", ")));
        }
        out
    }
}

/// One `[[flow]]` entry: traffic across the boundary the entity allows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeclaredFlow {
    /// Where it starts.
    pub from: FlowEnd,
    /// Where it goes.
    pub to: FlowEnd,
    /// The ports, as `port/PROTOCOL` (`8443/TCP`); empty: any port.
    pub ports: Vec<String>,
    /// Why it is allowed.
    pub why: String,
    /// Where it is (`line N` of the scope file).
    pub source: EvidenceRef,
}

impl DeclaredFlow {
    /// `namespace a0005-i → namespace a0005-o on 8443/TCP`.
    pub fn describe(&self) -> String {
        let ports = if self.ports.is_empty() {
            "any port".to_owned()
        } else {
            self.ports.join(", ")
        };
        format!(
            "{} → {} on {ports}",
            self.from.describe(),
            self.to.describe()
        )
    }
}

/// What the imported scope files say.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScopeFileEvidence {
    /// `[[scope]]` entries of every scope file, in import order.
    #[serde(default)]
    pub declarations: Vec<ScopeDeclaration>,
    /// `[[flow]]` entries.
    #[serde(default)]
    pub flows: Vec<DeclaredFlow>,
}

impl ScopeFileEvidence {
    /// Moves everything of `other` into `self`.
    pub fn extend(&mut self, other: ScopeFileEvidence) {
        self.declarations.extend(other.declarations);
        self.flows.extend(other.flows);
    }

    /// True if no scope file said anything.
    pub fn is_empty(&self) -> bool {
        self.declarations.is_empty() && self.flows.is_empty()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    tickmark_scope: i64,
    #[serde(default)]
    scope: Vec<toml::Spanned<RawDeclaration>>,
    #[serde(default)]
    flow: Vec<toml::Spanned<RawFlow>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeclaration {
    namespace: Option<String>,
    node_pool: Option<String>,
    subnet: Option<String>,
    vnet: Option<String>,
    scope: String,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnd {
    namespace: Option<String>,
    node_pool: Option<String>,
    subnet: Option<String>,
    vnet: Option<String>,
    cidr: Option<String>,
    #[serde(default)]
    pods: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFlow {
    from: RawEnd,
    to: RawEnd,
    #[serde(default)]
    ports: Vec<String>,
    why: String,
}

/// True if `text` is a scope file: its first key is `tickmark_scope`.
pub fn is_scope_file(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
        .and_then(|line| line.split_once('='))
        .is_some_and(|(key, _)| key.trim().trim_matches('"') == SCOPE_KEY)
}

/// Reads a scope file. `None` if `text` is not one.
pub fn read(
    ctx: ImportContext<'_>,
    text: &str,
    out: &mut ScopeFileEvidence,
) -> Option<Result<Recognised, ImportError>> {
    is_scope_file(text).then(|| read_scope_file(ctx, text, out))
}

fn read_scope_file(
    ctx: ImportContext<'_>,
    text: &str,
    out: &mut ScopeFileEvidence,
) -> Result<Recognised, ImportError> {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let mut error = ctx
            .error(ImportErrorKind::Malformed, e.message().to_owned())
            .tried("Tickmark scope file");
        if let Some(span) = e.span() {
            error = error.at(format!("line {}", line_of(span.start)));
        }
        error
    })?;
    if raw.tickmark_scope != SCOPE_VERSION {
        return Err(ctx
            .error(
                ImportErrorKind::Invalid,
                format!(
                    "scope file version {} is not one this Tickmark reads (it reads {SCOPE_VERSION})",
                    raw.tickmark_scope
                ),
            )
            .tried("Tickmark scope file")
            .at("line 1"));
    }
    let invalid = |line: usize, message: String| {
        ctx.error(ImportErrorKind::Invalid, message)
            .tried("Tickmark scope file")
            .at(format!("line {line}"))
    };
    let mut read = ScopeFileEvidence::default();
    for entry in raw.scope {
        let line = line_of(entry.span().start);
        let entry = entry.into_inner();
        let (kind, name) = one_subject(
            [
                (ScopeKind::Namespace, entry.namespace),
                (ScopeKind::NodePool, entry.node_pool),
                (ScopeKind::Subnet, entry.subnet),
                (ScopeKind::Vnet, entry.vnet),
            ],
            None,
        )
        .map_err(|e| invalid(line, format!("[[scope]]: {e}")))?;
        let Some(kind) = kind else {
            return Err(invalid(line, "[[scope]] names no namespace".into()));
        };
        let class = ScopeClass::from_id(&entry.scope).ok_or_else(|| {
            invalid(
                line,
                format!(
                    "[[scope]] for {} {name}: scope \"{}\" is not in-scope, connected or out-of-scope",
                    kind.label(),
                    entry.scope
                ),
            )
        })?;
        read.declarations.push(ScopeDeclaration {
            source: ctx.at(
                format!("line {line}"),
                Some(format!("{} {name}", kind.label())),
            ),
            kind,
            name,
            class,
            reason: entry.reason,
        });
    }
    for entry in raw.flow {
        let line = line_of(entry.span().start);
        let entry = entry.into_inner();
        let end = |raw: RawEnd, which: &str| -> Result<FlowEnd, ImportError> {
            let (kind, name) = one_subject(
                [
                    (ScopeKind::Namespace, raw.namespace),
                    (ScopeKind::NodePool, raw.node_pool),
                    (ScopeKind::Subnet, raw.subnet),
                    (ScopeKind::Vnet, raw.vnet),
                ],
                raw.cidr,
            )
            .map_err(|e| invalid(line, format!("[[flow]] {which}: {e}")))?;
            if !raw.pods.is_empty() && kind != Some(ScopeKind::Namespace) {
                return Err(invalid(
                    line,
                    format!("[[flow]] {which}: pods can only narrow a namespace"),
                ));
            }
            Ok(FlowEnd {
                kind,
                name,
                pods: raw.pods,
            })
        };
        let from = end(entry.from, "from")?;
        let to = end(entry.to, "to")?;
        if entry.why.trim().is_empty() {
            return Err(invalid(
                line,
                "[[flow]]: `why` is empty; a flow across the boundary needs its reason".into(),
            ));
        }
        let flow = DeclaredFlow {
            source: ctx.at(format!("line {line}"), None),
            from,
            to,
            ports: entry.ports,
            why: entry.why,
        };
        read.flows.push(DeclaredFlow {
            source: ctx.at(format!("line {line}"), Some(flow.describe())),
            ..flow
        });
    }
    let mut recognised = Recognised::new(Format::TickmarkScope).tool("Tickmark", None);
    recognised.notes.push(format!(
        "{} scope declaration(s), {} declared flow(s) across the boundary",
        read.declarations.len(),
        read.flows.len()
    ));
    out.extend(read);
    Ok(recognised)
}

/// Exactly one of the named subjects (or the CIDR, where allowed).
fn one_subject(
    named: [(ScopeKind, Option<String>); 4],
    cidr: Option<String>,
) -> Result<(Option<ScopeKind>, String), String> {
    let mut given: Vec<(Option<ScopeKind>, String)> = named
        .into_iter()
        .filter_map(|(kind, name)| Some((Some(kind), name?)))
        .collect();
    if let Some(cidr) = cidr {
        given.push((None, cidr));
    }
    match given.len() {
        1 => {
            let (kind, name) = given.remove(0);
            if name.trim().is_empty() {
                Err("the name is empty".to_owned())
            } else {
                Ok((kind, name.trim().to_owned()))
            }
        }
        0 => Err("names none of namespace, node_pool, subnet, vnet or cidr".to_owned()),
        _ => Err("names more than one of namespace, node_pool, subnet, vnet and cidr".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> ImportContext<'static> {
        ImportContext::new("tickmark-scope.toml")
    }

    const FILE: &str = r#"# Harbourline scope
tickmark_scope = 1

[[scope]]
namespace = "a0005-i"
scope = "in-scope"
reason = "card services"

[[scope]]
subnet = "snet-clusternodes-outofscope"
scope = "out-of-scope"

[[flow]]
from = { namespace = "a0005-i", pods = { app = "a" } }
to = { namespace = "a0005-o" }
ports = ["8443/TCP"]
why = "loyalty lookup"
"#;

    #[test]
    fn reads_declarations_and_flows_with_their_lines() {
        assert!(is_scope_file(FILE));
        let mut out = ScopeFileEvidence::default();
        let recognised = read(ctx(), FILE, &mut out).unwrap().unwrap();
        assert_eq!(recognised.format, Format::TickmarkScope);
        assert_eq!(out.declarations.len(), 2);
        assert_eq!(out.declarations[0].class, ScopeClass::InScope);
        assert_eq!(out.declarations[0].source.pointer, "line 4");
        assert_eq!(out.declarations[1].kind, ScopeKind::Subnet);
        let flow = &out.flows[0];
        assert_eq!(flow.source.pointer, "line 13");
        assert_eq!(
            flow.describe(),
            "namespace a0005-i (pods app=a) → namespace a0005-o on 8443/TCP"
        );
    }

    #[test]
    fn mistakes_name_the_line() {
        let bad = FILE.replace("scope = \"in-scope\"", "scope = \"inside\"");
        let err = read(ctx(), &bad, &mut ScopeFileEvidence::default())
            .unwrap()
            .unwrap_err();
        assert_eq!(err.location.as_deref(), Some("line 4"));
        assert!(err.message.contains("\"inside\""), "{}", err.message);
        let unknown = FILE.replace("reason = \"card services\"", "colour = \"red\"");
        let err = read(ctx(), &unknown, &mut ScopeFileEvidence::default())
            .unwrap()
            .unwrap_err();
        assert!(err.message.contains("colour"), "{}", err.message);
        assert!(err.location.is_some());
        let two = FILE.replace(
            "to = { namespace = \"a0005-o\" }",
            "to = { namespace = \"a\", subnet = \"b\" }",
        );
        let err = read(ctx(), &two, &mut ScopeFileEvidence::default())
            .unwrap()
            .unwrap_err();
        assert_eq!(err.location.as_deref(), Some("line 13"));
        assert!(!is_scope_file("[scope]\ntickmark_scope = 1"));
    }
}
