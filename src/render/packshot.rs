//! `<Packshot>` (§18): an end card of background, logo, title and call to action, each drawn
//! once into a sprite so that frames only blend (and, for the blinking CTA, scale).

mod button;

use std::sync::Arc;

use image::RgbaImage;

use self::button::BlinkingButton;
use super::fit::box_size;
use super::image_layer::{Frame, ImagePlan};
use super::layers::{decoded_image, prepare, Tools};
use super::sequence::card::{Card, CardTime};
use super::timeline::Span;
use super::title::TitlePlan;
use super::RenderError;
use crate::media::VideoFile;
use crate::scene::{
    Align, AssetKind, Background, BoxRect, CropPosition, ImageLayer, PackshotLayer, Resize,
    TextKind, TextLayer, TextPosition, Zoom,
};

/// A logo's box may exceed the frame (to be cropped), but not by so much that preparing it
/// would allocate gigabytes.
const MAX_LOGO_FACTOR: u32 = 4;

enum Backdrop {
    /// Premultiplied over black, so opaque.
    Color([u8; 4]),
    Card(Card),
}

pub struct PackshotPlan {
    span: Span,
    background: Backdrop,
    logo: Option<ImagePlan>,
    /// Title, then the static CTA.
    texts: Vec<TitlePlan>,
    button: Option<BlinkingButton>,
}

impl PackshotPlan {
    pub fn new(
        layer: &PackshotLayer,
        span: Span,
        frame: (u32, u32),
        images: &[Arc<RgbaImage>],
        videos: &[Option<Arc<VideoFile>>],
    ) -> Result<Self, RenderError> {
        let background = match layer.background {
            Background::Color { color } => {
                let [r, g, b, _] = super::pixels::premultiply(color);
                Backdrop::Color([r, g, b, 255])
            }
            Background::Image { asset } => Backdrop::Card(Card::new(
                asset,
                AssetKind::Image,
                Some(Zoom::In),
                frame,
                images,
                videos,
            )?),
            Background::Video { asset } => Backdrop::Card(Card::new(
                asset,
                AssetKind::Video,
                None,
                frame,
                images,
                videos,
            )?),
        };
        let logo = match layer.logo {
            Some(asset) => Some(logo_plan(layer, asset, frame, images)?),
            None => None,
        };
        let length = span.end - span.start;
        let mut texts = Vec::new();
        if let Some(title) = &layer.title {
            let text = text_layer(
                layer,
                title,
                layer.title_color,
                layer.title_position,
                length,
            );
            texts.extend(TitlePlan::new(&text, span.start, frame.0, frame.1));
        }
        let mut button = None;
        if let Some(cta) = layer.cta.as_deref().filter(|c| !c.trim().is_empty()) {
            if layer.blink {
                button = Some(BlinkingButton::new(layer, cta, frame));
            } else {
                let text = text_layer(layer, cta, layer.cta_color, layer.cta_position, length);
                texts.extend(TitlePlan::new(&text, span.start, frame.0, frame.1));
            }
        }
        Ok(PackshotPlan {
            span,
            background,
            logo,
            texts,
            button,
        })
    }

    pub fn visible(&self, t: f64) -> bool {
        self.span.contains(t)
    }

    pub fn release(&mut self) {
        if let Backdrop::Card(card) = &mut self.background {
            card.release();
        }
        if let Some(logo) = &mut self.logo {
            logo.release();
        }
    }

    /// Draws the whole frame at global time `t`; the result is opaque.
    pub fn draw(&mut self, t: f64, frame: &mut Frame<'_>, tools: &mut Tools<'_>) {
        let elapsed = (t - self.span.start).max(0.0);
        match &mut self.background {
            Backdrop::Color(colour) => super::pixels::fill(frame.data, *colour),
            Backdrop::Card(card) => {
                let time = CardTime {
                    progress: self.span.progress(t),
                    elapsed,
                };
                card.draw(frame, time, tools);
            }
        }
        if let Some(logo) = &mut self.logo {
            draw_logo(logo, frame, tools);
        }
        for text in &self.texts {
            text.draw(frame.data, frame.width, frame.height);
        }
        if let Some(button) = &mut self.button {
            if let Err(e) = button.draw(elapsed, frame, tools.resizer) {
                tools.skip("the packshot's CTA button", &e);
            }
        }
    }
}

fn draw_logo(logo: &mut ImagePlan, frame: &mut Frame<'_>, tools: &mut Tools<'_>) {
    if !logo.is_prepared() {
        if let Err(e) = prepare(logo, tools) {
            tools.skip("the packshot's logo", &e);
            return;
        }
    }
    if let Err(e) = logo.draw(frame, 0.0, false, tools.scratch, tools.resizer) {
        tools.skip("the packshot's logo", &e);
    }
}

/// The logo `logo_width` wide, aspect kept, at its §4.2 preset.
fn logo_plan(
    layer: &PackshotLayer,
    asset: usize,
    frame: (u32, u32),
    images: &[Arc<RgbaImage>],
) -> Result<ImagePlan, RenderError> {
    let source = decoded_image(images, asset)?;
    let mut rect = BoxRect {
        left: 0,
        top: 0,
        width: layer.logo_width,
        height: None,
    };
    let (w, h) = box_size(&rect, source.width(), source.height());
    let limit = MAX_LOGO_FACTOR * frame.0.max(frame.1);
    if w > limit || h > limit {
        return Err(RenderError::BoxTooLarge {
            width: w,
            height: h,
        });
    }
    rect.left = preset(layer.logo_position.horizontal, frame.0, w);
    rect.top = preset(layer.logo_position.vertical, frame.1, h);
    rect.height = Some(h);
    let logo = ImageLayer {
        asset,
        resize: Resize::Cover,
        crop_position: CropPosition::Center,
        zoom: None,
        rect: Some(rect),
        window: None,
        source: layer.source,
    };
    Ok(ImagePlan::new(&logo, frame, source.dimensions()))
}

/// §4.2 along one axis: 10 % margin at the start, centred, or 10 % margin at the end.
fn preset(align: Align, frame: u32, size: u32) -> i32 {
    let (frame, size) = (f64::from(frame), f64::from(size));
    let v = match align {
        Align::Start => 0.1 * frame,
        Align::Center => (frame - size) / 2.0,
        Align::End => 0.9 * frame - size,
    };
    v.round() as i32
}

/// A Title (§11 sizing and placement) shown for the whole packshot.
fn text_layer(
    layer: &PackshotLayer,
    text: &str,
    color: [u8; 4],
    position: TextPosition,
    length: f64,
) -> TextLayer {
    TextLayer {
        kind: TextKind::Title,
        text: text.to_string(),
        position,
        color,
        outline: None,
        outline_color: [0, 0, 0, 255],
        background: None,
        font_family: None,
        font_path: None,
        start: 0.0,
        end: length,
        given_window: (None, None),
        source: layer.source,
    }
}
