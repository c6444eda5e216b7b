//! `<Video>` pictures through the real server: a local MP4 made by our own encoder, and a
//! preview-mode generated video, checked on the output with ffprobe and ffmpeg.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::*;
use image::Rgba;
use serde_json::Value;

/// One colour per source second: red, then green.
const COLOURS: [[u8; 3]; 2] = [[220, 40, 40], [40, 200, 40]];

/// A 2 s, 12 fps, 64×48 MP4: the first second red, the second green.
fn two_colour_mp4() -> Vec<u8> {
    varg_render::encode::encode_frames(64, 48, 12, 24, |i, img| {
        let [r, g, b] = COLOURS[(i / 12) as usize];
        for p in img.pixels_mut() {
            *p = Rgba([r, g, b, 255]);
        }
        Ok(())
    })
    .expect("encode the source video")
}

/// The output frame at `seconds`, decoded by ffmpeg: its centre pixel.
fn centre_at(path: &Path, seconds: f64) -> [u8; 3] {
    let png = path.with_extension(format!("{seconds}.png"));
    let out = run(Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-ss", &seconds.to_string(), "-i"])
        .arg(path)
        .args(["-frames:v", "1"])
        .arg(&png));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let img = image::open(&png).expect("frame png").to_rgb8();
    img.get_pixel(img.width() / 2, img.height() / 2).0
}

fn close(actual: [u8; 3], expected: [u8; 3]) -> bool {
    (0..3).all(|c| actual[c].abs_diff(expected[c]) <= 16)
}

fn not_drawn(job: &Value) -> Vec<String> {
    job["warnings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|w| w.contains("not drawn"))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_local_mp4_plays_in_the_render_from_its_cut() {
    let dir = temp_dir("video-assets");
    std::fs::write(dir.join("two.mp4"), two_colour_mp4()).expect("write source");
    let server = Server::start_with(ServerOptions {
        asset_dirs: Some(dir.clone()),
        ..Default::default()
    });
    // 0.5 s into the source at the clip start: red until source 1 s (output 0.5 s), then
    // green; the clip outlasts the source by 0.5 s, holding the last (green) frame.
    let id = server.submit_code(
        r#"export default <Render width={320} height={180} fps={10}>
  <Clip duration={2}><Video src="two.mp4" cutFrom={0.5} /></Clip>
</Render>;"#,
    );
    let job = server.wait(&id, Duration::from_secs(180));
    assert_eq!(job["status"], "completed", "{job}");
    assert!(not_drawn(&job).is_empty(), "{job}");
    let mp4 = download(job["output_url"].as_str().expect("output_url"), "video.mp4");
    assert_valid_mp4(&mp4, 320, 180, "10/1", 20);
    for (t, colour, what) in [
        (0.2, COLOURS[0], "source 0.7 s"),
        (0.8, COLOURS[1], "source 1.3 s"),
        (1.85, COLOURS[1], "past the source end"),
    ] {
        let got = centre_at(&mp4, t);
        assert!(
            close(got, colour),
            "{what} (output {t} s): expected {colour:?}, got {got:?}"
        );
    }
}

#[test]
fn a_preview_video_renders_without_the_not_drawn_warning() {
    let server = Server::start();
    let id = server.submit_code(
        r#"export default <Render width={320} height={180} fps={10}>
  <Clip duration={2}><Video prompt="a paper boat drifting on a pond" duration={2} /></Clip>
</Render>;"#,
    );
    let job = server.wait(&id, Duration::from_secs(180));
    assert_eq!(job["status"], "completed", "{job}");
    assert!(not_drawn(&job).is_empty(), "{job}");
    let mp4 = download(
        job["output_url"].as_str().expect("output_url"),
        "preview.mp4",
    );
    assert_valid_mp4(&mp4, 320, 180, "10/1", 20);
}

/// The centre pixel of every frame, decoded by ffmpeg.
fn centres(path: &Path) -> Vec<[u8; 3]> {
    let (w, h) = {
        let info = probe(path);
        let s = &info["streams"][0];
        (
            s["width"].as_u64().expect("width"),
            s["height"].as_u64().expect("height"),
        )
    };
    let out = run(Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args([
            "-vf",
            &format!("crop=2:2:{}:{},scale=1:1", w / 2 - 1, h / 2 - 1),
        ])
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
        .chunks_exact(3)
        .map(|c| [c[0], c[1], c[2]])
        .collect()
}

#[test]
fn an_x264_file_with_b_frames_an_edit_list_and_sound_plays_frame_for_frame() {
    let dir = temp_dir("video-x264");
    let source = dir.join("x264.mp4");
    // Every frame its own colour; High profile with B-frames makes composition offsets and an
    // edit list, the AAC track a second track to skip; unflagged BT.601 colour, as ffmpeg writes.
    let out = run(Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("color=c=black:s=64x48:r=24:d=2,format=rgb24,geq=r='20+mod(N,12)*18':g='200-mod(N,12)*15':b='40+mod(floor(N/12),2)*150'")
        .args(["-f", "lavfi", "-i", "sine=f=440:d=2"])
        .args(["-c:v", "libx264", "-profile:v", "high", "-bf", "3", "-g", "12"])
        .args(["-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"])
        .arg(&source));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let program = dir.join("x264.tsx");
    std::fs::write(
        &program,
        r#"export default <Render width={64} height={48} fps={24}>
  <Clip duration={2}><Video src="x264.mp4" /></Clip>
</Render>;"#,
    )
    .expect("write program");
    let output = dir.join("out.mp4");
    render_cli(
        &program,
        &output,
        &dir.join("data"),
        &["--asset-dirs", dir.to_str().expect("utf-8 path")],
    );
    let (want, got) = (centres(&source), centres(&output));
    assert_eq!(want.len(), 48);
    assert_eq!(got.len(), 48);
    for (i, (w, g)) in want.iter().zip(&got).enumerate() {
        assert!(close(*g, *w), "frame {i}: source {w:?}, render {g:?}");
    }
    assert_eq!(
        peak_db(&output),
        None,
        "without keepAudio the video's sound is left out"
    );

    // D8: keepAudio brings the file's 440 Hz tone into the mix, positioned or not.
    std::fs::write(
        &program,
        r#"export default <Render width={64} height={48} fps={24}>
  <Clip duration={2}><Video src="x264.mp4" left={0} top={0} width="50%" keepAudio /></Clip>
</Render>;"#,
    )
    .expect("write program");
    let with_sound = dir.join("with-sound.mp4");
    render_cli(
        &program,
        &with_sound,
        &dir.join("data"),
        &["--asset-dirs", dir.to_str().expect("utf-8 path")],
    );
    // ffmpeg's sine source peaks at 1/8 (−18 dBFS): the tone must arrive at about unity gain.
    let peak = peak_db(&with_sound).expect("an audio stream");
    assert!(
        (peak + 18.0).abs() < 3.0,
        "the tone at unity gain: peak {peak} dB"
    );
}

/// The peak level of the file's sound in dBFS (ffmpeg's volumedetect), `None` without sound.
fn peak_db(path: &std::path::Path) -> Option<f64> {
    let out = run(Command::new("ffmpeg")
        .args(["-v", "info", "-i"])
        .arg(path)
        .args(["-map", "0:a:0?", "-af", "volumedetect", "-f", "null", "-"]));
    let log = String::from_utf8_lossy(&out.stderr);
    log.lines()
        .find_map(|l| l.split("max_volume:").nth(1))
        .and_then(|v| v.trim().trim_end_matches("dB").trim().parse().ok())
}
