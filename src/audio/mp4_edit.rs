//! The edit list of an MP4's sound track, which symphonia reads but does not apply. AAC
//! encoders put priming samples (1024 or 2112) before the sound and an `elst` entry that skips
//! them; without it a video's sound would play about 23 ms late.

/// What the sound track's edit list asks for, in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edit {
    /// Silence before the track starts (an empty edit).
    pub delay: f64,
    /// Source time where playback starts.
    pub skip: f64,
    /// How long it plays, when the edit says.
    pub length: Option<f64>,
}

/// The first sound track's edit, when the file is an MP4 with one.
pub fn sound_edit(bytes: &[u8]) -> Option<Edit> {
    if bytes.get(4..8) != Some(b"ftyp") {
        return None;
    }
    let moov = child(bytes, b"moov")?;
    let movie_scale = full_box_u32(child(moov, b"mvhd")?, 12, 20)?;
    boxes(moov)
        .filter(|(kind, _)| kind == b"trak")
        .find_map(|(_, trak)| {
            let mdia = child(trak, b"mdia")?;
            let hdlr = child(mdia, b"hdlr")?;
            if hdlr.get(8..12) != Some(b"soun") {
                return None;
            }
            let media_scale = full_box_u32(child(mdia, b"mdhd")?, 12, 20)?;
            let elst = child(child(trak, b"edts")?, b"elst")?;
            parse_elst(elst, movie_scale, media_scale)
        })
}

/// `[empty edit]? normal edit` — the shape encoders write; anything else is left alone.
fn parse_elst(elst: &[u8], movie_scale: u32, media_scale: u32) -> Option<Edit> {
    if movie_scale == 0 || media_scale == 0 {
        return None;
    }
    let version = *elst.first()?;
    let count = u32::from_be_bytes(elst.get(4..8)?.try_into().ok()?) as usize;
    let entry_len = if version == 1 { 20 } else { 12 };
    let mut edit = Edit {
        delay: 0.0,
        skip: 0.0,
        length: None,
    };
    for i in 0..count.min(2) {
        let at = 8 + i * entry_len;
        let entry = elst.get(at..at + entry_len)?;
        let (duration, media_time) = if version == 1 {
            (
                u64::from_be_bytes(entry[0..8].try_into().ok()?),
                i64::from_be_bytes(entry[8..16].try_into().ok()?),
            )
        } else {
            (
                u64::from(u32::from_be_bytes(entry[0..4].try_into().ok()?)),
                i64::from(i32::from_be_bytes(entry[4..8].try_into().ok()?)),
            )
        };
        let seconds = duration as f64 / f64::from(movie_scale);
        if media_time < 0 {
            edit.delay += seconds;
            continue;
        }
        edit.skip = media_time as f64 / f64::from(media_scale);
        // A zero duration means "to the end of the media" in fragmented files.
        edit.length = (duration > 0).then_some(seconds);
        return Some(edit);
    }
    None
}

/// A full box's 32-bit field: at `v0` in version 0, at `v1` in version 1.
fn full_box_u32(body: &[u8], v0: usize, v1: usize) -> Option<u32> {
    let at = if *body.first()? == 1 { v1 } else { v0 };
    Some(u32::from_be_bytes(body.get(at..at + 4)?.try_into().ok()?))
}

fn child<'a>(body: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    boxes(body).find(|(k, _)| k == kind).map(|(_, b)| b)
}

/// The boxes directly inside `body`: (type, contents after the header).
fn boxes(body: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let header = body.get(at..at + 8)?;
        let kind: [u8; 4] = header[4..8].try_into().ok()?;
        let (size, skip) = match u32::from_be_bytes(header[0..4].try_into().ok()?) {
            0 => (body.len() - at, 8),
            1 => (
                usize::try_from(u64::from_be_bytes(
                    body.get(at + 8..at + 16)?.try_into().ok()?,
                ))
                .ok()?,
                16,
            ),
            n => (n as usize, 8),
        };
        if size < skip || at + size > body.len() {
            return None;
        }
        let contents = &body[at + skip..at + size];
        at += size;
        Some((kind, contents))
    })
}
