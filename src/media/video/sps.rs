//! Just enough of an H.264 sequence parameter set to convert its pictures to RGB correctly
//! (the colour matrix and range in its VUI) and to refuse streams openh264 cannot decode
//! (high bit depths, 4:2:2 and 4:4:4) with a clear reason instead of garbage.

use yuv::{YuvRange, YuvStandardMatrix};

use crate::media::MediaError;

/// How a stream's YUV maps to RGB.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Colour {
    pub matrix: YuvStandardMatrix,
    pub range: YuvRange,
}

impl Colour {
    /// What players assume for a stream that does not say: BT.709 for HD, BT.601 below.
    pub fn unstated(width: u32, height: u32) -> Self {
        Colour {
            matrix: if width >= 1280 || height >= 720 {
                YuvStandardMatrix::Bt709
            } else {
                YuvStandardMatrix::Bt601
            },
            range: YuvRange::Limited,
        }
    }
}

/// Reads the colour description of `sps` (one NAL unit, header byte included). `Ok(None)`
/// when the stream does not state one or the SPS is too unusual to follow; an error for
/// formats the decoder cannot handle.
pub fn colour(sps: &[u8]) -> Result<Option<Colour>, MediaError> {
    let rbsp = unescape(sps.get(1..).unwrap_or_default());
    let mut r = Bits::new(&rbsp);
    Ok(parse(&mut r)?.flatten())
}

fn unsupported(what: &str) -> MediaError {
    MediaError::Unsupported(format!(
        "its video is {what} H.264, which cannot be decoded; only 8-bit 4:2:0 H.264 is supported"
    ))
}

/// `None` (outer) when the bits ran out: the caller falls back to the usual assumption.
fn parse(r: &mut Bits<'_>) -> Result<Option<Option<Colour>>, MediaError> {
    let Some(profile) = r.bits(8) else {
        return Ok(None);
    };
    let (Some(_constraints), Some(_level), Some(_id)) = (r.bits(8), r.bits(8), r.ue()) else {
        return Ok(None);
    };
    if matches!(
        profile,
        100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135
    ) {
        let Some(chroma) = r.ue() else {
            return Ok(None);
        };
        if chroma == 3 && r.bits(1).is_none() {
            return Ok(None);
        }
        let (Some(luma_depth), Some(chroma_depth)) = (r.ue(), r.ue()) else {
            return Ok(None);
        };
        match chroma {
            0 => return Err(unsupported("monochrome")),
            2 => return Err(unsupported("4:2:2")),
            3 => return Err(unsupported("4:4:4")),
            _ => {}
        }
        if luma_depth != 0 || chroma_depth != 0 {
            return Err(unsupported(&format!("{}-bit", luma_depth + 8)));
        }
        if r.bits(1).is_none() || skip_scaling_matrices(r, chroma).is_none() {
            return Ok(None);
        }
    }
    Ok(after_chroma(r))
}

fn skip_scaling_matrices(r: &mut Bits<'_>, chroma: u32) -> Option<()> {
    if r.bits(1)? == 0 {
        return Some(());
    }
    let lists = if chroma == 3 { 12 } else { 8 };
    for i in 0..lists {
        if r.bits(1)? == 1 {
            let size = if i < 6 { 16 } else { 64 };
            let (mut last, mut next) = (8i64, 8i64);
            for _ in 0..size {
                if next != 0 {
                    next = (last + r.se()? + 256) % 256;
                }
                if next != 0 {
                    last = next;
                }
            }
        }
    }
    Some(())
}

/// From `log2_max_frame_num` to the VUI's colour description.
fn after_chroma(r: &mut Bits<'_>) -> Option<Option<Colour>> {
    r.ue()?;
    match r.ue()? {
        0 => {
            r.ue()?;
        }
        1 => {
            r.bits(1)?;
            r.se()?;
            r.se()?;
            for _ in 0..r.ue()?.min(256) {
                r.se()?;
            }
        }
        _ => {}
    }
    r.ue()?;
    r.bits(1)?;
    let width = (r.ue()? + 1) * 16;
    let height = (r.ue()? + 1) * 16;
    if r.bits(1)? == 0 {
        r.bits(1)?;
    }
    r.bits(1)?;
    if r.bits(1)? == 1 {
        for _ in 0..4 {
            r.ue()?;
        }
    }
    if r.bits(1)? == 0 {
        return Some(None);
    }
    if r.bits(1)? == 1 && r.bits(8)? == 255 {
        r.bits(32)?;
    }
    if r.bits(1)? == 1 {
        r.bits(1)?;
    }
    if r.bits(1)? == 0 {
        return Some(None);
    }
    r.bits(3)?;
    let full = r.bits(1)? == 1;
    let described = r.bits(1)? == 1;
    let matrix = if described {
        r.bits(16)?;
        Some(r.bits(8)?)
    } else {
        None
    };
    let unstated = Colour::unstated(width, height);
    Some(Some(Colour {
        matrix: match matrix {
            Some(1) => YuvStandardMatrix::Bt709,
            Some(5 | 6) => YuvStandardMatrix::Bt601,
            Some(7) => YuvStandardMatrix::Smpte240,
            Some(9 | 10) => YuvStandardMatrix::Bt2020,
            _ => unstated.matrix,
        },
        range: if full {
            YuvRange::Full
        } else {
            YuvRange::Limited
        },
    }))
}

/// Drops the emulation-prevention bytes (`00 00 03` → `00 00`).
fn unescape(nal: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(nal.len());
    let mut zeros = 0;
    for &b in nal {
        if zeros >= 2 && b == 3 {
            zeros = 0;
            continue;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        out.push(b);
    }
    out
}

/// An MSB-first bit reader with Exp-Golomb codes; `None` past the end.
struct Bits<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Bits<'a> {
    fn new(data: &'a [u8]) -> Self {
        Bits { data, at: 0 }
    }

    fn bits(&mut self, n: u32) -> Option<u32> {
        let mut v = 0u32;
        for _ in 0..n {
            let byte = *self.data.get(self.at / 8)?;
            v = (v << 1) | u32::from((byte >> (7 - self.at % 8)) & 1);
            self.at += 1;
        }
        Some(v)
    }

    fn ue(&mut self) -> Option<u32> {
        let mut zeros = 0;
        while self.bits(1)? == 0 {
            zeros += 1;
            if zeros > 31 {
                return None;
            }
        }
        Some(((1u64 << zeros) - 1 + u64::from(self.bits(zeros)?)) as u32)
    }

    fn se(&mut self) -> Option<i64> {
        let k = i64::from(self.ue()?);
        Some(if k % 2 == 1 { (k + 1) / 2 } else { -(k / 2) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_golomb_codes() {
        // 1 | 010 | 011 | 00100 → ue 0, 1, 2, 3.
        let data = [0b1010_0110, 0b0100_0000];
        let mut r = Bits::new(&data);
        assert_eq!(
            [r.ue(), r.ue(), r.ue(), r.ue()],
            [Some(0), Some(1), Some(2), Some(3)]
        );
        assert_eq!(unescape(&[0, 0, 3, 1, 0, 0, 3]), vec![0, 0, 1, 0, 0]);
    }

    #[test]
    fn garbage_does_not_panic() {
        for sps in [
            &[][..],
            &[0x67],
            &[0x67, 100, 0, 0, 0xff, 0xff],
            &[0x67, 66, 0, 0, 0],
        ] {
            let _ = colour(sps);
        }
    }
}
