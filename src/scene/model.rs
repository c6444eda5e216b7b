//! The typed scene: what a varg program means, with every default applied and every time
//! resolved onto the one timeline (decision D2). Everything downstream (assets, render, audio,
//! encode) reads only these types, never the raw element tree.

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
    /// Render-level `<Overlay>` layers: over every clip, for the whole video (§14.2).
    pub overlays: Vec<Layer>,
    pub captions: Vec<CaptionTrack>,
    pub audio: Vec<AudioTrack>,
    /// Every distinct asset the render needs; layers and tracks point into it by index.
    pub assets: Vec<AssetRequest>,
    /// `<Render shortest>`: the output ends with the shorter of picture and sound.
    pub shortest: bool,
    /// `<Render normalize>`: the mix is loudness-normalised.
    pub normalize: bool,
    /// Things the author should know that did not stop the render.
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
    /// What the duration follows when the program did not give a number (D3).
    pub auto_duration: Option<AutoDuration>,
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

/// D3: an `"auto"` clip lasts as long as its speech, else its first full-frame video.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "from", rename_all = "lowercase")]
pub enum AutoDuration {
    Speech {
        asset: usize,
    },
    Video {
        asset: usize,
        cut_from: f64,
        cut_to: Option<f64>,
    },
    /// A Slider/Swipe/Packshot: its own length.
    Fixed {
        seconds: f64,
    },
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
    Video(VideoLayer),
    Text(TextLayer),
    Slider(SequenceLayer),
    Swipe(SequenceLayer),
    Packshot(PackshotLayer),
}

