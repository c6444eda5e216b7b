//! The typed scene graph and its timeline: what a program's element tree means.

mod assets;
mod build;
mod color;
mod element;
mod error;
mod layers;
mod model;
mod size;
mod sound;
mod timeline;
mod transition;

pub use assets::{speech_estimate, PLACEHOLDER_SECONDS_PER_WORD};
pub use build::{build_scene, SceneLimits};
pub use color::parse_color;
pub use error::{SceneError, SceneErrorKind};
pub use model::*;
pub use sound::CAPTION_FONTS;
pub use timeline::resolve as resolve_timeline;
pub use transition::{canonical_name as canonical_transition, GL_NAMES, XFADE_NAMES};

#[cfg(test)]
mod tests;
