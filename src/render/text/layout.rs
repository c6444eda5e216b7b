//! Shaping and line breaking with cosmic-text: where every glyph of a text goes.

use cosmic_text::{Attrs, Buffer, CacheKey, Family, FontSystem, Metrics, Shaping, Weight, Wrap};

use super::fonts::{DEFAULT_FAMILY, EMOJI_FAMILY};
use super::raster::{LineAlign, TextStyle};

/// One glyph as laid out.
#[derive(Debug, Clone)]
pub struct PlacedGlyph {
    pub key: CacheKey,
    /// Pen position in whole pixels (what the rasteriser places the glyph image from).
    pub x: i32,
    pub y: i32,
    /// The bytes of the text this glyph draws.
    pub start: usize,
    pub end: usize,
    /// Horizontal extent of the glyph's advance, in layout coordinates.
    pub left: f32,
    pub right: f32,
    /// Index into [`Layout::lines`].
    pub line: usize,
}

/// A visual line: its top and height in layout coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    pub top: f32,
    pub height: f32,
}

/// A laid-out text. The layout box spans `left..right` horizontally and `0..bottom`
/// vertically.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub glyphs: Vec<PlacedGlyph>,
    pub lines: Vec<Line>,
    pub left: f32,
    pub right: f32,
    pub bottom: f32,
}

/// Lays `text` out in `family` (the default sans when `None`). Newlines break lines.
pub fn lay_out(fs: &mut FontSystem, text: &str, style: &TextStyle, family: Option<&str>) -> Layout {
    let size = style.size.max(1.0);
    let mut buffer = Buffer::new(fs, Metrics::new(size, style.line_height.max(1.0)));
    buffer.set_wrap(Wrap::WordOrGlyph);
    buffer.set_size(style.max_width, None);
    let weight = if style.bold {
        Weight::BOLD
    } else {
        Weight::NORMAL
    };
    let main = family.unwrap_or(DEFAULT_FAMILY);
    let attrs_for = |fs: &FontSystem, name: &'static str| {
        Attrs::new()
            .family(Family::Name(name))
            .weight(available_weight(fs, name, weight))
    };
    let attrs = Attrs::new()
        .family(Family::Name(main))
        .weight(available_weight(fs, main, weight));
    let align = match style.align {
        LineAlign::Left => cosmic_text::Align::Left,
        LineAlign::Center => cosmic_text::Align::Center,
        LineAlign::Right => cosmic_text::Align::Right,
    };
    let spans: Vec<(&str, Attrs)> = font_spans(text, family.is_none())
        .into_iter()
        .map(|(range, pick)| {
            let a = match pick {
                Some(name) => attrs_for(fs, name),
                None => attrs.clone(),
            };
            (&text[range], a)
        })
        .collect();
    buffer.set_rich_text(spans, &attrs, Shaping::Advanced, Some(align));
    buffer.shape_until_scroll(fs, false);

    // The block spans the extent of the lines as laid out (lines are aligned inside the wrap
    // width), so a single centred line is exactly as wide as its glyphs.
    let mut layout = Layout {
        left: f32::INFINITY,
        right: f32::NEG_INFINITY,
        ..Layout::default()
    };
    // Byte offsets restart at every paragraph; make them offsets into `text`.
    let paragraph_starts = paragraph_starts(text);
    for run in buffer.layout_runs() {
        let base = paragraph_starts.get(run.line_i).copied().unwrap_or(0);
        let line = layout.lines.len();
        layout.lines.push(Line {
            top: run.line_top,
            height: run.line_height,
        });
        layout.bottom = layout.bottom.max(run.line_top + run.line_height);
        for glyph in run.glyphs {
            layout.left = layout.left.min(glyph.x);
            layout.right = layout.right.max(glyph.x + glyph.w);
            let physical = glyph.physical((0.0, run.line_y), 1.0);
            layout.glyphs.push(PlacedGlyph {
                key: physical.cache_key,
                x: physical.x,
                y: physical.y,
                start: base + glyph.start,
                end: base + glyph.end,
                left: glyph.x,
                right: glyph.x + glyph.w,
                line,
            });
        }
    }
    if layout.glyphs.is_empty() {
        layout.left = 0.0;
        layout.right = 0.0;
    }
    layout
}

/// Where each paragraph (cosmic-text's `BufferLine`) starts in `text`.
fn paragraph_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                starts.push(i + 2);
                i += 2;
                continue;
            }
            b'\n' | b'\r' => starts.push(i + 1),
            _ => {}
        }
        i += 1;
    }
    starts
}

