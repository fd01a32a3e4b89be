//! Settings are checked before anything is read: each module declares the
//! settings it takes in its metadata (`settings`: name → `type`, optional
//! `enum`), and a setting that no module in use declares, or a value of the
//! wrong type or outside its `enum`, is refused. A typo cannot open the gate.
//!
//! A module without a `settings` object in its metadata (an OPA bundle, an old
//! custom module) declares nothing; it accepts any setting, so a key passes
//! when some module in use has no schema (logged at `-v`).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::{Error, Policy, Settings};

/// One declared setting: its JSON type and, when given, its allowed values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Declared {
    kind: String,
    allowed: Option<Vec<Value>>,
}

impl Declared {
    fn from_schema(schema: &Value) -> Declared {
        Declared {
            kind: schema["type"].as_str().unwrap_or("any").to_owned(),
            allowed: schema["enum"].as_array().cloned(),
        }
    }

    fn accepts(&self, value: &Value) -> bool {
        let typed = match self.kind.as_str() {
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            _ => true,
        };
        typed
            && self
                .allowed
                .as_ref()
                .is_none_or(|allowed| allowed.contains(value))
    }

    /// What it accepts, for the error message.
    fn describe(&self) -> String {
        match &self.allowed {
            Some(allowed) => format!(
                "one of {}",
                allowed
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None if self.kind.starts_with(['a', 'e', 'i', 'o', 'u']) => format!("an {}", self.kind),
            None => format!("a {}", self.kind),
        }
    }
}

/// A module's declared settings, or `None` when its metadata has no schema.
pub(crate) fn declared(policy: &Policy) -> Option<BTreeMap<String, Declared>> {
    let metadata = policy.metadata()?;
    let settings = metadata.get("settings")?.as_object()?;
    Some(
        settings
            .iter()
            .map(|(name, schema)| (name.clone(), Declared::from_schema(schema)))
            .collect(),
    )
}

/// Checks a policy's own settings (from `portcullis.toml`) against its schema.
pub(crate) fn check_own(policy: &Policy) -> Result<(), Error> {
    // The parts a v2 module reads are checked here too, before anything is read.
    crate::shape::Shape::of(policy)?;
    let Some(schema) = declared(policy) else {
        return Ok(());
    };
    for (key, value) in &policy.settings {
        match schema.get(key) {
            None => return Err(unknown(key, std::slice::from_ref(policy))),
            Some(declared) => check_value(policy, key, value, declared)?,
        }
    }
    Ok(())
}

/// Checks settings given for every policy (`--set`, the file's `[settings]`):
/// each must be declared by at least one of `policies` and valid for each
/// module that declares it.
pub(crate) fn check_shared(settings: &Settings, policies: &[Policy]) -> Result<(), Error> {
    let schemas: Vec<_> = policies.iter().map(|p| (p, declared(p))).collect();
    for (key, value) in settings {
        let mut declared_somewhere = false;
        for (policy, schema) in &schemas {
            // `fail-on` given for all is the severity gate's alone.
            if key == "fail-on" && !policy.is_severity_gate() {
                continue;
            }
            match schema {
                None => declared_somewhere = true,
                Some(schema) => {
                    if let Some(declared) = schema.get(key) {
                        declared_somewhere = true;
                        check_value(policy, key, value, declared)?;
                    }
                }
            }
        }
        if !declared_somewhere {
            return Err(unknown(key, policies));
        }
        if schemas.iter().any(|(_, schema)| schema.is_none()) {
            tracing::debug!("setting `{key}` passed unchecked to modules that declare no settings");
        }
    }
    Ok(())
}

fn check_value(
    policy: &Policy,
    key: &str,
    value: &Value,
    declared: &Declared,
) -> Result<(), Error> {
    if declared.accepts(value) {
        return Ok(());
    }
    Err(Error::BadSetting {
        key: key.to_owned(),
        module: policy.name.clone(),
        value: portcullis_model::quote(&value.to_string()),
        accepts: declared.describe(),
    })
}

fn unknown(key: &str, policies: &[Policy]) -> Error {
    let known = policies
        .iter()
        .map(|policy| {
            let names = declared(policy)
                .map(|schema| schema.into_keys().collect::<Vec<_>>().join(", "))
                .unwrap_or_default();
            format!(
                "`{}` takes {}",
                policy.name,
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names
                }
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    Error::UnknownSetting {
        key: portcullis_model::quote(key),
        known,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Builtin;

    fn gate() -> Vec<Policy> {
        vec![Policy::of_builtin(Builtin::SeverityGate)]
    }

    fn settings(pairs: &[(&str, Value)]) -> Settings {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn a_misspelt_value_or_key_is_refused_with_what_is_accepted() {
        let bad = check_shared(&settings(&[("fail-on", "hihg".into())]), &gate()).unwrap_err();
        assert!(
            bad.to_string()
                .contains("one of critical, high, medium, low, none"),
            "{bad}"
        );
        let unknown = check_shared(&settings(&[("max-hgh", 0.into())]), &gate()).unwrap_err();
        assert!(unknown.to_string().contains("max-high"), "{unknown}");
        let typed = check_shared(&settings(&[("max-high", "x".into())]), &gate()).unwrap_err();
        assert!(typed.to_string().contains("an integer"), "{typed}");
    }

    #[test]
    fn declared_settings_of_the_right_type_pass() {
        let good = settings(&[
            ("fail-on", "high".into()),
            ("max-high", 0.into()),
            ("fail-on-secret", false.into()),
        ]);
        check_shared(&good, &gate()).unwrap();
    }

    #[test]
    fn fail_on_for_all_is_checked_only_against_the_gate() {
        let policies = vec![
            Policy::of_builtin(Builtin::SeverityGate),
            Policy::of_builtin(Builtin::RiskCap),
        ];
        check_shared(
            &settings(&[("fail-on", "high".into()), ("max-risk", 70.into())]),
            &policies,
        )
        .unwrap();
        let own = Policy {
            settings: settings(&[("max-rsk", 70.into())]),
            ..Policy::of_builtin(Builtin::RiskCap)
        };
        assert!(check_own(&own).is_err());
    }
}
