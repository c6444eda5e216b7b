//! Frame compositing: a typed scene and its decoded images in, opaque RGBA frames out.
//!
//! Pixels are premultiplied RGBA throughout ([`pixels`]); every per-frame step is a resample
//! of something prepared once, a blend, or a copy.

mod blur;
mod captions;
mod compositor;
mod fit;
mod image_layer;
mod kenburns;
mod layers;
mod packshot;
pub(crate) mod pixels;
mod prepare;
mod resample;
mod sequence;
pub mod text;
mod timeline;
mod title;
mod transition;
mod video_layer;

#[cfg(test)]
mod captions_tests;
#[cfg(test)]
mod sequence_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod transition_tests;
#[cfg(test)]
mod video_tests;

pub use compositor::Compositor;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the frame size {width}×{height} cannot be rendered (each side 1 to 16384 pixels)")]
    InvalidSize { width: u32, height: u32 },
    #[error("the frame rate must be at least 1")]
    InvalidFps,
    #[error("a layer uses asset {asset}, but only {provided} decoded images were provided")]
    MissingImage { asset: usize, provided: usize },
    #[error("asset {asset} decoded to an image without pixels")]
    EmptyImage { asset: usize },
    #[error("a positioned image box of {width}×{height} is far larger than the frame")]
    BoxTooLarge { width: u32, height: u32 },
    #[error("the video of asset {asset} cannot be drawn: {error}")]
    Video { asset: usize, error: String },
    #[error("resampling an image failed: {0}")]
    Resample(String),
}
