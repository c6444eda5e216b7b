//! Music ducking (§10, D8): a side-chain on the speech. Where any speech is sounding the music
//! drops by [`DUCK_DB`], with a smooth attack that is complete when the voice starts (the whole
//! mix is known in advance, so the ducker looks ahead) and a slower release after it stops.

use super::{Stereo, SAMPLE_RATE};

pub const DUCK_DB: f32 = -12.0;
/// Detection blocks of 10 ms.
const BLOCK: usize = (SAMPLE_RATE / 100) as usize;
/// RMS above which speech counts as sounding: about −50 dBFS.
const THRESHOLD: f32 = 0.003;
const ATTACK_SECONDS: f64 = 0.08;
const RELEASE_SECONDS: f64 = 0.4;
/// Pauses shorter than this (between words, between sentences) keep the music down, so it does
/// not pump up and down with every syllable.
const HOLD_SECONDS: f64 = 0.35;

/// The music's gain at every sample of `speech`'s length: 1 in the clear, 10^(−12/20) under
/// speech, with ramps between.
pub fn duck_gain(speech: &Stereo) -> Vec<f32> {
    let frames = speech.frames();
    let blocks = frames.div_ceil(BLOCK);
    let sounding: Vec<bool> = (0..blocks)
        .map(|b| {
            let range = b * BLOCK..((b + 1) * BLOCK).min(frames);
            let n = range.len().max(1) as f32;
            let energy: f32 = speech.left[range.clone()]
                .iter()
                .zip(&speech.right[range])
                .map(|(l, r)| {
                    let m = (l + r) * 0.5;
                    m * m
                })
                .sum();
            (energy / n).sqrt() > THRESHOLD
        })
        .collect();
    let per_second = f64::from(SAMPLE_RATE) / BLOCK as f64;
    let ahead = (ATTACK_SECONDS * per_second).ceil() as usize;
    let hold = (HOLD_SECONDS * per_second).ceil() as usize;
    // A block is ducked when speech sounds in it, starts within the attack time after it, or
    // sounded within the hold time before it.
    let mut ducked = vec![false; blocks];
    for (b, _) in sounding.iter().enumerate().filter(|(_, s)| **s) {
        let from = b.saturating_sub(ahead);
        let to = (b + hold).min(blocks.saturating_sub(1));
        ducked[from..=to].iter_mut().for_each(|d| *d = true);
    }
    let down_per_sample = -DUCK_DB / (ATTACK_SECONDS * f64::from(SAMPLE_RATE)) as f32;
    let up_per_sample = -DUCK_DB / (RELEASE_SECONDS * f64::from(SAMPLE_RATE)) as f32;
    let ducked_gain = db_to_gain(DUCK_DB);
    let mut gain = Vec::with_capacity(frames);
    let mut db = 0.0f32;
    for i in 0..frames {
        let target = if ducked[i / BLOCK] { DUCK_DB } else { 0.0 };
        db = if db > target {
            (db - down_per_sample).max(target)
        } else {
            (db + up_per_sample).min(target)
        };
        // Resting levels skip the power function: most samples are at one of the two.
        gain.push(if db >= 0.0 {
            1.0
        } else if db <= DUCK_DB {
            ducked_gain
        } else {
            db_to_gain(db)
        });
    }
    gain
}

pub fn db_to_gain(db: f32) -> f32 {
    10f32.powf(db / 20.0)
}
