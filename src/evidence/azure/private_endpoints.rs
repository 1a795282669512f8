//! Private endpoints, from both sides: the connections a Key Vault or ACR
//! reports (`privateEndpointConnections[]`), and the private endpoint
//! resources (`Microsoft.Network/privateEndpoints`) that templates,
//! `az network private-endpoint list` and `az resource list` hold on their own.

use serde::{Deserialize, Serialize};

use super::ResourceInfo;
use super::resource_reference::ResourceReference;
use super::sub_resources::{name_or_position, settings_of};
use crate::evidence::arm::ArmResource;
use crate::evidence::node::Node;
use crate::evidence::{Field, ImportContext, ImportError};

/// One private endpoint connection of a resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrivateEndpointConnection {
    /// Where the connection is in the file.
    pub pointer: String,
    /// `privateEndpoint.id`: the private endpoint on the other side.
    pub endpoint_id: Field<String>,
    /// `privateLinkServiceConnectionState.status`: Approved, Pending,
    /// Rejected or Disconnected.
    pub status: Field<String>,
}

impl PrivateEndpointConnection {
    /// True if the connection's status is known to be `Approved`.
    pub fn is_approved(&self) -> bool {
        self.status
            .value()
            .is_some_and(|s| s.eq_ignore_ascii_case("approved"))
    }
}

/// Reads `privateEndpointConnections` of `props`: each connection keeps its
/// settings under `properties` in the ARM shape and at its top level in the
/// az CLI's flattened shape.
pub(super) fn read(props: &Node<'_>) -> Field<Vec<PrivateEndpointConnection>> {
    props.field("privateEndpointConnections", |list| {
        if !list.value().is_array() {
            return None;
        }
        Some(list.items().map(|item| connection(&item)).collect())
    })
}

fn connection(item: &Node<'_>) -> PrivateEndpointConnection {
    let settings = settings_of(item);
    PrivateEndpointConnection {
        pointer: item.pointer().to_owned(),
        endpoint_id: settings.string_field("privateEndpoint.id"),
        status: settings.string_field("privateLinkServiceConnectionState.status"),
    }
}

/// A private endpoint resource (`Microsoft.Network/privateEndpoints`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrivateEndpoint {
    /// Identity and location in the file.
    pub info: ResourceInfo,
    /// Its connections to the resources it reaches, automatic and manual.
    pub links: Vec<PrivateLinkConnection>,
}

/// One connection of a private endpoint resource to the resource it reaches
/// (`privateLinkServiceConnections[]` or `manualPrivateLinkServiceConnections[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrivateLinkConnection {
    /// Where the connection is in the file.
    pub pointer: String,
    /// Its `name`, or its position.
    pub name: String,
    /// True for `manualPrivateLinkServiceConnections`: the target's owner
    /// approves it by hand, so it starts Pending.
    pub manual: bool,
    /// `privateLinkServiceId`: the resource reached (an ID, or a template
    /// expression).
    pub target: Field<String>,
    /// `groupIds`: which part of the target (`vault`, `registry`...).
    pub group_ids: Field<Vec<String>>,
    /// `privateLinkServiceConnectionState.status`: live exports state it
    /// (Approved, Pending, Rejected, Disconnected); templates usually do not.
    pub status: Field<String>,
}

impl PrivateLinkConnection {
    /// What `privateLinkServiceId` names, or why that cannot be told.
    pub fn target_reference(&self) -> ResourceReference {
        match &self.target {
            Field::Known { value, .. } => ResourceReference::read(value),
            Field::Unresolved { expression, .. } => ResourceReference::read(expression),
            other => ResourceReference::Unresolvable(
                other
                    .require("privateLinkServiceId")
                    .err()
                    .unwrap_or_default(),
            ),
        }
    }

    /// True if `groupIds` is known and names none of `group`.
    pub fn is_for_another_group(&self, group: &str) -> bool {
        self.group_ids.value().is_some_and(|ids| {
            !ids.is_empty() && !ids.iter().any(|g| g.eq_ignore_ascii_case(group))
        })
    }
}

/// Reads a private endpoint resource into `out`.
pub(super) fn read_endpoint(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<PrivateEndpoint>,
) -> Result<(), ImportError> {
    let props = resource.props();
    let mut links = Vec::new();
    for (key, manual) in [
        ("privateLinkServiceConnections", false),
        ("manualPrivateLinkServiceConnections", true),
    ] {
        let Some(list) = props.get(key) else {
            continue;
        };
        links.extend(
            list.items()
                .enumerate()
                .map(|(i, item)| link(&item, i, manual)),
        );
    }
    out.push(PrivateEndpoint {
        info: ResourceInfo::of(ctx, resource),
        links,
    });
    Ok(())
}

fn link(item: &Node<'_>, index: usize, manual: bool) -> PrivateLinkConnection {
    let settings = settings_of(item);
    PrivateLinkConnection {
        pointer: item.pointer().to_owned(),
        name: name_or_position(item, "connection", index),
        manual,
        target: settings.string_field("privateLinkServiceId"),
        group_ids: settings.string_list_field("groupIds"),
        status: settings.string_field("privateLinkServiceConnectionState.status"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_both_shapes() {
        let doc = json!({"privateEndpointConnections": [
            {"id": "/x/pec1", "properties": {"privateEndpoint": {"id": "/pe/1"},
              "privateLinkServiceConnectionState": {"status": "Approved"}}},
            {"id": "/x/pec2", "privateEndpoint": {"id": "/pe/2"},
              "privateLinkServiceConnectionState": {"status": "Pending"}}
        ]});
        let found = read(&Node::root(&doc));
        let list = found.value().unwrap();
        assert!(list[0].is_approved());
        assert!(!list[1].is_approved());
        assert_eq!(
            list[1].status.pointer(),
            Some("/privateEndpointConnections/1/privateLinkServiceConnectionState/status")
        );
        assert_eq!(
            list[0].endpoint_id.value().map(String::as_str),
            Some("/pe/1")
        );
        assert_eq!(read(&Node::root(&json!({}))), Field::Missing);
    }
}
