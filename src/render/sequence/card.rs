//! One full-frame card of a Slider, Swipe or Packshot background: an image drawn through
//! [`ImagePlan`] (cover, optional Ken Burns), or a video through [`VideoPlan`] (cover,
//! playing from the card's first appearance).

use std::sync::Arc;

use image::RgbaImage;

use crate::media::VideoFile;
use crate::render::image_layer::{Frame, ImagePlan};
use crate::render::layers::{decoded_image, prepare, Tools};
use crate::render::pixels::{fill, force_opaque};
use crate::render::video_layer::VideoPlan;
use crate::render::RenderError;
use crate::scene::{AssetKind, CropPosition, ImageLayer, Resize, VideoLayer, Zoom};

/// What a card shows when its picture cannot be had (no decoded video was provided, or the
/// file failed mid-render): a neutral dark grey, so the sequence's layout and timing still
/// read without pretending to be picture.
pub const STAND_IN: [u8; 4] = [48, 48, 48, 255];

/// Where a card's pixels come from.
pub enum CardSource {
    Image(ImagePlan),
    /// Plays from source time 0 when the card first appears.
    Video(Box<VideoPlan>),
    /// A video item without a decoded file.
    StandIn,
}

/// Where a card is in its own time on screen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CardTime {
    /// 0..1 through the time the card is on screen (drives Ken Burns).
    pub progress: f64,
    /// Seconds since the card first appeared (what a video card plays from).
    pub elapsed: f64,
}

pub struct Card {
    source: CardSource,
}

impl Card {
    /// A full-frame `cover` card of asset `asset`. Images move per `zoom`; videos ignore it.
    /// A video file that cannot be read is an error, as for a `<Video>` layer.
    pub fn new(
        asset: usize,
        kind: AssetKind,
        zoom: Option<Zoom>,
        frame: (u32, u32),
        images: &[Arc<RgbaImage>],
        videos: &[Option<Arc<VideoFile>>],
    ) -> Result<Self, RenderError> {
        if kind != AssetKind::Image {
            return Ok(Card {
                source: video(asset, frame, videos)?,
            });
        }
        let source = decoded_image(images, asset)?;
        let layer = ImageLayer {
            asset,
            resize: Resize::Cover,
            crop_position: CropPosition::Center,
            zoom,
            rect: None,
            window: None,
            source: None,
        };
        Ok(Card {
            source: CardSource::Image(ImagePlan::new(&layer, frame, source.dimensions())),
        })
    }

    /// Replaces all of `frame` with the card at `time`; the result is opaque. A card that
    /// cannot be drawn shows the stand-in grey and logs why, rather than failing the render.
    pub fn draw(&mut self, frame: &mut Frame<'_>, time: CardTime, tools: &mut Tools<'_>) {
        let drawn = match &mut self.source {
            CardSource::Image(plan) => {
                let asset = plan.asset;
                let result = if plan.is_prepared() {
                    Ok(())
                } else {
                    prepare(plan, tools)
                };
                result
                    .and_then(|()| {
                        plan.draw(frame, time.progress, true, tools.scratch, tools.resizer)
                    })
                    .map_err(|e| (asset, e))
            }
            // After a failure the plan has logged once; later frames show the stand-in.
            CardSource::Video(plan) if plan.failed() => {
                fill(frame.data, STAND_IN);
                return;
            }
            CardSource::Video(plan) => plan
                .draw(time.elapsed, frame, true, tools.scratch, tools.resizer)
                .map_err(|e| (plan.asset, e)),
            CardSource::StandIn => {
                fill(frame.data, STAND_IN);
                return;
            }
        };
        match drawn {
            Ok(true) => force_opaque(frame.data),
            Ok(false) => {}
            Err((asset, e)) => {
                tools.skip(
                    &format!("a card (asset {asset}) of a <Slider> or <Swipe>"),
                    &e,
                );
                fill(frame.data, STAND_IN);
            }
        }
    }

    /// Drops prepared pixels (and a video's decoder) while the card is off screen.
    pub fn release(&mut self) {
        match &mut self.source {
            CardSource::Image(plan) => plan.release(),
            CardSource::Video(plan) => plan.release(),
            CardSource::StandIn => {}
        }
    }
}

fn video(
    asset: usize,
    frame: (u32, u32),
    videos: &[Option<Arc<VideoFile>>],
) -> Result<CardSource, RenderError> {
    let Some(file) = videos.get(asset).and_then(Option::as_ref) else {
        tracing::warn!(
            asset,
            "no decoded video for a card: it is drawn as a grey stand-in"
        );
        return Ok(CardSource::StandIn);
    };
    let layer = VideoLayer::full_frame(asset, None);
    // Output time 0 stands for the card's first appearance: it is drawn at
    // `CardTime::elapsed`.
    let plan = VideoPlan::new(&layer, frame, file.clone(), 0.0)?;
    Ok(CardSource::Video(Box::new(plan)))
}
