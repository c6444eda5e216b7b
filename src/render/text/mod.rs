//! Text: bundled fonts, layout and rasterisation into sprites, outlines.

mod fonts;
mod outline;
mod raster;

pub use raster::{measure_text, render_text, LineAlign, TextBlock, TextStyle};
