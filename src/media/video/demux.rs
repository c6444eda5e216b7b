//! The H.264 track of an in-memory MP4: where each sample lies, when it is shown (decode
//! times, composition offsets and the edit list) and the decoder configuration.

use super::sps::{self, Colour};
use crate::media::mp4::{boxes, child, full_u32, read_edit, Reader};
use crate::media::MediaError;

/// Pictures larger than this on either side are refused before a decoder sees them.
pub const MAX_SIDE: u32 = 8192;
/// About 18 hours at 30 fps: more samples than that is a hostile or broken table.
const MAX_SAMPLES: usize = 2_000_000;

/// One coded picture, in decode order.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub offset: usize,
    pub size: usize,
    /// Presentation time in track units, the edit list applied.
    pub pts: i64,
    pub sync: bool,
}

#[derive(Debug)]
pub struct Track {
    pub width: u32,
    pub height: u32,
    pub timescale: u32,
    pub samples: Vec<Sample>,
    /// Sample indices in presentation order: `display[rank]`.
    pub display: Vec<u32>,
    /// Indices of the sync samples, ascending.
    pub keyframes: Vec<u32>,
    /// Bytes of the length prefix before each NAL unit in a sample.
    pub nal_length: usize,
    /// SPS and PPS as Annex-B NAL units, fed to the decoder before the first picture.
    pub parameter_sets: Vec<u8>,
    /// How its YUV converts to RGB.
    pub colour: Colour,
    /// Seconds the track plays.
    pub duration: f64,
    pub has_audio: bool,
}

const START_CODE: [u8; 4] = [0, 0, 0, 1];

fn corrupt(why: &str) -> MediaError {
    MediaError::Corrupt(format!("the video file is damaged: {why}"))
}

impl Track {
    /// Reads the first video track of an MP4.
    pub fn parse(bytes: &[u8]) -> Result<Track, MediaError> {
        let moov = find_moov(bytes)?;
        let movie_scale = child(moov, b"mvhd").and_then(|m| full_u32(m, 12, 20));
        let mut has_audio = false;
        let mut video = None;
        for (_, trak) in boxes(moov).filter(|(k, _)| k == b"trak") {
            let Some(mdia) = child(trak, b"mdia") else {
                continue;
            };
            match child(mdia, b"hdlr").and_then(|h| h.get(8..12)) {
                Some(b"soun") => has_audio = true,
                Some(b"vide") if video.is_none() => video = Some((trak, mdia)),
                _ => {}
            }
        }
        let (trak, mdia) = video.ok_or_else(|| {
            MediaError::Unsupported("the file has no video track (it may be audio only)".into())
        })?;
        let mut track = read_track(bytes, trak, mdia, movie_scale)?;
        track.has_audio = has_audio;
        Ok(track)
    }

    /// The presentation rank of the picture on screen at `seconds` of track time: the last
    /// one that started by then; the first before the track starts, the last after it ends.
    pub fn rank_at(&self, seconds: f64) -> usize {
        // A microsecond of slack: output times like 10/30 s land a rounding error short of the
        // picture that starts exactly there.
        let target = (seconds + 1e-6) * f64::from(self.timescale);
        let after = self
            .display
            .partition_point(|&i| self.samples[i as usize].pts as f64 <= target);
        after.saturating_sub(1)
    }

    /// Where decoding must start to reach presentation rank `rank`: the last sync sample at
    /// or before it. With closed GOPs a rank below a sync sample's index lies in an earlier
    /// GOP, so ranks and decode indices share their sync boundaries.
    pub fn keyframe_for(&self, rank: usize) -> usize {
        let before = self.keyframes.partition_point(|&k| k as usize <= rank);
        before
            .checked_sub(1)
            .map_or(0, |i| self.keyframes[i] as usize)
    }

    /// Sample `index` as Annex-B NAL units appended to `out`.
    pub fn annex_b(&self, file: &[u8], index: usize, out: &mut Vec<u8>) -> Result<(), MediaError> {
        let sample = self.samples[index];
        let mut data = file
            .get(sample.offset..sample.offset + sample.size)
            .ok_or_else(|| corrupt("a picture lies past the end of the file"))?;
        while !data.is_empty() {
            let head = data
                .get(..self.nal_length)
                .ok_or_else(|| corrupt("a picture ends inside a NAL length"))?;
            let len = head.iter().fold(0usize, |n, &b| (n << 8) | usize::from(b));
            let nal = data
                .get(self.nal_length..self.nal_length + len)
                .ok_or_else(|| corrupt("a NAL unit runs past its picture"))?;
            out.extend_from_slice(&START_CODE);
            out.extend_from_slice(nal);
            data = &data[self.nal_length + len..];
        }
        Ok(())
    }

