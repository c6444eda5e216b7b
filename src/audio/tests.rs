//! The audio path without the server: placeholders, decoding, resampling, the mix's rules and
//! the Opus track's timing (checked with ffmpeg, a test-only tool).

use std::f64::consts::TAU;
use std::process::Command;
use std::sync::Arc;

use bytes::Bytes;

use super::decode::decode_audio;
use super::ducking::{db_to_gain, duck_gain, DUCK_DB};
use super::loudness::{integrated_lufs, limit, normalize, LOUDNESS_TARGET_LUFS};
use super::placeholder::{music_wav, speech_wav};
use super::wav::wav_bytes;
use super::*;
use crate::media::{probe_audio, AudioFile, AudioInfo, Media};
use crate::scene::{
    Anchor, AssetKind, AssetRequest, AssetSource, AudioKind, AudioTrack, Generation, Word,
};

const SR: f64 = SAMPLE_RATE as f64;

fn sine(freq: f64, seconds: f64, level: f64, rate: u32) -> Vec<f32> {
    (0..(seconds * f64::from(rate)).round() as usize)
        .map(|i| (level * (TAU * freq * i as f64 / f64::from(rate)).sin()) as f32)
        .collect()
}

fn rms(samples: &[f32]) -> f64 {
    let sum: f64 = samples.iter().map(|s| f64::from(*s).powi(2)).sum();
    (sum / samples.len().max(1) as f64).sqrt()
}

fn db(ratio: f64) -> f64 {
    20.0 * ratio.log10()
}

fn window(samples: &[f32], from: f64, to: f64) -> &[f32] {
    let a = ((from * SR) as usize).min(samples.len());
    let b = ((to * SR) as usize).min(samples.len());
    &samples[a..b]
}

fn words(texts: &[&str]) -> Vec<Word> {
    crate::scene::speech_estimate(&texts.join(" ")).1
}

/// A scene of `seconds` at 30 fps holding only `audio`; asset `i` is `kinds[i]`.
fn scene(seconds: f64, kinds: &[AssetKind], audio: Vec<AudioTrack>) -> Scene {
    let assets = kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| AssetRequest {
            kind: *kind,
            source: AssetSource::Src {
                src: format!("{i}.wav"),
            },
            cache_key: i.to_string(),
            duration: None,
            words: Vec::new(),
        })
        .collect();
    Scene {
        width: 64,
        height: 64,
        fps: 30,
        duration: seconds,
        clips: Vec::new(),
        overlays: Vec::new(),
        captions: Vec::new(),
        audio,
        assets,
        shortest: false,
        normalize: false,
        warnings: Vec::new(),
    }
}

fn track(kind: AudioKind, asset: usize, start: f64, end: Option<f64>) -> AudioTrack {
    AudioTrack {
        kind,
        asset,
        anchor: Anchor::Render { offset: start },
        start,
        cut_from: 0.0,
        cut_to: None,
        end,
        volume: 1.0,
        looped: false,
        ducking: false,
        fade_in: 0.0,
        fade_out: 0.0,
        source: None,
    }
}

fn audio_media(wav: Vec<u8>) -> Media {
    let info = probe_audio(&wav).expect("probe");
    Media::Audio(Arc::new(AudioFile {
        bytes: Bytes::from(wav),
        info,
    }))
}

fn tone_wav(seconds: f64, level: f64) -> Vec<u8> {
    wav_bytes(&sine(440.0, seconds, level, SAMPLE_RATE), 1, SAMPLE_RATE)
}

