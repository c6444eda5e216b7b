//! One drawable layer of a clip (or of the whole video) and how a stack of them is drawn.

use std::sync::Arc;

use fast_image_resize::Resizer;
use image::RgbaImage;

use super::image_layer::{Frame, ImagePlan};
use super::pixels::{fill_black, force_opaque, is_opaque};
use super::prepare::Source;
use super::timeline::Span;
use super::title::TitlePlan;
use super::RenderError;
use crate::scene::{Layer, Window};

/// A positioned image's box may exceed the frame (to be cropped by it), but not by so much
/// that preparing it would allocate gigabytes.
const MAX_BOX_FACTOR: u32 = 4;

pub enum LayerPlan {
    Image { plan: ImagePlan, span: Span },
    Text(TitlePlan),
}

/// What drawing layers borrows from the compositor.
pub struct Tools<'a> {
    pub images: &'a [Arc<RgbaImage>],
    pub has_alpha: &'a mut [Option<bool>],
    pub resizer: &'a mut Resizer,
    pub scratch: &'a mut Vec<u8>,
}

impl LayerPlan {
    /// Plans a scene layer shown during `span` (its clip, or the whole video) unless its own
    /// window narrows that (clip-relative, from `window_origin`). `None`: nothing to draw here.
    pub fn new(
        layer: &Layer,
        span: Span,
        window_origin: f64,
        frame: (u32, u32),
        images: &[Arc<RgbaImage>],
    ) -> Result<Option<Self>, RenderError> {
        match layer {
            Layer::Image(img) => {
                let source = images.get(img.asset).ok_or(RenderError::MissingImage {
                    asset: img.asset,
                    provided: images.len(),
                })?;
                if source.width() == 0 || source.height() == 0 {
                    return Err(RenderError::EmptyImage { asset: img.asset });
                }
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
            // Drawn by later versions of the compositor; the scene warns about them.
            Layer::Video(_) | Layer::Slider(_) | Layer::Swipe(_) | Layer::Packshot(_) => Ok(None),
        }
    }

    pub fn visible(&self, t: f64) -> bool {
        match self {
            LayerPlan::Image { span, .. } => span.contains(t),
            LayerPlan::Text(title) => title.visible(t),
        }
    }

    /// Drops prepared pixels while the layer is off screen.
    pub fn release_if_hidden(&mut self, t: f64) {
        if !self.visible(t) {
            self.release();
        }
    }

    pub fn release(&mut self) {
        if let LayerPlan::Image { plan, .. } = self {
            plan.release();
        }
    }
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
                        tracing::error!(asset = plan.asset, error = %e, "image layer skipped");
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
                    Err(e) => {
                        tracing::error!(asset = plan.asset, error = %e, "image layer skipped");
                    }
                }
            }
            LayerPlan::Text(title) => {
                if !covered {
                    fill_black(frame.data);
                    covered = true;
                }
                title.draw(frame.data, frame.width, frame.height);
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

fn prepare(plan: &mut ImagePlan, tools: &mut Tools<'_>) -> Result<(), RenderError> {
    let image = &tools.images[plan.asset];
    let has_alpha = *tools.has_alpha[plan.asset].get_or_insert_with(|| !is_opaque(image));
    plan.prepare(tools.resizer, Source { image, has_alpha })
}
