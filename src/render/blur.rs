//! Repeated box blur (ffmpeg `boxblur=r:passes`) for the `contain-blur` background.

/// Blurs a premultiplied RGBA image in place: `passes` box blurs of `radius` pixels along each
/// axis, edges clamped. Several box passes approach a Gaussian, which is why ffmpeg's
/// `boxblur=20:5` looks soft rather than blocky.
pub fn box_blur(data: &mut [u8], width: u32, height: u32, radius: u32, passes: u32) {
    let (w, h) = (width as usize, height as usize);
    if w == 0 || h == 0 || radius == 0 {
        return;
    }
    let mut line = Vec::with_capacity(w.max(h) * 4);
    let mut out = Vec::with_capacity(w.max(h) * 4);
    for _ in 0..passes {
        for y in 0..h {
            line.clear();
            line.extend_from_slice(&data[y * w * 4..(y + 1) * w * 4]);
            blur_line(&line, &mut out, radius as usize);
            data[y * w * 4..(y + 1) * w * 4].copy_from_slice(&out);
        }
        for x in 0..w {
            line.clear();
            for y in 0..h {
                let i = (y * w + x) * 4;
                line.extend_from_slice(&data[i..i + 4]);
            }
            blur_line(&line, &mut out, radius as usize);
            for y in 0..h {
                let i = (y * w + x) * 4;
                data[i..i + 4].copy_from_slice(&out[y * 4..y * 4 + 4]);
            }
        }
    }
}

/// One running-sum box blur over a line of RGBA pixels.
fn blur_line(src: &[u8], dst: &mut Vec<u8>, radius: usize) {
    let n = src.len() / 4;
    dst.clear();
    dst.resize(src.len(), 0);
    let window = (2 * radius + 1) as u32;
    let at =
        |i: isize, c: usize| -> u32 { u32::from(src[i.clamp(0, n as isize - 1) as usize * 4 + c]) };
    for c in 0..4 {
        let mut sum: u32 = (-(radius as isize)..=radius as isize)
            .map(|i| at(i, c))
            .sum();
        for x in 0..n {
            dst[x * 4 + c] = ((sum + window / 2) / window) as u8;
            let xi = x as isize;
            sum = sum + at(xi + radius as isize + 1, c) - at(xi - radius as isize, c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_image_stays_flat() {
        let mut data: Vec<u8> = [90, 120, 150, 255].repeat(16 * 8);
        let before = data.clone();
        box_blur(&mut data, 16, 8, 3, 2);
        assert_eq!(data, before);
    }

    #[test]
    fn an_edge_gets_soft() {
        let (w, h) = (20u32, 4u32);
        let mut data = Vec::new();
        for _y in 0..h {
            for x in 0..w {
                let v = if x < 10 { 0 } else { 255 };
                data.extend_from_slice(&[v, v, v, 255]);
            }
        }
        box_blur(&mut data, w, h, 2, 1);
        let red: Vec<u8> = (0..w as usize).map(|x| data[x * 4]).collect();
        assert_eq!(red[0], 0);
        assert_eq!(red[19], 255);
        assert!(red[9] > 0 && red[9] < 255, "{red:?}");
        assert!(red[10] > 0 && red[10] < 255, "{red:?}");
        assert!(red.windows(2).all(|p| p[0] <= p[1]), "{red:?}");
    }
}
