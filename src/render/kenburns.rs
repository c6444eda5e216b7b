//! Ken Burns motion (§7.2): which window of the fitted image is visible at a point in the clip.

use crate::scene::Zoom;

/// How far `in`/`out` zoom and how much `left`/`right` pans have to play with.
pub const ZOOM_AMOUNT: f64 = 0.1;

/// The largest zoom factor any motion reaches; images are pre-scaled by this so every window
/// is a (sub-pixel) crop that only ever shrinks.
pub const MAX_ZOOM: f64 = 1.0 + ZOOM_AMOUNT;

/// The visible window at `progress` in [0, 1], as fractions of the fitted image:
/// `(left, top, width, height)`.
pub fn window(zoom: Zoom, progress: f64) -> (f64, f64, f64, f64) {
    let p = progress.clamp(0.0, 1.0);
    let z = match zoom {
        Zoom::In => 1.0 + ZOOM_AMOUNT * p,
        Zoom::Out => MAX_ZOOM - ZOOM_AMOUNT * p,
        Zoom::Left | Zoom::Right => MAX_ZOOM,
    };
    let size = 1.0 / z;
    let slack = 1.0 - size;
    let x = match zoom {
        Zoom::In | Zoom::Out => slack / 2.0,
        // Left pans from the right edge to the left one, right the other way.
        Zoom::Left => slack * (1.0 - p),
        Zoom::Right => slack * p,
    };
    (x, slack / 2.0, size, size)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn zoom_in_narrows_the_centred_window() {
        let (x, y, w, h) = window(Zoom::In, 0.0);
        assert!(close(x, 0.0) && close(y, 0.0) && close(w, 1.0) && close(h, 1.0));
        let (x, _, w, _) = window(Zoom::In, 1.0);
        assert!(close(w, 1.0 / 1.1));
        assert!(close(x, (1.0 - 1.0 / 1.1) / 2.0));
    }

    #[test]
    fn zoom_out_is_zoom_in_reversed() {
        for p in [0.0, 0.3, 0.7, 1.0] {
            assert_eq!(window(Zoom::Out, p), window(Zoom::In, 1.0 - p));
        }
    }

    #[test]
    fn pans_cross_the_slack() {
        let slack = 1.0 - 1.0 / 1.1;
        assert!(close(window(Zoom::Left, 0.0).0, slack));
        assert!(close(window(Zoom::Left, 1.0).0, 0.0));
        assert!(close(window(Zoom::Right, 0.0).0, 0.0));
        assert!(close(window(Zoom::Right, 1.0).0, slack));
    }
}
