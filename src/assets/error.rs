//! Why an asset could not be made: one readable sentence, the job's error category, and where
//! in the program the element that asked for it was written.

use thiserror::Error;

use crate::scene::SourcePos;
use crate::storage::StorageError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssetErrorKind {
    /// A `src` that cannot be used: refused, missing, too large, not the right kind of file.
    InvalidSource,
    /// A generation failed (strict mode).
    Generation,
    /// The render was cancelled while its assets were being made.
    Cancelled,
    /// Something on our side: the store, a task, a placeholder.
    Internal,
}

#[derive(Debug, Error)]
#[error("{message}")]
pub struct AssetError {
    pub kind: AssetErrorKind,
    pub message: String,
    pub position: Option<SourcePos>,
}

impl AssetError {
    pub fn new(kind: AssetErrorKind, message: impl Into<String>) -> Self {
        AssetError {
            kind,
            message: message.into(),
            position: None,
        }
    }

    pub fn invalid_source(message: impl Into<String>) -> Self {
        Self::new(AssetErrorKind::InvalidSource, message)
    }

    pub fn generation(message: impl Into<String>) -> Self {
        Self::new(AssetErrorKind::Generation, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(AssetErrorKind::Internal, message)
    }

    pub fn cancelled() -> Self {
        Self::new(AssetErrorKind::Cancelled, "the job was cancelled")
    }

    /// Where the element was written, unless the error already says.
    pub fn at(mut self, position: Option<SourcePos>) -> Self {
        self.position = self.position.or(position);
        self
    }
}

impl From<StorageError> for AssetError {
    fn from(e: StorageError) -> Self {
        AssetError::internal(format!("the asset cache failed: {e}"))
    }
}
