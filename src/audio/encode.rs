//! The mix → Opus packets for the MP4 (README "Audio": why Opus, and the licence of libopus).
//!
//! Start alignment: muxide writes a fixed pre-skip of [`OPUS_PRE_SKIP`] samples into the `dOps`
//! box and every player drops that many decoded samples. libopus delays its output by its
//! look-ahead; we put `OPUS_PRE_SKIP − lookahead` samples of silence in front so that, after the
//! pre-skip, the first sample heard is the mix's sample 0, at the first video frame.
//!
//! End alignment: MP4 has no Opus end trim without an edit list (which muxide does not write),
//! so the packets cover the mix plus at most 2.5 ms: the track's last packets are 2.5 ms long.

use opus::{Application, Bitrate, Channels, Encoder};

use super::{AudioError, Stereo, SAMPLE_RATE};

/// The pre-skip muxide 0.5 writes into every Opus track's `dOps` box.
pub const OPUS_PRE_SKIP: usize = 312;
/// 20 ms: Opus' usual frame, the best quality per bit.
const FRAME: usize = 960;
/// 2.5 ms: Opus' shortest frame, used only to end the track close to the picture's end.
const SHORT_FRAME: usize = 120;
/// Transparent for music and speech in stereo.
const BITRATE: i32 = 128_000;
/// At 128 kbit/s the top complexities buy nothing audible; 6 encodes in half the time of 10.
const COMPLEXITY: i32 = 6;
/// Larger than any Opus packet (RFC 6716: at most 1275 bytes per frame, 20 ms here).
const MAX_PACKET: usize = 4000;

/// Opus packets ready for the muxer.
#[derive(Debug, Clone)]
pub struct EncodedAudio {
    pub sample_rate: u32,
    pub channels: u16,
    pub packets: Vec<AudioPacket>,
    /// Samples of sound the packets carry after the pre-skip: at least the mix's length.
    pub frames: usize,
}

#[derive(Debug, Clone)]
pub struct AudioPacket {
    /// Timestamp in samples at 48 kHz from the start of the track (pre-skip included).
    pub pts: u64,
    /// Samples this packet decodes to.
    pub duration: u32,
    pub data: Vec<u8>,
}

pub fn encode_opus(stereo: &Stereo) -> Result<EncodedAudio, AudioError> {
    let error = |e: opus::Error| AudioError::Encode(e.to_string());
    let mut encoder =
        Encoder::new(SAMPLE_RATE, Channels::Stereo, Application::Audio).map_err(error)?;
    encoder.set_bitrate(Bitrate::Bits(BITRATE)).map_err(error)?;
    encoder.set_complexity(COMPLEXITY).map_err(error)?;
    let lookahead = usize::try_from(encoder.get_lookahead().map_err(error)?).unwrap_or(0);
    if lookahead > OPUS_PRE_SKIP {
        return Err(AudioError::Encode(format!(
            "libopus looks ahead {lookahead} samples, more than the {OPUS_PRE_SKIP} the MP4 skips"
        )));
    }
    let lead = OPUS_PRE_SKIP - lookahead;
    let frames = stereo.frames();
    // The encoder must also be fed its look-ahead past the end to let the last samples out.
    let total = (lead + frames + lookahead).div_ceil(SHORT_FRAME) * SHORT_FRAME;
    let mut input = vec![0.0f32; total * 2];
    for (i, (l, r)) in stereo.left.iter().zip(&stereo.right).enumerate() {
        input[(lead + i) * 2] = *l;
        input[(lead + i) * 2 + 1] = *r;
    }
    let mut packets = Vec::with_capacity(total / FRAME + 8);
    let mut buffer = vec![0u8; MAX_PACKET];
    let mut pos = 0usize;
    for size in frame_sizes(total) {
        let len = encoder
            .encode_float(&input[pos * 2..(pos + size) * 2], &mut buffer)
            .map_err(error)?;
        packets.push(AudioPacket {
            pts: pos as u64,
            duration: size as u32,
            data: buffer[..len].to_vec(),
        });
        pos += size;
    }
    Ok(EncodedAudio {
        sample_rate: SAMPLE_RATE,
        channels: 2,
        packets,
        frames: total - OPUS_PRE_SKIP,
    })
}

/// 20 ms frames, and a tail of at least two 2.5 ms frames when the length needs one: muxide
/// gives a track's last packet the previous packet's duration, so the last two must be equal.
fn frame_sizes(total: usize) -> Vec<usize> {
    let full = total / FRAME;
    let rest = total % FRAME;
    if rest == 0 {
        return vec![FRAME; full];
    }
    let (full, tail) = if full > 0 {
        (full - 1, FRAME + rest)
    } else {
        (0, rest)
    };
    let mut sizes = vec![FRAME; full];
    sizes.extend(std::iter::repeat_n(SHORT_FRAME, tail / SHORT_FRAME));
    sizes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_plans_cover_the_length_and_end_with_equal_packets() {
        for total in [120, 360, 960, 1080, 1920, 2040, 48_000 + 360 + 120 * 7] {
            let sizes = frame_sizes(total);
            assert_eq!(sizes.iter().sum::<usize>(), total, "{total}");
            if sizes.len() >= 2 {
                assert_eq!(sizes[sizes.len() - 1], sizes[sizes.len() - 2], "{total}");
            }
        }
    }
}
