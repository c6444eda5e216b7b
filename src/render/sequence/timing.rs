//! When each card of a Slider or Swipe is on screen, and how far a reveal or swipe has gone.

/// Slider: the share of each reveal's time spent holding still before the sweep and again
/// after it, so both the "before" and the "after" state are seen at rest.
pub const SLIDER_HOLD: f64 = 0.15;

/// Swipe: how long a card takes to leave (§17's 0.5 s slide).
pub const SWIPE_SECONDS: f64 = 0.5;

/// Smooth start and stop: `3p² − 2p³`.
pub fn ease_in_out(p: f64) -> f64 {
    let p = p.clamp(0.0, 1.0);
    p * p * (3.0 - 2.0 * p)
}

/// What a Slider shows: item `before` with item `after` revealed over `reveal` (0..1, eased)
/// of the frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SliderState {
    pub before: usize,
    pub after: usize,
    pub reveal: f64,
}

/// The Slider timing rule: with `n` items, the clip's `length` is cut into `n − 1` equal
/// reveals; each holds `before` for [`SLIDER_HOLD`] of its time, sweeps to `after` (eased)
/// over the middle 70 %, and holds `after` for the last 15 %. One item just shows.
pub fn slider(elapsed: f64, length: f64, n: usize) -> SliderState {
    if n < 2 || length <= 0.0 {
        return SliderState {
            before: 0,
            after: 0,
            reveal: 0.0,
        };
    }
    let reveals = n - 1;
    let segment = length / reveals as f64;
    let index = ((elapsed.max(0.0) / segment).floor() as usize).min(reveals - 1);
    let local = (elapsed - index as f64 * segment) / segment;
    let sweep = (local - SLIDER_HOLD) / (1.0 - 2.0 * SLIDER_HOLD);
    SliderState {
        before: index,
        after: index + 1,
        reveal: ease_in_out(sweep),
    }
}

/// What a Swipe shows: card `current`, leaving by `swipe` (0..1, eased) with card
/// `current + 1` behind it when `swipe > 0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SwipeState {
    pub current: usize,
    pub swipe: f64,
}

/// The Swipe timing rule (§17): card `k` arrives at `k·(interval − 0.5)` and leaves over the
/// 0.5 s after `(k + 1)·(interval − 0.5)`, so the length is `interval·n − 0.5(n − 1)`. The
/// last card stays to the end of the clip.
pub fn swipe(elapsed: f64, interval: f64, n: usize) -> SwipeState {
    let step = step(interval);
    let slide = slide(interval);
    let last = n.saturating_sub(1);
    let arrived = ((elapsed.max(0.0) / step).floor() as usize).min(last);
    // Within `slide` of card `arrived`'s arrival, card `arrived − 1` is still leaving.
    let since = elapsed - arrived as f64 * step;
    if arrived > 0 && since < slide {
        return SwipeState {
            current: arrived - 1,
            swipe: ease_in_out(since / slide),
        };
    }
    SwipeState {
        current: arrived,
        swipe: 0.0,
    }
}

/// Seconds between card arrivals.
fn step(interval: f64) -> f64 {
    (interval - SWIPE_SECONDS).max(f64::MIN_POSITIVE)
}

/// The slide time, shortened when cards arrive faster than a slide (an `interval` under 1 s)
/// so two swipes never overlap.
fn slide(interval: f64) -> f64 {
    SWIPE_SECONDS.min(step(interval))
}

/// The time card `k` of `n` is on screen, `[start, end)` from the clip start, `length` being
/// the clip's.
pub fn swipe_window(k: usize, n: usize, interval: f64, length: f64) -> (f64, f64) {
    let step = step(interval);
    let start = k as f64 * step;
    let end = if k + 1 >= n {
        length
    } else {
        (k + 1) as f64 * step + slide(interval)
    };
    (start, end.max(start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slider_holds_then_sweeps() {
        let s = slider(0.1, 2.0, 2);
        assert_eq!((s.before, s.after, s.reveal), (0, 1, 0.0));
        assert!((slider(1.0, 2.0, 2).reveal - 0.5).abs() < 1e-9);
        assert_eq!(slider(1.9, 2.0, 2).reveal, 1.0);
        assert_eq!(
            slider(5.0, 2.0, 2).reveal,
            1.0,
            "past the end holds the last item"
        );
        // Three items: two reveals, one per half.
        let s = slider(1.5, 2.0, 3);
        assert_eq!((s.before, s.after), (1, 2));
        assert!((s.reveal - 0.5).abs() < 1e-9);
    }

    #[test]
    fn swipe_follows_section_17() {
        // interval 2, three cards: arrivals at 0, 1.5, 3.0; length 5.0.
        assert_eq!(
            swipe(1.0, 2.0, 3),
            SwipeState {
                current: 0,
                swipe: 0.0
            }
        );
        let mid = swipe(1.75, 2.0, 3);
        assert_eq!(mid.current, 0);
        assert!((mid.swipe - 0.5).abs() < 1e-9);
        assert_eq!(
            swipe(2.5, 2.0, 3),
            SwipeState {
                current: 1,
                swipe: 0.0
            }
        );
        assert_eq!(swipe(3.25, 2.0, 3).current, 1);
        assert_eq!(
            swipe(4.9, 2.0, 3),
            SwipeState {
                current: 2,
                swipe: 0.0
            }
        );
        assert_eq!(
            swipe(99.0, 2.0, 3),
            SwipeState {
                current: 2,
                swipe: 0.0
            }
        );
        assert_eq!(swipe_window(0, 3, 2.0, 5.0), (0.0, 2.0));
        assert_eq!(swipe_window(2, 3, 2.0, 5.0), (3.0, 5.0));
    }

    #[test]
    fn fast_swipes_never_overlap() {
        // interval 0.75: arrivals every 0.25 s, slides shortened to 0.25 s.
        let s = swipe(0.3, 0.75, 4);
        assert_eq!(s.current, 0);
        assert!(s.swipe > 0.0 && s.swipe < 1.0);
    }
}
