//! Lays a string out with cosmic-text and rasterises it, once, into a premultiplied sprite.

use cosmic_text::{FontSystem, SwashCache, SwashContent};

use super::fonts::with_font_system;
use super::layout::{lay_out, Layout};
use super::outline;
use crate::render::pixels::{div255, premultiply, Pixmap};

/// How lines line up with each other inside the text block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineAlign {
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone)]
pub struct TextStyle {
    pub size: f32,
    pub line_height: f32,
    /// Straight RGBA.
    pub color: [u8; 4],
    /// Outline width in pixels and its straight RGBA colour.
    pub outline: Option<(f32, [u8; 4])>,
    /// Lines wrap at word (or, for a lone long word, glyph) boundaries to fit this width.
    pub max_width: Option<f32>,
    pub align: LineAlign,
    pub bold: bool,
}

/// Rasterised text. The layout box is the tight block of lines (widest line × line count ×
/// line height) that positioning formulas such as §11's refer to as `text_w`/`text_h`; the
/// sprite also holds ink outside it (overhangs, outline), so its top-left corner sits at
/// `(offset_x, offset_y)` relative to the box's top-left.
#[derive(Debug, Clone, Default)]
pub struct TextBlock {
    pub sprite: Pixmap,
    pub offset_x: i32,
    pub offset_y: i32,
    pub box_width: f32,
    pub box_height: f32,
}

/// Lays out and rasterises `text` in the default sans.
pub fn render_text(text: &str, style: &TextStyle) -> TextBlock {
    render_text_in(text, style, None)
}

/// Lays out and rasterises `text` in `family` (a loaded family name; see
/// [`super::resolve_family`]), the default sans when `None`.
pub fn render_text_in(text: &str, style: &TextStyle, family: Option<&str>) -> TextBlock {
    let shaped = shape(text, style, family);
    let sprite = shaped.ink.paint(style.color, style.outline.map(|(_, c)| c));
    TextBlock {
        sprite,
        offset_x: shaped.ink.x - shaped.layout.left.floor() as i32,
        offset_y: shaped.ink.y,
        box_width: shaped.layout.right - shaped.layout.left,
        box_height: shaped.layout.bottom,
    }
}

/// The layout box (`text_w`, `text_h`) `text` would get, without drawing it.
pub fn measure_text(text: &str, style: &TextStyle) -> (f32, f32) {
    measure_text_in(text, style, None)
}

/// [`measure_text`] in `family`.
pub fn measure_text_in(text: &str, style: &TextStyle, family: Option<&str>) -> (f32, f32) {
    with_font_system(|fs| {
        let layout = lay_out(fs, text, style, family);
        (layout.right - layout.left, layout.bottom)
    })
}

/// A text laid out and rasterised into coverage, ready to be painted in any colours.
#[derive(Debug, Clone, Default)]
pub struct Shaped {
    pub layout: Layout,
    pub ink: Ink,
}

/// Lays out and rasterises `text`; glyph positions in `layout` minus `(ink.x, ink.y)` are
/// positions in the ink.
pub fn shape(text: &str, style: &TextStyle, family: Option<&str>) -> Shaped {
    with_font_system(|fs| {
        let layout = lay_out(fs, text, style, family);
        let outline = style
            .outline
            .filter(|(w, c)| *w > 0.0 && c[3] > 0)
            .map(|(w, _)| w.min(outline::MAX_RADIUS));
        let ink = rasterise(fs, &layout, outline);
        Shaped { layout, ink }
    })
}

/// Glyph coverage of a laid-out text, its outline grown from it, and colour glyphs (emoji).
#[derive(Debug, Clone, Default)]
pub struct Ink {
    /// Top-left corner in layout pixels.
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
    cov: Vec<u8>,
    grown: Option<Vec<u8>>,
    /// Premultiplied colour glyph pixels, where there are any.
    colour: Option<Pixmap>,
}

impl Ink {
    /// A premultiplied sprite: the outline (when the text has one and `outline` is given)
    /// under the fill; colour glyphs keep their colours, faded by the fill's alpha.
    pub fn paint(&self, fill: [u8; 4], outline: Option<[u8; 4]>) -> Pixmap {
        let mut sprite = Pixmap::new(self.width, self.height);
        if self.cov.is_empty() {
            return sprite;
        }
        if let (Some(grown), Some(c)) = (&self.grown, outline) {
            paint_mask(&mut sprite.data, grown, premultiply(c));
        }
        let fill_px = premultiply(fill);
        for (i, &m) in self.cov.iter().enumerate() {
            if m == 0 {
                continue;
            }
            let px = match &self.colour {
                Some(colour) if colour.data[i * 4 + 3] > 0 => {
                    let a = u32::from(fill[3]);
                    let s = &colour.data[i * 4..i * 4 + 4];
                    [0, 1, 2, 3].map(|c| div255(u32::from(s[c]) * a) as u8)
                }
                _ => fill_px.map(|v| div255(u32::from(v) * u32::from(m)) as u8),
            };
            over_keep_alpha(&mut sprite.data[i * 4..i * 4 + 4], px);
        }
        sprite
    }
}

