//! The sound of a render, through the real binary (`varg-render render`), measured on the MP4
//! with ffprobe/ffmpeg: stream format and length, volume, loop, ducking, caption sync,
//! loudness normalisation, and no audio track without sound.

mod common;

use std::f64::consts::TAU;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::Value;

const RATE: u32 = 48_000;

/// A mono 16-bit WAV of a sine, written by the test.
fn write_tone(path: &Path, freq: f64, seconds: f64, level: f64) {
    let frames = (seconds * f64::from(RATE)).round() as u32;
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + frames * 2).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&RATE.to_le_bytes());
    out.extend_from_slice(&(RATE * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(frames * 2).to_le_bytes());
    for i in 0..frames {
        let s = level * (TAU * freq * f64::from(i) / f64::from(RATE)).sin();
        out.extend_from_slice(&((s * 32767.0).round() as i16).to_le_bytes());
    }
    std::fs::write(path, out).expect("write wav");
}

/// A folder with the program and a 2 s 1 kHz tone at −6 dBFS (`tone.wav`).
fn workspace(tag: &str) -> PathBuf {
    let dir = temp_dir(tag);
    write_tone(&dir.join("tone.wav"), 1000.0, 2.0, 0.5);
    dir
}

/// `varg-render render` in `dir` (its own asset directory); the MP4's path.
fn render(dir: &Path, name: &str, code: &str) -> PathBuf {
    let program = dir.join(format!("{name}.tsx"));
    std::fs::write(&program, code).expect("write program");
    let output = dir.join(format!("{name}.mp4"));
    render_cli(&program, &output, &dir.join("data"), &[]);
    output
}

fn streams(path: &Path) -> Vec<Value> {
    let out = run(Command::new("ffprobe")
        .args(["-v", "error", "-show_entries"])
        .arg("stream=codec_type,codec_name,sample_rate,channels,duration")
        .args(["-of", "json"])
        .arg(path));
    let info: Value = serde_json::from_slice(&out.stdout).expect("ffprobe json");
    info["streams"].as_array().cloned().unwrap_or_default()
}

fn stream<'a>(streams: &'a [Value], kind: &str) -> Option<&'a Value> {
    streams.iter().find(|s| s["codec_type"] == kind)
}

fn seconds(v: &Value) -> f64 {
    v.as_str().and_then(|s| s.parse().ok()).expect("a duration")
}

