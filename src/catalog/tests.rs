use super::*;

const HEADER: &str = "id = \"test\"\nname = \"Test\"\ndescription = \"A test catalog.\"\n";

/// A valid node table with `extra` lines appended.
fn node(id: &str, extra: &str) -> String {
    format!(
        "\n[[node]]\nid = \"{id}\"\ntitle = \"Title of {id}\"\nresponsibility = \"customer\"\nguidance = \"\"\"\nDo this\nand that.\n\"\"\"\nevidence = [\"a document\"]\n{extra}"
    )
}

fn file(listed: &[&str], nodes: &[String]) -> String {
    let listed: Vec<String> = listed.iter().map(|id| format!("\"{id}\"")).collect();
    format!(
        "{HEADER}requirement_ids = [{}]\n{}",
        listed.join(", "),
        nodes.concat()
    )
}

/// A small valid catalog: family 1, requirement 1.1, group 1.2 with 1.2.1.
fn small() -> String {
    file(
        &["1.1", "1.2.1"],
        &[
            node("1", ""),
            node("1.1", "checks = [\"aks.private-cluster\"]\n"),
            node("1.2", ""),
            node("1.2.1", ""),
        ],
    )
}

fn node_problem(text: &str) -> (usize, String, NodeProblem) {
    match Catalog::from_toml(text) {
        Err(CatalogError::Node { line, id, problem }) => (line, id, problem),
        other => panic!("expected a node error, got {other:?}"),
    }
}

fn line_of_id(text: &str, id: &str, occurrence: usize) -> usize {
    let needle = format!("id = \"{id}\"");
    text.lines()
        .enumerate()
        .filter(|(_, line)| *line == needle)
        .nth(occurrence)
        .map(|(at, _)| at + 1)
        .unwrap()
}

#[test]
fn small_catalog_loads_with_derived_kinds_parents_and_children() {
    let catalog = Catalog::from_toml(&small()).unwrap();
    assert_eq!(catalog.id, "test");
    assert_eq!(catalog.description, "A test catalog.");
    let kinds: Vec<(&str, NodeKind)> = catalog
        .nodes
        .iter()
        .map(|n| (n.id.as_str(), n.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("1", NodeKind::Family),
            ("1.1", NodeKind::Requirement),
            ("1.2", NodeKind::Group),
            ("1.2.1", NodeKind::Requirement),
        ]
    );
    assert_eq!(catalog.get("1.2.1").unwrap().parent.as_deref(), Some("1.2"));
    assert_eq!(catalog.get("1").unwrap().children, ["1.1", "1.2"]);
    assert_eq!(catalog.get("1.2").unwrap().guidance, "Do this and that.");
    assert_eq!(catalog.count(NodeKind::Requirement), 2);
}

#[test]
fn duplicate_id_names_both_lines() {
    let text = file(&["1.1"], &[node("1", ""), node("1.1", ""), node("1.1", "")]);
    let (line, id, problem) = node_problem(&text);
    assert_eq!(id, "1.1");
    assert_eq!(line, line_of_id(&text, "1.1", 1));
    assert_eq!(
        problem,
        NodeProblem::Duplicate {
            first_line: line_of_id(&text, "1.1", 0)
        }
    );
}

#[test]
fn unknown_and_per_requirement_checks_are_rejected() {
    let text = file(
        &["1.1"],
        &[
            node("1", ""),
            node("1.1", "checks = [\"aks.no-such-check\"]\n"),
        ],
    );
    let (line, id, problem) = node_problem(&text);
    assert_eq!((line, id.as_str()), (line_of_id(&text, "1.1", 0), "1.1"));
    assert_eq!(
        problem,
        NodeProblem::UnknownCheck("aks.no-such-check".into())
    );

    let text = file(
        &["1.1"],
        &[
            node("1", ""),
            node("1.1", "checks = [\"scan.azure-policy\"]\n"),
        ],
    );
    assert_eq!(
        node_problem(&text).2,
        NodeProblem::PerRequirementCheck("scan.azure-policy".into())
    );

    let text = file(
        &["1.1"],
        &[
            node("1", ""),
            node("1.1", "checks = [\"aks.defender\", \"aks.defender\"]\n"),
        ],
    );
    assert_eq!(
        node_problem(&text).2,
        NodeProblem::DuplicateCheck("aks.defender".into())
    );

    let text = file(
        &["1.1"],
        &[node("1", "checks = [\"aks.defender\"]\n"), node("1.1", "")],
    );
    assert_eq!(node_problem(&text).2, NodeProblem::ChecksOnFamily);
}

