//! How one request field's value is written to and read from the wire, where every value is a
//! string (form body or query string): the [`FieldValue`] codec and its plain implementations.
//! Structured fields implement it next to their types (`labels.rs`, `persistence.rs`).

/// Why a request's fields could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("The parameter {0} is required")]
    Missing(&'static str),
    #[error("The parameter {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("Labels is invalid: {0}")]
    Labels(String),
    #[error("PersistenceDataList is invalid: {0}")]
    PersistenceDataList(String),
    /// A name the field does not support (an unknown key inside a structured field).
    #[error("The parameter {name} is not supported: {reason}")]
    Unsupported { name: String, reason: String },
}

/// How a Rust value is one form field. `encode` gives `None` to leave the field out.
pub trait FieldValue: Sized {
    fn encode(&self) -> Option<String>;
    /// `raw` is the field's value, `None` when absent. An empty string counts as absent (the
    /// official SDKs send `Server=` and `ImageId=`).
    fn decode(name: &'static str, raw: Option<&str>) -> Result<Self, FieldError>;
}

fn present(raw: Option<&str>) -> Option<&str> {
    raw.filter(|v| !v.is_empty())
}

impl FieldValue for String {
    fn encode(&self) -> Option<String> {
        Some(self.clone())
    }
    fn decode(name: &'static str, raw: Option<&str>) -> Result<Self, FieldError> {
        present(raw).map(str::to_string).ok_or(FieldError::Missing(name))
    }
}

impl<T: FieldValue> FieldValue for Option<T> {
    fn encode(&self) -> Option<String> {
        self.as_ref().and_then(T::encode)
    }
    fn decode(name: &'static str, raw: Option<&str>) -> Result<Self, FieldError> {
        match present(raw) {
            None => Ok(None),
            some => T::decode(name, some).map(Some),
        }
    }
}

impl FieldValue for bool {
    fn encode(&self) -> Option<String> {
        Some(crate::form::bool_str(*self).to_string())
    }
    fn decode(name: &'static str, raw: Option<&str>) -> Result<Self, FieldError> {
        let v = present(raw).ok_or(FieldError::Missing(name))?;
        crate::form::parse_bool(v).ok_or_else(|| FieldError::Invalid {
            name,
            reason: format!("'{v}' is not a boolean (true/false, any case)"),
        })
    }
}

/// A whole number the action accepts only between `MIN` and `MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bounded<const MIN: u64, const MAX: u64>(pub u64);

impl<const MIN: u64, const MAX: u64> FieldValue for Bounded<MIN, MAX> {
    fn encode(&self) -> Option<String> {
        Some(self.0.to_string())
    }
    fn decode(name: &'static str, raw: Option<&str>) -> Result<Self, FieldError> {
        let v = present(raw).ok_or(FieldError::Missing(name))?;
        match v.trim().parse::<u64>() {
            Ok(n) if (MIN..=MAX).contains(&n) => Ok(Bounded(n)),
            _ => Err(FieldError::Invalid { name, reason: format!("'{v}' is not an integer between {MIN} and {MAX}") }),
        }
    }
}

/// A JSON object sent as a string (`CallMcpTool.Args`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JsonObject(pub serde_json::Map<String, serde_json::Value>);

impl FieldValue for JsonObject {
    fn encode(&self) -> Option<String> {
        Some(serde_json::Value::Object(self.0.clone()).to_string())
    }
    fn decode(name: &'static str, raw: Option<&str>) -> Result<Self, FieldError> {
        let v = present(raw).ok_or(FieldError::Missing(name))?;
        match serde_json::from_str(v) {
            Ok(serde_json::Value::Object(m)) => Ok(JsonObject(m)),
            Ok(_) => Err(FieldError::Invalid { name, reason: "must be a JSON object".into() }),
            Err(e) => Err(FieldError::Invalid { name, reason: format!("is not valid JSON: {e}") }),
        }
    }
}

/// A field holding a JSON array of strings, such as `ContextTypes=["file_transfer"]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonStringList(pub Vec<String>);

impl FieldValue for JsonStringList {
    fn encode(&self) -> Option<String> {
        serde_json::to_string(&self.0).ok()
    }
    fn decode(name: &'static str, raw: Option<&str>) -> Result<Self, FieldError> {
        let v = present(raw).ok_or(FieldError::Missing(name))?;
        serde_json::from_str(v)
            .map(JsonStringList)
            .map_err(|e| FieldError::Invalid { name, reason: format!("must be a JSON array of strings: {e}") })
    }
}
