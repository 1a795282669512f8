//! Whether a Key Vault or registry has an approved private endpoint, from
//! the connections it reports itself and from the private endpoint
//! resources (`Microsoft.Network/privateEndpoints`) of the evidence set that
//! name it.
//!
//! A separate endpoint counts for a resource only when its target is
//! known to be that resource: a literal resource ID equal to the
//! resource's (ignoring case), or the same name (Key Vault and registry
//! names are unique across Azure), or in the same template the same
//! `resourceId('<type>', <name>)`. A target Tickmark cannot read leaves
//! the answer unknown, naming the endpoint.
//!
//! A template states no connection status. An automatic connection
//! (`privateLinkServiceConnections`) declared in a template for a vault or
//! registry of that template counts as approved, as the template's literal
//! settings count elsewhere: Azure approves an automatic connection when it
//! creates the endpoint (the deployer must hold the approval right on the
//! target), and the reason says the endpoint is declared, not observed. A
//! manual connection starts Pending until the target's owner approves it,
//! which a template cannot show: not evaluated.

use super::at;
use crate::checks::judge::{Answer, evidence_at, unknown_reason};
use crate::evidence::azure::{
    NameRef, PrivateEndpoint, PrivateEndpointConnection, PrivateLinkConnection, ResourceInfo,
    ResourceReference,
};
use crate::evidence::{EvidenceRef, Field};

/// The kind of resource a private endpoint check is about.
pub(super) struct Target {
    /// The resource type in lower case.
    pub resource_type: &'static str,
    /// The private link group ID of that type (`groupIds`).
    pub group: &'static str,
    /// How reasons call it.
    pub noun: &'static str,
}

/// Key Vaults.
pub(super) const VAULT: Target = Target {
    resource_type: "microsoft.keyvault/vaults",
    group: "vault",
    noun: "vault",
};

/// Container registries.
pub(super) const REGISTRY: Target = Target {
    resource_type: "microsoft.containerregistry/registries",
    group: "registry",
    noun: "registry",
};

