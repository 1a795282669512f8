use super::*;
use crate::evidence::{EvidenceSet, import_bytes};

fn evidence(files: &[(&str, &str)]) -> Evidence {
    let mut set = EvidenceSet::default();
    for (path, text) in files {
        set.add(import_bytes(path, text.as_bytes(), chrono::Utc::now()).unwrap());
    }
    set.evidence
}

const NAMESPACES: &str = r#"{"apiVersion":"v1","kind":"List","items":[
 {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"cde","labels":{"pci-scope":"in-scope"}}},
 {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop","labels":{"pci-scope":"out-of-scope"}}},
 {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"tools","labels":{"pci-scope":"whatever"}}}
]}"#;

const CLUSTER: &str = r#"{"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c",
 "name":"c","type":"Microsoft.ContainerService/managedClusters","location":"x",
 "agentPoolProfiles":[
  {"name":"pin","mode":"User","nodeLabels":{"pci-scope":"in-scope"},
   "vnetSubnetID":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/snet-in"},
  {"name":"pout","mode":"User","nodeLabels":{"pci-scope":"out-of-scope"},
   "vnetSubnetID":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/snet-out"}
 ]}"#;

const SCOPE: &str = "tickmark_scope = 1\n[[scope]]\nnamespace = \"shop\"\nscope = \"connected\"\nreason = \"calls the card API\"\n";

#[test]
fn labels_give_the_defaults_and_the_scope_file_overrides_them() {
    let scope = Scope::derive(&evidence(&[("ns.json", NAMESPACES), ("aks.json", CLUSTER)]));
    assert!(scope.is_known());
    assert_eq!(
        scope.class_of(ScopeKind::Namespace, "cde"),
        Some(ScopeClass::InScope)
    );
    assert_eq!(scope.class_of(ScopeKind::Namespace, "tools"), None);
    assert_eq!(
        scope.class_of(ScopeKind::NodePool, "pin"),
        Some(ScopeClass::InScope)
    );
    assert_eq!(
        scope.class_of(ScopeKind::Subnet, "snet-in"),
        Some(ScopeClass::InScope)
    );
    assert_eq!(
        scope.class_of(ScopeKind::Subnet, "SNET-OUT"),
        Some(ScopeClass::OutOfScope)
    );
    let ground = scope
        .entry(ScopeKind::Subnet, "snet-in")
        .unwrap()
        .deciding()
        .unwrap();
    assert_eq!(ground.says, "subnet of node pool pin (in-scope)");

    let declared = Scope::derive(&evidence(&[
        ("ns.json", NAMESPACES),
        ("tickmark-scope.toml", SCOPE),
    ]));
    let shop = declared.entry(ScopeKind::Namespace, "shop").unwrap();
    assert_eq!(shop.class, Some(ScopeClass::Connected));
    assert_eq!(
        shop.grounds.len(),
        2,
        "the overridden label stays as a ground"
    );
    assert!(shop.grounds[0].declared);
    assert_eq!(
        shop.grounds[0].says,
        "declared in the scope file: calls the card API"
    );
    assert_ne!(declared, scope);
}

#[test]
fn nothing_labelled_is_no_scope() {
    let scope = Scope::derive(&Evidence::default());
    assert!(!scope.is_known());
    assert!(how_to_state_scope().contains("tickmark-scope.toml"));
}
