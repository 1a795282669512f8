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
    assert!(builtin("pci-dss-9.9").is_none());
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

/// A small catalog in the 4.0.1 shape: family 1 with requirement 1.1 (two
/// testing checks on it, one supporting one on group 1.2 above 1.2.1) and
/// appendix A1 for one kind of entity, whose requirement A1.1.1 is new.
fn with_appendix() -> String {
    file(
        &["1.1", "1.2.1", "1.2.2", "A1.1.1", "A1.1.2"],
        &[
            node("1", ""),
            node(
                "1.1",
                "checks = [\"aks.private-cluster\"]\nsupporting_checks = [\"fw.threat-intel-deny\"]\n",
            ),
            node("1.2", "supporting_checks = [\"aks.defender\"]\n"),
            node("1.2.1", ""),
            node(
                "1.2.2",
                "checks = [\"aks.defender\"]\nfuture_dated = true\n",
            ),
            node("A1", "applies_to = \"multi-tenant service providers\"\n"),
            node("A1.1", ""),
            node("A1.1.1", "new_in_v4 = true\n"),
            node("A1.1.2", ""),
        ],
    )
}

#[test]
fn appendix_families_and_new_fields_load() {
    let catalog = Catalog::from_toml(&with_appendix()).unwrap();
    let families: Vec<&str> = catalog.families().map(|f| f.id.as_str()).collect();
    assert_eq!(families, ["1", "A1"]);
    let appendices: Vec<&str> = catalog.appendices().map(|f| f.id.as_str()).collect();
    assert_eq!(appendices, ["A1"]);
    assert_eq!(catalog.get("A1").unwrap().kind, NodeKind::Family);
    assert_eq!(catalog.get("A1.1").unwrap().kind, NodeKind::Group);
    assert_eq!(catalog.family_of("A1.1.2").unwrap().id, "A1");
    // Inherited by every node below the appendix, and by nothing else.
    for id in ["A1", "A1.1", "A1.1.1", "A1.1.2"] {
        assert_eq!(
            catalog.get(id).unwrap().applies_to.as_deref(),
            Some("multi-tenant service providers"),
            "{id}"
        );
    }
    assert!(catalog.get("1.1").unwrap().applies_to.is_none());
    let groups = catalog.applicability_groups();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].0, "multi-tenant service providers");
    let ids: Vec<&str> = groups[0].1.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["A1.1.1", "A1.1.2"]);
    let new: Vec<&str> = catalog.new_in_v4().map(|n| n.id.as_str()).collect();
    assert_eq!(new, ["A1.1.1"]);
    assert!(catalog.get("1.2.2").unwrap().future_dated);
    assert!(!catalog.get("1.2.1").unwrap().future_dated);
    let below: Vec<&str> = catalog
        .descendants("A1")
        .iter()
        .map(|n| n.id.as_str())
        .collect();
    assert_eq!(below, ["A1.1", "A1.1.1", "A1.1.2"]);
    assert!(catalog.descendants("nope").is_empty());
}