    pub fn fps(&self) -> f64 {
        self.samples.len() as f64 / self.duration.max(1e-9)
    }
}

fn find_moov(bytes: &[u8]) -> Result<&[u8], MediaError> {
    let mut seen_any = false;
    for (kind, body) in boxes(bytes) {
        if !kind.iter().all(|c| c.is_ascii_graphic() || *c == b' ') {
            break;
        }
        seen_any |= matches!(&kind, b"ftyp" | b"mdat" | b"free" | b"wide" | b"skip");
        if &kind == b"moov" {
            return Ok(body);
        }
    }
    if seen_any {
        Err(corrupt(
            "its index (the moov box) is missing; the file may be cut short",
        ))
    } else {
        Err(MediaError::Unsupported(
            "it is not an MP4 file; only H.264 MP4 videos are supported".into(),
        ))
    }
}

struct Codec {
    width: u32,
    height: u32,
    nal_length: usize,
    parameter_sets: Vec<u8>,
    colour: Colour,
}

fn read_track(
    bytes: &[u8],
    trak: &[u8],
    mdia: &[u8],
    movie_scale: Option<u32>,
) -> Result<Track, MediaError> {
    let timescale = child(mdia, b"mdhd")
        .and_then(|m| full_u32(m, 12, 20))
        .filter(|&s| s > 0)
        .ok_or_else(|| corrupt("the video track has no time scale"))?;
    let stbl = child(mdia, b"minf")
        .and_then(|m| child(m, b"stbl"))
        .ok_or_else(|| corrupt("the video track has no sample table"))?;
    let codec = read_codec(child(stbl, b"stsd").ok_or_else(|| corrupt("no sample description"))?)?;
    let table = |kind: &[u8; 4]| child(stbl, kind);
    let sizes = read_sizes(table(b"stsz").ok_or_else(|| corrupt("no sample sizes"))?)?;
    if sizes.is_empty() {
        return Err(MediaError::Unsupported(
            "the video track holds no pictures (fragmented MP4s are not supported)".into(),
        ));
    }
    let offsets = read_offsets(
        bytes,
        &sizes,
        table(b"stsc"),
        table(b"stco"),
        table(b"co64"),
    )?;
    let (dts, total) = read_times(table(b"stts"), sizes.len())?;
    let ctts = read_ctts(table(b"ctts"), sizes.len())?;
    let sync = read_sync(table(b"stss"), sizes.len())?;
    let edit = child(trak, b"edts")
        .and_then(|e| child(e, b"elst"))
        .and_then(|e| read_edit(e, movie_scale?, timescale));
    let (shift, length) = match edit {
        Some(edit) => (edit.delay - edit.skip, edit.length),
        None => (0, None),
    };
    let scale = f64::from(timescale);
    let samples: Vec<Sample> = (0..sizes.len())
        .map(|i| Sample {
            offset: offsets[i],
            size: sizes[i],
            pts: dts[i] + ctts.as_ref().map_or(0, |c| c[i]) + shift,
            sync: sync.as_ref().is_none_or(|s| s[i]),
        })
        .collect();
    let duration = length.map_or((total + shift) as f64 / scale, |l| {
        (l + edit.map_or(0, |e| e.delay)) as f64 / scale
    });
    if !(duration.is_finite() && duration > 0.0) {
        return Err(corrupt("the video track has no length"));
    }
    let mut display: Vec<u32> = (0..samples.len() as u32).collect();
    display.sort_by_key(|&i| samples[i as usize].pts);
    let keyframes = (0..samples.len() as u32)
        .filter(|&i| samples[i as usize].sync)
        .collect();
    Ok(Track {
        width: codec.width,
        height: codec.height,
        timescale,
        samples,
        display,
        keyframes,
        nal_length: codec.nal_length,
        parameter_sets: codec.parameter_sets,
        colour: codec.colour,
        duration,
        has_audio: false,
    })
}

