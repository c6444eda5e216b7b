//! Any decoded file → stereo at 48 kHz. Rate conversion is rubato's synchronous FFT resampler:
//! band-limited (Blackman-Harris anti-aliasing window), exact for a fixed ratio, and it trims
//! its own delay so the sound keeps its place on the timeline.

use rubato::audioadapter_buffers::direct::SequentialSliceOfVecs;
use rubato::{Fft, FixedSync, Resampler};

use super::decode::Decoded;
use super::{AudioError, Stereo, SAMPLE_RATE};

/// Frames per resampler call; the FFT rounds it to fit the ratio.
const CHUNK: usize = 1024;
/// −3 dB: the ITU downmix weight of centre and surround channels.
const SIDE_WEIGHT: f32 = std::f32::consts::FRAC_1_SQRT_2;

pub fn to_stereo_48k(decoded: &Decoded) -> Result<Stereo, AudioError> {
    let stereo = downmix(decoded);
    if decoded.rate == SAMPLE_RATE || stereo.frames() == 0 {
        return Ok(stereo);
    }
    resample(&stereo, decoded.rate)
}

/// Mono plays on both sides; more than two channels fold into two with the usual weights,
/// taking the WAV/AAC order (front left, front right, centre, LFE, surround left, surround
/// right) and leaving out the LFE.
fn downmix(decoded: &Decoded) -> Stereo {
    let frames = decoded.channels.iter().map(Vec::len).min().unwrap_or(0);
    let ch = |i: usize| &decoded.channels[i][..frames];
    match decoded.channels.len() {
        0 => Stereo::default(),
        1 => Stereo {
            left: ch(0).to_vec(),
            right: ch(0).to_vec(),
        },
        2 => Stereo {
            left: ch(0).to_vec(),
            right: ch(1).to_vec(),
        },
        n => {
            let (mut left, mut right) = (ch(0).to_vec(), ch(1).to_vec());
            let add = |target: &mut Vec<f32>, source: &[f32]| {
                for (t, s) in target.iter_mut().zip(source) {
                    *t += s * SIDE_WEIGHT;
                }
            };
            add(&mut left, ch(2));
            add(&mut right, ch(2));
            if n >= 5 {
                add(&mut left, ch(4));
            }
            if n >= 6 {
                add(&mut right, ch(5));
            }
            // Keep the fold-down from clipping: the weights of one side add up to this.
            let norm = 1.0 / (1.0 + SIDE_WEIGHT * if n >= 5 { 2.0 } else { 1.0 });
            for s in left.iter_mut().chain(right.iter_mut()) {
                *s *= norm;
            }
            Stereo { left, right }
        }
    }
}

fn resample(stereo: &Stereo, rate: u32) -> Result<Stereo, AudioError> {
    let error =
        |e: &dyn std::fmt::Display| AudioError::Resample(format!("{rate} Hz → 48 kHz: {e}"));
    let mut resampler = Fft::<f32>::new(
        rate as usize,
        SAMPLE_RATE as usize,
        CHUNK,
        2,
        FixedSync::Both,
    )
    .map_err(|e| error(&e))?;
    let frames = stereo.frames();
    let planes = [stereo.left.clone(), stereo.right.clone()];
    let input = SequentialSliceOfVecs::new(&planes, 2, frames).map_err(|e| error(&e))?;
    let output = resampler
        .process_all(&input, frames, None)
        .map_err(|e| error(&e))?;
    let interleaved = output.take_data();
    let (left, right) = interleaved
        .chunks_exact(2)
        .map(|frame| (frame[0], frame[1]))
        .unzip();
    Ok(Stereo { left, right })
}
