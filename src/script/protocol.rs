//! The one line the `__eval` child writes to stdout, and the environment it reads its limits
//! from. Private to this module: both ends are the same binary.

use serde::{Deserialize, Serialize};

use super::error::ScriptErrorKind;

/// Address-space limit for the child, in bytes.
pub(crate) const ENV_MEMORY: &str = "VARG_EVAL_MEMORY_BYTES";
/// CPU-time limit for the child, in whole seconds.
pub(crate) const ENV_CPU: &str = "VARG_EVAL_CPU_SECONDS";

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Reply {
    Ok {
        tree: serde_json::Value,
        logs: Vec<String>,
    },
    Error(ChildError),
}

/// An error as the child saw it: positions are in the generated JavaScript (1-based).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ChildError {
    pub kind: ScriptErrorKind,
    pub message: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

/// The success line, assembled from the two JSON texts the engine produced, so the tree is not
/// parsed and printed again in the child.
pub(crate) fn ok_line(tree_json: &str, logs_json: &str) -> String {
    format!("{{\"ok\":{{\"tree\":{tree_json},\"logs\":{logs_json}}}}}\n")
}