/// The resources of the check's kind in the evidence set, by identity: used
/// to tell an endpoint for a sibling resource from one Tickmark cannot read.
pub(super) type Siblings<'a> = &'a [&'a ResourceInfo];

/// Whether `info` has an approved private endpoint connection, with the
/// evidence: from its own `connections` and from the `endpoints` resources.
pub(super) fn approved_endpoint(
    info: &ResourceInfo,
    connections: &Field<Vec<PrivateEndpointConnection>>,
    endpoints: &[PrivateEndpoint],
    siblings: Siblings<'_>,
    target: &Target,
) -> (Answer, Vec<EvidenceRef>) {
    let (own, own_evidence) = embedded_answer(info, connections, target);
    let separate = separate_answers(info, endpoints, siblings, target);
    let mut yes = Vec::new();
    let mut evidence = Vec::new();
    if let Answer::Yes(why) = &own {
        yes.push(why.clone());
        evidence.extend(own_evidence.iter().cloned());
    }
    for (answer, pointer) in &separate {
        if let Answer::Yes(why) = answer {
            yes.push(why.clone());
            evidence.push(pointer.clone());
        }
    }
    if !yes.is_empty() {
        return (Answer::Yes(yes.join("; ")), evidence);
    }
    evidence = own_evidence;
    evidence.extend(separate.iter().map(|(_, pointer)| pointer.clone()));
    let reasons_of = |pick: fn(&Answer) -> Option<&String>| -> Vec<String> {
        separate
            .iter()
            .filter_map(|(a, _)| pick(a).cloned())
            .collect()
    };
    let unknown = reasons_of(|a| match a {
        Answer::Unknown(why) => Some(why),
        _ => None,
    });
    let no = reasons_of(|a| match a {
        Answer::No(why) => Some(why),
        _ => None,
    });
    let answer = match own {
        Answer::Unknown(why) if separate.is_empty() => Answer::Unknown(format!(
            "{why}, and no Microsoft.Network/privateEndpoints resource in the evidence connects to this {}",
            target.noun
        )),
        Answer::Unknown(why) => Answer::Unknown(join(unknown.into_iter().chain(no), &why)),
        Answer::No(why) if !unknown.is_empty() => Answer::Unknown(join(unknown, &why)),
        // A Yes of the resource's own returned above.
        Answer::No(why) | Answer::Yes(why) => Answer::No(join(no, &why)),
    };
    (answer, evidence)
}

/// `reasons` first, then `last`, in one sentence.
fn join(reasons: impl IntoIterator<Item = String>, last: &str) -> String {
    let mut all: Vec<String> = reasons.into_iter().collect();
    all.push(last.to_owned());
    all.join("; ")
}

/// The answer from the resource's own `privateEndpointConnections`. A live
/// export lists every connection a resource has, so no list means none; a
/// template declares private endpoints as resources of their own, so there
/// the answer is unknown.
fn embedded_answer(
    info: &ResourceInfo,
    connections: &Field<Vec<PrivateEndpointConnection>>,
    target: &Target,
) -> (Answer, Vec<EvidenceRef>) {
    let name = "privateEndpointConnections";
    let list = match connections {
        Field::Known { value, .. } => value,
        field if field.is_absent() && info.in_template => {
            let why = format!("the {} lists no {name} in the template", target.noun);
            return (Answer::Unknown(why), vec![at(info, connections)]);
        }
        Field::Missing | Field::NotSet { .. } => {
            let why = format!("the export lists no {name}: there is no private endpoint");
            return (Answer::No(why), vec![at(info, connections)]);
        }
        other => {
            return (
                Answer::Unknown(unknown_reason(other, name)),
                vec![at(info, other)],
            );
        }
    };
    let evidence_of = |c: &PrivateEndpointConnection| evidence_at(info, &c.status, &c.pointer);
    let approved: Vec<&PrivateEndpointConnection> =
        list.iter().filter(|c| c.is_approved()).collect();
    if !approved.is_empty() {
        let why = format!("{} approved private endpoint connection(s)", approved.len());
        return (
            Answer::Yes(why),
            approved.into_iter().map(evidence_of).collect(),
        );
    }
    let evidence = if list.is_empty() {
        vec![at(info, connections)]
    } else {
        list.iter().map(evidence_of).collect()
    };
    if let Some(unknown) = list.iter().find(|c| !c.status.is_known()) {
        let why = unknown_reason(&unknown.status, "privateLinkServiceConnectionState.status");
        return (Answer::Unknown(why), evidence);
    }
    let statuses: Vec<&str> = list
        .iter()
        .filter_map(|c| c.status.value().map(String::as_str))
        .collect();
    let why = if statuses.is_empty() {
        format!("{name} is empty: there is no private endpoint")
    } else {
        format!(
            "no private endpoint connection is approved (status: {})",
            statuses.join(", ")
        )
    };
    (Answer::No(why), evidence)
}

/// One answer (with its evidence) per connection of a separate endpoint
/// that names `info` or may name it.
fn separate_answers(
    info: &ResourceInfo,
    endpoints: &[PrivateEndpoint],
    siblings: Siblings<'_>,
    target: &Target,
) -> Vec<(Answer, EvidenceRef)> {
    let mut out = Vec::new();
    for endpoint in endpoints {
        for link in &endpoint.links {
            let label = format!("private endpoint {}", endpoint.info.label());
            let answer = match names(info, endpoint, link, siblings, target) {
                Naming::This(how) => match (
                    &endpoint.info.deployed_if,
                    link_answer(info, endpoint, link, &label, &how, target),
                ) {
                    (_, None) => continue,
                    (Some(condition), Some(Answer::Yes(_))) => Answer::Unknown(format!(
                        "{label} connects to this {} but is deployed only if {condition}",
                        target.noun
                    )),
                    (_, Some(answer)) => answer,
                },
                Naming::Other => continue,
                Naming::Unknown(why) => Answer::Unknown(format!(
                    "{label} may connect to this {}: {why}",
                    target.noun
                )),
            };
            out.push((
                answer,
                evidence_at(&endpoint.info, &link.status, &link.pointer),
            ));
        }
    }
    out
}

/// Whether a connection names the resource, and how that is known.
enum Naming {
    This(String),
    Other,
    Unknown(String),
}

fn names(
    info: &ResourceInfo,
    endpoint: &PrivateEndpoint,
    link: &PrivateLinkConnection,
    siblings: Siblings<'_>,
    target: &Target,
) -> Naming {
    let own_name = info.name.as_deref().map(NameRef::of_resource_name);
    match link.target_reference() {
        ResourceReference::Id {
            id,
            resource_type,
            name,
        } => {
            if resource_type != target.resource_type {
                return Naming::Other;
            }
            if let Some(own_id) = &info.id {
                return if own_id.eq_ignore_ascii_case(&id) {
                    Naming::This(format!(
                        "its privateLinkServiceId is this {}'s ID",
                        target.noun
                    ))
                } else {
                    Naming::Other
                };
            }
            by_name(
                &id,
                &NameRef::Literal(name),
                own_name.as_ref(),
                false,
                siblings,
                target,
            )
        }
        ResourceReference::Template {
            resource_type,
            name,
        } => {
            if resource_type != target.resource_type {
                return Naming::Other;
            }
            let same_template = same_template(info, &endpoint.info);
            let written = written_target(link);
            by_name(
                &written,
                &name,
                own_name.as_ref(),
                same_template,
                siblings,
                target,
            )
        }
        ResourceReference::Unresolvable(why) => {
            if link.is_for_another_group(target.group) {
                Naming::Other
            } else {
                Naming::Unknown(format!("its privateLinkServiceId cannot be read ({why})"))
            }
        }
    }
}

/// Whether a target named `name` is the resource named `own`. Literal
/// names are compared anywhere (they are unique across Azure for vaults and
/// registries); expressions only within one template.
fn by_name(
    written: &str,
    name: &NameRef,
    own: Option<&NameRef>,
    same_template: bool,
    siblings: Siblings<'_>,
    target: &Target,
) -> Naming {
    let Some(own) = own else {
        return Naming::Unknown(format!(
            "it names the {} {}, and this one has no name in the evidence",
            target.noun,
            name.display()
        ));
    };
    let comparable =
        matches!((name, own), (NameRef::Literal(_), NameRef::Literal(_))) || same_template;
    if comparable && name.same_as(own) {
        return Naming::This(format!(
            "its privateLinkServiceId {written} names this {}",
            target.noun
        ));
    }
    if comparable && names_a_sibling(name, siblings) {
        return Naming::Other;
    }
    if matches!((name, own), (NameRef::Literal(_), NameRef::Literal(_))) {
        return Naming::Other;
    }
    Naming::Unknown(format!(
        "it names the {} {} and this one is named {}; Tickmark does not evaluate template expressions",
        target.noun,
        name.display(),
        own.display()
    ))
}

/// `privateLinkServiceId` as written.
fn written_target(link: &PrivateLinkConnection) -> String {
    match &link.target {
        Field::Known { value, .. } => value.clone(),
        Field::Unresolved { expression, .. } => expression.clone(),
        _ => String::new(),
    }
}

/// True if `name` is, literally or as written, the name of one of the siblings.
fn names_a_sibling(name: &NameRef, siblings: Siblings<'_>) -> bool {
    siblings.iter().any(|s| {
        s.name
            .as_deref()
            .is_some_and(|n| NameRef::of_resource_name(n).same_as(name))
    })
}

/// True if both come from one template, at the same nesting (a nested
/// deployment has variables and parameters of its own).
fn same_template(a: &ResourceInfo, b: &ResourceInfo) -> bool {
    a.in_template
        && b.in_template
        && a.source.path == b.source.path
        && template_scope(&a.source.pointer) == template_scope(&b.source.pointer)
}

/// The part of a resource's pointer up to its innermost nested template.
fn template_scope(pointer: &str) -> &str {
    match pointer.rfind("/properties/template/") {
        Some(at) => &pointer[..at],
        None => "",
    }
}

/// The answer of a connection known to name the resource; `None` when it
/// says nothing about it (a template's declaration, for a live resource
/// whose own export lists its connections as they are).
fn link_answer(
    info: &ResourceInfo,
    endpoint: &PrivateEndpoint,
    link: &PrivateLinkConnection,
    label: &str,
    how: &str,
    target: &Target,
) -> Option<Answer> {
    let status_name = "privateLinkServiceConnectionState.status";
    Some(match &link.status {
        Field::Known { value, .. } if value.trim().eq_ignore_ascii_case("approved") => {
            Answer::Yes(format!("{label} is Approved ({how})"))
        }
        Field::Known { value, .. } => Answer::No(format!("{label} is {value} ({how})")),
        status if status.is_absent() && endpoint.info.in_template => {
            if !info.in_template {
                return None;
            }
            let group = link
                .group_ids
                .value()
                .map(|g| g.join(", "))
                .unwrap_or_else(|| target.group.to_owned());
            if link.manual {
                Answer::Unknown(format!(
                    "{label} is declared in the template with a manual connection ({how}, group {group}): the {} owner approves it by hand, which a template cannot show",
                    target.noun
                ))
            } else {
                Answer::Yes(format!(
                    "{label} is declared in the template with an automatic connection ({how}, group {group}); Azure approves an automatic connection when it creates the endpoint, and a template cannot show later changes"
                ))
            }
        }
        other => Answer::Unknown(format!("{label}: {}", unknown_reason(other, status_name))),
    })
}
