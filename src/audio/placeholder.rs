//! Audible preview placeholders (D10): one soft tone burst per word of a speech, a quiet chord
//! pad for music. Same inputs, same bytes: both are pure functions of their arguments.

use std::f64::consts::TAU;

use super::wav::wav_bytes;
use super::{to_frames, SAMPLE_RATE};
use crate::scene::Word;

/// Peak level of a word's burst: soft, well under full scale.
const BURST_LEVEL: f64 = 0.3;
/// The burst rises over this long from the word's start (a click-free onset that is still
/// sharp enough for captions to line up with to the millisecond).
const BURST_ATTACK: f64 = 0.008;
const BURST_RELEASE: f64 = 0.04;

/// Peak level of the pad, all voices together: quiet under speech.
const PAD_LEVEL: f64 = 0.2;
const PAD_EDGE_FADE: f64 = 0.5;
/// Chords overlap by this long when they change.
const PAD_CROSSFADE: f64 = 0.4;

/// A placeholder speech as a WAV file (48 kHz mono), `duration` seconds long: a tone burst
/// sounding over each word's `[start, end)` (times relative to the speech's start), so what is
/// heard lines up with the captions that use the same timings.
pub fn speech_wav(words: &[Word], duration: f64) -> Vec<u8> {
    let last_end = words.iter().map(|w| w.end).fold(0.0, f64::max);
    let seconds = if duration.is_finite() && duration > 0.0 {
        duration
    } else {
        last_end
    };
    let mut samples = vec![0.0f32; to_frames(seconds)];
    for word in words {
        let start = to_frames(word.start);
        let end = to_frames(word.end).min(samples.len());
        if end <= start {
            continue;
        }
        let freq = word_pitch(&word.text);
        let length = (end - start) as f64 / f64::from(SAMPLE_RATE);
        for (i, out) in samples[start..end].iter_mut().enumerate() {
            let t = i as f64 / f64::from(SAMPLE_RATE);
            let envelope = ramp(t / BURST_ATTACK) * ramp((length - t) / BURST_RELEASE);
            // A touch of second harmonic makes the burst less of a test tone, more of a voice.
            let tone = (TAU * freq * t).sin() * 0.8 + (TAU * 2.0 * freq * t).sin() * 0.2;
            *out = (BURST_LEVEL * envelope * tone) as f32;
        }
    }
    wav_bytes(&samples, 1, SAMPLE_RATE)
}

