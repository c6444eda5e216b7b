//! Read access to the element tree the script produced (`{type, props, children, source}`).

use serde_json::{Map, Value};

use super::{SceneError, SourcePos};

/// One element of the tree, borrowed from the JSON the script produced.
#[derive(Debug, Clone, Copy)]
pub struct Element<'a> {
    pub kind: &'a str,
    pub props: &'a Map<String, Value>,
    pub children: &'a [Value],
    pub source: Option<SourcePos>,
}

static EMPTY_PROPS: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

impl<'a> Element<'a> {
    /// Reads `value` as an element; `None` for anything that is not an object with a string `type`
    /// (strings, numbers and stray values among children are skipped, as §2.3 says).
    pub fn from_value(value: &'a Value) -> Option<Self> {
        let obj = value.as_object()?;
        let kind = obj.get("type")?.as_str()?;
        let props = obj
            .get("props")
            .and_then(Value::as_object)
            .unwrap_or(&EMPTY_PROPS);
        let children = obj
            .get("children")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let source = obj.get("source").and_then(|s| {
            Some(SourcePos {
                line: u32::try_from(s.get("line")?.as_u64()?).ok()?,
                column: u32::try_from(s.get("column")?.as_u64()?).ok()?,
            })
        });
        Some(Element {
            kind,
            props,
            children,
            source,
        })
    }

    /// The element's children that are elements, in document order.
    pub fn child_elements(&self) -> impl Iterator<Item = Element<'a>> + 'a {
        self.children.iter().filter_map(Element::from_value)
    }

    /// Text content: string and number children concatenated, nested elements contributing their
    /// own text (§2.3).
    pub fn text(&self) -> String {
        let mut out = String::new();
        collect_text(self.children, &mut out);
        out
    }

    /// The component name as the author wrote it, for messages.
    pub fn display_name(&self) -> String {
        component_name(self.kind)
    }

    pub fn prop(&self, name: &str) -> Option<&'a Value> {
        match self.props.get(name) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    /// True when the prop was written, even as `null` (`zoom={null}` means "no zoom").
    pub fn has_prop(&self, name: &str) -> bool {
        self.props.contains_key(name)
    }

    pub fn error(&self, prop: Option<&str>, message: impl Into<String>) -> SceneError {
        let message = message.into();
        let message = match prop {
            Some(p) => format!("<{}> prop `{p}`: {message}", self.display_name()),
            None => format!("<{}>: {message}", self.display_name()),
        };
        SceneError::invalid(message, self.source)
    }

    pub fn number(&self, name: &str) -> Result<Option<f64>, SceneError> {
        match self.prop(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_f64()
                .filter(|v| v.is_finite())
                .map(Some)
                .ok_or_else(|| self.error(Some(name), "must be a finite number")),
            Some(other) => Err(self.error(
                Some(name),
                format!("must be a number, got {}", describe(other)),
            )),
        }
    }

    pub fn boolean(&self, name: &str) -> Result<Option<bool>, SceneError> {
        match self.prop(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.error(
                Some(name),
                format!("must be true or false, got {}", describe(other)),
            )),
        }
    }

    pub fn string(&self, name: &str) -> Result<Option<&'a str>, SceneError> {
        match self.prop(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.error(
                Some(name),
                format!("must be a string, got {}", describe(other)),
            )),
        }
    }

    /// A string prop restricted to `allowed` values; the error lists them.
    pub fn choice(&self, name: &str, allowed: &[&str]) -> Result<Option<&'a str>, SceneError> {
        let Some(value) = self.string(name)? else {
            return Ok(None);
        };
        if allowed.contains(&value) {
            Ok(Some(value))
        } else {
            Err(self.error(
                Some(name),
                format!("\"{value}\" is not one of {}", allowed.join(", ")),
            ))
        }
    }
}

fn collect_text(children: &[Value], out: &mut String) {
    for child in children {
        match child {
            Value::String(s) => out.push_str(s),
            Value::Number(n) => out.push_str(&n.to_string()),
            Value::Object(_) => {
                if let Some(el) = Element::from_value(child) {
                    collect_text(el.children, out);
                    if let Some(Value::String(t)) = el.props.get("text") {
                        if el.children.is_empty() {
                            out.push_str(t);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// `talking-head` → `TalkingHead`.
pub fn component_name(kind: &str) -> String {
    kind.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// A short description of a JSON value for error messages.
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.chars().count() > 40 => "a long string".into(),
        Value::String(s) => format!("the string \"{s}\""),
        Value::Array(_) => "an array".into(),
        Value::Object(o) if o.contains_key("type") => "an element".into(),
        Value::Object(_) => "an object".into(),
    }
}