#[test]
fn missing_parent_is_named() {
    let text = file(&["1.2.1"], &[node("1", ""), node("1.2.1", "")]);
    let (_, id, problem) = node_problem(&text);
    assert_eq!(id, "1.2.1");
    assert_eq!(
        problem,
        NodeProblem::MissingParent {
            parent: "1.2".into()
        }
    );
}

#[test]
fn order_is_numeric() {
    let listed = ["1.9", "1.10"];
    let in_order = file(&listed, &[node("1", ""), node("1.9", ""), node("1.10", "")]);
    assert!(Catalog::from_toml(&in_order).is_ok());
    let text = file(&listed, &[node("1", ""), node("1.10", ""), node("1.9", "")]);
    let (_, id, problem) = node_problem(&text);
    assert_eq!(id, "1.9");
    assert_eq!(
        problem,
        NodeProblem::OutOfOrder {
            previous: "1.10".into()
        }
    );
}

#[test]
fn malformed_ids_are_rejected() {
    for bad in ["1..1", "1.a", "01.1", ""] {
        let text = file(&[], &[node("1", ""), node(bad, "")]);
        assert!(
            matches!(node_problem(&text).2, NodeProblem::MalformedId(_)),
            "{bad:?}"
        );
    }
}

#[test]
fn text_fields_are_validated() {
    let text = small().replace("title = \"Title of 1.1\"", "title = \"  \"");
    assert_eq!(node_problem(&text).2, NodeProblem::EmptyField("title"));

    let text = small().replace(
        "title = \"Title of 1.1\"",
        "title = \"\"\"\ntwo\nlines\"\"\"",
    );
    assert_eq!(node_problem(&text).2, NodeProblem::MultiLineTitle);

    let text = file(
        &["1.1"],
        &[
            node("1", ""),
            node("1.1", "").replace("evidence = [\"a document\"]\n", ""),
        ],
    );
    assert_eq!(node_problem(&text).2, NodeProblem::NoEvidence);

    let text = file(
        &["1.1"],
        &[
            node("1", ""),
            node("1.1", "").replace("[\"a document\"]", "[\"a document\", \" \"]"),
        ],
    );
    assert_eq!(node_problem(&text).2, NodeProblem::EmptyField("evidence"));

    let text = file(
        &["1.1"],
        &[
            node("1", "").replace("Do this\nand that.", "\n \n"),
            node("1.1", ""),
        ],
    );
    assert_eq!(node_problem(&text).2, NodeProblem::EmptyField("guidance"));
}

#[test]
fn groups_need_children_and_listed_ids_need_nodes() {
    let text = file(&["1.1"], &[node("1", ""), node("1.1", ""), node("1.2", "")]);
    let (_, id, problem) = node_problem(&text);
    assert_eq!((id.as_str(), problem), ("1.2", NodeProblem::EmptyGroup));

    let list_problem = |text: &str| match Catalog::from_toml(text) {
        Err(CatalogError::RequirementIds { id, problem }) => (id, problem),
        other => panic!("expected a requirement_ids error, got {other:?}"),
    };
    let text = file(&["1.1", "1.3"], &[node("1", ""), node("1.1", "")]);
    assert_eq!(list_problem(&text), ("1.3".into(), ListProblem::NoNode));
    let text = file(&["1.1", "1.1"], &[node("1", ""), node("1.1", "")]);
    assert_eq!(list_problem(&text), ("1.1".into(), ListProblem::Duplicate));
    let text = file(&["1", "1.1"], &[node("1", ""), node("1.1", "")]);
    assert_eq!(list_problem(&text), ("1".into(), ListProblem::Family));
}