#[test]
fn speech_placeholder_bursts_start_at_the_word_timings() {
    let words = words(&["one", "two", "three", "four"]);
    let wav = speech_wav(&words, 1.6);
    assert_eq!(wav, speech_wav(&words, 1.6), "deterministic");
    let decoded = decode_audio(&wav).expect("decode");
    assert_eq!(decoded.rate, SAMPLE_RATE);
    let samples = &decoded.channels[0];
    assert_eq!(samples.len(), (1.6 * SR) as usize);
    for word in &words {
        // Silence just before the word, sound within 5 ms of its start and during it.
        let before = window(samples, word.start - 0.02, word.start);
        let onset = window(samples, word.start, word.start + 0.005);
        let during = window(samples, word.start + 0.05, word.end - 0.05);
        assert!(rms(before) < 1e-4, "{word:?}: {}", rms(before));
        assert!(onset.iter().any(|s| s.abs() > 0.02), "{word:?}");
        assert!(rms(during) > 0.1, "{word:?}: {}", rms(during));
    }
}

#[test]
fn music_placeholder_is_a_quiet_pad_as_long_as_asked_and_depends_on_the_prompt() {
    let a = music_wav("lofi beats", 5.0);
    assert_eq!(a, music_wav("lofi beats", 5.0), "deterministic");
    assert_ne!(a, music_wav("epic orchestra", 5.0));
    let info = probe_audio(&a).expect("probe");
    assert!((info.duration - 5.0).abs() < 1e-3, "{info:?}");
    let samples = decode_audio(&a).expect("decode").channels.remove(0);
    let level = rms(window(&samples, 1.0, 4.0));
    // Quiet but audible: between −40 and −15 dBFS RMS, never near full scale.
    assert!(db(level) > -40.0 && db(level) < -15.0, "{}", db(level));
    assert!(samples.iter().all(|s| s.abs() < 0.5));
}

#[test]
fn probe_reads_length_rate_and_channels_and_refuses_non_audio() {
    let stereo: Vec<f32> = sine(300.0, 1.5, 0.5, 44_100)
        .into_iter()
        .flat_map(|s| [s, -s])
        .collect();
    let info = probe_audio(&wav_bytes(&stereo, 2, 44_100)).expect("probe");
    assert_eq!(
        info,
        AudioInfo {
            duration: 1.5,
            sample_rate: 44_100,
            channels: 2
        }
    );
    let err = probe_audio(b"certainly not a sound file").expect_err("garbage");
    assert!(err.to_string().contains("not sound"), "{err}");
}

#[test]
fn resampling_keeps_length_and_pitch_and_removes_what_cannot_be_kept() {
    // 1 s of 1 kHz at 44.1 kHz → 1 s at 48 kHz with the same level.
    let decoded = super::decode::Decoded {
        rate: 44_100,
        channels: vec![sine(1000.0, 1.0, 0.5, 44_100)],
    };
    let stereo = to_stereo_48k(&decoded).expect("resample");
    assert!(stereo.frames().abs_diff(48_000) <= 1, "{}", stereo.frames());
    assert_eq!(stereo.left, stereo.right, "mono plays on both sides");
    let middle = window(&stereo.left, 0.2, 0.8);
    assert!(
        (rms(middle) - 0.5 / 2f64.sqrt()).abs() < 0.01,
        "{}",
        rms(middle)
    );
    // No delay: the tone's phase at 0.2 s matches the source's to within one output sample.
    let phase = |x: &[f32]| {
        let (mut s, mut c) = (0.0, 0.0);
        for (i, v) in x.iter().enumerate() {
            let a = TAU * 1000.0 * (0.2 + i as f64 / SR);
            s += f64::from(*v) * a.sin();
            c += f64::from(*v) * a.cos();
        }
        c.atan2(s)
    };
    let lag = phase(middle) / (TAU * 1000.0);
    assert!(lag.abs() < 1.0 / SR, "{} µs", lag * 1e6);
    // 30 kHz at 96 kHz is above 48 kHz's Nyquist limit: it must vanish, not fold down.
    let ultrasonic = super::decode::Decoded {
        rate: 96_000,
        channels: vec![sine(30_000.0, 0.5, 0.5, 96_000)],
    };
    let folded = to_stereo_48k(&ultrasonic).expect("resample");
    assert!(db(rms(window(&folded.left, 0.1, 0.4))) < -60.0);
}