fn rasterise(fs: &mut FontSystem, layout: &Layout, outline: Option<f32>) -> Ink {
    let glyphs = &layout.glyphs;
    let mut cache = SwashCache::new();
    let images: Vec<_> = glyphs
        .iter()
        .filter_map(|g| {
            let image = cache.get_image_uncached(fs, g.key)?;
            let p = image.placement;
            (p.width > 0 && p.height > 0).then(|| (g.x + p.left, g.y - p.top, image))
        })
        .collect();
    let bbox: Option<(i32, i32, i32, i32)> = images.iter().fold(None, |acc, (x, y, img)| {
        let (w, h) = (img.placement.width as i32, img.placement.height as i32);
        let r = (*x, *y, x + w, y + h);
        Some(match acc {
            None => r,
            Some((a, b, c, d)) => (a.min(r.0), b.min(r.1), c.max(r.2), d.max(r.3)),
        })
    });
    // Only whitespace: the box still takes room but draws nothing.
    let Some((ix0, iy0, ix1, iy1)) = bbox else {
        return Ink::default();
    };

    let pad = outline.map_or(0, |w| w.ceil() as i32 + 1);
    let (ox, oy) = (ix0 - pad, iy0 - pad);
    let (w, h) = (
        (ix1 - ix0 + 2 * pad) as usize,
        (iy1 - iy0 + 2 * pad) as usize,
    );

    // Coverage of every glyph shape (for the fill and the outline), and colour glyphs (emoji)
    // kept aside to be drawn with their own colours.
    let mut cov = vec![0u8; w * h];
    let mut colour = Pixmap::new(w as u32, h as u32);
    let mut has_colour = false;
    for (gx, gy, img) in &images {
        let (gw, gh) = (img.placement.width as usize, img.placement.height as usize);
        let (bx, by) = ((gx - ox) as usize, (gy - oy) as usize);
        for row in 0..gh {
            for col in 0..gw {
                let i = (by + row) * w + bx + col;
                match img.content {
                    SwashContent::Mask => {
                        cov[i] = cov[i].max(img.data[row * gw + col]);
                    }
                    SwashContent::SubpixelMask | SwashContent::Color => {
                        let s = &img.data[(row * gw + col) * 4..(row * gw + col) * 4 + 4];
                        if img.content == SwashContent::SubpixelMask {
                            cov[i] = cov[i].max(s[1]);
                        } else {
                            has_colour = true;
                            cov[i] = cov[i].max(s[3]);
                            let px = premultiply([s[0], s[1], s[2], s[3]]);
                            colour.data[i * 4..i * 4 + 4].copy_from_slice(&px);
                        }
                    }
                }
            }
        }
    }
    let grown = outline.map(|radius| outline::dilate(&cov, w, h, radius));
    Ink {
        x: ox,
        y: oy,
        width: w as u32,
        height: h as u32,
        cov,
        grown,
        colour: has_colour.then_some(colour),
    }
}

/// Fills `dst` with a premultiplied colour scaled by a coverage mask.
fn paint_mask(dst: &mut [u8], mask: &[u8], colour: [u8; 4]) {
    for (px, &m) in dst.chunks_exact_mut(4).zip(mask) {
        if m > 0 {
            let v = colour.map(|c| div255(u32::from(c) * u32::from(m)) as u8);
            px.copy_from_slice(&v);
        }
    }
}

/// Premultiplied `src over dst` for one pixel whose background may be transparent.
fn over_keep_alpha(dst: &mut [u8], src: [u8; 4]) {
    let ia = 255 - u32::from(src[3]);
    for c in 0..4 {
        dst[c] = (u32::from(src[c]) + div255(u32::from(dst[c]) * ia)) as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(outline: Option<(f32, [u8; 4])>) -> TextStyle {
        TextStyle {
            size: 32.0,
            line_height: 38.0,
            color: [255, 255, 255, 255],
            outline,
            max_width: None,
            align: LineAlign::Center,
            bold: true,
        }
    }

    fn ink(block: &TextBlock) -> usize {
        block
            .sprite
            .data
            .chunks_exact(4)
            .filter(|p| p[3] > 0)
            .count()
    }

    #[test]
    fn text_has_ink_and_a_sensible_box() {
        let block = render_text("Hello", &style(None));
        assert!(ink(&block) > 200);
        assert!(
            block.box_width > 60.0 && block.box_width < 160.0,
            "{}",
            block.box_width
        );
        assert!((block.box_height - 38.0).abs() < 0.5);
        // Ink stays near the layout box.
        assert!(block.offset_x.abs() < 8 && block.offset_y >= 0 && block.offset_y < 20);
    }

    #[test]
    fn outline_grows_the_ink_and_is_drawn_under_the_fill() {
        let plain = render_text("Hi", &style(None));
        let outlined = render_text("Hi", &style(Some((3.0, [255, 0, 0, 255]))));
        assert!(ink(&outlined) > ink(&plain) + 50);
        let red = outlined
            .sprite
            .data
            .chunks_exact(4)
            .filter(|p| p[0] == 255 && p[1] == 0)
            .count();
        let white = outlined
            .sprite
            .data
            .chunks_exact(4)
            .filter(|p| p[0] == 255 && p[1] == 255)
            .count();
        assert!(red > 50 && white > 50, "red {red}, white {white}");
    }

    #[test]
    fn long_text_wraps_inside_the_width() {
        let mut s = style(None);
        s.max_width = Some(200.0);
        let block = render_text("one two three four five six seven eight", &s);
        assert!(block.box_width <= 200.5, "{}", block.box_width);
        assert!(block.box_height > 3.0 * 38.0 - 0.5, "{}", block.box_height);
    }

    #[test]
    fn same_text_same_pixels() {
        let a = render_text("Determinism", &style(Some((2.0, [0, 0, 0, 255]))));
        let b = render_text("Determinism", &style(Some((2.0, [0, 0, 0, 255]))));
        assert_eq!(a.sprite.data, b.sprite.data);
    }
}
