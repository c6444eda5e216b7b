//! How two overlapping clips are blended while one hands over to the next (§4.5, D4).
//!
//! Names arrive already validated by the scene; anything this table does not know yet renders
//! as a cross-dissolve, so adding a name is one table row plus, for spatial effects (wipes,
//! slides), one new arm in [`apply`].

use super::pixels;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionKind {
    /// Cross-dissolve: the outgoing frame fades while the incoming one appears.
    Dissolve,
    /// Outgoing clip fades to black, then the incoming one fades in from black.
    FadeBlack,
    /// As `FadeBlack`, through white.
    FadeWhite,
}

const NAMES: &[(&str, TransitionKind)] = &[
    ("fade", TransitionKind::Dissolve),
    ("crossfade", TransitionKind::Dissolve),
    ("dissolve", TransitionKind::Dissolve),
    ("fadefast", TransitionKind::Dissolve),
    ("fadeslow", TransitionKind::Dissolve),
    ("fadegrays", TransitionKind::Dissolve),
    ("fadeblack", TransitionKind::FadeBlack),
    ("fadewhite", TransitionKind::FadeWhite),
];

impl TransitionKind {
    pub fn from_name(name: &str) -> Self {
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or(TransitionKind::Dissolve, |&(_, kind)| kind)
    }

    /// Weights of (outgoing, incoming, constant colour) at `progress` in [0, 1], summing to 1.
    fn weights(self, progress: f64) -> (f64, f64, f64) {
        let p = progress.clamp(0.0, 1.0);
        match self {
            TransitionKind::Dissolve => (1.0 - p, p, 0.0),
            TransitionKind::FadeBlack | TransitionKind::FadeWhite => {
                if p < 0.5 {
                    (1.0 - 2.0 * p, 0.0, 2.0 * p)
                } else {
                    (0.0, 2.0 * p - 1.0, 2.0 - 2.0 * p)
                }
            }
        }
    }
}

/// Blends `incoming` into `outgoing` in place (both opaque W×H RGBA frames).
pub fn apply(kind: TransitionKind, progress: f64, outgoing: &mut [u8], incoming: &[u8]) {
    let (wa, wb, wc) = kind.weights(progress);
    // Rounded so the three integer weights still sum to exactly 256.
    let wa = (wa * 256.0).round() as u16;
    let wc = ((wc * 256.0).round() as u16).min(256 - wa);
    let wb = if wb > 0.0 { 256 - wa - wc } else { 0 };
    let wc = 256 - wa - wb;
    let constant = match kind {
        TransitionKind::FadeWhite => 255,
        TransitionKind::Dissolve | TransitionKind::FadeBlack => 0,
    };
    pixels::mix(outgoing, incoming, wa, wb, wc, constant);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_kinds() {
        assert_eq!(TransitionKind::from_name("fade"), TransitionKind::Dissolve);
        assert_eq!(
            TransitionKind::from_name("crossfade"),
            TransitionKind::Dissolve
        );
        assert_eq!(
            TransitionKind::from_name("fadeblack"),
            TransitionKind::FadeBlack
        );
        assert_eq!(
            TransitionKind::from_name("fadewhite"),
            TransitionKind::FadeWhite
        );
        assert_eq!(
            TransitionKind::from_name("cube"),
            TransitionKind::Dissolve,
            "unknown names fall back to a dissolve"
        );
    }

    fn run(kind: TransitionKind, p: f64) -> Vec<u8> {
        let mut a = vec![200, 40, 40, 255];
        apply(kind, p, &mut a, &[40, 40, 200, 255]);
        a
    }

    #[test]
    fn dissolve_midpoint_is_the_average() {
        assert_eq!(run(TransitionKind::Dissolve, 0.5), vec![120, 40, 120, 255]);
        assert_eq!(run(TransitionKind::Dissolve, 0.0), vec![200, 40, 40, 255]);
        assert_eq!(run(TransitionKind::Dissolve, 1.0), vec![40, 40, 200, 255]);
    }

    #[test]
    fn fadeblack_passes_through_black() {
        let mid = run(TransitionKind::FadeBlack, 0.5);
        assert_eq!(&mid[..3], &[0, 0, 0]);
        assert_eq!(mid[3], 255);
        assert_eq!(run(TransitionKind::FadeBlack, 1.0), vec![40, 40, 200, 255]);
        let quarter = run(TransitionKind::FadeBlack, 0.25);
        assert_eq!(&quarter[..3], &[100, 20, 20]);
    }

    #[test]
    fn fadewhite_passes_through_white() {
        assert_eq!(
            run(TransitionKind::FadeWhite, 0.5),
            vec![255, 255, 255, 255]
        );
    }
}