/// The weight of `family` nearest to `wanted`: cosmic-text only takes a family whose exact
/// weight exists (else it falls back to another family), and several bundled families have
/// one weight only.
fn available_weight(fs: &FontSystem, family: &str, wanted: Weight) -> Weight {
    fs.db()
        .faces()
        .filter(|f| {
            f.families
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(family))
        })
        .map(|f| f.weight.0)
        .min_by_key(|w| (i32::from(*w) - i32::from(wanted.0)).abs())
        .map_or(wanted, Weight)
}

/// Pictographs drawn as emoji by default.
fn is_emoji(c: char) -> bool {
    matches!(u32::from(c), 0x1F000..=0x1FAFF)
}

/// Characters that belong to the emoji before them: joiners, variation selectors, skin
/// tones, keycaps and tag sequences (flags of regions).
fn joins_emoji(c: char) -> bool {
    matches!(
        u32::from(c),
        0x200D | 0xFE0F | 0x20E3 | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F
    )
}

/// Splits `text` into runs, each marked whether it is emoji. A text-style symbol (a heart,
/// a star) becomes emoji when a variation selector 16 asks for it.
pub fn emoji_spans(text: &str) -> Vec<(std::ops::Range<usize>, bool)> {
    let mut spans: Vec<(std::ops::Range<usize>, bool)> = Vec::new();
    let mut chars = text.char_indices().peekable();
    let (mut in_emoji, mut after_joiner) = (false, false);
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let symbol = matches!(u32::from(c), 0x2000..=0x2BFF);
        // A symbol after a zero-width joiner is part of the same emoji.
        let emoji = is_emoji(c)
            || (in_emoji && joins_emoji(c))
            || (symbol && (next == Some('\u{FE0F}') || after_joiner));
        let end = i + c.len_utf8();
        match spans.last_mut() {
            Some((range, kind)) if *kind == emoji => range.end = end,
            _ => spans.push((i..end, emoji)),
        }
        in_emoji = emoji;
        after_joiner = emoji && c == '\u{200D}';
    }
    spans
}

/// Right-to-left scripts the default sans covers only roughly: with the default family, their
/// runs are set in the bundled Noto face instead.
fn script_family(c: char) -> Option<&'static str> {
    match u32::from(c) {
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => {
            Some("Noto Sans Arabic")
        }
        0x0590..=0x05FF | 0xFB1D..=0xFB4F => Some("Noto Sans Hebrew"),
        _ => None,
    }
}

/// Runs of `text` with the family each must use, `None` for the requested one: emoji always
/// (see [`EMOJI_FAMILY`]), Arabic and Hebrew when the default sans was asked for. Spaces and
/// punctuation stay in the run they are in, so words of one script are shaped together.
fn font_spans(
    text: &str,
    default_family: bool,
) -> Vec<(std::ops::Range<usize>, Option<&'static str>)> {
    let mut out: Vec<(std::ops::Range<usize>, Option<&'static str>)> = Vec::new();
    for (range, emoji) in emoji_spans(text) {
        if emoji {
            out.push((range, Some(EMOJI_FAMILY)));
            continue;
        }
        for (i, c) in text[range.clone()].char_indices() {
            let (start, end) = (range.start + i, range.start + i + c.len_utf8());
            let neutral = c.is_whitespace() || c.is_ascii_punctuation() || c.is_ascii_digit();
            let pick = if default_family {
                script_family(c)
            } else {
                None
            };
            match out.last_mut() {
                Some((r, last))
                    if r.end == start
                        && (*last == pick || (neutral && *last != Some(EMOJI_FAMILY))) =>
                {
                    r.end = end
                }
                _ => out.push((start..end, pick)),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_runs_are_split_out() {
        let text = "Hi 😀👍🏽 there ❤️!";
        let spans: Vec<(&str, bool)> = emoji_spans(text)
            .into_iter()
            .map(|(r, e)| (&text[r], e))
            .collect();
        assert_eq!(
            spans,
            vec![
                ("Hi ", false),
                ("😀👍🏽", true),
                (" there ", false),
                ("❤\u{FE0F}", true),
                ("!", false)
            ]
        );
    }

    #[test]
    fn arabic_runs_use_noto_with_the_default_family_only() {
        let text = "Hi مرحبا بك!";
        let spans: Vec<(&str, Option<&str>)> = font_spans(text, true)
            .into_iter()
            .map(|(r, f)| (&text[r], f))
            .collect();
        assert_eq!(
            spans,
            vec![("Hi ", None), ("مرحبا بك!", Some("Noto Sans Arabic"))]
        );
        assert_eq!(font_spans(text, false).len(), 1);
    }

    #[test]
    fn paragraphs_start_after_each_newline() {
        assert_eq!(paragraph_starts("ab\ncd\r\ne"), vec![0, 3, 7]);
    }
}