/// A visibility window in seconds relative to the clip start (`<Overlay start end>`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Window {
    pub start: f64,
    pub end: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImageLayer {
    /// Index into `Scene::assets`.
    pub asset: usize,
    pub resize: Resize,
    pub crop_position: CropPosition,
    /// Ken Burns motion over the layer's visible time; `None` keeps it still.
    pub zoom: Option<Zoom>,
    /// `None`: full frame. `Some`: a positioned box in output pixels (§7.3).
    pub rect: Option<BoxRect>,
    /// `None`: the whole clip (or, for a Render-level overlay, the whole video).
    pub window: Option<Window>,
    pub source: Option<SourcePos>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VideoLayer {
    pub asset: usize,
    pub resize: Resize,
    pub crop_position: CropPosition,
    pub rect: Option<BoxRect>,
    pub window: Option<Window>,
    /// Source time shown at the clip start (D7: trimmed once, `[cut_from, cut_from + d]`).
    /// Past the source's end the last frame holds (D3).
    pub cut_from: f64,
    /// Source time where the picture stops advancing (holds), if given.
    pub cut_to: Option<f64>,
    /// Its own sound is in `Scene::audio` when kept; recorded here for `check`.
    pub keep_audio: bool,
    pub volume: f64,
    pub source: Option<SourcePos>,
}

impl VideoLayer {
    /// A whole, untrimmed, silent video covering the frame (a TalkingHead, a card).
    pub fn full_frame(asset: usize, source: Option<SourcePos>) -> Self {
        VideoLayer {
            asset,
            resize: Resize::Cover,
            crop_position: CropPosition::Center,
            rect: None,
            window: None,
            cut_from: 0.0,
            cut_to: None,
            keep_audio: false,
            volume: 1.0,
            source,
        }
    }
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TextKind {
    Title,
    Subtitle,
}

/// Text drawn over the frame: `<Title>` (§11) and `<Subtitle>` (§12).
#[derive(Debug, Clone, Serialize)]
pub struct TextLayer {
    pub kind: TextKind,
    pub text: String,
    pub position: TextPosition,
    /// Straight (not premultiplied) RGBA.
    pub color: [u8; 4],
    pub outline: Option<f32>,
    pub outline_color: [u8; 4],
    /// A box behind the text (Subtitle: `backgroundColor`, default black at 70 %).
    pub background: Option<[u8; 4]>,
    /// Requested font family (D12: bundled fonts only, matched case-insensitively).
    pub font_family: Option<String>,
    /// A font file inside an asset directory.
    pub font_path: Option<String>,
    /// Visible window, seconds relative to the clip start (§11 timing already applied).
    pub start: f64,
    pub end: f64,
    /// `start`/`end` as the program gave them (`None`: the §11 default window).
    #[serde(skip)]
    pub given_window: (Option<f64>, Option<f64>),
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

/// Image or video cards shown in turn (`<Slider>`, `<Swipe>`).
#[derive(Debug, Clone, Serialize)]
pub struct SequenceLayer {
    pub items: Vec<MediaRef>,
    pub direction: Direction,
    /// Swipe: seconds per card (default 3). Slider: the reveal spans the whole clip.
    pub interval: f64,
    pub source: Option<SourcePos>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MediaRef {
    pub asset: usize,
    pub kind: AssetKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Left,
    Right,
    Up,
    Down,
}

/// An end card (§18).
#[derive(Debug, Clone, Serialize)]
pub struct PackshotLayer {
    pub background: Background,
    pub logo: Option<usize>,
    pub logo_position: TextPosition,
    /// Logo width in pixels; its height keeps the aspect ratio.
    pub logo_width: u32,
    pub title: Option<String>,
    pub title_color: [u8; 4],
    pub title_position: TextPosition,
    pub cta: Option<String>,
    pub cta_position: TextPosition,
    /// Static CTA: the text colour. Blinking CTA: the button colour.
    pub cta_color: [u8; 4],
    pub cta_text_color: [u8; 4],
    pub cta_size: (u32, u32),
    pub blink: bool,
    /// Seconds per blink cycle.
    pub blink_frequency: f64,
    pub duration: f64,
    pub source: Option<SourcePos>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Background {
    Color { color: [u8; 4] },
    Image { asset: usize },
    Video { asset: usize },
}

/// Where a track is placed: at a fixed time, or relative to a clip whose start the timeline
/// decides.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "at", rename_all = "lowercase")]
pub enum Anchor {
    Render { offset: f64 },
    Clip { index: usize, offset: f64 },
}

/// A word with its time on the global timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Word {
    pub text: String,
    pub start: f64,
    pub end: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CaptionStyle {
    Tiktok,
    Karaoke,
    Bounce,
    Typewriter,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "from", rename_all = "lowercase")]
pub enum CaptionSource {
    /// Word timings of a speech asset (alignment, or the placeholder's even spacing).
    Speech { asset: usize },
    /// An SRT file inside an asset directory: each entry is one "word" (§13).
    Srt { path: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct CaptionTrack {
    pub from: CaptionSource,
    pub anchor: Anchor,
    /// The track's start on the timeline (the anchor resolved).
    pub start: f64,
    /// Timed words on the global timeline, filled when the timings are known.
    pub words: Vec<Word>,
    pub style: CaptionStyle,
    pub position: Align,
    pub color: Option<[u8; 4]>,
    pub active_color: Option<[u8; 4]>,
    pub font_size: Option<f32>,
    pub words_per_line: Option<u32>,
    /// One of the caption fonts of §13 (unknown names fall back to montserrat with a warning).
    pub font: String,
    pub with_audio: bool,
    pub source: Option<SourcePos>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AudioKind {
    Speech,
    Music,
    /// The sound of a `<Video keepAudio>`.
    Video,
}

/// One sound on the timeline (§20, D8).
#[derive(Debug, Clone, Serialize)]
pub struct AudioTrack {
    pub kind: AudioKind,
    pub asset: usize,
    pub anchor: Anchor,
    /// Start on the timeline (the anchor resolved).
    pub start: f64,
    /// Source trim.
    pub cut_from: f64,
    pub cut_to: Option<f64>,
    /// Where the track must stop on the timeline (a clip's end for video sound, the video's end
    /// for music), when it has to.
    pub end: Option<f64>,
    pub volume: f64,
    pub looped: bool,
    pub ducking: bool,
    /// Crossfades at transitions (video sound, §4.5), seconds.
    pub fade_in: f64,
    pub fade_out: f64,
    pub source: Option<SourcePos>,
}

impl AudioTrack {
    /// How long the track sounds on the timeline, when its source length is known.
    pub fn length(&self, assets: &[AssetRequest]) -> Option<f64> {
        let natural = assets
            .get(self.asset)
            .and_then(|a| a.duration)
            .map(|l| self.cut_to.map_or(l, |to| to.min(l)) - self.cut_from);
        let window = self.end.map(|e| e - self.start);
        match (natural, window) {
            (Some(n), Some(w)) if !self.looped => Some(n.min(w).max(0.0)),
            (_, Some(w)) => Some(w.max(0.0)),
            (Some(n), None) => Some(n.max(0.0)),
            (None, None) => None,
        }
    }
}

/// One generation or source file the render needs, de-duplicated by `cache_key`.
#[derive(Debug, Clone, Serialize)]
pub struct AssetRequest {
    pub kind: AssetKind,
    pub source: AssetSource,
    /// Stable key (§23): identical requests share one asset and one cache entry.
    pub cache_key: String,
    /// Length in seconds when known before resolving (a generated video's requested length,
    /// a placeholder speech's estimate); the resolver fills the real one.
    pub duration: Option<f64>,
    /// Speech: word timings relative to the asset's start, when known.
    pub words: Vec<Word>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AssetKind {
    Image,
    Video,
    Speech,
    Music,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "from", rename_all = "lowercase")]
pub enum AssetSource {
    /// An AI generation; in preview mode a local placeholder.
    Prompt(Generation),
    /// A file: an `http(s)` URL or a path inside a configured asset directory.
    Src { src: String },
}

/// Everything a generation request carries.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Generation {
    /// The prompt, or the text to speak.
    pub prompt: String,
    pub model: Option<ModelRef>,
    pub aspect_ratio: Option<String>,
    /// Requested length (video, music).
    pub duration: Option<f64>,
    /// Speech voice (VOICES name or raw id).
    pub voice: Option<String>,
    /// Reference images / the image to animate (asset indexes).
    pub images: Vec<usize>,
    /// Reference audio (TalkingHead voice, `prompt.audio`).
    pub audio: Option<usize>,
    /// Provider options, passed through.
    pub options: Option<serde_json::Value>,
    /// D14: the image this generation edits; preview mode shows it unchanged.
    pub edit: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelRef {
    pub provider: String,
    pub model_id: String,
}