fn read_codec(stsd: &[u8]) -> Result<Codec, MediaError> {
    let (kind, entry) = stsd
        .get(8..)
        .and_then(|e| boxes(e).next())
        .ok_or_else(|| corrupt("the sample description is empty"))?;
    let name = match &kind {
        b"avc1" | b"avc3" => None,
        b"hvc1" | b"hev1" => Some("HEVC (H.265)"),
        b"av01" => Some("AV1"),
        b"vp08" => Some("VP8"),
        b"vp09" => Some("VP9"),
        b"mp4v" => Some("MPEG-4 Part 2"),
        b"apcn" | b"apch" | b"apcs" | b"apco" | b"ap4h" => Some("ProRes"),
        other => {
            return Err(MediaError::Unsupported(format!(
                "its video is in the \"{}\" format; only H.264 MP4 videos are supported",
                String::from_utf8_lossy(other)
            )))
        }
    };
    if let Some(name) = name {
        return Err(MediaError::Unsupported(format!(
            "its video is {name}; only H.264 MP4 videos are supported"
        )));
    }
    let mut r = Reader::new(entry);
    r.skip(24)
        .ok_or_else(|| corrupt("short picture description"))?;
    let width = u32::from(r.u16().unwrap_or(0));
    let height = u32::from(r.u16().unwrap_or(0));
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(MediaError::Unsupported(format!(
            "its pictures are {width}×{height}; each side must be 1 to {MAX_SIDE} pixels"
        )));
    }
    let avcc = entry
        .get(78..)
        .and_then(|rest| child(rest, b"avcC"))
        .ok_or_else(|| corrupt("the H.264 configuration (avcC) is missing"))?;
    let Avcc {
        nal_length,
        parameter_sets,
        first_sps,
    } = read_avcc(avcc).ok_or_else(|| corrupt("the H.264 configuration (avcC) is unreadable"))?;
    let colour = match first_sps {
        Some(sps) => sps::colour(sps)?,
        None => None,
    };
    Ok(Codec {
        width,
        height,
        nal_length,
        parameter_sets,
        colour: colour.unwrap_or_else(|| Colour::unstated(width, height)),
    })
}

struct Avcc<'a> {
    nal_length: usize,
    parameter_sets: Vec<u8>,
    first_sps: Option<&'a [u8]>,
}

fn read_avcc(avcc: &[u8]) -> Option<Avcc<'_>> {
    let mut r = Reader::new(avcc);
    r.skip(4)?;
    let nal_length = usize::from(r.u8()? & 3) + 1;
    let mut sets = Vec::new();
    let sps = r.u8()? & 0x1f;
    let mut first_sps = None;
    for _ in 0..sps {
        let len = usize::from(r.u16()?);
        let nal = r.bytes(len)?;
        first_sps.get_or_insert(nal);
        sets.extend_from_slice(&START_CODE);
        sets.extend_from_slice(nal);
    }
    let pps = r.u8()?;
    for _ in 0..pps {
        let len = usize::from(r.u16()?);
        sets.extend_from_slice(&START_CODE);
        sets.extend_from_slice(r.bytes(len)?);
    }
    // Length prefixes of 3 bytes are not allowed by the format.
    (nal_length != 3).then_some(Avcc {
        nal_length,
        parameter_sets: sets,
        first_sps,
    })
}

fn too_many(n: usize) -> Result<(), MediaError> {
    if n > MAX_SAMPLES {
        return Err(MediaError::Unsupported(format!(
            "the video has {n} pictures; at most {MAX_SAMPLES} are supported"
        )));
    }
    Ok(())
}

fn read_sizes(stsz: &[u8]) -> Result<Vec<usize>, MediaError> {
    let bad = || corrupt("the sample size table is unreadable");
    let mut r = Reader::new(stsz);
    r.skip(4).ok_or_else(bad)?;
    let fixed = r.u32().ok_or_else(bad)?;
    if fixed != 0 {
        let n = r.u32().ok_or_else(bad)? as usize;
        too_many(n)?;
        return Ok(vec![fixed as usize; n]);
    }
    let n = r.count(4).ok_or_else(bad)?;
    too_many(n)?;
    (0..n)
        .map(|_| r.u32().map(|s| s as usize).ok_or_else(bad))
        .collect()
}