/// The left channel of the first audio stream, decoded by ffmpeg at 48 kHz (every sound in
/// these programs is centred, so left is the whole mix at its own level).
fn pcm(path: &Path) -> Vec<f32> {
    let out = run(Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args([
            "-map", "0:a:0", "-ac", "2", "-ar", "48000", "-f", "f32le", "-",
        ]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
        .chunks_exact(8)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

fn span(samples: &[f32], from: f64, to: f64) -> &[f32] {
    let at = |t: f64| ((t * f64::from(RATE)) as usize).min(samples.len());
    &samples[at(from)..at(to)]
}

fn rms(samples: &[f32]) -> f64 {
    let sum: f64 = samples.iter().map(|s| f64::from(*s).powi(2)).sum();
    (sum / samples.len().max(1) as f64).sqrt()
}

/// Amplitude of one frequency in a window (Goertzel): the music's 1 kHz tone, whatever else
/// sounds at the same time.
fn level_at(samples: &[f32], freq: f64) -> f64 {
    let w = TAU * freq / f64::from(RATE);
    let (mut s1, mut s2) = (0.0, 0.0);
    for x in samples {
        let s = f64::from(*x) + 2.0 * w.cos() * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    let power = s1 * s1 + s2 * s2 - 2.0 * w.cos() * s1 * s2;
    2.0 * power.sqrt() / samples.len().max(1) as f64
}

fn db(ratio: f64) -> f64 {
    20.0 * ratio.log10()
}

#[test]
fn a_looped_two_second_file_fills_a_seven_second_video_in_48k_stereo() {
    let dir = workspace("audio-loop");
    let mp4 = render(
        &dir,
        "loop",
        r#"export default <Render width={320} height={180} fps={30}>
  <Music src="tone.wav" loop />
  <Clip duration={7}><Image prompt="waves" /></Clip>
</Render>;"#,
    );
    let streams = streams(&mp4);
    let video = stream(&streams, "video").expect("video stream");
    let audio = stream(&streams, "audio").expect("an audio stream");
    assert_eq!(audio["codec_name"], "opus", "{audio}");
    assert_eq!(audio["sample_rate"], "48000", "{audio}");
    assert_eq!(audio["channels"], 2, "{audio}");
    let frame = 1.0 / 30.0;
    assert!((seconds(&video["duration"]) - 7.0).abs() < 1e-6, "{video}");
    assert!(
        (seconds(&audio["duration"]) - 7.0).abs() <= frame,
        "audio lasts {} s",
        audio["duration"]
    );
    let samples = pcm(&mp4);
    let decoded = samples.len() as f64 / f64::from(RATE);
    assert!((decoded - 7.0).abs() <= frame, "decodes to {decoded} s");
    // The 2 s file plays on in every second up to the end (its last half second fades out).
    let reference = rms(span(&samples, 0.2, 0.8));
    assert!(
        (db(reference) - db(0.5 / 2f64.sqrt())).abs() < 0.5,
        "{}",
        db(reference)
    );
    for second in 1..6 {
        let t = f64::from(second);
        let level = rms(span(&samples, t + 0.1, t + 0.9));
        assert!(
            db(level / reference).abs() < 0.5,
            "at {t} s: {} dB",
            db(level / reference)
        );
    }
    let last = rms(span(&samples, 6.1, 6.4));
    assert!(db(last / reference) > -3.0, "still playing at 6.1–6.4 s");
}

#[test]
fn music_at_half_volume_measures_six_db_down() {
    let dir = workspace("audio-volume");
    let program = |volume: &str| {
        format!(
            r#"export default <Render width={{320}} height={{180}}>
  <Music src="tone.wav" {volume} />
  <Clip duration={{3}}><Image prompt="waves" /></Clip>
</Render>;"#
        )
    };
    let full = pcm(&render(&dir, "full", &program("volume={1}")));
    let half = pcm(&render(&dir, "half", &program("volume={0.5}")));
    let difference = db(rms(span(&full, 0.3, 1.7)) / rms(span(&half, 0.3, 1.7)));
    assert!((difference - 6.02).abs() < 0.5, "{difference} dB apart");
    // The file is 2 s long and not looped: silence after it ends.
    assert!(rms(span(&full, 2.1, 2.9)) < 1e-3);
}

#[test]
fn ducking_lowers_the_music_while_speech_sounds() {
    let dir = workspace("audio-duck");
    // Clip 1: 0–2 s music alone; clip 2: speech "one two three four" over 2.0–3.6 s; clip 3:
    // 3.6–5.6 s music alone again.
    let mp4 = render(
        &dir,
        "duck",
        r#"export default <Render width={320} height={180}>
  <Music src="tone.wav" loop volume={0.5} ducking />
  <Clip duration={2}><Image prompt="before" /></Clip>
  <Clip duration="auto"><Image prompt="talk" /><Speech>one two three four</Speech></Clip>
  <Clip duration={2}><Image prompt="after" /></Clip>
</Render>;"#,
    );
    let samples = pcm(&mp4);
    assert!((samples.len() as f64 / f64::from(RATE) - 5.6).abs() < 1.0 / 30.0);
    let before = level_at(span(&samples, 0.5, 1.5), 1000.0);
    let during = level_at(span(&samples, 2.2, 3.4), 1000.0);
    let after = level_at(span(&samples, 4.5, 5.0), 1000.0);
    let ducked = db(during / before);
    assert!(
        ducked < -9.0 && ducked > -15.0,
        "music under speech: {ducked} dB"
    );
    assert!(
        db(after / before).abs() < 1.0,
        "back up after: {} dB",
        db(after / before)
    );
}

#[test]
fn each_word_burst_starts_within_a_frame_of_its_caption() {
    let dir = temp_dir("audio-captions");
    // The speech starts at 1.0 s: the first clip's fade overlaps the second by 0.5 s.
    let code = r##"const s = Speech({ children: "captions follow the voice word by word" });
export default <Render width={320} height={180} fps={30}>
  <Clip duration={1.5} transition={{ name: "fade", duration: 0.5 }}><Image prompt="intro" /></Clip>
  <Clip duration="auto"><Image prompt="talk" />{s}<Captions src={s} style="tiktok" color="#ff00ff" /></Clip>
</Render>;"##;
    let program = dir.join("check.tsx");
    std::fs::write(&program, code).expect("write program");
    let out = run(Command::new(BIN)
        .arg("check")
        .arg(&program)
        .arg("--json")
        .arg("--data-dir")
        .arg(dir.join("data")));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let scene: Value = serde_json::from_slice(&out.stdout).expect("scene json");
    let words = scene["captions"][0]["words"]
        .as_array()
        .expect("words")
        .clone();
    assert_eq!(words.len(), 7, "{words:?}");
    assert!((words[0]["start"].as_f64().expect("start") - 1.0).abs() < 1e-9);

    let video = render(&dir, "captions", code);
    let samples = pcm(&video);
    let frame = 1.0 / 30.0;
    // The drawn caption (magenta) appears in the frame where the first word and its burst
    // start, and not in the frame before.
    let magenta = |t: f64| {
        frame_rgb(&video, t)
            .chunks_exact(3)
            .filter(|p| p[0] > 200 && p[2] > 200 && p[1] < 80)
            .count()
    };
    let first = words[0]["start"].as_f64().expect("start");
    // ffmpeg's `-ss t` gives the first frame at or after t: frames 29 and 30 here.
    let (before, during) = (magenta(first - 1.5 * frame), magenta(first - 0.5 * frame));
    assert!(
        before < 5 && during > 30,
        "magenta caption pixels: {before} before the first word, {during} at it"
    );
    for word in &words {
        let start = word["start"].as_f64().expect("start");
        let end = word["end"].as_f64().expect("end");
        // Quiet just before the caption word, then a burst within one frame of its start.
        assert!(
            rms(span(&samples, start - 0.05, start - 0.01)) < 0.01,
            "{word}"
        );
        let from = ((start - frame) * f64::from(RATE)) as usize;
        let onset = samples[from..]
            .iter()
            .position(|s| s.abs() > 0.05)
            .map(|i| (from + i) as f64 / f64::from(RATE))
            .expect("a burst");
        assert!(
            (onset - start).abs() <= frame,
            "{}: burst at {onset:.4} s, caption at {start} s",
            word["text"]
        );
        assert!(
            rms(span(&samples, start + 0.05, end - 0.05)) > 0.1,
            "{word}"
        );
    }
}

#[test]
fn normalize_brings_the_mix_to_minus_14_lufs() {
    let dir = temp_dir("audio-normalize");
    write_tone(&dir.join("quiet.wav"), 1000.0, 4.0, 0.02);
    let mp4 = render(
        &dir,
        "normalize",
        r#"export default <Render width={320} height={180} normalize>
  <Music src="quiet.wav" />
  <Clip duration={4}><Image prompt="loud" /></Clip>
</Render>;"#,
    );
    // ffmpeg's own EBU R128 meter, independent of ours.
    let out = run(Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(&mp4)
        .args(["-map", "0:a:0", "-af", "ebur128", "-f", "null", "-"]));
    let log = String::from_utf8_lossy(&out.stderr);
    let summary = log
        .rsplit("Integrated loudness:")
        .next()
        .expect("ebur128 summary");
    let lufs: f64 = summary
        .lines()
        .find_map(|l| l.trim().strip_prefix("I:"))
        .and_then(|v| v.trim().trim_end_matches("LUFS").trim().parse().ok())
        .unwrap_or_else(|| panic!("no integrated loudness in {log}"));
    assert!((lufs + 14.0).abs() < 1.0, "{lufs} LUFS");
}

#[test]
fn a_render_without_sound_has_no_audio_stream() {
    let dir = temp_dir("audio-none");
    let mp4 = render(
        &dir,
        "silent",
        r#"export default <Render width={320} height={180}><Clip duration={1}><Image prompt="quiet" /></Clip></Render>;"#,
    );
    let streams = streams(&mp4);
    assert!(stream(&streams, "video").is_some());
    assert!(stream(&streams, "audio").is_none(), "{streams:?}");
}

#[test]
fn a_music_file_that_is_not_sound_fails_with_a_clear_message() {
    let dir = temp_dir("audio-bad");
    std::fs::write(dir.join("noise.mp3"), b"this is text, not an mp3").expect("write");
    let program = dir.join("bad.tsx");
    std::fs::write(
        &program,
        r#"export default <Render><Music src="noise.mp3" /><Clip duration={1}><Image prompt="x" /></Clip></Render>;"#,
    )
    .expect("write program");
    let out = run(Command::new(BIN)
        .arg("render")
        .arg(&program)
        .arg("-o")
        .arg(dir.join("bad.mp4"))
        .arg("--data-dir")
        .arg(dir.join("data")));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("noise.mp3"), "{stderr}");
}

#[test]
fn shortest_ends_picture_and_sound_with_the_shorter() {
    let dir = workspace("audio-shortest");
    let mp4 = render(
        &dir,
        "shortest",
        r#"export default <Render width={320} height={180} fps={30} shortest>
  <Music src="tone.wav" />
  <Clip duration={5}><Image prompt="long picture" /></Clip>
</Render>;"#,
    );
    let streams = streams(&mp4);
    let video = seconds(&stream(&streams, "video").expect("video")["duration"]);
    let audio = seconds(&stream(&streams, "audio").expect("audio")["duration"]);
    assert!(
        (video - 2.0).abs() < 1e-6,
        "the 2 s music ends the video: {video}"
    );
    assert!((audio - 2.0).abs() <= 1.0 / 30.0, "{audio}");
}
