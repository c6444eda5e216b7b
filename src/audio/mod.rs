//! Sound: placeholder speech and music, decoding, the mix, and its encoding.

pub mod placeholder;