/// A placeholder music track as a WAV file (48 kHz mono), `duration` seconds long: a slow chord
/// progression whose key, mode, progression and pace come from the prompt.
pub fn music_wav(prompt: &str, duration: f64) -> Vec<u8> {
    let frames = if duration.is_finite() && duration > 0.0 {
        to_frames(duration)
    } else {
        0
    };
    let mut dice = Dice::new(prompt);
    let root_midi = 45 + (dice.next() % 12) as i32; // A2 to G#3
    let minor = dice.next() % 2 == 1;
    let progressions: [[i32; 4]; 4] = if minor {
        [[0, 5, 2, 6], [0, 3, 4, 0], [0, 6, 5, 4], [0, 3, 6, 2]]
    } else {
        [[0, 4, 5, 3], [0, 3, 5, 4], [0, 5, 3, 4], [0, 3, 0, 4]]
    };
    let progression = progressions[(dice.next() % 4) as usize];
    let chord_seconds = [2.0, 2.5, 3.0, 4.0][(dice.next() % 4) as usize];
    let scale: [i32; 7] = if minor {
        [0, 2, 3, 5, 7, 8, 10]
    } else {
        [0, 2, 4, 5, 7, 9, 11]
    };
    let total = frames as f64 / f64::from(SAMPLE_RATE);
    let chord_count = (total / chord_seconds).ceil().max(1.0) as usize;
    let mut samples = vec![0.0f64; frames];
    for chord in 0..chord_count {
        let degree = progression[chord % progression.len()];
        // Triad on the scale degree, plus the root an octave up for a fuller pad.
        let freqs = [0, 2, 4, 7].map(|step| {
            let index = degree + step;
            let note = root_midi + scale[index.rem_euclid(7) as usize] + 12 * index.div_euclid(7);
            440.0 * 2f64.powf(f64::from(note - 69) / 12.0)
        });
        let begin = chord as f64 * chord_seconds;
        let end = begin + chord_seconds;
        let first = to_frames(begin - PAD_CROSSFADE / 2.0);
        let last = to_frames(end + PAD_CROSSFADE / 2.0).min(frames);
        // Two slightly detuned oscillators per note beat slowly: the pad's shimmer.
        let mut oscillators: Vec<Phasor> = freqs
            .iter()
            .flat_map(|f| [f * 0.9985, f * 1.0015])
            .map(|f| Phasor::new(f, first))
            .collect();
        let fade_in_end = begin + PAD_CROSSFADE / 2.0;
        let fade_out_start = end - PAD_CROSSFADE / 2.0;
        for (i, out) in samples.iter_mut().enumerate().take(last).skip(first) {
            let voice: f64 = oscillators.iter_mut().map(Phasor::next).sum();
            let t = i as f64 / f64::from(SAMPLE_RATE);
            let mut fade = 1.0;
            if chord > 0 && t < fade_in_end {
                fade *= ramp((t - (begin - PAD_CROSSFADE / 2.0)) / PAD_CROSSFADE);
            }
            if t > fade_out_start {
                fade *= ramp((end + PAD_CROSSFADE / 2.0 - t) / PAD_CROSSFADE);
            }
            *out += voice * fade;
        }
    }
    let voices = 8.0;
    let mut swell = Phasor::new(0.2, 0);
    let mono: Vec<f32> = samples
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let t = i as f64 / f64::from(SAMPLE_RATE);
            let mut level = PAD_LEVEL * (0.9 + 0.1 * swell.next()) / voices;
            if t < PAD_EDGE_FADE || total - t < PAD_EDGE_FADE {
                level *= ramp(t / PAD_EDGE_FADE) * ramp((total - t) / PAD_EDGE_FADE);
            }
            (s * level) as f32
        })
        .collect();
    wav_bytes(&mono, 1, SAMPLE_RATE)
}

/// A sine oscillator as a rotating unit vector: one complex multiply per sample instead of a
/// `sin` call (the pad has eight voices for every sample of a track as long as the video).
struct Phasor {
    re: f64,
    im: f64,
    cos: f64,
    sin: f64,
}

impl Phasor {
    /// A sine of `freq` Hz with the phase it has at sample `at`.
    fn new(freq: f64, at: usize) -> Self {
        let step = TAU * freq / f64::from(SAMPLE_RATE);
        let phase = step * at as f64;
        Phasor {
            re: phase.cos(),
            im: phase.sin(),
            cos: step.cos(),
            sin: step.sin(),
        }
    }

    fn next(&mut self) -> f64 {
        let value = self.im;
        (self.re, self.im) = (
            self.re * self.cos - self.im * self.sin,
            self.re * self.sin + self.im * self.cos,
        );
        value
    }
}

/// Raised-cosine 0→1 over `x` in 0..1; clamped outside.
fn ramp(x: f64) -> f64 {
    let x = x.clamp(0.0, 1.0);
    0.5 - 0.5 * (std::f64::consts::PI * x).cos()
}

/// A pentatonic pitch from the word, so consecutive words sound like a (very plain) voice.
fn word_pitch(word: &str) -> f64 {
    const STEPS: [i32; 5] = [0, 2, 4, 7, 9];
    let step = STEPS[(Dice::new(word).next() % STEPS.len() as u64) as usize];
    220.0 * 2f64.powf(f64::from(step) / 12.0)
}

/// FNV-1a seed, SplitMix64 steps: stable across runs and platforms.
struct Dice(u64);

impl Dice {
    fn new(text: &str) -> Self {
        Dice(text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        }))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}
