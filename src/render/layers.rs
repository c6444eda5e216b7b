//! One drawable layer of a clip (or of the whole video) and how a stack of them is drawn.

use std::sync::Arc;

use fast_image_resize::Resizer;
use image::RgbaImage;

use super::image_layer::{Frame, ImagePlan};
use super::packshot::PackshotPlan;
use super::pixels::{fill_black, force_opaque, is_opaque};
use super::prepare::Source;
use super::sequence::{SequenceKind, SequencePlan};
use super::timeline::Span;
use super::title::TitlePlan;
use super::video_layer::VideoPlan;
use super::RenderError;
use crate::media::VideoFile;
use crate::scene::{Layer, SourcePos, Window};

/// A positioned image's box may exceed the frame (to be cropped by it), but not by so much
/// that preparing it would allocate gigabytes.
const MAX_BOX_FACTOR: u32 = 4;

pub enum LayerPlan {
    Image {
        plan: ImagePlan,
        span: Span,
    },
    Text(TitlePlan),
    /// `<Slider>` / `<Swipe>`: full-frame, opaque.
    Sequence(Box<SequencePlan>),
    /// `<Packshot>`: full-frame, opaque.
    Packshot(Box<PackshotPlan>),
    /// `<Video>` / `<TalkingHead>`: placed like an image, the picture changing per frame.
    Video {
        plan: Box<VideoPlan>,
        span: Span,
    },
}

/// What drawing layers borrows from the compositor.
pub struct Tools<'a> {
    pub images: &'a [Arc<RgbaImage>],
    pub has_alpha: &'a mut [Option<bool>],
    pub resizer: &'a mut Resizer,
    pub scratch: &'a mut Vec<u8>,
    /// One line per part of the scene that could not be drawn, for the job's warnings.
    pub skipped: &'a mut Vec<String>,
}

impl Tools<'_> {
    /// Logs a part of a frame that could not be drawn and notes it once for the job's
    /// warnings, so a damaged file never disappears from the video silently.
    pub fn skip(&mut self, what: &str, error: &dyn std::fmt::Display) {
        tracing::error!(error = %error, "{what} skipped");
        let line = format!("{what} could not be drawn and is left out: {error}");
        if !self.skipped.contains(&line) && self.skipped.len() < MAX_SKIPPED {
            self.skipped.push(line);
        }
    }
}

/// "the <Image> at line 3, column 7": how a warning names a layer.
pub(super) fn element(component: &str, source: Option<SourcePos>) -> String {
    match source {
        Some(p) => format!("the <{component}> at line {}, column {}", p.line, p.column),
        None => format!("<{component}>"),
    }
}

/// A broken scene can fail in many frames; the job's warnings keep the first few distinct lines.
const MAX_SKIPPED: usize = 10;

impl LayerPlan {
    /// Plans a scene layer shown during `span` (its clip, or the whole video) unless its own
    /// window narrows that (clip-relative, from `window_origin`). `None`: nothing to draw here.
    pub fn new(
        layer: &Layer,
        span: Span,
        window_origin: f64,
        frame: (u32, u32),
        images: &[Arc<RgbaImage>],
        videos: &[Option<Arc<VideoFile>>],
    ) -> Result<Option<Self>, RenderError> {
        match layer {
            Layer::Image(img) => {
                let source = decoded_image(images, img.asset)?;
                let plan = ImagePlan::new(img, frame, source.dimensions());
                let (bw, bh) = plan.box_size();
                let limit = MAX_BOX_FACTOR * frame.0.max(frame.1);
                if bw > limit || bh > limit {
                    return Err(RenderError::BoxTooLarge {
                        width: bw,
                        height: bh,
                    });
                }
                let span = img.window.map_or(span, |w| narrow(span, window_origin, w));
                Ok(Some(LayerPlan::Image { plan, span }))
            }
            Layer::Text(text) => {
                Ok(TitlePlan::new(text, window_origin, frame.0, frame.1).map(LayerPlan::Text))
            }
            Layer::Slider(s) | Layer::Swipe(s) => {
                let kind = match layer {
                    Layer::Slider(_) => SequenceKind::Slider,
                    _ => SequenceKind::Swipe,
                };
                let plan = SequencePlan::new(s, kind, span, frame, images, videos)?;
                Ok(Some(LayerPlan::Sequence(Box::new(plan))))
            }
            Layer::Packshot(p) => {
                let plan = PackshotPlan::new(p, span, frame, images, videos)?;
                Ok(Some(LayerPlan::Packshot(Box::new(plan))))
            }
            Layer::Video(video) => {
                let file = videos
                    .get(video.asset)
                    .and_then(Option::as_ref)
                    .ok_or_else(|| RenderError::Video {
                        asset: video.asset,
                        error: "no video file was provided for it".into(),
                    })?;
                let span = video
                    .window
                    .map_or(span, |w| narrow(span, window_origin, w));
                let plan = VideoPlan::new(video, frame, file.clone(), span.start)?;
                let (bw, bh) = plan.box_size();
                let limit = MAX_BOX_FACTOR * frame.0.max(frame.1);
                if bw > limit || bh > limit {
                    return Err(RenderError::BoxTooLarge {
                        width: bw,
                        height: bh,
                    });
                }
                let plan = Box::new(plan);
                Ok(Some(LayerPlan::Video { plan, span }))
            }
        }
    }

