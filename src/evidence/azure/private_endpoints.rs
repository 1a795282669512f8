//! Private endpoint connections, as Key Vault and ACR report them
//! (`privateEndpointConnections[]`).

use serde::{Deserialize, Serialize};

use crate::evidence::Field;
use crate::evidence::node::Node;

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
    let settings = match item.get("properties") {
        Some(props) if props.value().is_object() => props,
        _ => item.clone(),
    };
    PrivateEndpointConnection {
        pointer: item.pointer().to_owned(),
        endpoint_id: settings.string_field("privateEndpoint.id"),
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
