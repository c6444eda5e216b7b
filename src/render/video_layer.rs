//! `<Video>` and `<TalkingHead>` layers: the source picture for the output time, fitted and
//! placed exactly like a still image (§4.4, §7.3) but never Ken Burns'd.
//!
//! Timing (D7, D3): the layer shows source time `cut_from + (t − start)`, where `start` is
//! when the layer appears; past `cut_to` or the end of the file the last picture holds. The
//! picture is the one whose presentation interval contains that source time, from the
//! file's own timestamps, so a 24 fps source in a 30 fps render repeats pictures rather than
//! drifting. A picture is fitted once and reused until the source moves on.

use std::sync::Arc;

use fast_image_resize::Resizer;

use super::image_layer::{Frame, ImagePlan};
use super::prepare::Source;
use super::RenderError;
use crate::media::VideoFile;
use crate::scene::{ImageLayer, VideoLayer};

/// The reusable "picture at source time s" API for other plans (sequence cards, packshot
/// backgrounds): `VideoSource::new(file)?`, then `frame_at(seconds)?` per frame, `release()`
/// while off screen.
pub use crate::media::VideoSource;

/// `cut_to` is where the picture stops advancing: the picture shown is the one just before
/// it, not the one starting exactly there.
const BEFORE_CUT: f64 = 1e-4;

pub struct VideoPlan {
    pub asset: usize,
    /// The box, the resize mode and the drawing, shared with still images.
    image: ImagePlan,
    source: VideoSource,
    cut_from: f64,
    cut_to: Option<f64>,
    /// Output time at which `cut_from` is on screen.
    start: f64,
    /// The rank of the source picture `image` holds, fitted.
    fitted: Option<usize>,
    /// Set after the first failure, so a damaged file logs once rather than every frame.
    failed: bool,
}

impl VideoPlan {
    /// Plans `layer` appearing at output time `start`.
    pub fn new(
        layer: &VideoLayer,
        frame: (u32, u32),
        file: Arc<VideoFile>,
        start: f64,
    ) -> Result<Self, RenderError> {
        let source = VideoSource::new(file).map_err(|e| RenderError::Video {
            asset: layer.asset,
            error: e.to_string(),
        })?;
        let as_image = ImageLayer {
            asset: layer.asset,
            resize: layer.resize,
            crop_position: layer.crop_position,
            zoom: None,
            rect: layer.rect,
            window: layer.window,
            source: layer.source,
        };
        Ok(VideoPlan {
            asset: layer.asset,
            image: ImagePlan::new(&as_image, frame, source.size()),
            source,
            cut_from: layer.cut_from,
            cut_to: layer.cut_to,
            start,
            fitted: None,
            failed: false,
        })
    }

    /// Where the program wrote the layer.
    pub fn source(&self) -> Option<crate::scene::SourcePos> {
        self.image.source
    }

    pub fn box_size(&self) -> (u32, u32) {
        self.image.box_size()
    }

    pub fn is_full_frame(&self) -> bool {
        self.image.is_full_frame()
    }

    /// The source time on screen at output time `t`.
    pub fn source_time(&self, t: f64) -> f64 {
        let s = self.cut_from + (t - self.start).max(0.0);
        match self.cut_to {
            Some(end) => s.min((end - BEFORE_CUT).max(self.cut_from)),
            None => s,
        }
    }

    /// Draws the picture for output time `t`; like [`ImagePlan::draw`], `true` when it left
    /// non-opaque alpha in the frame. After an error the frame is untouched.
    pub fn draw(
        &mut self,
        t: f64,
        frame: &mut Frame<'_>,
        replace: bool,
        scratch: &mut Vec<u8>,
        resizer: &mut Resizer,
    ) -> Result<bool, RenderError> {
        let drawn = self
            .fit(t, resizer)
            .and_then(|()| self.image.draw(frame, 0.0, replace, scratch, resizer));
        if drawn.is_err() {
            self.failed = true;
            self.release();
        }
        drawn
    }

    fn fit(&mut self, t: f64, resizer: &mut Resizer) -> Result<(), RenderError> {
        let s = self.source_time(t);
        let wanted = self.source.frame_index(s);
        if self.fitted == Some(wanted) && self.image.is_prepared() {
            return Ok(());
        }
        let picture = self.source.frame_at(s).map_err(|e| RenderError::Video {
            asset: self.asset,
            error: e.to_string(),
        })?;
        self.image.prepare(
            resizer,
            Source {
                image: picture,
                has_alpha: false,
                moving: true,
            },
        )?;
        self.fitted = Some(wanted);
        Ok(())
    }

    /// Whether drawing failed once; the layer is then left out of later frames.
    pub fn failed(&self) -> bool {
        self.failed
    }

    /// Whether a decoded or fitted picture is held (memory that `release` frees).
    #[cfg(test)]
    pub fn holds_pixels(&self) -> bool {
        self.image.is_prepared() || self.source.current_index().is_some()
    }

    /// Drops the decoder, the picture and the fitted copy while the layer is off screen.
    pub fn release(&mut self) {
        self.source.release();
        self.image.release();
        self.fitted = None;
    }
}
