//! Text outlines: the glyph coverage grown by a disc of the outline width, like a stroke.

/// Largest outline radius honoured, in pixels; wider ones would swallow the text anyway and
/// make preparation cost grow with the square of the radius.
pub const MAX_RADIUS: f32 = 64.0;

/// Dilates an 8-bit coverage mask by an anti-aliased disc of `radius` pixels:
/// `out(p) = max over offsets d of cov(p + d) · weight(|d|)`, where the weight is 1 inside the
/// disc and falls off linearly over its last pixel.
///
/// Each row of the disc is one run of full weight plus a few edge taps. Runs are answered in
/// O(1) from a sparse table of power-of-two running maxima per row, so the cost is
/// O(pixels · radius) instead of O(pixels · radius²).
pub fn dilate(cov: &[u8], width: usize, height: usize, radius: f32) -> Vec<u8> {
    let r = radius.clamp(0.0, MAX_RADIUS);
    let mut out = cov.to_vec();
    if r <= 0.0 || width == 0 || height == 0 {
        return out;
    }
    let reach = (r + 0.5).ceil() as isize;
    let table = SparseRows::new(cov, width, height, (2 * reach + 1) as usize);

    for dy in -reach..=reach {
        let dyf = dy as f32;
        // Offsets with distance <= r - 0.5 have full weight.
        let inner = (r - 0.5).powi(2) - dyf * dyf;
        let full = if inner >= 0.0 {
            Some(inner.sqrt().floor() as isize)
        } else {
            None
        };
        let outer = ((r + 0.5).powi(2) - dyf * dyf).max(0.0).sqrt().floor() as isize;
        let first_edge = full.map_or(0, |f| f + 1);
        let edge_taps: Vec<(isize, u32)> = (first_edge..=outer)
            .filter_map(|dx| {
                let dist = ((dx * dx) as f32 + dyf * dyf).sqrt();
                let w = (r + 0.5 - dist).clamp(0.0, 1.0);
                (w > 0.0).then_some((dx, (w * 256.0).round() as u32))
            })
            .collect();

        for y in 0..height as isize {
            let sy = y + dy;
            if sy < 0 || sy >= height as isize {
                continue;
            }
            let src_row = &cov[sy as usize * width..(sy as usize + 1) * width];
            let dst_row = &mut out[y as usize * width..(y as usize + 1) * width];
            if let Some(f) = full {
                for (x, d) in dst_row.iter_mut().enumerate() {
                    let lo = (x as isize - f).max(0) as usize;
                    let hi = (x as isize + f).min(width as isize - 1) as usize;
                    let m = table.max(sy as usize, lo, hi);
                    if m > *d {
                        *d = m;
                    }
                }
            }
            for &(dx, w) in &edge_taps {
                for (x, d) in dst_row.iter_mut().enumerate() {
                    for sx in [x as isize - dx, x as isize + dx] {
                        if sx >= 0 && sx < width as isize {
                            let v = ((u32::from(src_row[sx as usize]) * w + 128) >> 8) as u8;
                            if v > *d {
                                *d = v;
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// Per row, `level[k][x] = max(row[x .. x + 2^k])`: any window maximum is two lookups.
struct SparseRows {
    width: usize,
    height: usize,
    levels: Vec<Vec<u8>>,
}

impl SparseRows {
    fn new(cov: &[u8], width: usize, height: usize, longest: usize) -> Self {
        let mut levels = vec![cov.to_vec()];
        let mut span = 1;
        while span * 2 <= longest {
            let prev = &levels[levels.len() - 1];
            let mut next = prev.clone();
            for y in 0..height {
                let row = &prev[y * width..(y + 1) * width];
                let out = &mut next[y * width..(y + 1) * width];
                for x in 0..width {
                    if x + span < width {
                        out[x] = row[x].max(row[x + span]);
                    }
                }
            }
            levels.push(next);
            span *= 2;
        }
        SparseRows {
            width,
            height,
            levels,
        }
    }

    /// Maximum of row `y` over columns `lo..=hi`.
    fn max(&self, y: usize, lo: usize, hi: usize) -> u8 {
        debug_assert!(y < self.height && lo <= hi && hi < self.width);
        let len = hi - lo + 1;
        let k = (usize::BITS - 1 - len.leading_zeros()) as usize;
        let level = &self.levels[k.min(self.levels.len() - 1)];
        let span = 1 << k.min(self.levels.len() - 1);
        let row = &level[y * self.width..(y + 1) * self.width];
        row[lo].max(row[hi + 1 - span])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact definition, for comparison.
    fn brute(cov: &[u8], w: usize, h: usize, r: f32) -> Vec<u8> {
        let reach = (r + 0.5).ceil() as isize;
        let mut out = vec![0u8; w * h];
        for y in 0..h as isize {
            for x in 0..w as isize {
                let mut m = 0u8;
                for dy in -reach..=reach {
                    for dx in -reach..=reach {
                        let (sx, sy) = (x + dx, y + dy);
                        if sx < 0 || sy < 0 || sx >= w as isize || sy >= h as isize {
                            continue;
                        }
                        let dist = ((dx * dx + dy * dy) as f32).sqrt();
                        let wgt = (r + 0.5 - dist).clamp(0.0, 1.0);
                        let wq = (wgt * 256.0).round() as u32;
                        let v = u32::from(cov[sy as usize * w + sx as usize]);
                        let v = if wq >= 256 { v } else { (v * wq + 128) >> 8 };
                        m = m.max(v as u8);
                    }
                }
                out[y as usize * w + x as usize] = m;
            }
        }
        out
    }

    #[test]
    fn matches_the_definition() {
        let (w, h) = (23, 17);
        let cov: Vec<u8> = (0..w * h)
            .map(|i| {
                if (i * 7919) % 13 == 0 {
                    ((i * 31) % 256) as u8
                } else {
                    0
                }
            })
            .collect();
        for r in [0.6, 1.0, 2.3, 4.0, 6.5] {
            assert_eq!(dilate(&cov, w, h, r), brute(&cov, w, h, r), "radius {r}");
        }
    }

    #[test]
    fn a_dot_grows_into_a_disc() {
        let (w, h) = (21, 21);
        let mut cov = vec![0u8; w * h];
        cov[10 * w + 10] = 255;
        let out = dilate(&cov, w, h, 3.0);
        // Full inside the disc, half at its rim (an anti-aliased edge), nothing beyond.
        assert_eq!(out[10 * w + 12], 255);
        assert_eq!(out[12 * w + 10], 255);
        assert_eq!(out[10 * w + 13], 128);
        assert_eq!(out[10 * w + 14], 0);
        assert_eq!(out[15 * w + 15], 0);
    }
}
