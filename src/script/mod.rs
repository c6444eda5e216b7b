//! TSX → JS (oxc) and its evaluation by boa in a child process.
//!
//! [`transpile`] runs in the server. [`evaluate`] transpiles, then hands the JavaScript to
//! `<exe> __eval` ([`child_main`]), because boa has neither a heap limit nor a wall-clock
//! interrupt: the child caps its own address space and CPU time, and the parent kills it at
//! the deadline. The child installs the varg JSX runtime (`prelude.js`), evaluates the program
//! as a module whose `vargai/*` imports resolve to that runtime, and prints the scene's element
//! tree as JSON.

mod child;
mod error;
mod exports;
mod parent;
mod position;
mod protocol;
mod runtime;
mod transpile;

#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::time::Duration;

pub use child::child_main;
pub use error::{ScriptError, ScriptErrorKind};
pub use transpile::transpile;

/// How long and how much memory one evaluation may use, and which binary runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalLimits {
    /// This server's own executable; it is started as `<exe> __eval`.
    pub exe: PathBuf,
    /// Wall-clock budget; the child is killed when it runs out.
    pub wall_time: Duration,
    /// The child's address-space limit (`RLIMIT_AS`). It covers the whole process: about
    /// 72 MiB go to the binary's mappings and the evaluator thread's 32 MiB stack reservation
    /// (measured, release build), the rest is the program's heap.
    pub memory_bytes: u64,
}

impl EvalLimits {
    /// 5 s and 256 MiB.
    pub fn new(exe: PathBuf) -> Self {
        Self {
            exe,
            wall_time: Duration::from_secs(5),
            memory_bytes: 256 << 20,
        }
    }
}

/// The scene's element tree and what the program printed.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluated {
    /// `{"type", "props", "children", "source"?}` with nested elements in the same shape.
    pub tree: serde_json::Value,
    /// `console.log`/`info` lines as printed, `warn`/`error` lines prefixed `warn: `/`error: `.
    pub logs: Vec<String>,
}

/// Transpile, then evaluate in a child process (`<exe> __eval`, source on stdin, JSON on
/// stdout), killed at the wall-time deadline; the child sets `RLIMIT_AS` and `RLIMIT_CPU` on
/// itself first thing. Blocking: call it from a blocking-friendly thread.
pub fn evaluate(tsx: &str, limits: &EvalLimits) -> Result<Evaluated, ScriptError> {
    parent::evaluate(tsx, limits)
}
