//! Moving placeholders for generated videos (D10): the still placeholder art under a slow
//! zoom and drift, with a light band sweeping across, a progress bar and the time, so a
//! preview shows at a glance that the clip plays and where it is. Deterministic from the
//! props, encoded by our own H.264 encoder.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbaImage;

use super::{placeholder_image, Dice};
use crate::encode::{encode_frames, EncodeError};
use crate::media::MediaError;
use crate::render::pixels::composite_over;
use crate::render::text::{render_text, LineAlign, TextStyle};

/// The zoom reached at the end of the clip.
const END_ZOOM: f64 = 1.15;
/// Seconds for the light band to cross the picture once.
const BAND_PERIOD: f64 = 2.0;
const BAND_STRENGTH: f64 = 0.22;
/// Longer placeholders are refused: nothing asks for them, and encoding one would take minutes.
const MAX_SECONDS: f64 = 600.0;

/// A moving placeholder for a generated video (D10), as an H.264 MP4 of `duration` seconds.
pub fn placeholder_video(
    prompt: &str,
    label: &str,
    width: u32,
    height: u32,
    duration: f64,
    fps: u32,
) -> Result<Vec<u8>, MediaError> {
    if !(duration.is_finite() && duration > 0.0 && duration <= MAX_SECONDS) || fps == 0 {
        return Err(MediaError::Unsupported(format!(
            "a placeholder video of {duration} s at {fps} fps cannot be made (0 to {MAX_SECONDS} s, fps at least 1)"
        )));
    }
    // 4:2:0 needs even sides.
    let even = |v: u32| (v.max(2) / 2) * 2;
    let (w, h) = (even(width), even(height));
    let count = ((duration * f64::from(fps)).round() as u64).max(1);
    let art = placeholder_image(prompt, label, w, h);
    let drift = if Dice::new(prompt).next() & 1 == 0 {
        1.0
    } else {
        -1.0
    };
    let mut resizer = Resizer::new();
    encode_frames(w, h, fps, count, |index, frame| {
        let progress = index as f64 / (count - 1).max(1) as f64;
        zoomed(&mut resizer, &art, frame, progress, drift)?;
        let t = index as f64 / f64::from(fps);
        sweep_band(frame, t);
        progress_bar(frame, (index + 1) as f64 / count as f64);
        time_label(frame, t);
        Ok(())
    })
    .map_err(|e| {
        MediaError::Unsupported(format!("the placeholder video could not be encoded: {e}"))
    })
}

/// The art zoomed in by up to `END_ZOOM`, its window drifting sideways as it goes.
fn zoomed(
    resizer: &mut Resizer,
    art: &RgbaImage,
    out: &mut RgbaImage,
    progress: f64,
    drift: f64,
) -> Result<(), EncodeError> {
    let (w, h) = (f64::from(art.width()), f64::from(art.height()));
    let zoom = 1.0 + (END_ZOOM - 1.0) * progress;
    let (cw, ch) = (w / zoom, h / zoom);
    let along = if drift > 0.0 {
        progress
    } else {
        1.0 - progress
    };
    let (left, top) = ((w - cw) * along, (h - ch) / 2.0);
    let failed = |e: String| EncodeError::Internal(format!("placeholder zoom: {e}"));
    let src = ImageRef::new(art.width(), art.height(), art.as_raw(), PixelType::U8x4)
        .map_err(|e| failed(e.to_string()))?;
    let (ow, oh) = out.dimensions();
    let mut dst = Image::from_slice_u8(ow, oh, out.as_mut(), PixelType::U8x4)
        .map_err(|e| failed(e.to_string()))?;
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(FilterType::Bilinear))
        .crop(left, top, cw, ch);
    resizer
        .resize(&src, &mut dst, &options)
        .map_err(|e| failed(e.to_string()))
}

