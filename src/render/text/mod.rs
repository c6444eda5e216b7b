//! Text: bundled fonts, layout and rasterisation into sprites, outlines.

mod fonts;
mod layout;
mod outline;
mod raster;
mod scene_fonts;

#[cfg(test)]
pub(crate) use fonts::with_font_system;
pub use fonts::{
    caption_family, load_fonts_dir, register_font, resolve_family, FontError, CAPTION_FONTS,
    DEFAULT_FAMILY, MAX_FONT_BYTES,
};
pub use layout::{Layout, Line, PlacedGlyph};
pub use raster::{
    measure_text, measure_text_in, render_text, render_text_in, shape, Ink, LineAlign, Shaped,
    TextBlock, TextStyle,
};
pub use scene_fonts::prepare_fonts;
