//! Transition effects on small textured frames: endpoints, midpoints, distinctness of every
//! name, a few direction checks against ffmpeg's conventions, and one whole-scene render.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::tests::{clip, image, render, scene, solid};
use super::transition::{apply, TransitionKind, NAMES};
use crate::scene::{CropPosition, Resize, GL_NAMES, XFADE_NAMES};

const W: usize = 64;
const H: usize = 36;

/// Outgoing: smooth gradients with a fine diagonal texture.
fn outgoing(w: usize, h: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(w * h * 4);
    for y in 0..h {
        for x in 0..w {
            v.extend_from_slice(&[
                (x * 255 / w) as u8,
                (y * 255 / h) as u8,
                if (x + y) % 6 < 3 { 40 } else { 90 },
                255,
            ]);
        }
    }
    v
}

/// Incoming: a coarse checkerboard with crossing gradients, unlike the outgoing frame.
fn incoming(w: usize, h: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(w * h * 4);
    for y in 0..h {
        for x in 0..w {
            let check = (x / 8 + y / 8) % 2 == 0;
            v.extend_from_slice(&[
                255 - (y * 255 / h) as u8,
                if check { 230 } else { 20 },
                255 - (x * 200 / w) as u8,
                255,
            ]);
        }
    }
    v
}

fn run_sized(name: &str, p: f64, w: usize, h: usize) -> Vec<u8> {
    let mut out = outgoing(w, h);
    apply(
        TransitionKind::from_name(name),
        p,
        &mut out,
        &incoming(w, h),
        w as u32,
        h as u32,
    );
    out
}

fn run(name: &str, p: f64) -> Vec<u8> {
    run_sized(name, p, W, H)
}

fn all_names() -> impl Iterator<Item = &'static str> {
    XFADE_NAMES.iter().chain(GL_NAMES).copied()
}

/// Mean absolute difference per colour channel.
fn mad(x: &[u8], y: &[u8]) -> f64 {
    let sum: u64 = x
        .chunks_exact(4)
        .zip(y.chunks_exact(4))
        .map(|(a, b)| (0..3).map(|c| u64::from(a[c].abs_diff(b[c]))).sum::<u64>())
        .sum();
    sum as f64 / (x.len() / 4 * 3) as f64
}

fn px(f: &[u8], w: usize, x: usize, y: usize) -> [u8; 3] {
    let i = (y * w + x) * 4;
    [f[i], f[i + 1], f[i + 2]]
}

#[test]
fn the_table_names_exactly_the_scene_names() {
    for name in all_names() {
        assert!(
            NAMES.iter().any(|(n, _)| *n == name),
            "{name} has no effect"
        );
    }
    for (n, _) in NAMES {
        assert!(
            all_names().any(|name| name == *n),
            "{n} is not a scene name"
        );
    }
    let fade = TransitionKind::from_name("fade");
    let fade_like: Vec<&str> = GL_NAMES
        .iter()
        .copied()
        .filter(|n| TransitionKind::from_name(n) == fade)
        .collect();
    assert_eq!(fade_like, ["crossfade"], "only crossfade may dissolve");
}

#[test]
fn every_name_starts_on_the_outgoing_and_ends_on_the_incoming_frame() {
    let (a, b) = (outgoing(W, H), incoming(W, H));
    for name in all_names() {
        assert_eq!(run(name, 0.0), a, "{name} at 0");
        assert_eq!(run(name, 1.0), b, "{name} at 1");
    }
}

#[test]
fn every_name_is_continuous_at_both_ends() {
    // Near the ends each effect must already be close to the frame it starts or ends on, so
    // the pass-through at exactly 0 and 1 is not a jump. Exempt by nature of their formulas:
    // ffmpeg `distance` shows pixels further apart than `1 − p` as incoming from the start;
    // `swirl` twists by 8π·p at the centre; `rotate_scale_fade` zooms by 1 + 14·p;
    // `zoomincircles` ends on a 1.3× zoom of the incoming clip (the shader jumps there too);
    // `mosaic` pulls back by 1 + 8·p at first.
    const EXEMPT: &[&str] = &[
        "mosaic",
        "distance",
        "swirl",
        "rotatescalefade",
        "rotate_scale_fade",
        "zoomincircles",
    ];
    let (a, b) = (outgoing(W, H), incoming(W, H));
    let mut jumps = Vec::new();
    for name in all_names().filter(|n| !EXEMPT.contains(n)) {
        let (start, end) = (mad(&run(name, 0.02), &a), mad(&run(name, 0.98), &b));
        // The textures change every few pixels, so a 2 % slide alone costs about 18.
        if start >= 25.0 || end >= 25.0 {
            jumps.push(format!("{name} ({start:.1}, {end:.1})"));
        }
    }
    assert!(jumps.is_empty(), "jumps at the ends: {}", jumps.join(", "));
}

