use thiserror::Error;

use super::SourcePos;

/// Why a program's element tree does not make a renderable scene.
#[derive(Debug, Clone, Error)]
#[error("{message}")]
pub struct SceneError {
    pub kind: SceneErrorKind,
    pub message: String,
    pub position: Option<SourcePos>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SceneErrorKind {
    /// The program says something that has no meaning (wrong prop type, unknown name, ...).
    InvalidCode,
    /// The program is valid but asks for more than this server allows (size, fps, length).
    LimitExceeded,
}

impl SceneError {
    pub fn invalid(message: impl Into<String>, source: Option<SourcePos>) -> Self {
        SceneError {
            kind: SceneErrorKind::InvalidCode,
            message: message.into(),
            position: source,
        }
    }

    pub fn limit(message: impl Into<String>, source: Option<SourcePos>) -> Self {
        SceneError {
            kind: SceneErrorKind::LimitExceeded,
            message: message.into(),
            position: source,
        }
    }
}
