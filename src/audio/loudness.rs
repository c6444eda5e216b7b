//! `<Render normalize>`: integrated loudness (EBU R128 / ITU-R BS.1770, the `ebur128` crate)
//! brought to [`LOUDNESS_TARGET_LUFS`], and a look-ahead peak limiter that keeps any mix from
//! clipping.

use std::collections::VecDeque;

use super::{AudioError, Stereo, SAMPLE_RATE};

/// The streaming platforms' common target.
pub const LOUDNESS_TARGET_LUFS: f64 = -14.0;
/// Sample-peak ceiling of a normalised mix (headroom for the codec's inter-sample overs).
pub const NORMALIZED_CEILING_DB: f32 = -1.0;
/// Ceiling of any other mix: the limiter only keeps a plain sum (§20) from clipping.
pub const CLIP_CEILING_DB: f32 = -0.1;
/// Quieter than this is silence (or nearly): it is not amplified.
const SILENCE_LUFS: f64 = -70.0;
/// The most a normalisation lifts a quiet mix, so near-silence is not turned into loud noise.
const MAX_GAIN_DB: f64 = 30.0;
/// The limiter sees peaks this far ahead and ramps down over the same time: no clicks.
const LOOKAHEAD: usize = (SAMPLE_RATE / 200) as usize;
const RELEASE_SECONDS: f32 = 0.15;

/// Integrated loudness of a stereo mix in LUFS; `None` for silence.
pub fn integrated_lufs(stereo: &Stereo) -> Result<Option<f64>, AudioError> {
    let error = |e: ebur128::Error| AudioError::Encode(format!("loudness measurement: {e}"));
    let mut meter = ebur128::EbuR128::new(2, SAMPLE_RATE, ebur128::Mode::I).map_err(error)?;
    meter
        .add_frames_planar_f32(&[&stereo.left, &stereo.right])
        .map_err(error)?;
    let lufs = meter.loudness_global().map_err(error)?;
    Ok((lufs.is_finite() && lufs > SILENCE_LUFS).then_some(lufs))
}

/// Scales the mix to the target loudness; returns the gain applied in dB.
pub fn normalize(stereo: &mut Stereo) -> Result<f64, AudioError> {
    let Some(lufs) = integrated_lufs(stereo)? else {
        return Ok(0.0);
    };
    let gain_db = (LOUDNESS_TARGET_LUFS - lufs).min(MAX_GAIN_DB);
    let gain = 10f64.powf(gain_db / 20.0) as f32;
    for s in stereo.left.iter_mut().chain(stereo.right.iter_mut()) {
        *s *= gain;
    }
    Ok(gain_db)
}

/// Brings every peak under `ceiling_db` (dBFS) with a smooth gain curve; sound under the
/// ceiling is not touched.
pub fn limit(stereo: &mut Stereo, ceiling_db: f32) {
    let ceiling = 10f32.powf(ceiling_db / 20.0);
    let frames = stereo.frames();
    let needed: Vec<f32> = stereo
        .left
        .iter()
        .zip(&stereo.right)
        .map(|(l, r)| {
            let peak = l.abs().max(r.abs());
            if peak > ceiling {
                ceiling / peak
            } else {
                1.0
            }
        })
        .collect();
    if needed.iter().all(|g| *g >= 1.0) {
        return;
    }
    // min over [i, i + LOOKAHEAD], then a moving average over the previous LOOKAHEAD samples:
    // every sample inside a peak's window is at most that peak's gain, so the averaged ramp
    // reaches it in time.
    let ahead = sliding_min_ahead(&needed, LOOKAHEAD);
    let release_step = 1.0 / (RELEASE_SECONDS * SAMPLE_RATE as f32);
    let mut sum = 0.0f64;
    let mut previous = 1.0f32;
    for i in 0..frames {
        sum += f64::from(ahead[i]);
        if i >= LOOKAHEAD {
            sum -= f64::from(ahead[i - LOOKAHEAD]);
        }
        let count = (i + 1).min(LOOKAHEAD) as f64;
        // Before a full window the missing samples count as the first one, which is at most
        // the gain of any peak in the first window.
        let missing = (LOOKAHEAD as f64 - count).max(0.0) * f64::from(ahead[0]);
        let smooth = ((sum + missing) / LOOKAHEAD as f64) as f32;
        let gain = smooth.min(previous + release_step).min(1.0);
        previous = gain;
        stereo.left[i] *= gain;
        stereo.right[i] *= gain;
    }
}

/// `out[i] = min(values[i ..= i + window])`, in linear time.
fn sliding_min_ahead(values: &[f32], window: usize) -> Vec<f32> {
    let n = values.len();
    let mut out = vec![1.0; n];
    let mut queue: VecDeque<usize> = VecDeque::new();
    // Walk backwards so the window [i, i + window] is the queue's content.
    for i in (0..n).rev() {
        while queue.back().is_some_and(|&j| values[j] >= values[i]) {
            queue.pop_back();
        }
        queue.push_back(i);
        while queue.front().is_some_and(|&j| j > i + window) {
            queue.pop_front();
        }
        out[i] = queue.front().map_or(1.0, |&j| values[j]);
    }
    out
}