    pub fn visible(&self, t: f64) -> bool {
        match self {
            LayerPlan::Image { span, .. } => span.contains(t),
            LayerPlan::Video { plan, span } => span.contains(t) && !plan.failed(),
            LayerPlan::Text(title) => title.visible(t),
            LayerPlan::Sequence(plan) => plan.visible(t),
            LayerPlan::Packshot(plan) => plan.visible(t),
        }
    }

    /// Drops prepared pixels while the layer is off screen.
    pub fn release_if_hidden(&mut self, t: f64) {
        if !self.visible(t) {
            self.release();
        }
    }

    pub fn release(&mut self) {
        match self {
            LayerPlan::Image { plan, .. } => plan.release(),
            LayerPlan::Text(_) => {}
            LayerPlan::Sequence(plan) => plan.release(),
            LayerPlan::Packshot(plan) => plan.release(),
            LayerPlan::Video { plan, .. } => plan.release(),
        }
    }
}

/// The decoded pixels of asset `asset`, refused when missing or empty.
pub(super) fn decoded_image(
    images: &[Arc<RgbaImage>],
    asset: usize,
) -> Result<&Arc<RgbaImage>, RenderError> {
    let source = images.get(asset).ok_or(RenderError::MissingImage {
        asset,
        provided: images.len(),
    })?;
    if source.width() == 0 || source.height() == 0 {
        return Err(RenderError::EmptyImage { asset });
    }
    Ok(source)
}

/// A clip-relative window inside `span`, on the global timeline.
fn narrow(span: Span, origin: f64, window: Window) -> Span {
    Span {
        start: (origin + window.start).max(span.start),
        end: (origin + window.end).min(span.end),
    }
}

/// Draws the layers visible at `t`, bottom to top. With `background`, the frame starts as the
/// clip's black (a full-frame image at the bottom overwrites it outright, saving a clear and a
/// blend); without, they go over what the frame already holds.
pub fn draw_layers(
    layers: &mut [LayerPlan],
    t: f64,
    frame: &mut Frame<'_>,
    tools: &mut Tools<'_>,
    background: bool,
) {
    let mut covered = !background;
    let mut alpha_dirty = false;
    for layer in layers.iter_mut() {
        if !layer.visible(t) {
            continue;
        }
        match layer {
            LayerPlan::Image { plan, span } => {
                if !plan.is_prepared() {
                    if let Err(e) = prepare(plan, tools) {
                        tools.skip(&element("Image", plan.source), &e);
                        continue;
                    }
                }
                let replace = !covered && plan.is_full_frame();
                if !covered && !replace {
                    fill_black(frame.data);
                }
                covered = true;
                let progress = span.progress(t);
                match plan.draw(frame, progress, replace, tools.scratch, tools.resizer) {
                    Ok(dirty) => alpha_dirty |= dirty,
                    Err(e) => tools.skip(&element("Image", plan.source), &e),
                }
            }
            LayerPlan::Text(title) => {
                if !covered {
                    fill_black(frame.data);
                    covered = true;
                }
                title.draw(frame.data, frame.width, frame.height);
            }
            LayerPlan::Sequence(plan) => {
                plan.draw(t, frame, tools);
                covered = true;
            }
            LayerPlan::Packshot(plan) => {
                plan.draw(t, frame, tools);
                covered = true;
            }
            LayerPlan::Video { plan, .. } => {
                let replace = !covered && plan.is_full_frame();
                if !covered && !replace {
                    fill_black(frame.data);
                }
                match plan.draw(t, frame, replace, tools.scratch, tools.resizer) {
                    Ok(dirty) => alpha_dirty |= dirty,
                    Err(e) => {
                        tools.skip(&element("Video", plan.source()), &e);
                        if replace {
                            fill_black(frame.data);
                        }
                    }
                }
                covered = true;
            }
        }
    }
    if !covered {
        fill_black(frame.data);
    }
    if alpha_dirty {
        force_opaque(frame.data);
    }
}

pub(super) fn prepare(plan: &mut ImagePlan, tools: &mut Tools<'_>) -> Result<(), RenderError> {
    let image = &tools.images[plan.asset];
    let has_alpha = *tools.has_alpha[plan.asset].get_or_insert_with(|| !is_opaque(image));
    plan.prepare(
        tools.resizer,
        Source {
            image,
            has_alpha,
            moving: false,
        },
    )
}
