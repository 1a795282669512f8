//! A value read from evidence, or the honest reason it could not be read.

use serde::{Deserialize, Serialize};

/// One field of a resource as the evidence states it.
///
/// Checks must treat anything but [`Field::Known`] as "not evaluated" and name
/// the field: a check never passes for lack of evidence. The one exception is
/// [`Field::NotSet`] in a live-state export, where a check may apply the
/// setting's documented Azure default and must say so in its reason.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Field<T> {
    /// The evidence states the value.
    Known {
        /// The value.
        value: T,
        /// Where it is: a JSON pointer into the file.
        pointer: String,
    },
    /// The evidence does not contain the field.
    #[default]
    Missing,
    /// The evidence states the field, or an object on its path, as `null`.
    /// The az CLI and ARM GETs of a live resource write `null` for a setting
    /// that was never configured; a template's `null` decides nothing.
    NotSet {
        /// Where the `null` is (the field itself or the object above it).
        pointer: String,
    },
    /// An ARM template expression such as `[parameters('x')]`: the value is
    /// decided at deployment time, so Tickmark does not guess it.
    Unresolved {
        /// The expression, as written.
        expression: String,
        /// Where it is.
        pointer: String,
    },
    /// The field is there but of a type or value that makes no sense for it.
    Invalid {
        /// What was found there, shortened.
        found: String,
        /// Where it is.
        pointer: String,
    },
    /// The evidence holds the field but withholds its value: Terraform marks
    /// it unknown until apply (a plan's `after_unknown`) or sensitive. It is
    /// not judged.
    Withheld {
        /// Why, in words that follow the field's name (`is known only after
        /// apply`).
        why: String,
        /// Where it is.
        pointer: String,
    },
}

impl<T> Field<T> {
    /// A known value at `pointer`.
    pub fn known(value: T, pointer: impl Into<String>) -> Self {
        Field::Known {
            value,
            pointer: pointer.into(),
        }
    }

    /// The value, if known.
    pub fn value(&self) -> Option<&T> {
        match self {
            Field::Known { value, .. } => Some(value),
            _ => None,
        }
    }

    /// Where the field is in the file, if it is there at all.
    pub fn pointer(&self) -> Option<&str> {
        match self {
            Field::Known { pointer, .. }
            | Field::Unresolved { pointer, .. }
            | Field::Invalid { pointer, .. }
            | Field::Withheld { pointer, .. }
            | Field::NotSet { pointer } => Some(pointer),
            Field::Missing => None,
        }
    }

    /// True if the evidence states the value.
    pub fn is_known(&self) -> bool {
        matches!(self, Field::Known { .. })
    }

    /// True if the evidence holds no value for the field: the key is absent
    /// or stated as `null`.
    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Missing | Field::NotSet { .. })
    }

    /// Maps a known value, keeping the other states.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Field<U> {
        match self {
            Field::Known { value, pointer } => Field::Known {
                value: f(value),
                pointer,
            },
            Field::Missing => Field::Missing,
            Field::NotSet { pointer } => Field::NotSet { pointer },
            Field::Unresolved {
                expression,
                pointer,
            } => Field::Unresolved {
                expression,
                pointer,
            },
            Field::Invalid { found, pointer } => Field::Invalid { found, pointer },
            Field::Withheld { why, pointer } => Field::Withheld { why, pointer },
        }
    }

    /// The value, or a one-line reason naming `name` that says why it is not
    /// known (for a "not evaluated" check result).
    pub fn require(&self, name: &str) -> Result<&T, String> {
        match self {
            Field::Known { value, .. } => Ok(value),
            Field::Missing => Err(format!("{name} is not in the evidence")),
            Field::NotSet { pointer } => Err(format!(
                "{name} is not set: the evidence states null at {pointer}"
            )),
            Field::Unresolved { expression, .. } => Err(format!(
                "{name} is the unresolved template expression {expression}"
            )),
            Field::Invalid { found, .. } => Err(format!("{name} has an unexpected value: {found}")),
            Field::Withheld { why, .. } => Err(format!("{name} {why}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn require_names_the_field() {
        let missing: Field<bool> = Field::Missing;
        assert_eq!(
            missing.require("enablePrivateCluster").unwrap_err(),
            "enablePrivateCluster is not in the evidence"
        );
        let unresolved: Field<bool> = Field::Unresolved {
            expression: "[parameters('p')]".into(),
            pointer: "/resources/0".into(),
        };
        assert!(
            unresolved
                .require("x")
                .unwrap_err()
                .contains("[parameters('p')]")
        );
        assert_eq!(Field::known(true, "/a").require("x"), Ok(&true));
        let null: Field<bool> = Field::NotSet {
            pointer: "/apiServerAccessProfile".into(),
        };
        assert_eq!(
            null.require("apiServerAccessProfile.enablePrivateCluster")
                .unwrap_err(),
            "apiServerAccessProfile.enablePrivateCluster is not set: the evidence states null at /apiServerAccessProfile"
        );
        assert!(null.is_absent() && !null.is_known());
        assert_eq!(null.pointer(), Some("/apiServerAccessProfile"));
    }
}
