//! What an ARM template states for certain once its own variables and the
//! parameter file imported beside it are read.
//!
//! [`resolve`] returns a copy of the template in which every expression that
//! resolves is replaced by its value, and every expression that resolves in
//! part is rewritten with the known parts as literals (see
//! [`expression`]). Values stay where they were written, so JSON pointers
//! into the copy are pointers into the file. Without a parameter file only
//! variables with literal values resolve; with one, its values and the
//! template's `defaultValue`s for the parameters it leaves out resolve too
//! (that is what the deployment uses). Nothing else is guessed.

pub mod expression;
pub mod parameters;

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use expression::{Expr, Scope, body_of};
pub use parameters::ParameterValues;

/// The outcome of resolving a template.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The template with what resolved written in.
    pub root: Value,
    /// How many expressions resolved to a value.
    pub resolved: usize,
}

/// Resolves `template` with its variables and, when given, the values of its
/// parameter file. `None` when nothing changed.
pub fn resolve(template: &Value, parameters: Option<&ParameterValues>) -> Option<Resolved> {
    let scope = TemplateScope::new(template, parameters);
    let mut root = template.clone();
    let mut resolved = 0;
    let mut changed = false;
    if let Some(resources) = root.get_mut("resources") {
        walk_resources(resources, &scope, &mut resolved, &mut changed);
    }
    changed.then_some(Resolved { root, resolved })
}

/// The scope of one template: its variables, its parameters' defaults and
/// the parameter file's values.
struct TemplateScope<'a> {
    variables: BTreeMap<String, &'a Value>,
    defaults: BTreeMap<String, &'a Value>,
    values: BTreeMap<String, Value>,
    /// False without a parameter file: parameters are then unknown.
    parameters_known: bool,
    /// Variables being resolved (a cycle resolves to nothing).
    resolving: RefCell<Vec<String>>,
    /// Variables already resolved (`None`: not to a literal).
    cache: RefCell<BTreeMap<String, Option<Value>>>,
}

impl<'a> TemplateScope<'a> {
    fn new(template: &'a Value, file: Option<&ParameterValues>) -> Self {
        let section = |name: &str| -> BTreeMap<String, &'a Value> {
            template
                .get(name)
                .and_then(Value::as_object)
                .map(|m| m.iter().map(|(k, v)| (k.to_ascii_lowercase(), v)).collect())
                .unwrap_or_default()
        };
        let defaults = section("parameters")
            .into_iter()
            .filter_map(|(k, v)| Some((k, v.get("defaultValue")?)))
            .collect();
        let values = file
            .map(|f| {
                f.values
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.clone()?)))
                    .collect()
            })
            .unwrap_or_default();
        TemplateScope {
            variables: section("variables"),
            defaults,
            values,
            parameters_known: file.is_some(),
            resolving: RefCell::new(Vec::new()),
            cache: RefCell::new(BTreeMap::new()),
        }
    }

    /// A scope for a nested deployment evaluated in its own (`inner`) scope:
    /// its template's variables and defaults, and the parameters the
    /// deployment passes where they are literal.
    fn inner(template: &'a Value, passed: &Value) -> Self {
        let values = passed
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| {
                let value = v.get("value")?;
                (!contains_expression(value)).then(|| (k.to_ascii_lowercase(), value.clone()))
            })
            .collect();
        let mut scope = TemplateScope::new(template, None);
        scope.values = values;
        scope.parameters_known = true;
        scope
    }

    /// Resolves a JSON value of the template completely, or `None`.
    fn literal(&self, value: &Value) -> Option<Value> {
        match value {
            Value::String(s) => match body_of(s) {
                Some(body) => match expression::evaluate(&expression::parse(body)?, self) {
                    Expr::Value(v) => Some(v),
                    _ => None,
                },
                None => Some(Value::String(unescape(s))),
            },
            Value::Array(items) => items
                .iter()
                .map(|i| self.literal(i))
                .collect::<Option<_>>()
                .map(Value::Array),
            Value::Object(map) => {
                if map.contains_key("copy") {
                    return None;
                }
                map.iter()
                    .map(|(k, v)| Some((k.clone(), self.literal(v)?)))
                    .collect::<Option<Map<_, _>>>()
                    .map(Value::Object)
            }
            other => Some(other.clone()),
        }
    }
}