#[test]
fn check_links_carry_their_strength_and_the_nearest_wins() {
    let catalog = Catalog::from_toml(&with_appendix()).unwrap();
    let links = |id: &str| -> Vec<(String, MappingStrength)> {
        catalog
            .check_links(id)
            .into_iter()
            .map(|l| (l.check.to_owned(), l.strength))
            .collect()
    };
    assert_eq!(
        links("1.1"),
        [
            ("aks.private-cluster".to_owned(), MappingStrength::Tests),
            ("fw.threat-intel-deny".to_owned(), MappingStrength::Supports),
        ]
    );
    // 1.2's supporting check reaches 1.2.1 ...
    assert_eq!(
        links("1.2.1"),
        [("aks.defender".to_owned(), MappingStrength::Supports)]
    );
    // ... but 1.2.2 lists it itself as testing, and its own listing wins.
    assert_eq!(
        links("1.2.2"),
        [("aks.defender".to_owned(), MappingStrength::Tests)]
    );
    assert_eq!(
        catalog.strength_for("1.1", "fw.threat-intel-deny"),
        Some(MappingStrength::Supports)
    );
    assert_eq!(catalog.strength_for("1.1", "aks.defender"), None);
    assert_eq!(
        catalog.checks_for("1.1"),
        ["aks.private-cluster", "fw.threat-intel-deny"]
    );
    assert!(catalog.is_manual("A1.1.1"));
    assert!(!catalog.is_manual("1.2.1"));
    let with_defender: Vec<&str> = catalog
        .nodes_with_check("aks.defender")
        .map(|n| n.id.as_str())
        .collect();
    assert_eq!(with_defender, ["1.2", "1.2.2"]);
    let tree = catalog.to_json_tree();
    let a1 = &tree["nodes"][1];
    assert_eq!(a1["id"], "A1");
    assert_eq!(a1["appendix"], true);
    assert_eq!(a1["applies_to"], "multi-tenant service providers");
    assert_eq!(a1["children"][0]["children"][0]["new_in_v4"], true);
    assert_eq!(
        tree["nodes"][0]["children"][0]["supporting_checks"][0],
        "fw.threat-intel-deny"
    );
}

#[test]
fn new_fields_are_validated() {
    let both = file(
        &["1.1"],
        &[
            node("1", ""),
            node(
                "1.1",
                "checks = [\"aks.defender\"]\nsupporting_checks = [\"aks.defender\"]\n",
            ),
        ],
    );
    assert_eq!(
        node_problem(&both).2,
        NodeProblem::TestingAndSupporting("aks.defender".into())
    );
    let unknown = file(
        &["1.1"],
        &[
            node("1", ""),
            node("1.1", "supporting_checks = [\"fw.nope\"]\n"),
        ],
    );
    assert_eq!(
        node_problem(&unknown).2,
        NodeProblem::UnknownCheck("fw.nope".into())
    );
    let on_family = file(
        &["1.1"],
        &[
            node("1", "supporting_checks = [\"aks.defender\"]\n"),
            node("1.1", ""),
        ],
    );
    assert_eq!(node_problem(&on_family).2, NodeProblem::ChecksOnFamily);
    let applies_below = file(
        &["1.1"],
        &[node("1", ""), node("1.1", "applies_to = \"merchants\"\n")],
    );
    assert_eq!(
        node_problem(&applies_below).2,
        NodeProblem::AppliesToBelowFamily
    );
    let applies_empty = file(
        &["1.1"],
        &[node("1", "applies_to = \" \"\n"), node("1.1", "")],
    );
    assert_eq!(
        node_problem(&applies_empty).2,
        NodeProblem::EmptyField("applies_to")
    );
    let new_group = file(
        &["1.1.1"],
        &[
            node("1", ""),
            node("1.1", "new_in_v4 = true\n"),
            node("1.1.1", ""),
        ],
    );
    assert_eq!(
        node_problem(&new_group).2,
        NodeProblem::FlagOnUnassessed("new_in_v4")
    );
    let dated_family = file(
        &["1.1"],
        &[node("1", "future_dated = true\n"), node("1.1", "")],
    );
    assert_eq!(
        node_problem(&dated_family).2,
        NodeProblem::FlagOnUnassessed("future_dated")
    );
    let appendix_listed = file(&["A1"], &[node("A1", "")]);
    assert!(matches!(
        Catalog::from_toml(&appendix_listed),
        Err(CatalogError::RequirementIds {
            problem: ListProblem::Family,
            ..
        })
    ));
    let out_of_order = file(
        &["1.1", "A1.1"],
        &[
            node("A1", ""),
            node("A1.1", ""),
            node("1", ""),
            node("1.1", ""),
        ],
    );
    assert_eq!(
        node_problem(&out_of_order).2,
        NodeProblem::OutOfOrder {
            previous: "A1.1".into()
        }
    );
    let message = Catalog::from_toml(&applies_below).unwrap_err().to_string();
    assert!(
        message.contains("node `1.1`") && message.contains("applies_to"),
        "{message}"
    );
}

