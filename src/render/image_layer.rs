//! `<Image>` layers: full-frame (§7.2) or positioned in a box (§7.3), still or with Ken Burns.
//!
//! The source is fitted once into the layer's box, pre-scaled by the largest zoom when it
//! moves, so each frame is one resample of a fractional window (smooth, no whole-pixel jumps)
//! and never touches the full-size original.

use fast_image_resize::Resizer;

use super::fit::{box_size, SrcRect};
use super::kenburns::{self, MAX_ZOOM};
use super::pixels::{composite_over, Pixmap, View};
use super::prepare::{fit, Source};
use super::resample::{resample, Alpha, FRAME_FILTER};
use super::RenderError;
use crate::scene::{CropPosition, ImageLayer, Resize, SourcePos, Zoom};

/// A frame buffer being drawn: opaque RGBA, `width`×`height`.
pub struct Frame<'a> {
    pub data: &'a mut [u8],
    pub width: u32,
    pub height: u32,
}

#[derive(Debug)]
pub struct ImagePlan {
    pub asset: usize,
    /// Where the program wrote the layer, to name it in a warning.
    pub source: Option<SourcePos>,
    resize: Resize,
    crop: CropPosition,
    zoom: Option<Zoom>,
    /// The layer's box in frame pixels (the whole frame for full-frame layers).
    x: i64,
    y: i64,
    width: u32,
    height: u32,
    full_frame: bool,
    prepared: Option<Prepared>,
}

#[derive(Debug)]
struct Prepared {
    /// The fitted image: box-sized when still, `MAX_ZOOM`× the box when it moves.
    pixmap: Pixmap,
    opaque: bool,
}

impl ImagePlan {
    /// `source_size` is the decoded image's size.
    pub fn new(layer: &ImageLayer, frame: (u32, u32), source_size: (u32, u32)) -> Self {
        let (x, y, width, height, full_frame) = match &layer.rect {
            None => (0, 0, frame.0, frame.1, true),
            Some(rect) => {
                let (w, h) = box_size(rect, source_size.0, source_size.1);
                (i64::from(rect.left), i64::from(rect.top), w, h, false)
            }
        };
        ImagePlan {
            asset: layer.asset,
            source: layer.source,
            resize: layer.resize,
            crop: layer.crop_position,
            zoom: layer.zoom,
            x,
            y,
            width,
            height,
            full_frame,
            prepared: None,
        }
    }

    /// The layer's box size in frame pixels.
    pub fn box_size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    pub fn is_full_frame(&self) -> bool {
        self.full_frame
    }

    pub fn is_prepared(&self) -> bool {
        self.prepared.is_some()
    }

    fn prepared_size(&self) -> (u32, u32) {
        match self.zoom {
            None => (self.width, self.height),
            Some(_) => (
                (f64::from(self.width) * MAX_ZOOM).round() as u32,
                (f64::from(self.height) * MAX_ZOOM).round() as u32,
            ),
        }
    }

    pub fn prepare(&mut self, resizer: &mut Resizer, src: Source<'_>) -> Result<(), RenderError> {
        let (w, h) = self.prepared_size();
        let pixmap = fit(resizer, src, w, h, self.resize, self.crop)?;
        let opaque = pixmap.is_opaque();
        self.prepared = Some(Prepared { pixmap, opaque });
        Ok(())
    }

    pub fn release(&mut self) {
        self.prepared = None;
    }

    /// Draws the layer at `progress` through its clip. With `replace`, nothing below matters
    /// and a full-frame layer writes the frame directly instead of blending. Returns `true`
    /// when it left non-opaque alpha in the frame (the caller restores opacity once).
    pub fn draw(
        &self,
        frame: &mut Frame<'_>,
        progress: f64,
        replace: bool,
        scratch: &mut Vec<u8>,
        resizer: &mut Resizer,
    ) -> Result<bool, RenderError> {
        let Some(prepared) = &self.prepared else {
            return Ok(false);
        };
        let direct = replace && self.full_frame;
        let pixmap = &prepared.pixmap;
        let Some(zoom) = self.zoom else {
            if direct {
                frame.data.copy_from_slice(&pixmap.data);
                return Ok(!prepared.opaque);
            }
            composite_over(
                frame.data,
                frame.width,
                frame.height,
                pixmap.view(),
                self.x,
                self.y,
            );
            return Ok(false);
        };

        let (l, t, w, h) = kenburns::window(zoom, progress);
        let (pw, ph) = (f64::from(pixmap.width), f64::from(pixmap.height));
        let crop = SrcRect {
            left: l * pw,
            top: t * ph,
            width: w * pw,
            height: h * ph,
        };
        if direct {
            resample(
                resizer,
                pixmap.view(),
                crop,
                frame.data,
                frame.width,
                frame.height,
                FRAME_FILTER,
                Alpha::Premultiplied,
            )?;
            return Ok(!prepared.opaque);
        }
        scratch.resize(self.width as usize * self.height as usize * 4, 0);
        resample(
            resizer,
            pixmap.view(),
            crop,
            scratch,
            self.width,
            self.height,
            FRAME_FILTER,
            Alpha::Premultiplied,
        )?;
        let view = View {
            data: scratch.as_slice(),
            width: self.width,
            height: self.height,
        };
        composite_over(frame.data, frame.width, frame.height, view, self.x, self.y);
        Ok(false)
    }
}
