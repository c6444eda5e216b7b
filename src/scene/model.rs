//! The typed scene: what a varg program means, with every default applied and every time
//! resolved onto the one timeline (decision D2). Everything downstream (assets, render, encode)
//! reads only these types, never the raw element tree.

use serde::Serialize;

/// Where in the TSX source an element was written (1-based), when the JSX runtime knew it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct SourcePos {
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Scene {
    /// Output size in pixels, always even (D1).
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    /// Total length in seconds after transition overlaps (§4.5).
    pub duration: f64,
    pub clips: Vec<Clip>,
    /// Every distinct asset the render needs; layers point into this list by index.
    pub assets: Vec<AssetRequest>,
    /// Things the author should know that did not stop the render (unknown fonts, ignored props).
    pub warnings: Vec<String>,
}

impl Scene {
    /// Number of video frames: the timeline sampled at `fps`, at least one.
    pub fn frame_count(&self) -> u64 {
        ((self.duration * self.fps as f64).round() as u64).max(1)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Clip {
    /// Start on the global timeline, seconds.
    pub start: f64,
    pub duration: f64,
    /// The transition that joins this clip to the next one (D4); `None` is a hard cut.
    pub transition: Option<Transition>,
    /// Bottom to top.
    pub layers: Vec<Layer>,
    pub source: Option<SourcePos>,
}

impl Clip {
    pub fn end(&self) -> f64 {
        self.start + self.duration
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transition {
    pub name: String,
    pub duration: f64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Layer {
    Image(ImageLayer),
    Title(TextLayer),
}

#[derive(Debug, Clone, Serialize)]
pub struct ImageLayer {
    /// Index into `Scene::assets`.
    pub asset: usize,
    pub resize: Resize,
    pub crop_position: CropPosition,
    /// Ken Burns motion over the layer's visible window; `None` keeps it still.
    pub zoom: Option<Zoom>,
    /// `None`: full frame. `Some`: a positioned box in output pixels (§7.3).
    pub rect: Option<BoxRect>,
    pub source: Option<SourcePos>,
}

/// A positioned layer's box in output pixels. `height: None` keeps the source's aspect ratio.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BoxRect {
    pub left: i32,
    pub top: i32,
    pub width: u32,
    pub height: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Resize {
    Cover,
    Contain,
    ContainBlur,
    Stretch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CropPosition {
    Center,
    Top,
    Bottom,
    Left,
    Right,
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

impl CropPosition {
    /// Where the kept window sits along each axis, 0 = start edge, 0.5 = centred, 1 = end edge.
    pub fn anchor(self) -> (f32, f32) {
        match self {
            CropPosition::Center => (0.5, 0.5),
            CropPosition::Top => (0.5, 0.0),
            CropPosition::Bottom => (0.5, 1.0),
            CropPosition::Left => (0.0, 0.5),
            CropPosition::Right => (1.0, 0.5),
            CropPosition::TopLeft => (0.0, 0.0),
            CropPosition::TopRight => (1.0, 0.0),
            CropPosition::BottomLeft => (0.0, 1.0),
            CropPosition::BottomRight => (1.0, 1.0),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Zoom {
    In,
    Out,
    Left,
    Right,
}

/// A line of text drawn over the frame (`<Title>`, later `<Subtitle>`).
#[derive(Debug, Clone, Serialize)]
pub struct TextLayer {
    pub text: String,
    pub position: TextPosition,
    /// Straight (not premultiplied) RGBA.
    pub color: [u8; 4],
    pub outline: Option<f32>,
    pub outline_color: [u8; 4],
    /// Visible window, seconds relative to the clip start (§11 timing already applied).
    pub start: f64,
    pub end: f64,
    pub source: Option<SourcePos>,
}

/// The nine presets of §4.2, as a horizontal and a vertical part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TextPosition {
    pub horizontal: Align,
    pub vertical: Align,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    Start,
    Center,
    End,
}

/// One generation or source file the render needs, de-duplicated by `cache_key`.
#[derive(Debug, Clone, Serialize)]
pub struct AssetRequest {
    pub kind: AssetKind,
    pub source: AssetSource,
    /// Stable key (§23): identical requests share one asset and one cache entry.
    pub cache_key: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AssetKind {
    Image,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "from", rename_all = "lowercase")]
pub enum AssetSource {
    /// An AI generation; in preview mode a local placeholder.
    Prompt {
        prompt: String,
        model: Option<ModelRef>,
        aspect_ratio: Option<String>,
    },
    /// A file: an `http(s)` URL or a path inside a configured asset directory.
    Src { src: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelRef {
    pub provider: String,
    pub model_id: String,
}