#[test]
fn every_name_midpoint_differs_from_both_frames() {
    let (a, b) = (outgoing(W, H), incoming(W, H));
    for name in all_names() {
        let mid = run(name, 0.5);
        assert!(
            mad(&mid, &a) > 2.0,
            "{name} at 0.5 still looks like the outgoing frame"
        );
        assert!(
            mad(&mid, &b) > 2.0,
            "{name} at 0.5 already looks like the incoming frame"
        );
        assert!(
            mid.chunks_exact(4).all(|p| p[3] == 255),
            "{name} is not opaque"
        );
    }
}

#[test]
fn only_aliases_share_frames() {
    let mut seen: HashMap<u64, (&str, TransitionKind)> = HashMap::new();
    for name in all_names() {
        let kind = TransitionKind::from_name(name);
        let mut hasher = DefaultHasher::new();
        for p in [0.3, 0.5, 0.7] {
            run(name, p).hash(&mut hasher);
        }
        let key = hasher.finish();
        if let Some((other, other_kind)) = seen.insert(key, (name, kind)) {
            assert_eq!(
                kind, other_kind,
                "{name} draws the same frames as {other} but is not listed as its alias"
            );
        }
    }
    let effects: std::collections::HashSet<_> =
        all_names().map(TransitionKind::from_name).collect();
    assert_eq!(
        seen.len(),
        effects.len(),
        "aliases must draw identical frames"
    );
}

#[test]
fn tiny_and_odd_frames_never_panic() {
    for (w, h) in [(1, 1), (1, 7), (7, 1), (3, 2), (17, 9)] {
        for name in all_names() {
            for p in [0.01, 0.33, 0.5, 0.97] {
                let f = run_sized(name, p, w, h);
                assert_eq!(f.len(), w * h * 4, "{name}");
            }
        }
    }
    // Buffers that do not match the stated size become a cut rather than a panic.
    let mut short = vec![9u8; 8];
    apply(TransitionKind::Cube, 0.5, &mut short, &[1u8; 12], 4, 4);
    assert_eq!(short, vec![1u8; 8]);
}

#[test]
fn wipeleft_reveals_the_incoming_clip_from_the_right() {
    // ffmpeg: `x > W·progress` shows the second input, with progress falling 1 → 0.
    let f = run("wipeleft", 0.25);
    let (a, b) = (outgoing(W, H), incoming(W, H));
    assert_eq!(px(&f, W, W - 1, 10), px(&b, W, W - 1, 10));
    assert_eq!(px(&f, W, 0, 10), px(&a, W, 0, 10));
    assert_eq!(px(&f, W, W / 2, 10), px(&a, W, W / 2, 10));
    let f = run("wiperight", 0.25);
    assert_eq!(px(&f, W, 0, 10), px(&b, W, 0, 10));
    assert_eq!(px(&f, W, W - 1, 10), px(&a, W, W - 1, 10));
}

#[test]
fn slides_covers_and_reveals_move_the_right_clip() {
    let (a, b) = (outgoing(W, H), incoming(W, H));
    let half = W / 2;
    let slide = run("slideleft", 0.5);
    assert_eq!(
        px(&slide, W, 3, 7),
        px(&a, W, 3 + half, 7),
        "outgoing moved left"
    );
    assert_eq!(
        px(&slide, W, half + 3, 7),
        px(&b, W, 3, 7),
        "incoming follows it"
    );
    let cover = run("coverleft", 0.5);
    assert_eq!(px(&cover, W, 3, 7), px(&a, W, 3, 7), "outgoing stays put");
    assert_eq!(px(&cover, W, half + 3, 7), px(&b, W, 3, 7));
    let reveal = run("revealleft", 0.5);
    assert_eq!(px(&reveal, W, 3, 7), px(&a, W, 3 + half, 7));
    assert_eq!(
        px(&reveal, W, half + 3, 7),
        px(&b, W, half + 3, 7),
        "incoming stays put"
    );
    let up = run("slideup", 0.5);
    assert_eq!(px(&up, W, 5, 2), px(&a, W, 5, 2 + H / 2));
}

#[test]
fn circleopen_shows_the_incoming_centre_first() {
    let (a, b) = (outgoing(W, H), incoming(W, H));
    let f = run("circleopen", 0.5);
    assert_eq!(px(&f, W, W / 2, H / 2), px(&b, W, W / 2, H / 2));
    assert_eq!(px(&f, W, 0, 0), px(&a, W, 0, 0));
    let f = run("circleclose", 0.5);
    assert_eq!(px(&f, W, 0, 0), px(&b, W, 0, 0));
    assert_eq!(px(&f, W, W / 2, H / 2), px(&a, W, W / 2, H / 2));
}

