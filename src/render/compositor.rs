//! The frame compositor: a scene plus decoded images in, one RGBA frame per call out.

use std::sync::Arc;

use fast_image_resize::Resizer;
use image::RgbaImage;

use super::captions::CaptionPlan;
use super::image_layer::Frame;
use super::layers::{draw_layers, LayerPlan, Tools};
use super::timeline::{self, Span};
use super::transition::{self, TransitionKind};
use super::RenderError;
use crate::media::{Media, VideoFile};
use crate::scene::Scene;

/// Frames larger than this on either side are refused before any buffer is allocated.
const MAX_SIDE: u32 = 16384;

/// Renders frames of one scene. Everything that does not change per frame is decided in
/// [`Compositor::new`]; an image layer's fitted (and pre-zoomed) pixels are made when it
/// first appears and dropped once it is gone, so memory follows what is on screen rather
/// than the length of the scene.
pub struct Compositor {
    width: u32,
    height: u32,
    fps: f64,
    frame_count: u64,
    clips: Vec<ClipPlan>,
    /// Render-level overlays, drawn over the joined clips.
    overlays: Vec<LayerPlan>,
    /// `<Captions>` tracks, drawn over everything.
    captions: Vec<CaptionPlan>,
    images: Vec<Arc<RgbaImage>>,
    /// Per asset, whether any pixel is translucent; found on first use.
    has_alpha: Vec<Option<bool>>,
    resizer: Resizer,
    /// Buffers reused across frames so steady-state rendering allocates nothing.
    active: Vec<usize>,
    layer_scratch: Vec<u8>,
    clip_scratch: Vec<u8>,
    /// Parts of the scene that failed to draw, for the job's warnings.
    skipped: Vec<String>,
}

struct ClipPlan {
    span: Span,
    /// How this clip hands over to the next one where they overlap.
    transition: TransitionKind,
    layers: Vec<LayerPlan>,
}

impl Compositor {
    /// `images[i]` is the decoded pixels of `scene.assets[i]`; for scenes without videos.
    pub fn new(scene: &Scene, images: Vec<Arc<RgbaImage>>) -> Result<Self, RenderError> {
        Self::with_videos(scene, images, &[])
    }

    /// `media[i]` is the content of `scene.assets[i]`, as the asset resolver made it.
    pub fn from_media(scene: &Scene, media: &[Media]) -> Result<Self, RenderError> {
        // Other kinds never reach an image layer; a blank keeps the indices aligned.
        let blank = Arc::new(RgbaImage::new(1, 1));
        let images = media
            .iter()
            .map(|m| match m {
                Media::Image(image) => image.clone(),
                _ => blank.clone(),
            })
            .collect();
        let videos: Vec<_> = media
            .iter()
            .map(|m| match m {
                Media::Video(video) => Some(video.clone()),
                _ => None,
            })
            .collect();
        Self::with_videos(scene, images, &videos)
    }

    fn with_videos(
        scene: &Scene,
        images: Vec<Arc<RgbaImage>>,
        videos: &[Option<Arc<VideoFile>>],
    ) -> Result<Self, RenderError> {
        let (width, height) = (scene.width, scene.height);
        if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
            return Err(RenderError::InvalidSize { width, height });
        }
        if scene.fps == 0 {
            return Err(RenderError::InvalidFps);
        }
        let frame = (width, height);
        let mut clips = Vec::with_capacity(scene.clips.len());
        for clip in &scene.clips {
            let span = Span {
                start: clip.start,
                end: clip.end(),
            };
            let mut layers = Vec::with_capacity(clip.layers.len());
            for layer in &clip.layers {
                layers.extend(LayerPlan::new(
                    layer, span, clip.start, frame, &images, videos,
                )?);
            }
            clips.push(ClipPlan {
                span,
                transition: clip
                    .transition
                    .as_ref()
                    .map_or(TransitionKind::Dissolve, |t| {
                        TransitionKind::from_name(&t.name)
                    }),
                layers,
            });
        }
        let whole = Span {
            start: 0.0,
            end: scene.duration,
        };
        let mut overlays = Vec::with_capacity(scene.overlays.len());
        for layer in &scene.overlays {
            overlays.extend(LayerPlan::new(layer, whole, 0.0, frame, &images, videos)?);
        }
        Ok(Compositor {
            width,
            height,
            fps: f64::from(scene.fps),
            frame_count: scene.frame_count(),
            clips,
            overlays,
            captions: scene
                .captions
                .iter()
                .filter_map(|track| CaptionPlan::new(track, width, height))
                .collect(),
            has_alpha: vec![None; images.len()],
            images,
            resizer: Resizer::new(),
            active: Vec::new(),
            layer_scratch: Vec::new(),
            skipped: Vec::new(),
            clip_scratch: Vec::new(),
        })
    }

    /// What could not be drawn so far (one line each), for the job's warnings.
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.skipped)
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
            let on_screen = active.contains(&i);
            for layer in &mut clip.layers {
                if on_screen {
                    layer.release_if_hidden(t);
                } else {
                    layer.release();
                }
            }
        }
        for layer in &mut self.overlays {
            layer.release_if_hidden(t);
        }

        let (width, height) = (self.width, self.height);
        let mut tools = Tools {
            images: &self.images,
            has_alpha: &mut self.has_alpha,
            resizer: &mut self.resizer,
            scratch: &mut self.layer_scratch,
            skipped: &mut self.skipped,
        };
        let mut frame = Frame {
            data: out,
            width,
            height,
        };
        match active.first() {
            None => draw_layers(&mut [], t, &mut frame, &mut tools, true),
            Some(&first) => draw_layers(
                &mut self.clips[first].layers,
                t,
                &mut frame,
                &mut tools,
                true,
            ),
        }
        for pair in active.windows(2) {
            let (outgoing, incoming) = (pair[0], pair[1]);
            self.clip_scratch.resize(frame.data.len(), 0);
            let mut next = Frame {
                data: &mut self.clip_scratch,
                width,
                height,
            };
            draw_layers(
                &mut self.clips[incoming].layers,
                t,
                &mut next,
                &mut tools,
                true,
            );
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
                width,
                height,
            );
        }
        draw_layers(&mut self.overlays, t, &mut frame, &mut tools, false);
        for captions in &mut self.captions {
            captions.draw(t, frame.data);
        }
        self.active = active;
    }
}
