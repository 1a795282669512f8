//! ARM parameter files (`azuredeploy.parameters.json`, schema
//! `deploymentParameters.json`): the values a deployment passes to a
//! template's `parameters`.

use std::collections::BTreeMap;

use serde_json::Value;

/// The values of one parameter file, by parameter name in lower case (ARM
/// matches parameter names case-insensitively). A parameter given as a Key
/// Vault `reference` has no value Tickmark can know: `None`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParameterValues {
    /// Name (lower case) → value.
    pub values: BTreeMap<String, Option<Value>>,
}

impl ParameterValues {
    /// The value of `name`, if the file states one.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(&name.to_ascii_lowercase())?.as_ref()
    }

    /// The parameter names the file sets, lower case.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }
}

/// Reads `root` as a parameter file: `$schema` names `deploymentParameters`,
/// or the document has a `contentVersion`, no `resources` and a `parameters`
/// object whose every entry is `{"value": ...}` or `{"reference": ...}`.
pub fn read(root: &Value) -> Option<ParameterValues> {
    let map = root.as_object()?;
    let schema_says = map
        .get("$schema")
        .and_then(Value::as_str)
        .is_some_and(|s| s.to_ascii_lowercase().contains("deploymentparameters"));
    let parameters = map.get("parameters")?.as_object()?;
    let entries_fit = parameters.values().all(|entry| {
        entry
            .as_object()
            .is_some_and(|e| e.contains_key("value") || e.contains_key("reference"))
    });
    let shaped = map.contains_key("contentVersion") && !map.contains_key("resources");
    if !(schema_says || shaped) || !entries_fit {
        return None;
    }
    let values = parameters
        .iter()
        .map(|(name, entry)| (name.to_ascii_lowercase(), entry.get("value").cloned()))
        .collect();
    Some(ParameterValues { values })
}

/// The parameter names a template declares, lower case.
pub fn declared(template: &Value) -> Vec<String> {
    template
        .get("parameters")
        .and_then(Value::as_object)
        .map(|p| p.keys().map(|k| k.to_ascii_lowercase()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_values_and_key_vault_references() {
        let file = json!({
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
            "contentVersion": "1.0.0.0",
            "parameters": {
                "Location": {"value": "eastus2"},
                "adminPassword": {"reference": {"keyVault": {"id": "/x"}, "secretName": "p"}}
            }
        });
        let values = read(&file).unwrap();
        assert_eq!(values.get("location"), Some(&json!("eastus2")));
        assert_eq!(values.get("adminpassword"), None);
        assert_eq!(values.names().count(), 2);
    }

    #[test]
    fn templates_and_other_documents_are_not_parameter_files() {
        let template = json!({"contentVersion": "1.0.0.0", "parameters": {"a": {"type": "string"}}, "resources": []});
        assert!(read(&template).is_none());
        assert!(read(&json!({"parameters": {"a": {"value": 1}}})).is_none());
        assert!(read(&json!({"contentVersion": "1", "parameters": {"a": {"value": 1}}})).is_some());
        assert_eq!(declared(&template), vec!["a".to_owned()]);
    }
}
