//! `SizeValue` (§4.1): a number of pixels, `"N%"` of a base, or `"Npx"`.

use serde_json::Value;

/// Pixels for a size value against `base`, or `None` when the value is not a size.
pub fn size_value(value: &Value, base: f64) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64().filter(|v| v.is_finite()).map(f64::round),
        Value::String(s) => {
            let s = s.trim();
            if let Some(percent) = s.strip_suffix('%') {
                let n: f64 = percent.trim().parse().ok()?;
                Some((n / 100.0 * base).round())
            } else {
                let number = s.strip_suffix("px").unwrap_or(s).trim();
                leading_float(number).map(f64::round)
            }
        }
        _ => None,
    }
}

/// Like JavaScript's `parseFloat`: the longest numeric prefix.
fn leading_float(s: &str) -> Option<f64> {
    let end = s
        .char_indices()
        .take_while(|(i, c)| {
            c.is_ascii_digit() || *c == '.' || (*i == 0 && (*c == '-' || *c == '+'))
        })
        .map(|(i, c)| i + c.len_utf8())
        .last()?;
    s[..end].parse().ok().filter(|v: &f64| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::size_value;
    use serde_json::json;

    #[test]
    fn percent_pixels_and_numbers() {
        assert_eq!(size_value(&json!(12.4), 100.0), Some(12.0));
        assert_eq!(size_value(&json!("25%"), 1280.0), Some(320.0));
        assert_eq!(size_value(&json!("40px"), 1280.0), Some(40.0));
        assert_eq!(size_value(&json!("33.6abc"), 1280.0), Some(34.0));
        assert_eq!(size_value(&json!("wide"), 1280.0), None);
        assert_eq!(size_value(&json!(true), 1280.0), None);
    }
}