/// A soft vertical band of light crossing left to right every `BAND_PERIOD` seconds.
fn sweep_band(frame: &mut RgbaImage, t: f64) {
    let (w, h) = frame.dimensions();
    let half = (f64::from(w) / 10.0).max(2.0);
    let centre = (t / BAND_PERIOD).fract() * (f64::from(w) + 4.0 * half) - 2.0 * half;
    let x0 = (centre - half).floor().max(0.0) as u32;
    let x1 = ((centre + half).ceil().max(0.0) as u32).min(w);
    for x in x0..x1 {
        let d = ((f64::from(x) + 0.5 - centre) / half).abs();
        let a = BAND_STRENGTH * (1.0 - d).max(0.0);
        for y in 0..h {
            let p = frame.get_pixel_mut(x, y);
            for c in 0..3 {
                let v = f64::from(p.0[c]);
                p.0[c] = (v + (255.0 - v) * a).round() as u8;
            }
        }
    }
}

/// A bar along the bottom filling up as the clip plays.
fn progress_bar(frame: &mut RgbaImage, done: f64) {
    let (w, h) = frame.dimensions();
    let bar = (h / 60).max(2);
    let y0 = h.saturating_sub(bar * 3);
    let (x0, x1) = (w / 20, w - w / 20);
    let filled = x0 + ((f64::from(x1 - x0) * done.clamp(0.0, 1.0)).round() as u32);
    for y in y0..(y0 + bar).min(h) {
        for x in x0..x1 {
            let p = frame.get_pixel_mut(x, y);
            if x < filled {
                p.0 = [255, 255, 255, 255];
            } else {
                for c in 0..3 {
                    p.0[c] /= 2;
                }
            }
        }
    }
}

/// The clip time, top left, like a player's counter.
fn time_label(frame: &mut RgbaImage, t: f64) {
    let (w, h) = frame.dimensions();
    let size = (w.min(h) / 24).max(8) as f32;
    let block = render_text(
        &format!("{t:.1} s"),
        &TextStyle {
            size,
            line_height: (size * 1.2).round(),
            color: [255, 255, 255, 255],
            outline: Some(((size / 12.0).max(1.0), [0, 0, 0, 200])),
            max_width: None,
            align: LineAlign::Left,
            bold: true,
        },
    );
    let margin = i64::from(w.min(h) / 24);
    composite_over(
        frame,
        w,
        h,
        block.sprite.view(),
        margin + i64::from(block.offset_x),
        margin + i64::from(block.offset_y),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::{probe_video, VideoFile, VideoSource};
    use std::sync::Arc;

    #[test]
    fn placeholder_video_has_the_asked_size_and_length_and_moves() {
        let mp4 =
            placeholder_video("a red fox running", "VIDEO", 160, 90, 2.0, 10).expect("placeholder");
        let info = probe_video(&mp4).expect("probe");
        assert_eq!((info.width, info.height), (160, 90));
        assert!((info.duration - 2.0).abs() < 1e-3, "{}", info.duration);
        let mut video = VideoSource::new(Arc::new(VideoFile {
            bytes: mp4.into(),
            info,
        }))
        .expect("source");
        let first = video.frame_at(0.0).expect("frame").clone();
        let later = video.frame_at(1.5).expect("frame").clone();
        let differing = first
            .pixels()
            .zip(later.pixels())
            .filter(|(a, b)| (0..3).any(|c| a.0[c].abs_diff(b.0[c]) > 24))
            .count();
        assert!(
            differing > (160 * 90) / 10,
            "only {differing} pixels changed between 0 s and 1.5 s"
        );
    }

    #[test]
    fn same_props_same_bytes() {
        let a = placeholder_video("ocean waves", "VIDEO", 64, 36, 0.5, 8).expect("a");
        let b = placeholder_video("ocean waves", "VIDEO", 64, 36, 0.5, 8).expect("b");
        assert_eq!(a, b);
    }

    #[test]
    fn odd_sizes_are_evened_and_bad_lengths_refused() {
        let mp4 = placeholder_video("x", "VIDEO", 33, 21, 0.2, 10).expect("placeholder");
        let info = probe_video(&mp4).expect("probe");
        assert_eq!((info.width, info.height), (32, 20));
        assert!(placeholder_video("x", "VIDEO", 32, 32, f64::NAN, 10).is_err());
        assert!(placeholder_video("x", "VIDEO", 32, 32, 1.0, 0).is_err());
    }
}
