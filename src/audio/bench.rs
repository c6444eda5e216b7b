//! Release-build measurements of the audio path (ignored by default):
//! `cargo test --release --lib audio::bench -- --ignored --nocapture`.
//! A 60 s video: a 44.1 kHz stereo music file looped and ducked under 24 placeholder speeches.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::decode::decode_audio;
use super::placeholder::speech_wav;
use super::wav::wav_bytes;
use super::*;
use crate::media::{probe_audio, AudioFile, Media};
use crate::scene::{Anchor, AssetKind, AssetRequest, AssetSource, AudioKind, AudioTrack};

const RUNS: usize = 5;

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

fn measure(what: &str, mut f: impl FnMut()) {
    let times = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .collect();
    println!("{what}: median {:.1} ms of {RUNS}", median(times));
}

fn media(wav: Vec<u8>) -> Media {
    let info = probe_audio(&wav).expect("probe");
    Media::Audio(Arc::new(AudioFile {
        bytes: Bytes::from(wav),
        info,
    }))
}

#[test]
#[ignore = "benchmark: run in release with --ignored --nocapture"]
fn bench_audio_path() {
    let seconds = 60.0;
    // 30 s of a two-note chord at 44.1 kHz stereo: the music file.
    let music: Vec<f32> = (0..44_100 * 30)
        .flat_map(|i| {
            let t = f64::from(i) / 44_100.0;
            let l = 0.2 * (std::f64::consts::TAU * 220.0 * t).sin();
            let r = 0.2 * (std::f64::consts::TAU * 330.0 * t).sin();
            [l as f32, r as f32]
        })
        .collect();
    let music_wav = wav_bytes(&music, 2, 44_100);
    let words = crate::scene::speech_estimate("the quick brown fox jumps over it").1;
    let speech = speech_wav(&words, 2.8);
    let mut assets = vec![AssetRequest {
        kind: AssetKind::Music,
        source: AssetSource::Src {
            src: "music.wav".into(),
        },
        cache_key: "music".into(),
        duration: Some(30.0),
        words: Vec::new(),
    }];
    let mut audio = vec![AudioTrack {
        kind: AudioKind::Music,
        asset: 0,
        anchor: Anchor::Render { offset: 0.0 },
        start: 0.0,
        cut_from: 0.0,
        cut_to: None,
        end: Some(seconds),
        volume: 0.6,
        looped: true,
        ducking: true,
        fade_in: 0.0,
        fade_out: 0.0,
        source: None,
    }];
    let mut all_media = vec![media(music_wav.clone())];
    for i in 0..24 {
        assets.push(AssetRequest {
            kind: AssetKind::Speech,
            source: AssetSource::Src {
                src: format!("speech{i}.wav"),
            },
            cache_key: format!("speech{i}"),
            duration: Some(2.8),
            words: words.clone(),
        });
        all_media.push(media(speech.clone()));
        audio.push(AudioTrack {
            kind: AudioKind::Speech,
            asset: i + 1,
            start: i as f64 * 2.5,
            looped: false,
            ducking: false,
            volume: 1.0,
            end: None,
            ..audio[0].clone()
        });
    }
    let scene = Scene {
        width: 1280,
        height: 720,
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
    };
    measure("speech placeholder (2.8 s)", || {
        speech_wav(&words, 2.8);
    });
    measure("music placeholder (60 s)", || {
        placeholder::music_wav("calm piano", seconds);
    });
    measure("decode 30 s 44.1 kHz stereo wav", || {
        decode_audio(&music_wav).expect("decode");
    });
    let decoded = decode_audio(&music_wav).expect("decode");
    measure("resample 30 s 44.1 → 48 kHz stereo", || {
        to_stereo_48k(&decoded).expect("resample");
    });
    measure("mix 60 s (decode, resample, 25 tracks, ducking)", || {
        mix_scene(&scene, &all_media).expect("mix");
    });
    let mixed = mix_scene(&scene, &all_media).expect("mix").stereo;
    measure("loudness measure 60 s", || {
        integrated_lufs(&mixed).expect("lufs");
    });
    measure("Opus encode 60 s", || {
        encode_opus(&mixed).expect("encode");
    });
    measure("whole soundtrack 60 s", || {
        render_soundtrack(&scene, &all_media).expect("soundtrack");
    });
}
