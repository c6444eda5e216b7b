//! The scene's asset table: every generation or file, registered once per cache key (§23).

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::element::Element;
use super::{AssetKind, AssetRequest, AssetSource, Word};

#[derive(Debug, Default)]
pub(super) struct AssetTable {
    requests: Vec<AssetRequest>,
    index: HashMap<String, usize>,
}

/// Props that never change what an asset is (§23).
const ALWAYS_IGNORED: [&str; 2] = ["children", "key"];

impl AssetTable {
    /// Registers the asset an element asks for and returns its index; an identical request
    /// (same kind and identity props, in any order) returns the first one's index.
    pub fn register(
        &mut self,
        kind: AssetKind,
        source: AssetSource,
        el: &Element,
        mix_only: &[&str],
        duration: Option<f64>,
        words: Vec<Word>,
    ) -> usize {
        let identity: BTreeMap<&str, Value> = el
            .props
            .iter()
            .filter(|(k, _)| {
                !mix_only.contains(&k.as_str()) && !ALWAYS_IGNORED.contains(&k.as_str())
            })
            .map(|(k, v)| (k.as_str(), identity_value(v)))
            .collect();
        let text = if matches!(kind, AssetKind::Speech) {
            el.text()
        } else {
            String::new()
        };
        let cache_key = format!(
            "{}:{}:{}",
            el.kind,
            serde_json::to_string(&identity).unwrap_or_default(),
            text
        );
        if let Some(&index) = self.index.get(&cache_key) {
            return index;
        }
        let index = self.requests.len();
        self.index.insert(cache_key.clone(), index);
        self.requests.push(AssetRequest {
            kind,
            source,
            cache_key,
            duration,
            words,
        });
        index
    }

    /// A registered asset's known length.
    pub fn duration(&self, index: usize) -> Option<f64> {
        self.requests.get(index).and_then(|r| r.duration)
    }

    pub fn into_requests(self) -> Vec<AssetRequest> {
        self.requests
    }
}

/// A prop value as it identifies an asset: nested elements without their source positions
/// (the same element written twice is the same asset).
fn identity_value(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| k.as_str() != "source")
                .map(|(k, v)| (k.clone(), identity_value(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(identity_value).collect()),
        other => other.clone(),
    }
}

/// Seconds per spoken word in a placeholder speech (D10).
pub const PLACEHOLDER_SECONDS_PER_WORD: f64 = 0.4;

/// A placeholder speech's length and evenly spaced word timings (D10, D16). The placeholder
/// audio sounds one tone burst per word at exactly these times, so captions match it.
pub fn speech_estimate(text: &str) -> (f64, Vec<Word>) {
    let words: Vec<&str> = text.split_whitespace().collect();
    let slot = PLACEHOLDER_SECONDS_PER_WORD;
    let timed = words
        .iter()
        .enumerate()
        .map(|(i, w)| Word {
            text: (*w).to_string(),
            start: millis(i as f64 * slot),
            // Each word sounds for most of its slot; the gap makes words distinct.
            end: millis(i as f64 * slot + slot * 0.8),
        })
        .collect();
    (millis(words.len().max(1) as f64 * slot), timed)
}

/// Rounds to whole milliseconds, so timings print as written (0.4, not 0.4000000000000001).
fn millis(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}
