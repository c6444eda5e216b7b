//! Which clips a frame shows and how far along they are.

/// Clip boundaries are sums of floats computed elsewhere; a hard cut's `end` and the next
/// `start` may differ in the last bits, which must not open a one-frame black gap or overlap.
pub const EPSILON: f64 = 1e-6;

/// A clip's span on the global timeline: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub start: f64,
    pub end: f64,
}

impl Span {
    pub fn contains(&self, t: f64) -> bool {
        t >= self.start - EPSILON && t < self.end - EPSILON
    }

    /// How far `t` is through the span, in [0, 1].
    pub fn progress(&self, t: f64) -> f64 {
        let len = self.end - self.start;
        if len <= 0.0 {
            return 1.0;
        }
        ((t - self.start) / len).clamp(0.0, 1.0)
    }
}

/// Indices of the spans containing `t`, in timeline order, written into `out`.
pub fn active(spans: impl IntoIterator<Item = Span>, t: f64, out: &mut Vec<usize>) {
    out.clear();
    out.extend(
        spans
            .into_iter()
            .enumerate()
            .filter(|(_, s)| s.contains(t))
            .map(|(i, _)| i),
    );
}

/// Progress of a hand-over from `outgoing` to `incoming` at `t`: 0 where their overlap
/// starts, 1 where the outgoing clip ends.
pub fn handover_progress(outgoing: Span, incoming: Span, t: f64) -> f64 {
    Span {
        start: incoming.start,
        end: outgoing.end,
    }
    .progress(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans() -> Vec<Span> {
        // Clip 0 fades into clip 1 over 0.5 s; clip 1 cuts to clip 2.
        vec![
            Span {
                start: 0.0,
                end: 2.0,
            },
            Span {
                start: 1.5,
                end: 3.5,
            },
            Span {
                start: 3.5,
                end: 5.0,
            },
        ]
    }

    #[test]
    fn overlap_shows_both_clips() {
        let mut out = Vec::new();
        active(spans(), 1.0, &mut out);
        assert_eq!(out, vec![0]);
        active(spans(), 1.75, &mut out);
        assert_eq!(out, vec![0, 1]);
        active(spans(), 3.5, &mut out);
        assert_eq!(out, vec![2], "a cut shows only the new clip at its start");
        active(spans(), 3.5 - 1e-9, &mut out);
        assert_eq!(out, vec![2], "float noise at a cut does not overlap");
        active(spans(), 5.0, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn handover_runs_over_the_overlap() {
        let s = spans();
        assert_eq!(handover_progress(s[0], s[1], 1.5), 0.0);
        assert_eq!(handover_progress(s[0], s[1], 1.75), 0.5);
        assert_eq!(handover_progress(s[0], s[1], 2.0), 1.0);
    }
}