#[test]
fn volume_half_is_six_db_down_and_tracks_land_at_their_start() {
    let media = vec![audio_media(tone_wav(2.0, 0.5))];
    let mut quiet = track(AudioKind::Music, 0, 1.0, Some(4.0));
    quiet.volume = 0.5;
    let full = mix_scene(
        &scene(
            4.0,
            &[AssetKind::Music],
            vec![track(AudioKind::Music, 0, 1.0, Some(4.0))],
        ),
        &media,
    )
    .expect("mix");
    let half = mix_scene(&scene(4.0, &[AssetKind::Music], vec![quiet]), &media).expect("mix");
    assert_eq!(full.stereo.frames(), 4 * SAMPLE_RATE as usize);
    assert!(
        rms(window(&full.stereo.left, 0.0, 0.99)) < 1e-6,
        "silent before start"
    );
    let loud = rms(window(&full.stereo.left, 1.5, 2.5));
    let soft = rms(window(&half.stereo.left, 1.5, 2.5));
    assert!((db(loud / soft) - 6.02).abs() < 0.1, "{}", db(loud / soft));
    // The 2 s file ends at 3 s: silence after.
    assert!(rms(window(&full.stereo.left, 3.01, 4.0)) < 1e-6);
}

#[test]
fn a_looped_file_fills_the_video_and_fades_out_at_its_end() {
    let media = vec![audio_media(tone_wav(2.0, 0.5))];
    let mut music = track(AudioKind::Music, 0, 0.0, Some(7.0));
    music.looped = true;
    let mixed = mix_scene(&scene(7.0, &[AssetKind::Music], vec![music]), &media).expect("mix");
    let left = &mixed.stereo.left;
    let reference = rms(window(left, 0.5, 1.5));
    for second in 1..6 {
        let level = rms(window(
            left,
            f64::from(second) + 0.1,
            f64::from(second) + 0.9,
        ));
        assert!((db(level / reference)).abs() < 0.5, "second {second}");
    }
    // No gap at the joins (2 s, 4 s, 6 s): every 10 ms block keeps sounding.
    for join in [2.0, 4.0] {
        for k in -3..3 {
            let t = join + f64::from(k) * 0.01;
            assert!(rms(window(left, t, t + 0.01)) > reference * 0.5, "{t}");
        }
    }
    assert!(
        rms(window(left, 6.95, 7.0)) < reference * 0.2,
        "fades out at the end"
    );
}

#[test]
fn ducking_lowers_music_under_speech_only() {
    let speech_words = words(&["hello", "there", "friend"]);
    let media = vec![
        audio_media(tone_wav(6.0, 0.3)),
        audio_media(speech_wav(&speech_words, 1.2)),
    ];
    let music = |ducking| {
        let mut t = track(AudioKind::Music, 0, 0.0, Some(6.0));
        t.ducking = ducking;
        t
    };
    let kinds = [AssetKind::Music, AssetKind::Speech];
    // Speech at 2 s: its words sound over 2.0–2.32, 2.4–2.72, 2.8–3.12.
    let speech = track(AudioKind::Speech, 1, 2.0, None);
    let ducked = mix_scene(
        &scene(6.0, &kinds, vec![music(true), speech.clone()]),
        &media,
    )
    .expect("mix");
    let plain = mix_scene(&scene(6.0, &kinds, vec![music(true)]), &media).expect("mix");
    // Music alone is the reference; subtracting it isolates the ducked music + speech.
    let clear = rms(window(&ducked.stereo.left, 0.5, 1.5));
    let reference = rms(window(&plain.stereo.left, 0.5, 1.5));
    assert!(
        (db(clear / reference)).abs() < 0.1,
        "untouched before speech"
    );
    // In the gap between two words only the music sounds: it is down by about 12 dB.
    let gap = rms(window(&ducked.stereo.left, 2.33, 2.39));
    assert!(
        (db(gap / reference) - f64::from(DUCK_DB)).abs() < 1.0,
        "{}",
        db(gap / reference)
    );
    // And back up after the release.
    let after = rms(window(&ducked.stereo.left, 4.5, 5.0));
    assert!((db(after / reference)).abs() < 0.1);
    // Without `ducking`, speech does not move the music.
    let mut undocked = music(false);
    undocked.volume = 1.0;
    let together = mix_scene(&scene(6.0, &kinds, vec![undocked, speech]), &media).expect("mix");
    let gap = rms(window(&together.stereo.left, 2.33, 2.39));
    assert!((db(gap / reference)).abs() < 0.5);
}

