//! The compose → encode pipeline: frames are drawn and converted to YUV on one thread and
//! encoded and muxed on another, through a short bounded queue. openh264 codes one slice per
//! frame on one core, so this overlap is where the second core earns its keep.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::time::{Duration, Instant};

use image::RgbaImage;

use super::h264::H264Encoder;
use super::mp4::Mp4Writer;
use super::progress::Throttle;
use super::still::thumbnail_jpeg;
use super::yuv::YuvFrame;
use super::{EncodeError, EncodedVideo};
use crate::audio::EncodedAudio;
use crate::render::Compositor;
use crate::scene::Scene;

/// Queued frames may hold at most about this many bytes: enough slack to ride out a clip's
/// one-off image preparation without stalling the encoder, bounded whatever the frame size.
const QUEUE_BYTES: usize = 32 << 20;
const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// The thumbnail shows the frame at 1 s, or the middle of shorter videos.
const THUMBNAIL_SECONDS: u64 = 1;

struct Composed {
    thumbnail: Option<Vec<u8>>,
    busy: Duration,
    warnings: Vec<String>,
}

struct Encoded {
    mp4: Vec<u8>,
    frames: u64,
    busy: Duration,
}

/// Draws and encodes every frame; `audio`, when given, becomes the MP4's sound track.
pub fn encode_scene(
    scene: &Scene,
    compositor: Compositor,
    audio: Option<EncodedAudio>,
    progress: &(dyn Fn(u64, u64) + Sync),
    cancel: &AtomicBool,
) -> Result<EncodedVideo, EncodeError> {
    let (width, height) = compositor.size();
    let fps = scene.fps;
    if fps == 0 {
        return Err(EncodeError::InvalidFps);
    }
    // Fail on a bad size before any thread starts.
    let probe = YuvFrame::new(width, height)?;
    let total = compositor.frame_count();
    let thumbnail_index = (u64::from(fps) * THUMBNAIL_SECONDS).min(total / 2);
    let frame_bytes = probe.y.len() * 3 / 2;
    let depth = (QUEUE_BYTES / frame_bytes.max(1)).clamp(2, 8);

    std::thread::scope(|s| {
        let (frames_tx, frames_rx) = sync_channel(depth);
        let (spare_tx, spare_rx) = channel();
        spare_tx.send(probe).ok();
        let composer = s.spawn(move || {
            compose(
                compositor,
                total,
                thumbnail_index,
                &frames_tx,
                &spare_rx,
                cancel,
            )
        });
        let encoded = encode(
            (width, height, fps),
            total,
            audio.as_ref(),
            frames_rx,
            &spare_tx,
            progress,
            cancel,
        );
        let composed = composer
            .join()
            .map_err(|_| EncodeError::Internal("the compositor thread panicked".into()));
        if cancel.load(Ordering::Relaxed) {
            return Err(EncodeError::Cancelled);
        }
        // When the composer failed, frames stopped arriving: its error is the cause.
        let composed = composed.and_then(|c| c)?;
        let encoded = encoded?;
        Ok(EncodedVideo {
            mp4: encoded.mp4,
            thumbnail_jpeg: composed.thumbnail.unwrap_or_default(),
            frames: encoded.frames,
            compose_ms: composed.busy.as_millis() as u64,
            encode_ms: encoded.busy.as_millis() as u64,
            warnings: composed.warnings,
        })
    })
}

fn compose(
    mut compositor: Compositor,
    total: u64,
    thumbnail_index: u64,
    frames: &SyncSender<(u64, YuvFrame)>,
    spares: &Receiver<YuvFrame>,
    cancel: &AtomicBool,
) -> Result<Composed, EncodeError> {
    let (width, height) = compositor.size();
    let mut rgba = RgbaImage::new(width, height);
    let mut thumbnail = None;
    let mut busy = Duration::ZERO;
    for index in 0..total {
        if cancel.load(Ordering::Relaxed) {
            return Err(EncodeError::Cancelled);
        }
        let started = Instant::now();
        compositor.render_frame(index, &mut rgba);
        let mut yuv = match spares.try_recv() {
            Ok(frame) => frame,
            Err(_) => YuvFrame::new(width, height)?,
        };
        yuv.fill_from_rgba(&rgba)?;
        busy += started.elapsed();
        if index == thumbnail_index {
            thumbnail = Some(thumbnail_jpeg(&rgba)?);
        }
        if frames.send((index, yuv)).is_err() {
            // The encoder stopped; it reports why.
            break;
        }
    }
    Ok(Composed {
        thumbnail,
        busy,
        warnings: compositor.take_warnings(),
    })
}

fn encode(
    (width, height, fps): (u32, u32, u32),
    total: u64,
    audio: Option<&EncodedAudio>,
    frames: Receiver<(u64, YuvFrame)>,
    spares: &Sender<YuvFrame>,
    progress: &(dyn Fn(u64, u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Encoded, EncodeError> {
    let mut encoder = H264Encoder::new(width, height, fps)?;
    let mut mp4 = Mp4Writer::new(width, height, fps, audio)?;
    let mut nal = Vec::new();
    let mut throttle = Throttle::new(PROGRESS_INTERVAL);
    let mut busy = Duration::ZERO;
    for done in 1..=total {
        let (index, yuv) = frames
            .recv()
            .map_err(|_| EncodeError::Internal("frames stopped arriving".into()))?;
        if cancel.load(Ordering::Relaxed) {
            return Err(EncodeError::Cancelled);
        }
        let started = Instant::now();
        let keyframe = encoder.encode(&yuv, index, &mut nal)?;
        mp4.write(index, &nal, keyframe)?;
        busy += started.elapsed();
        spares.send(yuv).ok();
        if throttle.ready() || done == total {
            progress(done, total);
        }
    }
    drop(frames);
    let started = Instant::now();
    if let Some(audio) = audio {
        mp4.write_audio(audio)?;
    }
    let mp4 = mp4.finish()?;
    busy += started.elapsed();
    Ok(Encoded {
        mp4,
        frames: total,
        busy,
    })
}
