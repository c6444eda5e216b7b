//! Sound files → PCM with symphonia (wav, mp3, aac/m4a and the sound of MP4 videos, ogg vorbis,
//! flac), and libopus for Opus (in Ogg), which symphonia demuxes but does not decode.

use std::io::Cursor;

use symphonia::core::codecs::audio::well_known::CODEC_ID_OPUS;
use symphonia::core::codecs::audio::{AudioCodecParameters, AudioDecoderOptions};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, Track, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::packet::Packet;

use super::mp4_edit::{sound_edit, Edit};
use super::AudioError;

/// What the resampler and the mixer need to know about any file.
const FORMATS: &str = "wav, mp3, aac/m4a, ogg (vorbis, opus), flac";
const UNTIL_MARGIN_SECONDS: f64 = 0.5;
const MIN_RATE: u32 = 8_000;
const MAX_RATE: u32 = 384_000;
/// Largest Opus packet: 120 ms at 48 kHz.
const OPUS_MAX_FRAMES: usize = 5760;

/// A decoded file at its own rate and channel count, planar.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub rate: u32,
    pub channels: Vec<Vec<f32>>,
}

impl Decoded {
    pub fn frames(&self) -> usize {
        self.channels.first().map_or(0, Vec::len)
    }
}

/// Length (seconds), rate and channel count, without decoding: from the headers, or, when they
/// do not tell the length (some MP3s), from the packets' durations.
pub fn probe(bytes: &[u8]) -> Result<(f64, u32, u16), AudioError> {
    let mut reader = open(bytes)?;
    let track = audio_track(reader.as_ref())?;
    let params = audio_params(track)?.clone();
    let channels = params.channels.as_ref().map_or(0, |c| c.count()) as u16;
    let rate = params.sample_rate.unwrap_or(0);
    check_rate(rate)?;
    let is_opus = params.codec == CODEC_ID_OPUS;
    // Ogg counts Opus' pre-skip in its positions and durations; it is not sound.
    let pre_skip = if is_opus {
        f64::from(track.delay.unwrap_or(0)) / f64::from(rate)
    } else {
        0.0
    };
    let mut seconds = match (track.num_frames, track.time_base) {
        (Some(frames), _) => frames as f64 / f64::from(rate),
        (None, time_base) => {
            let tick = time_base.map_or(1.0 / f64::from(rate), |tb| {
                f64::from(tb.numer.get()) / f64::from(tb.denom.get())
            });
            let track_id = track.id;
            count_ticks(reader.as_mut(), track_id)? as f64 * tick
        }
    } - pre_skip;
    if let Some(edit) = sound_edit(bytes).filter(|_| !is_opus) {
        seconds = edit.delay + edit.length.unwrap_or(seconds - edit.skip);
    }
    Ok((seconds.max(0.0), rate, channels))
}

fn count_ticks(reader: &mut dyn FormatReader, track_id: u32) -> Result<u64, AudioError> {
    let mut ticks = 0u64;
    while let Some(packet) = next_packet(reader)? {
        if packet.track_id == track_id {
            ticks = ticks.saturating_add(packet.dur.get());
        }
    }
    Ok(ticks)
}

/// Rates the resampler converts with bounded memory; every real file is inside.
fn check_rate(rate: u32) -> Result<(), AudioError> {
    if (MIN_RATE..=MAX_RATE).contains(&rate) {
        Ok(())
    } else {
        Err(AudioError::Unsupported(format!(
            "a sample rate of {rate} Hz is not supported (8 kHz to 384 kHz are)"
        )))
    }
}

/// Decodes the first audio track of a file completely.
pub fn decode_audio(bytes: &[u8]) -> Result<Decoded, AudioError> {
    decode_audio_until(bytes, None)
}

/// Decodes the first audio track up to about `until` seconds of it (all of it for `None`):
/// a 15 s video needs 15 s of a 3-minute song, not the whole song decoded and resampled.
pub fn decode_audio_until(bytes: &[u8], until: Option<f64>) -> Result<Decoded, AudioError> {
    // Past the limit: priming an edit list skips, and the resampler's filter length.
    let until = until.map(|u| u.max(0.0) + UNTIL_MARGIN_SECONDS);
    let mut reader = open(bytes)?;
    let track = audio_track(reader.as_ref())?;
    let params = audio_params(track)?.clone();
    let track_id = track.id;
    let delay = track.delay.unwrap_or(0) as usize;
    let decoded = if params.codec == CODEC_ID_OPUS {
        decode_opus(reader.as_mut(), track_id, &params, delay, until)?
    } else {
        let mut decoded = decode_symphonia(reader.as_mut(), track_id, &params, until)?;
        if let Some(edit) = sound_edit(bytes) {
            apply_edit(&mut decoded, edit);
        }
        decoded
    };
    if decoded.channels.is_empty() {
        return Err(AudioError::Decode(
            "the file's audio track has no channels".into(),
        ));
    }
    check_rate(decoded.rate)?;
    Ok(decoded)
}

fn open(bytes: &[u8]) -> Result<Box<dyn FormatReader + '_>, AudioError> {
    let stream = MediaSourceStream::new(Box::new(Cursor::new(bytes)), Default::default());
    symphonia::default::get_probe()
        .probe(
            &Hint::new(),
            stream,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|_| {
            AudioError::Decode(format!(
                "the file is not sound in a supported format ({FORMATS})"
            ))
        })
}

