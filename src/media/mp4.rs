//! The ISO-BMFF box walk the video demuxer and the sound-track edit reader share: borrowed
//! slices, no allocation, every length checked against what is really there.

/// The boxes directly inside `body`: (type, contents after the header). Stops at the first
/// box whose stated size does not fit, so a truncated file simply ends early.
pub fn boxes(body: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let header = body.get(at..at.checked_add(8)?)?;
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
        let end = at.checked_add(size)?;
        if size < skip || end > body.len() {
            return None;
        }
        let contents = &body[at + skip..end];
        at = end;
        Some((kind, contents))
    })
}

pub fn child<'a>(body: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    boxes(body).find(|(k, _)| k == kind).map(|(_, b)| b)
}

/// A big-endian reader over one box's contents; `None` once it runs past the end.
pub struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data, at: 0 }
    }

    pub fn skip(&mut self, n: usize) -> Option<()> {
        let end = self.at.checked_add(n)?;
        (end <= self.data.len()).then(|| self.at = end)
    }

    pub fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let start = self.at;
        self.skip(n)?;
        Some(&self.data[start..self.at])
    }

    pub fn u8(&mut self) -> Option<u8> {
        Some(self.bytes(1)?[0])
    }

    pub fn u16(&mut self) -> Option<u16> {
        Some(u16::from_be_bytes(self.bytes(2)?.try_into().ok()?))
    }

    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.bytes(4)?.try_into().ok()?))
    }

    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_be_bytes(self.bytes(8)?.try_into().ok()?))
    }

    /// Bytes left to read.
    pub fn left(&self) -> usize {
        self.data.len() - self.at
    }

    /// A table header: the entry count, refused when the box is too short to hold that many
    /// entries of `entry_len` bytes, so a hostile count never sizes an allocation.
    pub fn count(&mut self, entry_len: usize) -> Option<usize> {
        let n = self.u32()? as usize;
        (n.checked_mul(entry_len)? <= self.left()).then_some(n)
    }
}

/// A full box's 32-bit field: at `v0` in version 0, at `v1` in version 1.
pub fn full_u32(body: &[u8], v0: usize, v1: usize) -> Option<u32> {
    let at = if *body.first()? == 1 { v1 } else { v0 };
    Some(u32::from_be_bytes(body.get(at..at + 4)?.try_into().ok()?))
}

/// The edit list in track units: `[empty edit]? normal edit`, the shape encoders write.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edit {
    /// Empty time before the track starts.
    pub delay: i64,
    /// Media time where playback starts.
    pub skip: i64,
    /// How long it plays, when the edit says.
    pub length: Option<i64>,
}

pub fn read_edit(elst: &[u8], movie_scale: u32, media_scale: u32) -> Option<Edit> {
    if movie_scale == 0 {
        return None;
    }
    let mut r = Reader::new(elst);
    let version = r.u8()?;
    r.skip(3)?;
    let n = r.count(if version == 1 { 20 } else { 12 })?;
    let to_media = |d: u64| (d as f64 * f64::from(media_scale) / f64::from(movie_scale)) as i64;
    let mut delay = 0;
    for _ in 0..n.min(2) {
        let (duration, media_time) = if version == 1 {
            (r.u64()?, r.u64()? as i64)
        } else {
            (u64::from(r.u32()?), i64::from(r.u32()? as i32))
        };
        r.skip(4)?;
        if media_time < 0 {
            delay += to_media(duration);
            continue;
        }
        return Some(Edit {
            delay,
            skip: media_time,
            // A zero duration means "to the end of the media" in fragmented files.
            length: (duration > 0).then(|| to_media(duration)),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_boxes_end_the_walk() {
        let mut data = Vec::new();
        data.extend_from_slice(&12u32.to_be_bytes());
        data.extend_from_slice(b"free");
        data.extend_from_slice(&[1, 2, 3, 4]);
        data.extend_from_slice(&u32::MAX.to_be_bytes());
        data.extend_from_slice(b"mdat");
        let found: Vec<_> = boxes(&data).collect();
        assert_eq!(found.len(), 1);
        assert_eq!(&found[0].0, b"free");
        assert_eq!(found[0].1, &[1, 2, 3, 4]);
    }

    #[test]
    fn counts_larger_than_the_box_are_refused() {
        let mut data = 1_000_000u32.to_be_bytes().to_vec();
        data.extend_from_slice(&[0; 8]);
        assert_eq!(Reader::new(&data).count(4), None);
        assert_eq!(Reader::new(&[0, 0, 0, 2, 0, 0, 0, 0]).count(2), Some(2));
    }
}