#[test]
fn duck_gain_ramps_smoothly() {
    let mut speech = Stereo::silence(SAMPLE_RATE as usize * 3);
    for i in SAMPLE_RATE as usize..2 * SAMPLE_RATE as usize {
        speech.left[i] = 0.3;
        speech.right[i] = 0.3;
    }
    let gain = duck_gain(&speech);
    assert_eq!(gain[0], 1.0);
    assert!(
        (gain[SAMPLE_RATE as usize] - db_to_gain(DUCK_DB)).abs() < 1e-3,
        "ducked at onset"
    );
    let max_step = gain
        .windows(2)
        .map(|w| (w[0] - w[1]).abs())
        .fold(0.0, f32::max);
    assert!(max_step < 1e-3, "no jumps: {max_step}");
    assert_eq!(*gain.last().expect("gain"), 1.0);
}

#[test]
fn video_sound_fades_at_transitions_and_stops_at_its_clip_end() {
    let media = vec![audio_media(tone_wav(4.0, 0.5))];
    let mut sound = track(AudioKind::Video, 0, 0.5, Some(3.0));
    sound.fade_in = 0.5;
    sound.fade_out = 1.0;
    let mixed = mix_scene(&scene(4.0, &[AssetKind::Video], vec![sound]), &media).expect("mix");
    let left = &mixed.stereo.left;
    let full = rms(window(left, 1.2, 1.8));
    assert!(rms(window(left, 0.5, 0.6)) < full * 0.3, "fading in");
    assert!(rms(window(left, 2.8, 2.95)) < full * 0.3, "fading out");
    assert!(
        rms(window(left, 3.0, 4.0)) < 1e-6,
        "stops at the clip's end"
    );
}

#[test]
fn cut_from_and_cut_to_trim_the_source() {
    // A file that is silent for 1 s, then a tone: cutFrom 1 starts with the tone.
    let mut samples = vec![0.0f32; SAMPLE_RATE as usize];
    samples.extend(sine(440.0, 1.0, 0.5, SAMPLE_RATE));
    let media = vec![audio_media(wav_bytes(&samples, 1, SAMPLE_RATE))];
    let mut music = track(AudioKind::Music, 0, 0.0, Some(3.0));
    music.cut_from = 1.0;
    music.cut_to = Some(1.5);
    let mixed = mix_scene(&scene(3.0, &[AssetKind::Music], vec![music]), &media).expect("mix");
    assert!(rms(window(&mixed.stereo.left, 0.05, 0.45)) > 0.3);
    assert!(rms(window(&mixed.stereo.left, 0.51, 3.0)) < 1e-6);

    let mut past = track(AudioKind::Music, 0, 0.0, Some(3.0));
    past.cut_from = 5.0;
    let mixed = mix_scene(&scene(3.0, &[AssetKind::Music], vec![past]), &media).expect("mix");
    assert!(
        mixed.warnings[0].contains("leaves nothing to play"),
        "{:?}",
        mixed.warnings
    );
}

