//! The edit list of an MP4's sound track, which symphonia reads but does not apply. AAC
//! encoders put priming samples (1024 or 2112) before the sound and an `elst` entry that skips
//! them; without it a video's sound would play about 23 ms late.

use crate::media::mp4::{boxes, child, full_u32, read_edit};

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
    let movie_scale = full_u32(child(moov, b"mvhd")?, 12, 20)?;
    boxes(moov)
        .filter(|(kind, _)| kind == b"trak")
        .find_map(|(_, trak)| {
            let mdia = child(trak, b"mdia")?;
            let hdlr = child(mdia, b"hdlr")?;
            if hdlr.get(8..12) != Some(b"soun") {
                return None;
            }
            let media_scale = full_u32(child(mdia, b"mdhd")?, 12, 20).filter(|&s| s > 0)?;
            let elst = child(child(trak, b"edts")?, b"elst")?;
            let edit = read_edit(elst, movie_scale, media_scale)?;
            let seconds = |units: i64| units as f64 / f64::from(media_scale);
            Some(Edit {
                delay: seconds(edit.delay),
                skip: seconds(edit.skip),
                length: edit.length.map(seconds),
            })
        })
}