/// A second small catalog the crosswalk tests map onto: 1.1 (same as the
/// first's), 1.2.1 and 1.2.2 (the first's 1.2.1 split in two) and a new
/// 1.3.
fn later() -> Catalog {
    let text = file(
        &["1.1", "1.2.1", "1.2.2", "1.3"],
        &[
            node("1", ""),
            node("1.1", ""),
            node("1.2", ""),
            node("1.2.1", ""),
            node("1.2.2", ""),
            node("1.3", "new_in_v4 = true\n"),
        ],
    )
    .replace("id = \"test\"", "id = \"later\"")
    .replace("name = \"Test\"", "name = \"Later\"");
    Catalog::from_toml(&text).unwrap()
}

fn earlier() -> Catalog {
    Catalog::from_toml(&small()).unwrap()
}

fn crosswalk_text(links: &str) -> String {
    format!(
        "from = \"test\"\nto = \"later\"\ndescription = \"\"\"\nTest links,\nreflowed.\n\"\"\"\n{links}"
    )
}

const LINKS: &str = "
[[link]]
from = \"1.1\"
to = \"1.1\"
kind = \"same\"

[[link]]
from = \"1.2.1\"
to = \"1.2.1\"
kind = \"split\"

[[link]]
from = \"1.2.1\"
to = \"1.2.2\"
kind = \"split\"
judgement = true
note = \"our reading\"

[[link]]
from = \"1.1\"
to = \"1.3\"
kind = \"related\"
";

fn load_crosswalk(text: &str) -> Result<Crosswalk, CrosswalkError> {
    let (earlier, later) = (earlier(), later());
    Crosswalk::from_toml(text, |id| match id {
        "test" => Some(&earlier),
        "later" => Some(&later),
        _ => None,
    })
}

#[test]
fn crosswalk_links_are_looked_up_both_ways() {
    let crosswalk = load_crosswalk(&crosswalk_text(LINKS)).unwrap();
    assert_eq!(
        (crosswalk.from.as_str(), crosswalk.to.as_str()),
        ("test", "later")
    );
    assert_eq!(crosswalk.description, "Test links, reflowed.");
    assert_eq!(crosswalk.links.len(), 4);
    let to: Vec<&str> = crosswalk
        .links_from("1.2.1")
        .map(|l| l.to.as_str())
        .collect();
    assert_eq!(to, ["1.2.1", "1.2.2"]);
    let from: Vec<&str> = crosswalk.links_to("1.3").map(|l| l.from.as_str()).collect();
    assert_eq!(from, ["1.1"]);
    assert_eq!(
        crosswalk.links_to("1.2.2").next().unwrap().note.as_deref(),
        Some("our reading")
    );
    assert!(crosswalk.links_to("1.2.2").next().unwrap().judgement);
    assert!(!crosswalk.links_to("1.2.1").next().unwrap().judgement);
    let successors: Vec<(&str, LinkKind)> = crosswalk
        .counterparts("test", "1.1")
        .into_iter()
        .map(|(id, link)| (id, link.kind))
        .collect();
    assert_eq!(
        successors,
        [("1.1", LinkKind::Same), ("1.3", LinkKind::Related)]
    );
    let predecessors: Vec<&str> = crosswalk
        .counterparts("later", "1.2.2")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(predecessors, ["1.2.1"]);
    assert!(crosswalk.counterparts("other", "1.1").is_empty());
    assert_eq!(crosswalk.side_of("later"), Some(Side::To));
    assert_eq!(crosswalk.links[0].id_at(Side::From), "1.1");
}