fn audio_track(reader: &dyn FormatReader) -> Result<&Track, AudioError> {
    reader
        .default_track(TrackType::Audio)
        .ok_or(AudioError::NoAudioTrack)
}

fn audio_params(track: &Track) -> Result<&AudioCodecParameters, AudioError> {
    track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or(AudioError::NoAudioTrack)
}

fn decode_symphonia(
    reader: &mut dyn FormatReader,
    track_id: u32,
    params: &AudioCodecParameters,
    until: Option<f64>,
) -> Result<Decoded, AudioError> {
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(params, &AudioDecoderOptions::default())
        .map_err(|_| {
            AudioError::Unsupported(format!(
                "the file's audio codec is not supported (supported: {FORMATS})"
            ))
        })?;
    let mut out = Decoded {
        rate: params.sample_rate.unwrap_or(0),
        channels: Vec::new(),
    };
    let mut scratch: Vec<Vec<f32>> = Vec::new();
    let mut good = 0usize;
    let mut bad = 0usize;
    while let Some(packet) = next_packet(reader)? {
        if packet.track_id != track_id {
            continue;
        }
        match decoder.decode(&packet) {
            Ok(buffer) => {
                good += 1;
                out.rate = buffer.spec().rate();
                buffer.copy_to_vecs_planar::<f32>(&mut scratch);
                append(&mut out.channels, &scratch);
                if until.is_some_and(|u| out.frames() as f64 >= u * f64::from(out.rate)) {
                    break;
                }
            }
            // A damaged packet costs its few milliseconds, not the whole file.
            Err(SymphoniaError::DecodeError(_)) => bad += 1,
            Err(e) => return Err(AudioError::Decode(format!("decoding failed: {e}"))),
        }
    }
    if good == 0 && bad > 0 {
        return Err(AudioError::Decode(
            "none of the file's audio could be decoded".into(),
        ));
    }
    Ok(out)
}

fn decode_opus(
    reader: &mut dyn FormatReader,
    track_id: u32,
    params: &AudioCodecParameters,
    pre_skip: usize,
    until: Option<f64>,
) -> Result<Decoded, AudioError> {
    let count = params.channels.as_ref().map_or(0, |c| c.count());
    let layout = match count {
        1 => opus::Channels::Mono,
        2 => opus::Channels::Stereo,
        n => {
            return Err(AudioError::Unsupported(format!(
                "Opus files with {n} channels are not supported (mono and stereo are)"
            )))
        }
    };
    let mut decoder = opus::Decoder::new(48_000, layout)
        .map_err(|e| AudioError::Decode(format!("cannot start the Opus decoder: {e}")))?;
    let mut interleaved = vec![0.0f32; OPUS_MAX_FRAMES * count];
    let mut channels: Vec<Vec<f32>> = vec![Vec::new(); count];
    while let Some(packet) = next_packet(reader)? {
        if packet.track_id != track_id {
            continue;
        }
        let frames = match decoder.decode_float(&packet.data, &mut interleaved, false) {
            Ok(n) => n,
            Err(_) => continue,
        };
        // The container says which decoded frames are padding rather than sound.
        let first = (packet.trim_start.get() as usize).min(frames);
        let last = frames
            .saturating_sub(packet.trim_end.get() as usize)
            .max(first);
        for frame in interleaved[first * count..last * count].chunks_exact(count) {
            for (channel, sample) in channels.iter_mut().zip(frame) {
                channel.push(*sample);
            }
        }
        let decoded = channels[0].len().saturating_sub(pre_skip);
        if until.is_some_and(|u| decoded as f64 >= u * 48_000.0) {
            break;
        }
    }
    // The encoder's look-ahead (OpusHead pre-skip) comes first and is not part of the sound.
    for channel in channels.iter_mut() {
        channel.drain(..pre_skip.min(channel.len()));
    }
    Ok(Decoded {
        rate: 48_000,
        channels,
    })
}

/// Skips the encoder's priming, keeps the edit's length, and puts its delay in front.
fn apply_edit(decoded: &mut Decoded, edit: Edit) {
    let rate = f64::from(decoded.rate);
    let skip = (edit.skip * rate).round() as usize;
    let keep = edit.length.map(|l| (l * rate).round() as usize);
    let delay = (edit.delay * rate).round() as usize;
    for channel in decoded.channels.iter_mut() {
        channel.drain(..skip.min(channel.len()));
        if let Some(keep) = keep {
            channel.truncate(keep);
        }
        channel.splice(0..0, std::iter::repeat_n(0.0, delay));
    }
}

fn next_packet(reader: &mut dyn FormatReader) -> Result<Option<Packet>, AudioError> {
    match reader.next_packet() {
        Ok(packet) => Ok(packet),
        // A truncated file ends where its data ends; a chained Ogg stream ends at its first link.
        Err(SymphoniaError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            Ok(None)
        }
        Err(SymphoniaError::ResetRequired) => Ok(None),
        Err(e) => Err(AudioError::Decode(format!("reading the file failed: {e}"))),
    }
}

fn append(channels: &mut Vec<Vec<f32>>, planes: &[Vec<f32>]) {
    if channels.len() < planes.len() {
        channels.resize(planes.len(), Vec::new());
    }
    for (channel, plane) in channels.iter_mut().zip(planes) {
        channel.extend_from_slice(plane);
    }
}