#[test]
fn sound_past_the_picture_is_cut_and_a_bad_file_is_a_readable_error() {
    let media = vec![audio_media(tone_wav(5.0, 0.5))];
    let mixed = mix_scene(
        &scene(
            2.0,
            &[AssetKind::Speech],
            vec![track(AudioKind::Speech, 0, 0.0, None)],
        ),
        &media,
    )
    .expect("mix");
    assert_eq!(mixed.stereo.frames(), 2 * SAMPLE_RATE as usize);

    let broken = vec![Media::Audio(Arc::new(AudioFile {
        bytes: Bytes::from_static(b"RIFF....WAVEjunk"),
        info: AudioInfo {
            duration: 1.0,
            sample_rate: SAMPLE_RATE,
            channels: 1,
        },
    }))];
    let err = mix_scene(
        &scene(
            2.0,
            &[AssetKind::Music],
            vec![track(AudioKind::Music, 0, 0.0, Some(2.0))],
        ),
        &broken,
    )
    .err()
    .expect("error");
    assert!(
        err.to_string()
            .starts_with("the music \"0.wav\" cannot be played"),
        "{err}"
    );
}

#[test]
fn normalize_reaches_the_target_and_the_limiter_keeps_peaks_under_the_ceiling() {
    let media = vec![audio_media(tone_wav(4.0, 0.05))];
    let mut quiet = scene(
        4.0,
        &[AssetKind::Music],
        vec![track(AudioKind::Music, 0, 0.0, Some(4.0))],
    );
    quiet.normalize = true;
    let mixed = mix_scene(&quiet, &media).expect("mix");
    let lufs = integrated_lufs(&mixed.stereo)
        .expect("measure")
        .expect("not silent");
    assert!((lufs - LOUDNESS_TARGET_LUFS).abs() < 0.5, "{lufs}");

    let mut loud = Stereo {
        left: sine(100.0, 1.0, 1.8, SAMPLE_RATE),
        right: sine(100.0, 1.0, 1.8, SAMPLE_RATE),
    };
    limit(&mut loud, -1.0);
    let peak = loud.left.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    assert!(peak <= db_to_gain(-1.0) + 1e-4, "{peak}");
    let mut silent = Stereo::silence(48_000);
    assert_eq!(normalize(&mut silent).expect("normalize"), 0.0);
}

#[test]
fn a_scene_without_sound_has_no_soundtrack() {
    assert!(render_soundtrack(&scene(1.0, &[], Vec::new()), &[])
        .expect("render")
        .is_none());
}

/// The Opus track inside a real MP4: ffmpeg decodes it to exactly the mix's length (±2.5 ms)
/// with the first burst where the mix has it.
#[test]
fn opus_track_starts_with_the_picture_and_lasts_as_long() {
    let words = words(&["tick", "tock"]);
    let media = vec![audio_media(speech_wav(&words, 0.8))];
    let mut sc = scene(
        1.0,
        &[AssetKind::Speech],
        vec![track(AudioKind::Speech, 0, 0.25, None)],
    );
    sc.assets[0].source = AssetSource::Prompt(Generation::default());
    let soundtrack = render_soundtrack(&sc, &media).expect("mix").expect("sound");
    let path = std::env::temp_dir().join(format!("varg-audio-{}.mp4", std::process::id()));
    std::fs::write(&path, mp4_with(&sc, &soundtrack.encoded)).expect("write");
    let pcm = ffmpeg_pcm(&path);
    std::fs::remove_file(&path).ok();
    assert!(pcm.len().abs_diff(48_000) <= 120, "{} samples", pcm.len());
    let onset = pcm.iter().position(|s| s.abs() > 0.02).expect("sound") as f64 / SR;
    assert!((onset - 0.25).abs() < 0.004, "first burst at {onset} s");
}

/// A one-frame-per-0.1 s black video with `audio`, through the real muxer.
fn mp4_with(scene: &Scene, audio: &EncodedAudio) -> Vec<u8> {
    let mut sc = scene.clone();
    sc.fps = 10;
    let compositor = crate::render::Compositor::new(&sc, Vec::new()).expect("compositor");
    crate::encode::encode_scene(
        &sc,
        compositor,
        Some(audio.clone()),
        &|_, _| {},
        &std::sync::atomic::AtomicBool::new(false),
    )
    .expect("encode")
    .mp4
}