impl Scope for TemplateScope<'_> {
    fn parameter(&self, name: &str) -> Option<Value> {
        if !self.parameters_known {
            return None;
        }
        let key = name.to_ascii_lowercase();
        if let Some(value) = self.values.get(&key) {
            return Some(value.clone());
        }
        let default = *self.defaults.get(&key)?;
        self.guarded(&format!("parameter {key}"), || self.literal(default))
    }

    fn variable(&self, name: &str) -> Option<Value> {
        let key = name.to_ascii_lowercase();
        if let Some(cached) = self.cache.borrow().get(&key) {
            return cached.clone();
        }
        let raw = *self.variables.get(&key)?;
        let value = self.guarded(&format!("variable {key}"), || self.literal(raw));
        self.cache.borrow_mut().insert(key, value.clone());
        value
    }
}

impl TemplateScope<'_> {
    /// Runs `resolve` unless `what` is already being resolved (a cycle).
    fn guarded(&self, what: &str, resolve: impl FnOnce() -> Option<Value>) -> Option<Value> {
        if self.resolving.borrow().iter().any(|w| w == what) || self.resolving.borrow().len() > 64 {
            return None;
        }
        self.resolving.borrow_mut().push(what.to_owned());
        let value = resolve();
        self.resolving.borrow_mut().pop();
        value
    }
}

/// ARM writes a literal string that starts with `[` as `[[...`.
fn unescape(s: &str) -> String {
    match s.strip_prefix("[[") {
        Some(rest) => format!("[{rest}"),
        None => s.to_owned(),
    }
}

fn contains_expression(value: &Value) -> bool {
    match value {
        Value::String(s) => body_of(s).is_some(),
        Value::Array(items) => items.iter().any(contains_expression),
        Value::Object(map) => map.values().any(contains_expression),
        _ => false,
    }
}

/// Resolves the resources of a template (an array, or the object of
/// symbolic names a language-version-2 template has).
fn walk_resources(
    resources: &mut Value,
    scope: &TemplateScope<'_>,
    resolved: &mut usize,
    changed: &mut bool,
) {
    let items: Vec<&mut Value> = match resources {
        Value::Array(items) => items.iter_mut().collect(),
        Value::Object(map) => map.values_mut().collect(),
        _ => return,
    };
    for resource in items {
        walk_resource(resource, scope, resolved, changed);
    }
}

fn walk_resource(
    resource: &mut Value,
    scope: &TemplateScope<'_>,
    resolved: &mut usize,
    changed: &mut bool,
) {
    let Some(map) = resource.as_object_mut() else {
        return;
    };
    let is_deployment = map
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.Resources/deployments"));
    for (key, value) in map.iter_mut() {
        if key.eq_ignore_ascii_case("resources") {
            walk_resources(value, scope, resolved, changed);
        } else if is_deployment && key.eq_ignore_ascii_case("properties") {
            walk_deployment(value, scope, resolved, changed);
        } else {
            walk_value(value, scope, resolved, changed);
        }
    }
}

/// A nested deployment: its own properties in the outer scope, its template's
/// resources in the outer scope (ARM's default) or in their own.
fn walk_deployment(
    properties: &mut Value,
    scope: &TemplateScope<'_>,
    resolved: &mut usize,
    changed: &mut bool,
) {
    let Some(map) = properties.as_object_mut() else {
        return;
    };
    let inner = map
        .get("expressionEvaluationOptions")
        .and_then(|o| o.get("scope"))
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
    let template = map.remove("template");
    for value in map.values_mut() {
        walk_value(value, scope, resolved, changed);
    }
    let Some(mut template) = template else {
        return;
    };
    if inner {
        let original = template.clone();
        let passed = map.get("parameters").cloned().unwrap_or(Value::Null);
        let own = TemplateScope::inner(&original, &passed);
        if let Some(resources) = template.get_mut("resources") {
            walk_resources(resources, &own, resolved, changed);
        }
    } else if let Some(resources) = template.get_mut("resources") {
        walk_resources(resources, scope, resolved, changed);
    }
    map.insert("template".to_owned(), template);
}

