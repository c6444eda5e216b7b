//! The one error type of the script stage.

use serde::{Deserialize, Serialize};

/// Why a program could not be turned into an element tree.
///
/// `message` is a sentence meant for the author of the program; the location, when known, is
/// kept apart so that callers can format it the way their output needs (API details, CLI text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ScriptError {
    pub kind: ScriptErrorKind,
    pub message: String,
    /// 1-based line in the TSX source.
    pub line: Option<u32>,
    /// 1-based column in the TSX source, counted in UTF-16 code units (as editors do).
    pub column: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScriptErrorKind {
    /// The source does not parse as TSX.
    Syntax,
    /// The program parses but is not an acceptable varg program, or it threw.
    InvalidCode,
    /// The program ran past its wall-clock or CPU budget.
    Timeout,
    /// The program exceeded a memory, recursion or loop limit.
    LimitExceeded,
    /// Our fault, not the program's.
    Internal,
}

impl ScriptError {
    pub(crate) fn new(kind: ScriptErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            line: None,
            column: None,
        }
    }

    pub(crate) fn at(mut self, position: Option<(u32, u32)>) -> Self {
        if let Some((line, column)) = position {
            self.line = Some(line);
            self.column = Some(column);
        }
        self
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(ScriptErrorKind::InvalidCode, message)
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(ScriptErrorKind::Internal, message)
    }
}