/// The first audio stream of a file as mono f32 at 48 kHz, decoded by ffmpeg.
fn ffmpeg_pcm(path: &std::path::Path) -> Vec<f32> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args([
            "-map", "0:a:0", "-ac", "1", "-ar", "48000", "-f", "f32le", "-",
        ])
        .output()
        .expect("run ffmpeg");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Every input format, made by ffmpeg: a tone that starts at 0.5 s and lasts to 1.5 s.
#[test]
fn decodes_every_supported_format_in_time() {
    let dir = std::env::temp_dir().join(format!("varg-audio-formats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    // (file name, ffmpeg codec options, starts on the sample): raw ADTS and an MP3 without its
    // LAME header cannot say how many priming samples their encoder put first (about 25 ms).
    let cases: [(&str, &[&str], bool); 9] = [
        ("tone.wav", &["-c:a", "pcm_s16le"], true),
        ("tone.mp3", &["-c:a", "libmp3lame", "-b:a", "192k"], true),
        (
            "bare.mp3",
            &["-c:a", "libmp3lame", "-write_xing", "0"],
            false,
        ),
        ("tone.m4a", &["-c:a", "aac", "-b:a", "192k"], true),
        ("tone.aac", &["-c:a", "aac", "-b:a", "192k"], false),
        ("tone.ogg", &["-c:a", "libvorbis"], true),
        ("tone.opus", &["-c:a", "libopus", "-b:a", "128k"], true),
        ("tone.flac", &["-c:a", "flac"], true),
        (
            "tone.mp4",
            &["-c:a", "aac", "-c:v", "libx264", "-pix_fmt", "yuv420p"],
            true,
        ),
    ];
    for (ext, codec, exact) in cases {
        let path = dir.join(ext);
        let mut cmd = Command::new("ffmpeg");
        cmd.args(["-v", "error", "-y", "-f", "lavfi", "-i"])
            .arg("aevalsrc=if(gte(t\\,0.5)\\,0.5*sin(2*PI*440*t)\\,0):s=44100:d=1.5:c=stereo");
        if ext.ends_with("mp4") {
            cmd.args([
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=64x64:rate=10:duration=1.5",
            ]);
        }
        let status = cmd.args(codec).arg(&path).status().expect("run ffmpeg");
        assert!(status.success(), "{ext}");
        let bytes = std::fs::read(&path).expect("read");
        let info = probe_audio(&bytes).unwrap_or_else(|e| panic!("{ext}: {e}"));
        let stereo = to_stereo_48k(&decode_audio(&bytes).expect(ext)).expect(ext);
        let onset = stereo
            .left
            .iter()
            .position(|s| s.abs() > 0.05)
            .expect("sound") as f64
            / SR;
        let level = rms(window(&stereo.left, 0.7, 1.3));
        eprintln!(
            "{ext}: probe {:.4} s, decoded {:.4} s, onset {:.4} s, level {:.2} dB",
            info.duration,
            stereo.seconds(),
            onset,
            db(level)
        );
        assert!((db(level) - db(0.5 / 2f64.sqrt())).abs() < 0.5, "{ext}");
        // Without gapless information a file also keeps its last frame's padding (≤ 26 ms).
        let slack = if exact { 0.001 } else { 0.03 };
        let length_slack = if exact { 0.011 } else { 0.06 };
        assert!((onset - 0.5).abs() < slack, "{ext}: onset {onset}");
        assert!(
            (stereo.seconds() - 1.5).abs() < length_slack,
            "{ext}: {}",
            stereo.seconds()
        );
        assert!(
            (info.duration - 1.5).abs() < length_slack,
            "{ext}: {info:?}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// `<Video keepAudio>`: the AAC sound of a real MP4 (made by ffmpeg), trimmed by `cutFrom`,
/// placed at its clip and faded at the transitions.
#[test]
fn a_videos_own_sound_plays_in_its_clip() {
    let path = std::env::temp_dir().join(format!("varg-audio-video-{}.mp4", std::process::id()));
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("testsrc=size=64x64:rate=10:duration=3")
        .args([
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=500:sample_rate=44100:duration=3",
        ])
        .args([
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
        ])
        .arg(&path)
        .status()
        .expect("run ffmpeg");
    assert!(status.success());
    let bytes = std::fs::read(&path).expect("read");
    std::fs::remove_file(&path).ok();
    let info = crate::media::VideoInfo {
        duration: 3.0,
        width: 64,
        height: 64,
        fps: 10.0,
        has_audio: true,
    };
    let media = vec![Media::Video(Arc::new(crate::media::VideoFile {
        bytes: Bytes::from(bytes),
        info,
    }))];
    let mut sound = track(AudioKind::Video, 0, 1.0, Some(2.5));
    sound.cut_from = 1.0;
    sound.volume = 0.5;
    sound.fade_out = 0.5;
    let mixed = mix_scene(&scene(3.0, &[AssetKind::Video], vec![sound]), &media).expect("mix");
    let left = &mixed.stereo.left;
    assert!(mixed.warnings.is_empty(), "{:?}", mixed.warnings);
    assert!(
        rms(window(left, 0.0, 0.99)) < 1e-6,
        "silent before its clip"
    );
    // ffmpeg's sine source is at 1/8 of full scale; volume 0.5 halves it.
    let level = rms(window(left, 1.2, 1.8));
    assert!(
        (db(level) - db(0.125 * 0.5 / 2f64.sqrt())).abs() < 0.5,
        "{}",
        db(level)
    );
    assert!(
        rms(window(left, 2.4, 2.5)) < level * 0.3,
        "fading out at the clip's end"
    );
    assert!(rms(window(left, 2.5, 3.0)) < 1e-6, "stops with its clip");

    let silent = vec![Media::Video(Arc::new(crate::media::VideoFile {
        bytes: Bytes::new(),
        info: crate::media::VideoInfo {
            has_audio: false,
            ..info
        },
    }))];
    let mixed = mix_scene(
        &scene(
            3.0,
            &[AssetKind::Video],
            vec![track(AudioKind::Video, 0, 0.0, Some(3.0))],
        ),
        &silent,
    )
    .expect("mix");
    assert!(
        mixed.warnings[0].contains("has no sound track"),
        "{:?}",
        mixed.warnings
    );
}

#[test]
fn only_the_part_of_a_file_that_plays_is_decoded() {
    let mut music = track(AudioKind::Music, 0, 1.0, Some(3.0));
    music.cut_from = 10.0;
    let mut looped = track(AudioKind::Music, 1, 0.0, Some(3.0));
    looped.looped = true;
    looped.cut_to = Some(2.0);
    let speech = track(AudioKind::Speech, 2, 2.5, None);
    let sc = scene(
        3.0,
        &[AssetKind::Music, AssetKind::Music, AssetKind::Speech],
        vec![music, looped, speech],
    );
    let needed = super::mix::source_needed(&sc, output_frames(&sc));
    assert_eq!(needed[&0], Some(12.0), "cutFrom + its 2 s on the timeline");
    assert_eq!(
        needed[&1],
        Some(2.0),
        "a loop needs its whole segment, no more"
    );
    assert_eq!(needed[&2], Some(0.5), "cut at the picture's end");
    // Decoding stops shortly after the limit: 1 s of a 30 s file.
    let long = tone_wav(30.0, 0.5);
    let part = super::decode::decode_audio_until(&long, Some(1.0)).expect("decode");
    assert!(
        part.frames() < 2 * SAMPLE_RATE as usize,
        "{}",
        part.frames()
    );
}

#[test]
fn an_absurd_sample_rate_is_refused_not_resampled() {
    let wav = wav_bytes(&[0.0; 100], 1, 100);
    let err = probe_audio(&wav).expect_err("100 Hz");
    assert!(err.to_string().contains("100 Hz is not supported"), "{err}");
    assert!(decode_audio(&wav).is_err());
}