fn walk_value(
    value: &mut Value,
    scope: &TemplateScope<'_>,
    resolved: &mut usize,
    changed: &mut bool,
) {
    match value {
        Value::String(s) => {
            let Some(parsed) = body_of(s).and_then(expression::parse) else {
                return;
            };
            match expression::evaluate(&parsed, scope) {
                Expr::Value(v) => {
                    *resolved += 1;
                    *changed = true;
                    *value = v;
                }
                partial if partial != parsed => {
                    *changed = true;
                    *value = Value::String(format!("[{}]", expression::print(&partial)));
                }
                _ => {}
            }
        }
        Value::Array(items) => {
            for item in items {
                walk_value(item, scope, resolved, changed);
            }
        }
        Value::Object(map) => {
            for item in map.values_mut() {
                walk_value(item, scope, resolved, changed);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template() -> Value {
        json!({
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0",
            "parameters": {
                "location": {"type": "string", "defaultValue": "eastus2"},
                "enableDefender": {"type": "bool"},
                "vnetId": {"type": "string"}
            },
            "variables": {
                "prefix": "aks",
                "name": "[concat(variables('prefix'), '-', parameters('location'))]",
                "loop": "[variables('loop')]",
                "subnet": "[concat(parameters('vnetId'), '/subnets/snet-a')]"
            },
            "resources": [
                {"type": "Microsoft.Security/pricings", "name": "Containers",
                 "condition": "[parameters('enableDefender')]",
                 "properties": {"pricingTier": "Standard"}},
                {"type": "Microsoft.Network/networkSecurityGroups", "name": "[concat('nsg-', variables('prefix'))]",
                 "properties": {"x": "[variables('loop')]", "s": "[variables('subnet')]",
                                "r": "[resourceId('Microsoft.Network/routeTables', variables('prefix'))]"}}
            ]
        })
    }

    #[test]
    fn variables_resolve_without_a_parameter_file_and_parameters_do_not() {
        let resolved = resolve(&template(), None).unwrap();
        let nsg = &resolved.root["resources"][1];
        assert_eq!(nsg["name"], json!("nsg-aks"));
        assert_eq!(nsg["properties"]["x"], json!("[variables('loop')]"));
        assert_eq!(nsg["properties"]["s"], json!("[variables('subnet')]"));
        assert_eq!(
            nsg["properties"]["r"],
            json!("[resourceId('Microsoft.Network/routeTables', 'aks')]")
        );
        assert_eq!(
            resolved.root["resources"][0]["condition"],
            json!("[parameters('enableDefender')]")
        );
        assert_eq!(resolved.resolved, 1);
    }

    #[test]
    fn a_parameter_file_resolves_parameters_and_lets_defaults_apply() {
        let file = ParameterValues {
            values: [
                ("enabledefender".to_owned(), Some(json!(false))),
                ("vnetid".to_owned(), Some(json!("/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v"))),
            ]
            .into_iter()
            .collect(),
        };
        let resolved = resolve(&template(), Some(&file)).unwrap();
        assert_eq!(resolved.root["resources"][0]["condition"], json!(false));
        assert_eq!(
            resolved.root["resources"][1]["properties"]["s"],
            json!(
                "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets/snet-a"
            )
        );
        let original = template();
        let scope = TemplateScope::new(&original, Some(&file));
        assert_eq!(scope.variable("name"), Some(json!("aks-eastus2")));
    }

    #[test]
    fn inner_scoped_deployments_use_what_they_are_passed() {
        let outer = json!({
            "contentVersion": "1.0.0.0",
            "variables": {"v": "outer"},
            "resources": [{
                "type": "Microsoft.Resources/deployments", "name": "nested",
                "properties": {
                    "expressionEvaluationOptions": {"scope": "inner"},
                    "parameters": {"p": {"value": "[variables('v')]"}},
                    "template": {
                        "variables": {"v": "inner"},
                        "parameters": {"p": {"type": "string"}},
                        "resources": [{"type": "Microsoft.KeyVault/vaults", "name": "[concat(variables('v'), '-', parameters('p'))]"}]
                    }
                }
            }]
        });
        let resolved = resolve(&outer, None).unwrap();
        let nested = &resolved.root["resources"][0]["properties"];
        assert_eq!(nested["parameters"]["p"]["value"], json!("outer"));
        assert_eq!(
            nested["template"]["resources"][0]["name"],
            json!("inner-outer")
        );
    }
}
