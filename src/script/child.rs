//! The `__eval` child process: limits itself, reads JavaScript on stdin, evaluates it and
//! writes one JSON line ([`Reply`]) on stdout.

use std::io::{Read, Write};
use std::process::ExitCode;

use rlimit::Resource;

use super::error::ScriptErrorKind;
use super::protocol::{ok_line, ChildError, Reply, ENV_CPU, ENV_MEMORY};
use super::runtime;

/// Native stack of the evaluating thread. boa re-enters itself natively for callbacks from
/// built-ins, getters and promise jobs; its recursion limit stops JavaScript well before this.
/// The reservation counts against `RLIMIT_AS`, so it is kept modest.
const EVAL_STACK_BYTES: usize = 32 << 20;

/// Entry point of the hidden `__eval` subcommand.
pub fn child_main() -> ExitCode {
    let reply = match limit_self() {
        Ok(()) => read_and_run(),
        Err(message) => Err(ChildError {
            kind: ScriptErrorKind::Internal,
            message,
            line: None,
            column: None,
        }),
    };
    let line = match reply {
        Ok(output) => ok_line(&output.tree_json, &output.logs_json),
        Err(error) => match serde_json::to_string(&Reply::Error(error)) {
            Ok(json) => json + "\n",
            Err(_) => return ExitCode::FAILURE,
        },
    };
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(line.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// First thing, before any program text is read: an address-space cap (boa has no heap limit
/// and aborts the process when an allocation fails) and a CPU cap (in case the parent that
/// would kill us at the deadline is gone).
fn limit_self() -> Result<(), String> {
    if let Some(bytes) = env_u64(ENV_MEMORY) {
        rlimit::setrlimit(Resource::AS, bytes, bytes)
            .map_err(|e| format!("could not limit the evaluator's memory: {e}"))?;
    }
    if let Some(seconds) = env_u64(ENV_CPU) {
        // SIGXCPU at the soft limit, SIGKILL one second later if it is caught or ignored.
        rlimit::setrlimit(Resource::CPU, seconds, seconds.saturating_add(1))
            .map_err(|e| format!("could not limit the evaluator's CPU time: {e}"))?;
    }
    Ok(())
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.trim().parse().ok()
}

fn read_and_run() -> Result<runtime::Output, ChildError> {
    let mut js = String::new();
    std::io::stdin()
        .read_to_string(&mut js)
        .map_err(|e| internal(format!("could not read the program: {e}")))?;
    let worker = std::thread::Builder::new()
        .name("varg-eval".to_owned())
        .stack_size(EVAL_STACK_BYTES)
        .spawn(move || runtime::run(&js))
        .map_err(|e| internal(format!("could not start the evaluator thread: {e}")))?;
    worker.join().unwrap_or_else(|_| {
        Err(internal(
            "the JavaScript engine crashed on this program".to_owned(),
        ))
    })
}

fn internal(message: String) -> ChildError {
    ChildError {
        kind: ScriptErrorKind::Internal,
        message,
        line: None,
        column: None,
    }
}