#[test]
fn pixelize_midpoint_is_blocky() {
    let (w, h) = (200, 100);
    let distinct_in_row = |f: &[u8]| {
        let row: Vec<[u8; 3]> = (0..w).map(|x| px(f, w, x, 50)).collect();
        row.windows(2).filter(|p| p[0] != p[1]).count()
    };
    // Squares of 2·0.5·100/20 = 5 pixels: about one colour change per block.
    let mid = run_sized("pixelize", 0.5, w, h);
    assert!(
        distinct_in_row(&mid) <= w / 5 + 1,
        "{}",
        distinct_in_row(&mid)
    );
    let dissolve = run_sized("fade", 0.5, w, h);
    assert!(distinct_in_row(&dissolve) > w / 2);
}

#[test]
fn noise_dissolve_picks_whole_pixels() {
    let (a, b) = (outgoing(W, H), incoming(W, H));
    let f = run("dissolve", 0.5);
    let mut from_b = 0;
    for i in (0..f.len()).step_by(4) {
        let (fa, fb) = (a[i..i + 3] == f[i..i + 3], b[i..i + 3] == f[i..i + 3]);
        assert!(fa || fb, "pixel {} is a blend", i / 4);
        from_b += usize::from(fb && !fa);
    }
    let share = from_b as f64 / (W * H) as f64;
    assert!((0.4..0.6).contains(&share), "{share}");
}

#[test]
fn crops_pass_through_black() {
    for name in ["circlecrop", "rectcrop", "circle"] {
        let f = run(name, 0.5);
        assert_eq!(px(&f, W, 0, 0), [0, 0, 0], "{name}");
        assert_eq!(px(&f, W, W - 1, H - 1), [0, 0, 0], "{name}");
    }
}

#[test]
fn cube_turns_between_two_clips_in_a_scene() {
    let s = scene(
        vec![
            clip(
                0.0,
                2.0,
                Some(("cube", 1.0)),
                vec![image(0, Resize::Cover, CropPosition::Center, None)],
            ),
            clip(
                1.0,
                2.0,
                None,
                vec![image(1, Resize::Cover, CropPosition::Center, None)],
            ),
        ],
        2,
    );
    let images = || vec![solid(4, 4, [255, 0, 0, 255]), solid(4, 4, [0, 0, 255, 255])];
    let before = render(&s, images(), 5);
    let mid = render(&s, images(), 15);
    let after = render(&s, images(), 25);
    assert_ne!(mid, before);
    assert_ne!(mid, after);
    let (w, h) = mid.dimensions();
    // Mid-turn (the shader turns left to right): the incoming face on the left, the
    // outgoing face on the right.
    assert_eq!(&mid.get_pixel(w / 8, h / 2).0[..3], &[0, 0, 255]);
    assert_eq!(&mid.get_pixel(w * 7 / 8, h / 2).0[..3], &[255, 0, 0]);
}

/// Milliseconds per 1080p frame for the costlier effects:
/// `cargo test --lib transition_tests::timing -- --ignored --nocapture`.
#[test]
#[ignore]
fn timing() {
    let (w, h) = (1920, 1080);
    let (a, b) = (outgoing(w, h), incoming(w, h));
    let mut out = a.clone();
    let mut rows = Vec::new();
    for name in all_names() {
        let kind = TransitionKind::from_name(name);
        let start = std::time::Instant::now();
        let n = 5;
        for i in 0..n {
            out.copy_from_slice(&a);
            apply(
                kind,
                0.2 + 0.15 * i as f64,
                &mut out,
                &b,
                w as u32,
                h as u32,
            );
        }
        rows.push((start.elapsed().as_secs_f64() * 1000.0 / n as f64, name));
    }
    rows.sort_by(|x, y| y.0.total_cmp(&x.0));
    for (ms, name) in rows {
        println!("{ms:8.2} ms  {name}");
    }
}

/// Writes every name at progress 0.3, 0.5 and 0.7 side by side, one row per name and 20
/// names per sheet, to `$TMPDIR/transitions-N.png` for eyeballing:
/// `cargo test --lib transition_tests::contact_sheet -- --ignored --nocapture`.
#[test]
#[ignore]
fn contact_sheet() {
    let (w, h) = (160, 90);
    let names: Vec<&str> = all_names().collect();
    for (n, chunk) in names.chunks(20).enumerate() {
        let mut sheet = image::RgbaImage::new(w as u32 * 3, (h * chunk.len()) as u32);
        for (row, name) in chunk.iter().enumerate() {
            for (col, p) in [0.3, 0.5, 0.7].into_iter().enumerate() {
                let f = run_sized(name, p, w, h);
                for y in 0..h {
                    for x in 0..w {
                        let i = (y * w + x) * 4;
                        let px = image::Rgba([f[i], f[i + 1], f[i + 2], 255]);
                        sheet.put_pixel((col * w + x) as u32, (row * h + y) as u32, px);
                    }
                }
            }
        }
        let path = std::env::temp_dir().join(format!("transitions-{n}.png"));
        sheet.save(&path).expect("write the contact sheet");
        println!("{}: {}", path.display(), chunk.join(" "));
    }
}