/// Each sample's file offset, from the chunk offsets and the sample-to-chunk runs.
fn read_offsets(
    bytes: &[u8],
    sizes: &[usize],
    stsc: Option<&[u8]>,
    stco: Option<&[u8]>,
    co64: Option<&[u8]>,
) -> Result<Vec<usize>, MediaError> {
    let bad = || corrupt("the chunk tables are unreadable");
    let chunks: Vec<u64> = match (stco, co64) {
        (Some(stco), _) => {
            let mut r = Reader::new(stco);
            r.skip(4).ok_or_else(bad)?;
            let n = r.count(4).ok_or_else(bad)?;
            (0..n)
                .map(|_| r.u32().map(u64::from).ok_or_else(bad))
                .collect::<Result<_, _>>()?
        }
        (None, Some(co64)) => {
            let mut r = Reader::new(co64);
            r.skip(4).ok_or_else(bad)?;
            let n = r.count(8).ok_or_else(bad)?;
            (0..n)
                .map(|_| r.u64().ok_or_else(bad))
                .collect::<Result<_, _>>()?
        }
        (None, None) => return Err(bad()),
    };
    let mut r = Reader::new(stsc.ok_or_else(bad)?);
    r.skip(4).ok_or_else(bad)?;
    let n = r.count(12).ok_or_else(bad)?;
    let mut runs = Vec::with_capacity(n);
    for _ in 0..n {
        let first = r.u32().ok_or_else(bad)? as usize;
        let per_chunk = r.u32().ok_or_else(bad)? as usize;
        r.skip(4).ok_or_else(bad)?;
        runs.push((first.max(1) - 1, per_chunk));
    }
    let mut offsets = Vec::with_capacity(sizes.len());
    for (k, &(first, per_chunk)) in runs.iter().enumerate() {
        let end = runs
            .get(k + 1)
            .map_or(chunks.len(), |r| r.0.min(chunks.len()));
        for &chunk in chunks.get(first..end).unwrap_or(&[]) {
            let mut at = usize::try_from(chunk).map_err(|_| bad())?;
            for _ in 0..per_chunk {
                let Some(&size) = sizes.get(offsets.len()) else {
                    break;
                };
                if at.checked_add(size).is_none_or(|e| e > bytes.len()) {
                    return Err(corrupt(
                        "a picture lies past the end of the file (is it cut short?)",
                    ));
                }
                offsets.push(at);
                at += size;
            }
        }
    }
    if offsets.len() != sizes.len() {
        return Err(corrupt("the chunk tables do not cover every picture"));
    }
    Ok(offsets)
}

/// Decode times of every sample and the total, from `stts`.
fn read_times(stts: Option<&[u8]>, n: usize) -> Result<(Vec<i64>, i64), MediaError> {
    let bad = || corrupt("the time table (stts) is unreadable");
    let mut r = Reader::new(stts.ok_or_else(bad)?);
    r.skip(4).ok_or_else(bad)?;
    let runs = r.count(8).ok_or_else(bad)?;
    let mut times = Vec::with_capacity(n);
    let mut t = 0i64;
    for _ in 0..runs {
        let count = r.u32().ok_or_else(bad)? as usize;
        let delta = i64::from(r.u32().ok_or_else(bad)?);
        for _ in 0..count.min(n - times.len()) {
            times.push(t);
            t += delta;
        }
    }
    if times.len() != n {
        return Err(bad());
    }
    Ok((times, t))
}

/// Composition offsets (B-frames); version 0 offsets are read signed too, as encoders write.
fn read_ctts(ctts: Option<&[u8]>, n: usize) -> Result<Option<Vec<i64>>, MediaError> {
    let Some(ctts) = ctts else {
        return Ok(None);
    };
    let bad = || corrupt("the composition table (ctts) is unreadable");
    let mut r = Reader::new(ctts);
    r.skip(4).ok_or_else(bad)?;
    let runs = r.count(8).ok_or_else(bad)?;
    let mut offsets = Vec::with_capacity(n);
    for _ in 0..runs {
        let count = r.u32().ok_or_else(bad)? as usize;
        let offset = i64::from(r.u32().ok_or_else(bad)? as i32);
        offsets.extend(std::iter::repeat_n(offset, count.min(n - offsets.len())));
    }
    offsets.resize(n, 0);
    Ok(Some(offsets))
}

fn read_sync(stss: Option<&[u8]>, n: usize) -> Result<Option<Vec<bool>>, MediaError> {
    let Some(stss) = stss else {
        return Ok(None);
    };
    let bad = || corrupt("the keyframe table (stss) is unreadable");
    let mut r = Reader::new(stss);
    r.skip(4).ok_or_else(bad)?;
    let count = r.count(4).ok_or_else(bad)?;
    let mut sync = vec![false; n];
    for _ in 0..count {
        let number = r.u32().ok_or_else(bad)? as usize;
        if let Some(s) = number.checked_sub(1).and_then(|i| sync.get_mut(i)) {
            *s = true;
        }
    }
    // Decoding has to start somewhere.
    if let Some(first) = sync.first_mut() {
        *first = true;
    }
    Ok(Some(sync))
}
