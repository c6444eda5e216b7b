//! The frame compositor: a scene plus decoded images in, one RGBA frame per call out.

use std::sync::Arc;

use fast_image_resize::Resizer;
use image::RgbaImage;

use super::image_layer::{Frame, ImagePlan};
use super::pixels::{fill_black, force_opaque, is_opaque};
use super::prepare::Source;
use super::timeline::{self, Span};
use super::title::TitlePlan;
use super::transition::{self, TransitionKind};
use super::RenderError;
use crate::scene::{Layer, Scene};

/// Frames larger than this on either side are refused before any buffer is allocated.
const MAX_SIDE: u32 = 16384;

/// Renders frames of one scene. Everything that does not change per frame is decided in
/// [`Compositor::new`]; an image layer's fitted (and pre-zoomed) pixels are made when its
/// clip first appears and dropped once it is gone, so memory follows the clips on screen
/// rather than the length of the scene.
pub struct Compositor {
    width: u32,
    height: u32,
    fps: f64,
    frame_count: u64,
    clips: Vec<ClipPlan>,
    images: Vec<Arc<RgbaImage>>,
    /// Per asset, whether any pixel is translucent; found on first use.
    has_alpha: Vec<Option<bool>>,
    resizer: Resizer,
    /// Buffers reused across frames so steady-state rendering allocates nothing.
    active: Vec<usize>,
    layer_scratch: Vec<u8>,
    clip_scratch: Vec<u8>,
}

struct ClipPlan {
    span: Span,
    /// How this clip hands over to the next one where they overlap.
    transition: TransitionKind,
    layers: Vec<LayerPlan>,
}

enum LayerPlan {
    Image(ImagePlan),
    Title(TitlePlan),
}

/// What drawing a clip borrows from the compositor besides the clip itself.
struct Tools<'a> {
    images: &'a [Arc<RgbaImage>],
    has_alpha: &'a mut [Option<bool>],
    resizer: &'a mut Resizer,
    scratch: &'a mut Vec<u8>,
}

impl Compositor {
    /// `images[i]` is the decoded pixels of `scene.assets[i]`.
    pub fn new(scene: &Scene, images: Vec<Arc<RgbaImage>>) -> Result<Self, RenderError> {
        let (width, height) = (scene.width, scene.height);
        if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
            return Err(RenderError::InvalidSize { width, height });
        }
        if scene.fps == 0 {
            return Err(RenderError::InvalidFps);
        }
        let mut clips = Vec::with_capacity(scene.clips.len());
        for clip in &scene.clips {
            let mut layers = Vec::with_capacity(clip.layers.len());
            for layer in &clip.layers {
                match layer {
                    Layer::Image(img) => {
                        let source = images.get(img.asset).ok_or(RenderError::MissingImage {
                            asset: img.asset,
                            provided: images.len(),
                        })?;
                        if source.width() == 0 || source.height() == 0 {
                            return Err(RenderError::EmptyImage { asset: img.asset });
                        }
                        layers.push(LayerPlan::Image(ImagePlan::new(
                            img,
                            (width, height),
                            source.dimensions(),
                        )));
                    }
                    Layer::Title(text) => {
                        if let Some(plan) = TitlePlan::new(text, clip.start, width, height) {
                            layers.push(LayerPlan::Title(plan));
                        }
                    }
                }
            }
            clips.push(ClipPlan {
                span: Span {
                    start: clip.start,
                    end: clip.end(),
                },
                transition: clip
                    .transition
                    .as_ref()
                    .map_or(TransitionKind::Dissolve, |t| {
                        TransitionKind::from_name(&t.name)
                    }),
                layers,
            });
        }
        Ok(Compositor {
            width,
            height,
            fps: f64::from(scene.fps),
            frame_count: scene.frame_count(),
            clips,
            has_alpha: vec![None; images.len()],
            images,
            resizer: Resizer::new(),
            active: Vec::new(),
            layer_scratch: Vec::new(),
            clip_scratch: Vec::new(),
        })
    }

    pub fn frame_count(&self) -> u64 {
        self.frame_count
    }

    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// Draws frame `index` (time = index / fps) into `out` (W×H RGBA, opaque result).
    pub fn render_frame(&mut self, index: u64, out: &mut RgbaImage) {
        if out.dimensions() != (self.width, self.height) {
            *out = RgbaImage::new(self.width, self.height);
        }
        let t = index as f64 / self.fps;
        let mut active = std::mem::take(&mut self.active);
        timeline::active(self.clips.iter().map(|c| c.span), t, &mut active);
        for (i, clip) in self.clips.iter_mut().enumerate() {
            if !active.contains(&i) {
                clip.release();
            }
        }

        let (width, height) = (self.width, self.height);
        let mut tools = Tools {
            images: &self.images,
            has_alpha: &mut self.has_alpha,
            resizer: &mut self.resizer,
            scratch: &mut self.layer_scratch,
        };
        let mut frame = Frame {
            data: out,
            width,
            height,
        };
        match active.first() {
            None => fill_black(frame.data),
            Some(&first) => self.clips[first].draw(t, &mut frame, &mut tools),
        }
        for pair in active.windows(2) {
            let (outgoing, incoming) = (pair[0], pair[1]);
            self.clip_scratch.resize(frame.data.len(), 0);
            let mut next = Frame {
                data: &mut self.clip_scratch,
                width,
                height,
            };
            self.clips[incoming].draw(t, &mut next, &mut tools);
            let progress = timeline::handover_progress(
                self.clips[outgoing].span,
                self.clips[incoming].span,
                t,
            );
            transition::apply(
                self.clips[outgoing].transition,
                progress,
                frame.data,
                next.data,
            );
        }
        self.active = active;
    }
}

impl ClipPlan {
    fn release(&mut self) {
        for layer in &mut self.layers {
            if let LayerPlan::Image(plan) = layer {
                plan.release();
            }
        }
    }

    fn draw(&mut self, t: f64, frame: &mut Frame<'_>, tools: &mut Tools<'_>) {
        let progress = self.span.progress(t);
        // Until something covers the frame it is the clip's black background; a full-frame
        // image at the bottom overwrites it outright, saving a clear and a blend.
        let mut covered = false;
        let mut alpha_dirty = false;
        for layer in &mut self.layers {
            match layer {
                LayerPlan::Image(plan) => {
                    if !plan.is_prepared() {
                        if let Err(e) = prepare(plan, tools) {
                            tracing::error!(asset = plan.asset, error = %e, "image layer skipped");
                            continue;
                        }
                    }
                    let replace = !covered && plan.is_full_frame();
                    if !covered && !replace {
                        fill_black(frame.data);
                    }
                    covered = true;
                    match plan.draw(frame, progress, replace, tools.scratch, tools.resizer) {
                        Ok(dirty) => alpha_dirty |= dirty,
                        Err(e) => {
                            tracing::error!(asset = plan.asset, error = %e, "image layer skipped")
                        }
                    }
                }
                LayerPlan::Title(title) => {
                    if title.visible(t) {
                        if !covered {
                            fill_black(frame.data);
                            covered = true;
                        }
                        title.draw(frame.data, frame.width, frame.height);
                    }
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
}

fn prepare(plan: &mut ImagePlan, tools: &mut Tools<'_>) -> Result<(), RenderError> {
    let image = &tools.images[plan.asset];
    let has_alpha = *tools.has_alpha[plan.asset].get_or_insert_with(|| !is_opaque(image));
    plan.prepare(tools.resizer, Source { image, has_alpha })
}
