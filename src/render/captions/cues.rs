//! §13 "Cue layout": which words are on screen together, and when.

use std::ops::Range;

use crate::scene::Word;

/// Longest caption word kept, in characters: a bound on what one cue lays out.
const MAX_WORD_CHARS: usize = 500;

/// Words shown together: one word, or a line of `wordsPerLine`.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The words joined for display.
    pub text: String,
    /// Each word's bytes in `text`, with its own time span.
    pub words: Vec<TimedWord>,
    /// When the group is on screen, global seconds, `start..end`.
    pub start: f64,
    pub end: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TimedWord {
    pub bytes: Range<usize>,
    pub start: f64,
    pub end: f64,
}

impl Group {
    /// The word being spoken at `t`: the last one that has started (the first before any has).
    pub fn current(&self, t: f64) -> usize {
        self.words.iter().rposition(|w| w.start <= t).unwrap_or(0)
    }
}

/// Groups `words` as §13 lays cues out: without `per_line` one word at a time, each until
/// `min(end, next start)`; with it, `per_line` words from the first one's start until the next
/// group's first start (the last group until its last word's end).
pub fn groups(words: &[Word], per_line: Option<u32>) -> Vec<Group> {
    let mut words: Vec<Word> = words
        .iter()
        .filter(|w| w.start.is_finite() && w.end.is_finite())
        .map(|w| Word {
            // Lines are broken by the layout; a cue's own line breaks would shift its words.
            text: w
                .text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .take(MAX_WORD_CHARS)
                .collect(),
            start: w.start,
            end: w.end.max(w.start),
        })
        .filter(|w| !w.text.is_empty())
        .collect();
    words.sort_by(|a, b| a.start.total_cmp(&b.start));
    let size = per_line.map_or(1, |n| n.max(1) as usize);
    let chunks: Vec<&[Word]> = words.chunks(size).collect();
    let mut out = Vec::with_capacity(chunks.len());
    for (i, chunk) in chunks.iter().enumerate() {
        let next_start = chunks.get(i + 1).map(|c| c[0].start);
        let last_end = chunk[chunk.len() - 1].end;
        let end = match (per_line, next_start) {
            (None, Some(next)) => last_end.min(next),
            (Some(_), Some(next)) => next,
            (_, None) => last_end,
        };
        let start = chunk[0].start;
        if end <= start {
            continue;
        }
        out.push(join(chunk, start, end));
    }
    out
}

fn join(chunk: &[Word], start: f64, end: f64) -> Group {
    let mut text = String::new();
    let mut words = Vec::with_capacity(chunk.len());
    for (i, word) in chunk.iter().enumerate() {
        if let Some(prev) = i.checked_sub(1).map(|p| &chunk[p]) {
            if needs_space(&prev.text, &word.text) {
                text.push(' ');
            }
        }
        let from = text.len();
        text.push_str(&word.text);
        // A word lasts until the next one starts (the last until the group ends).
        let until = chunk.get(i + 1).map_or(end, |n| n.start);
        words.push(TimedWord {
            bytes: from..text.len(),
            start: word.start,
            end: word.end.min(until).max(word.start),
        });
    }
    Group {
        text,
        words,
        start,
        end,
    }
}

/// Scripts written without spaces between words: CJK and Thai tokens are joined directly.
fn unspaced(c: char) -> bool {
    matches!(
        u32::from(c),
        0x0E00..=0x0E7F // Thai
            | 0x3000..=0x30FF // CJK punctuation, kana
            | 0x3400..=0x4DBF // CJK extension A
            | 0x4E00..=0x9FFF // CJK unified
            | 0xF900..=0xFAFF // CJK compatibility
            | 0xFF00..=0xFFEF // full-width forms
            | 0x20000..=0x3FFFF // CJK extensions B onwards
    )
}

fn needs_space(prev: &str, next: &str) -> bool {
    let joined =
        prev.chars().next_back().is_some_and(unspaced) && next.chars().next().is_some_and(unspaced);
    !joined
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, start: f64, end: f64) -> Word {
        Word {
            text: text.into(),
            start,
            end,
        }
    }

    #[test]
    fn one_word_at_a_time_ends_at_the_next_start() {
        let g = groups(
            &[
                word("a", 0.0, 1.0),
                word("b", 0.8, 2.0),
                word("c", 2.5, 3.0),
            ],
            None,
        );
        let spans: Vec<(&str, f64, f64)> = g
            .iter()
            .map(|g| (g.text.as_str(), g.start, g.end))
            .collect();
        assert_eq!(
            spans,
            vec![("a", 0.0, 0.8), ("b", 0.8, 2.0), ("c", 2.5, 3.0)]
        );
    }

    #[test]
    fn lines_of_n_words_last_until_the_next_line() {
        let words: Vec<Word> = (0..5)
            .map(|i| word(&format!("w{i}"), i as f64, i as f64 + 0.5))
            .collect();
        let g = groups(&words, Some(2));
        let spans: Vec<(&str, f64, f64)> = g
            .iter()
            .map(|g| (g.text.as_str(), g.start, g.end))
            .collect();
        assert_eq!(
            spans,
            vec![("w0 w1", 0.0, 2.0), ("w2 w3", 2.0, 4.0), ("w4", 4.0, 4.5)]
        );
        assert_eq!(g[0].words[1].bytes, 3..5);
        assert_eq!(g[0].current(0.5), 0);
        assert_eq!(g[0].current(1.2), 1);
    }

    #[test]
    fn cjk_and_thai_tokens_join_without_spaces() {
        let g = groups(
            &[
                word("你好", 0.0, 1.0),
                word("世界", 1.0, 2.0),
                word("OK", 2.0, 3.0),
            ],
            Some(3),
        );
        assert_eq!(g[0].text, "你好世界 OK");
        let thai = groups(&[word("สวัสดี", 0.0, 1.0), word("ครับ", 1.0, 2.0)], Some(2));
        assert_eq!(thai[0].text, "สวัสดีครับ");
    }
}
