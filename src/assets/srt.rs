//! SRT subtitle files as caption "words" (§13: each entry is one word of the caption track).

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use super::error::AssetError;
use super::fetch::Limits;
use super::source::{load, locate};
use crate::config::RenderSettings;
use crate::scene::Word;

/// Subtitle files are small; anything near this is not one.
const SRT_LIMITS: Limits = Limits {
    max_bytes: 4 * 1024 * 1024,
    time: Duration::from_secs(30),
};

/// The entries of the SRT file at `src` (a URL or a path in the asset directories), with times
/// from the start of the caption track.
pub async fn load_srt(
    src: &str,
    settings: &RenderSettings,
    cancel: &AtomicBool,
) -> Result<Vec<Word>, AssetError> {
    let location = locate(src, &settings.asset_dirs)?;
    let bytes = load(
        src,
        &location,
        &settings.http,
        &settings.outbound,
        SRT_LIMITS,
        cancel,
    )
    .await?;
    let text = String::from_utf8_lossy(&bytes);
    parse_srt(&text).map_err(|why| {
        AssetError::invalid_source(format!("\"{src}\" is not a usable SRT file: {why}"))
    })
}

/// The entries of an SRT file, in file order, with times in seconds. Malformed entries are
/// skipped; a file with none readable is an error.
pub fn parse_srt(text: &str) -> Result<Vec<Word>, String> {
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    let mut words = Vec::new();
    for block in text.split("\n\n") {
        let mut lines = block.lines().map(str::trim).filter(|l| !l.is_empty());
        let Some(mut line) = lines.next() else {
            continue;
        };
        // The index line is optional in files written by hand.
        if !line.contains("-->") {
            match lines.next() {
                Some(next) => line = next,
                None => continue,
            }
        }
        let Some((from, to)) = line.split_once("-->") else {
            continue;
        };
        let (Some(start), Some(end)) = (timestamp(from), timestamp(to)) else {
            continue;
        };
        let caption: Vec<&str> = lines.collect();
        let caption = strip_tags(&caption.join(" "));
        if caption.is_empty() || end < start {
            continue;
        }
        words.push(Word {
            text: caption,
            start,
            end,
        });
    }
    if words.is_empty() {
        return Err(
            "it has no subtitle entries (`00:00:01,000 --> 00:00:02,000` and a text line)".into(),
        );
    }
    Ok(words)
}

/// `HH:MM:SS,mmm` (or `.mmm`, or `MM:SS,mmm`) in seconds; position settings after it are ignored.
fn timestamp(s: &str) -> Option<f64> {
    let s = s.split_whitespace().next()?;
    let (clock, millis) = match s.rsplit_once([',', '.']) {
        Some((clock, ms)) => (clock, ms),
        None => (s, "0"),
    };
    let mut seconds = 0.0;
    for part in clock.split(':') {
        seconds = seconds * 60.0 + part.parse::<u32>().ok()? as f64;
    }
    let fraction = format!("0.{millis}").parse::<f64>().ok()?;
    Some(seconds + fraction)
}

/// Drops `<i>`-style tags and `{\an8}`-style overrides.
fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth: Option<char> = None;
    for c in s.chars() {
        match (depth, c) {
            (None, '<') => depth = Some('>'),
            (None, '{') => depth = Some('}'),
            (Some(close), c) if c == close => depth = None,
            (Some(_), _) => {}
            (None, c) => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries() {
        let words = parse_srt(
            "\u{feff}1\r\n00:00:00,500 --> 00:00:01,250\r\nHello <i>there</i>\r\n\r\n2\r\n00:00:01.5 --> 00:00:03,000 X1:0\r\n{\\an8}second\r\nline\r\n\r\nbroken\r\n",
        )
        .expect("parse");
        assert_eq!(words.len(), 2);
        assert_eq!(words[0].text, "Hello there");
        assert!((words[0].start - 0.5).abs() < 1e-9 && (words[0].end - 1.25).abs() < 1e-9);
        assert_eq!(words[1].text, "second line");
        assert!((words[1].start - 1.5).abs() < 1e-9);
        assert!(parse_srt("not a subtitle file").is_err());
    }
}
