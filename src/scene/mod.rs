//! The typed scene graph and its timeline: what a program's element tree means.

mod build;
mod color;
mod element;
mod error;
mod model;
mod size;
mod timeline;
mod transition;

pub use build::{build_scene, SceneLimits};
pub use color::parse_color;
pub use error::{SceneError, SceneErrorKind};
pub use model::*;
pub use transition::{canonical_name as canonical_transition, GL_NAMES, XFADE_NAMES};

#[cfg(test)]
mod tests;
