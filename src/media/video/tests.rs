//! Probing and decoding MP4s made by our own encoder, and refusing what is not one.

use std::sync::Arc;

use image::Rgba;

use super::*;
use crate::encode::encode_frames;

/// Twelve colours far enough apart that YUV 4:2:0 round trips never confuse them.
pub(crate) const PALETTE: [[u8; 3]; 12] = [
    [220, 40, 40],
    [40, 200, 40],
    [40, 40, 220],
    [220, 220, 40],
    [40, 220, 220],
    [220, 40, 220],
    [230, 230, 230],
    [120, 120, 120],
    [230, 140, 30],
    [120, 40, 160],
    [30, 100, 60],
    [30, 30, 30],
];

/// `frames` solid frames at `fps`, frame `i` in `PALETTE[i % 12]`.
pub(crate) fn coloured_mp4(width: u32, height: u32, fps: u32, frames: u64) -> Vec<u8> {
    encode_frames(width, height, fps, frames, |i, img| {
        let [r, g, b] = PALETTE[i as usize % PALETTE.len()];
        for p in img.pixels_mut() {
            *p = Rgba([r, g, b, 255]);
        }
        Ok(())
    })
    .expect("encode test video")
}

pub(crate) fn close(actual: [u8; 4], expected: [u8; 3]) -> bool {
    (0..3).all(|c| (i32::from(actual[c]) - i32::from(expected[c])).abs() <= 12)
}

pub(crate) fn source(bytes: Vec<u8>) -> VideoSource {
    let info = probe_video(&bytes).expect("probe");
    VideoSource::new(Arc::new(VideoFile {
        bytes: bytes.into(),
        info,
    }))
    .expect("source")
}

fn centre(source: &mut VideoSource, seconds: f64) -> [u8; 4] {
    let frame = source.frame_at(seconds).expect("frame");
    frame.get_pixel(frame.width() / 2, frame.height() / 2).0
}

#[test]
fn probe_reads_size_length_and_rate() {
    let info = probe_video(&coloured_mp4(64, 48, 12, 12)).expect("probe");
    assert_eq!((info.width, info.height), (64, 48));
    assert!((info.duration - 1.0).abs() < 1e-3, "{}", info.duration);
    assert!((info.fps - 12.0).abs() < 1e-3, "{}", info.fps);
    assert!(!info.has_audio);
}

#[test]
fn each_source_time_shows_its_frame() {
    let mut video = source(coloured_mp4(64, 48, 12, 12));
    for (seconds, frame) in [(0.0, 0), (0.09, 1), (0.5, 6), (0.99, 11), (0.25, 3)] {
        let got = centre(&mut video, seconds);
        assert!(
            close(got, PALETTE[frame]),
            "at {seconds}s expected frame {frame} {:?}, got {got:?}",
            PALETTE[frame]
        );
    }
}

#[test]
fn past_the_end_the_last_frame_holds() {
    let mut video = source(coloured_mp4(64, 48, 12, 12));
    assert_eq!(video.frame_index(5.0), 11);
    assert!(close(centre(&mut video, 5.0), PALETTE[11]));
    assert_eq!(video.frame_index(-1.0), 0);
}

#[test]
fn seeking_back_across_keyframes_decodes_the_right_frame() {
    // 12 fps with an IDR every 2 s: frames 0 and 24 are keyframes.
    let mut video = source(coloured_mp4(32, 32, 12, 36));
    assert!(close(centre(&mut video, 2.9), PALETTE[34 % 12]));
    assert!(close(centre(&mut video, 0.5), PALETTE[6]));
    assert!(close(centre(&mut video, 2.1), PALETTE[25 % 12]));
    assert_eq!(video.current_index(), Some(25));
    video.release();
    assert_eq!(video.current_index(), None);
    assert!(close(centre(&mut video, 1.0), PALETTE[0]));
}

#[test]
fn playing_forward_decodes_each_picture_once_from_one_start() {
    // A 12 fps source sampled at 30 fps, as a render does.
    let mut video = source(coloured_mp4(32, 32, 12, 36));
    for i in 0..90 {
        video.frame_at(f64::from(i) / 30.0).expect("frame");
    }
    // Keyframes at 0 and 24 are reached by decoding on, never by restarting.
    assert_eq!(video.work(), (1, 36));
    // A backwards seek restarts once, at the keyframe before the target.
    video.frame_at(0.5).expect("frame");
    assert_eq!(video.work(), (2, 37));
}

#[test]
fn not_an_mp4_is_refused() {
    let err = probe_video(b"GIF89a this is not a video at all").expect_err("refused");
    assert!(err.to_string().contains("not an MP4"), "{err}");
    assert!(probe_video(&[]).is_err());
}

#[test]
fn truncated_files_are_refused_not_panicked_on() {
    let bytes = coloured_mp4(64, 48, 12, 12);
    for cut in [8, 40, bytes.len() / 3, bytes.len() / 2, bytes.len() - 10] {
        assert!(probe_video(&bytes[..cut]).is_err(), "cut at {cut}");
    }
}

#[test]
fn corrupt_pictures_give_errors_not_panics() {
    let mut bytes = coloured_mp4(64, 48, 12, 12);
    // Scribble over the second half, where the pictures live (the index is at the front).
    let half = bytes.len() / 2;
    for (i, b) in bytes[half..].iter_mut().enumerate() {
        *b = (i * 37 % 251) as u8;
    }
    if let Ok(info) = probe_video(&bytes) {
        let mut video = VideoSource::new(Arc::new(VideoFile {
            bytes: bytes.into(),
            info,
        }))
        .expect("the index is intact");
        for t in [0.0, 0.5, 0.99] {
            let _ = video.frame_at(t);
        }
    }
}

#[test]
fn hevc_is_named_in_the_error() {
    let mut bytes = coloured_mp4(64, 48, 12, 2);
    let at = bytes
        .windows(4)
        .position(|w| w == b"avc1")
        .expect("avc1 entry");
    bytes[at..at + 4].copy_from_slice(b"hvc1");
    let err = probe_video(&bytes).expect_err("refused");
    assert!(err.to_string().contains("HEVC"), "{err}");
}

/// `bytes` with the 4 bytes after the first `tag` box type, plus `skip`, replaced.
fn patch_after(bytes: &mut [u8], tag: &[u8; 4], skip: usize, value: &[u8]) {
    let at = bytes
        .windows(4)
        .position(|w| w == tag)
        .expect("box present")
        + 4
        + skip;
    bytes[at..at + value.len()].copy_from_slice(value);
}

#[test]
fn hostile_sizes_are_refused_before_allocating() {
    let clean = coloured_mp4(64, 48, 12, 12);

    let mut wide = clean.clone();
    patch_after(&mut wide, b"avc1", 24, &60000u16.to_be_bytes());
    let err = probe_video(&wide).expect_err("refused");
    assert!(err.to_string().contains("60000×48"), "{err}");

    // stsz: version/flags, fixed size 0, then the count.
    let mut counted = clean;
    patch_after(&mut counted, b"stsz", 8, &0x7fff_ffffu32.to_be_bytes());
    assert!(probe_video(&counted).is_err());
}