#[test]
fn crosswalk_errors_name_the_link_and_line() {
    let problem = |text: &str| match load_crosswalk(text) {
        Err(CrosswalkError::Link {
            line,
            from,
            to,
            problem,
        }) => (line, from, to, problem),
        other => panic!("expected a link error, got {other:?}"),
    };
    let unknown = crosswalk_text(&LINKS.replace(
        "from = \"1.2.1\"\nto = \"1.2.2\"",
        "from = \"1.2\"\nto = \"1.2.2\"",
    ));
    let (line, from, to, why) = problem(&unknown);
    assert_eq!((from.as_str(), to.as_str()), ("1.2", "1.2.2"));
    assert_eq!(unknown.lines().nth(line - 1), Some("from = \"1.2\""));
    assert_eq!(
        why,
        LinkProblem::NotAssessed {
            side: "from",
            catalog: "Test".into()
        }
    );

    let wrong_side = crosswalk_text(&LINKS.replace("to = \"1.3\"", "to = \"1.9\""));
    assert_eq!(
        problem(&wrong_side).3,
        LinkProblem::NotAssessed {
            side: "to",
            catalog: "Later".into()
        }
    );
    let twice = crosswalk_text(&format!(
        "{LINKS}\n[[link]]\nfrom = \"1.1\"\nto = \"1.1\"\nkind = \"related\"\n"
    ));
    assert!(
        matches!(problem(&twice).3, LinkProblem::Duplicate { first_line } if twice.lines().nth(first_line - 1) == Some("from = \"1.1\""))
    );
    let empty_note = crosswalk_text(&LINKS.replace("our reading", " "));
    assert_eq!(problem(&empty_note).3, LinkProblem::EmptyNote);
    let message = load_crosswalk(&unknown).unwrap_err().to_string();
    assert!(
        message.starts_with(&format!(
            "line {}: link `1.2` → `1.2.2`:",
            problem(&unknown).0
        )),
        "{message}"
    );
}

#[test]
fn crosswalk_header_and_coverage_are_checked() {
    assert_eq!(
        load_crosswalk(&crosswalk_text(LINKS).replace("to = \"later\"", "to = \"v9\"")),
        Err(CrosswalkError::UnknownCatalog {
            side: "to",
            id: "v9".into()
        })
    );
    assert_eq!(
        load_crosswalk(&crosswalk_text(LINKS).replace("to = \"later\"", "to = \"test\"")),
        Err(CrosswalkError::SameCatalog("test".into()))
    );
    assert_eq!(
        load_crosswalk(&crosswalk_text("")),
        Err(CrosswalkError::NoLinks)
    );
    assert!(matches!(
        load_crosswalk(&crosswalk_text(
            &LINKS.replace("kind = \"same\"", "kind = \"alike\"")
        )),
        Err(CrosswalkError::Syntax(_))
    ));
    // 1.3 is new: a link to it is allowed (v4 counts some requirements as
    // new that grew out of an earlier one) ...
    let new_with_predecessor =
        crosswalk_text(&LINKS.replace("kind = \"related\"", "kind = \"merged\""));
    assert!(load_crosswalk(&new_with_predecessor).is_ok());
    // ... but 1.2.2 is not new, so it needs a link.
    let without_1_2_2 = LINKS.replace(
        "\n[[link]]\nfrom = \"1.2.1\"\nto = \"1.2.2\"\nkind = \"split\"\njudgement = true\nnote = \"our reading\"\n",
        "",
    );
    assert_ne!(without_1_2_2, LINKS);
    let untraced = crosswalk_text(&without_1_2_2);
    assert_eq!(
        load_crosswalk(&untraced),
        Err(CrosswalkError::Untraced("1.2.2".into()))
    );
}

#[test]
fn builtin_lists_and_default() {
    let ids = builtin_ids();
    assert!(ids.contains(&PCI_DSS_321_ID));
    for id in &ids {
        assert_eq!(builtin(id).unwrap().id, *id);
    }
    // The default is 4.0.1 once its file is built in.
    if ids.contains(&PCI_DSS_401_ID) {
        assert_eq!(default_catalog().id, PCI_DSS_401_ID);
    }
    for crosswalk in builtin_crosswalks() {
        assert!(builtin(&crosswalk.from).is_some() && builtin(&crosswalk.to).is_some());
        assert!(std::ptr::eq(
            crosswalk_between(&crosswalk.to, &crosswalk.from).unwrap(),
            crosswalk
        ));
    }
}
