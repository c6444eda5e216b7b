//! Text: bundled fonts, layout and rasterisation into sprites, outlines.

mod fonts;
mod outline;
mod raster;

pub use raster::{render_text, LineAlign, TextBlock, TextStyle};