#[test]
fn shape_errors_carry_a_position() {
    let typo = small().replace("guidance = \"\"\"", "guidence = \"\"\"");
    let err = Catalog::from_toml(&typo).unwrap_err();
    assert!(matches!(err, CatalogError::Syntax(_)));
    assert!(err.to_string().contains("line"), "{err}");

    let bad_value = small().replace(
        "responsibility = \"customer\"",
        "responsibility = \"microsoft\"",
    );
    assert!(matches!(
        Catalog::from_toml(&bad_value),
        Err(CatalogError::Syntax(_))
    ));
    assert!(matches!(
        Catalog::from_toml("this is = = not toml"),
        Err(CatalogError::Syntax(_))
    ));
    assert_eq!(
        Catalog::from_toml(&small().replace("name = \"Test\"", "name = \" \"")),
        Err(CatalogError::EmptyHeader("name"))
    );
    assert_eq!(
        Catalog::from_toml(&format!("{HEADER}requirement_ids = []\n")),
        Err(CatalogError::NoNodes)
    );
}

#[test]
fn errors_read_well() {
    let text = file(&["1.2.1"], &[node("1", ""), node("1.2.1", "")]);
    let message = Catalog::from_toml(&text).unwrap_err().to_string();
    assert_eq!(
        message,
        format!(
            "line {}: node `1.2.1`: its parent `1.2` is missing",
            line_of_id(&text, "1.2.1", 0)
        )
    );
}

#[test]
fn navigation() {
    let catalog = pci_dss_321();
    let ids = |nodes: Vec<&Requirement>| nodes.iter().map(|n| n.id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(catalog.children("1.3").collect()),
        [
            "1.3.1", "1.3.2", "1.3.3", "1.3.4", "1.3.5", "1.3.6", "1.3.7"
        ]
    );
    assert_eq!(ids(catalog.children("6.4.5").collect()).len(), 4);
    assert_eq!(catalog.children("no.such").count(), 0);
    assert_eq!(catalog.family_of("6.4.5.1").unwrap().id, "6");
    assert_eq!(catalog.family_of("12").unwrap().id, "12");
    assert!(catalog.family_of("13.1").is_none());
    assert_eq!(catalog.parent_of("2.1.1").unwrap().id, "2.1");
    assert!(catalog.parent_of("2").is_none());
    assert_eq!(catalog.get("3.5").unwrap().kind, NodeKind::Group);
    assert_eq!(catalog.get("2.1").unwrap().kind, NodeKind::Requirement);
    assert!(
        catalog
            .get("2.1")
            .unwrap()
            .children
            .contains(&"2.1.1".to_owned())
    );
    assert_eq!(
        ids(catalog.families().collect()),
        (1..=12).map(|n| n.to_string()).collect::<Vec<_>>()
    );
    assert!(builtin("pci-dss-3.2.1").is_some());
    assert!(builtin("pci-dss-4.0.1").is_none());
}

#[test]
fn builtin_catalog_counts() {
    let catalog = pci_dss_321();
    assert_eq!(catalog.id, PCI_DSS_321_ID);
    assert_eq!(catalog.name, "PCI DSS 3.2.1");
    assert_eq!(catalog.count(NodeKind::Family), 12);
    assert_eq!(catalog.count(NodeKind::Requirement), 232);
    assert_eq!(catalog.requirements().count(), 232);
    assert_eq!(
        catalog.nodes.len(),
        catalog.count(NodeKind::Family) + catalog.count(NodeKind::Group) + 232
    );
}

#[test]
fn get_survives_serde_and_mutation() {
    let catalog = pci_dss_321();
    let json = serde_json::to_string(catalog).unwrap();
    let back: Catalog = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, catalog);
    assert_eq!(
        back.get("10.7").unwrap().title,
        catalog.get("10.7").unwrap().title
    );

    let mut changed = catalog.clone();
    changed.nodes.remove(0);
    assert_eq!(changed.get("1.1.1").unwrap().id, "1.1.1");
    assert!(changed.get("1").is_none());
}

#[test]
fn json_tree_nests_children() {
    let tree = pci_dss_321().to_json_tree();
    assert_eq!(tree["catalog"], "pci-dss-3.2.1");
    let families = tree["nodes"].as_array().unwrap();
    assert_eq!(families.len(), 12);
    let one = &families[0];
    assert_eq!(one["id"], "1");
    assert_eq!(one["kind"], "family");
    let group = &one["children"][2];
    assert_eq!(group["id"], "1.3");
    assert_eq!(group["kind"], "group");
    let private = &group["children"][6];
    assert_eq!(private["id"], "1.3.7");
    assert_eq!(private["kind"], "requirement");
    assert_eq!(private["responsibility"], "customer");
    assert_eq!(private["checks"][0], "aks.private-cluster");
    assert!(private["children"].as_array().unwrap().is_empty());
}
