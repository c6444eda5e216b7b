//! The one timeline (D2): clip starts after transition overlaps (§4.5) and text windows (§11).

use super::element::Element;
use super::{Clip, Layer, SceneError};

/// Places every clip on the timeline and fills in default text windows; returns the total length.
///
/// A clip's transition overlaps its tail with the next clip's head, so clip `i` starts at
/// `Σ_{j<i} (d_j − t_j)`. The last clip's transition has no next clip and takes no time.
pub fn resolve(clips: &mut [Clip], elements: &[Element]) -> Result<f64, SceneError> {
    let count = clips.len();
    // The last clip's transition joins nothing; dropping it keeps "transition" meaning "a join".
    if let Some(last) = clips.last_mut() {
        last.transition = None;
    }
    for i in 0..count.saturating_sub(1) {
        let Some(t) = clips[i].transition.as_ref().map(|t| t.duration) else {
            continue;
        };
        let shorter = clips[i].duration.min(clips[i + 1].duration);
        if t >= shorter {
            return Err(elements[i].error(
                Some("transition"),
                format!(
                    "a {t} s transition does not fit between clips of {} s and {} s: it must be shorter than both",
                    clips[i].duration,
                    clips[i + 1].duration
                ),
            ));
        }
    }
    let mut start = 0.0;
    let mut incoming = 0.0;
    for clip in clips.iter_mut() {
        clip.start = start;
        let outgoing = clip.transition.as_ref().map_or(0.0, |t| t.duration);
        for layer in &mut clip.layers {
            if let Layer::Title(text) = layer {
                if text.start.is_nan() {
                    text.start = incoming;
                }
                if text.end.is_nan() {
                    text.end = clip.duration - outgoing;
                }
            }
        }
        start += clip.duration - outgoing;
        incoming = outgoing;
    }
    Ok(clips.last().map_or(0.0, |last| last.start + last.duration))
}
