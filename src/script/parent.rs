//! The server side of evaluation: run `<exe> __eval` with the generated JavaScript on stdin,
//! enforce the wall-clock deadline, and turn whatever happened into an [`Evaluated`] or a
//! [`ScriptError`].

use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::Duration;

use wait_timeout::ChildExt;

use super::error::{ScriptError, ScriptErrorKind};
use super::protocol::{Reply, ENV_CPU, ENV_MEMORY};
use super::transpile::compile;
use super::{EvalLimits, Evaluated};

/// A reply larger than this is not a scene anyone can render.
const MAX_REPLY_BYTES: u64 = 32 << 20;
/// Enough of stderr to recognise Rust's abort messages.
const MAX_STDERR_BYTES: u64 = 16 << 10;

pub(crate) fn evaluate(tsx: &str, limits: &EvalLimits) -> Result<Evaluated, ScriptError> {
    let compiled = compile(tsx)?;
    match run_child(&compiled.js, limits)? {
        Reply::Ok { tree, logs } => Ok(Evaluated { tree, logs }),
        Reply::Error(error) => {
            let position = match (error.line, error.column) {
                (Some(line), Some(column)) => compiled.map.to_source(line, column),
                _ => None,
            };
            Err(ScriptError::new(error.kind, error.message).at(position))
        }
    }
}

fn run_child(js: &str, limits: &EvalLimits) -> Result<Reply, ScriptError> {
    let cpu_seconds = (limits.wall_time.as_secs_f64().ceil() as u64).saturating_add(1);
    let mut child = Command::new(&limits.exe)
        .arg("__eval")
        // The child needs nothing from our environment, and secrets stay out of its reach.
        .env_clear()
        .env(ENV_MEMORY, limits.memory_bytes.to_string())
        .env(ENV_CPU, cpu_seconds.to_string())
        // One malloc arena: per-thread arenas reserve 64 MiB of address space each.
        .env("MALLOC_ARENA_MAX", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            ScriptError::internal(format!(
                "could not start the evaluator process {}: {e}",
                limits.exe.display()
            ))
        })?;

    let writer = child.stdin.take().map(|mut stdin| {
        let js = js.to_owned();
        // A child that dies early closes the pipe; its exit status tells the story, not EPIPE.
        std::thread::spawn(move || {
            let _ = stdin.write_all(js.as_bytes());
        })
    });
    let stdout = child.stdout.take().map(|pipe| drain(pipe, MAX_REPLY_BYTES));
    let stderr = child
        .stderr
        .take()
        .map(|pipe| drain(pipe, MAX_STDERR_BYTES));

    let status = match child.wait_timeout(limits.wall_time) {
        Ok(Some(status)) => Ok(status),
        Ok(None) => Err(ScriptError::new(
            ScriptErrorKind::Timeout,
            format!(
                "the program ran for more than {}",
                seconds(limits.wall_time)
            ),
        )),
        Err(e) => Err(ScriptError::internal(format!(
            "could not wait for the evaluator process: {e}"
        ))),
    };
    if status.is_err() {
        kill(&mut child);
    }
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    let stdout = stdout.map(join_drain).unwrap_or_default();
    let stderr = stderr.map(join_drain).unwrap_or_default();
    let status = status?;

    if stdout.overflowed {
        return Err(ScriptError::new(
            ScriptErrorKind::LimitExceeded,
            format!(
                "the program's element tree is larger than {}",
                bytes(MAX_REPLY_BYTES)
            ),
        ));
    }
    if let Some(reply) = stdout
        .bytes
        .split(|&b| b == b'\n')
        .find(|line| !line.is_empty())
        .and_then(|line| serde_json::from_slice::<Reply>(line).ok())
    {
        return Ok(reply);
    }
    Err(abnormal_exit(
        status,
        &String::from_utf8_lossy(&stderr.bytes),
        limits,
    ))
}

/// The child died without a reply: name the limit it most likely hit.
fn abnormal_exit(status: ExitStatus, stderr: &str, limits: &EvalLimits) -> ScriptError {
    let memory = || {
        ScriptError::new(
            ScriptErrorKind::LimitExceeded,
            format!(
                "the program used more than {} of memory",
                bytes(limits.memory_bytes)
            ),
        )
    };
    if stderr.contains("overflowed its stack") {
        return ScriptError::new(
            ScriptErrorKind::LimitExceeded,
            "the program recursed too deeply",
        );
    }
    if stderr.contains("memory allocation of") || stderr.contains("out of memory") {
        return memory();
    }
    const SIGABRT: i32 = 6;
    const SIGKILL: i32 = 9;
    const SIGXCPU: i32 = 24;
    match status.signal() {
        // Allocation failure under RLIMIT_AS aborts; the kernel's OOM killer sends SIGKILL.
        Some(SIGABRT | SIGKILL) => memory(),
        Some(SIGXCPU) => ScriptError::new(
            ScriptErrorKind::Timeout,
            format!(
                "the program used more than {} of CPU time",
                seconds(limits.wall_time)
            ),
        ),
        Some(signal) => {
            ScriptError::internal(format!("the evaluator process crashed (signal {signal})"))
        }
        None => {
            let detail = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            tracing::warn!(status = %status, stderr = %detail, "script evaluator exited without a reply");
            ScriptError::internal(format!(
                "the evaluator process exited without a result ({status})"
            ))
        }
    }
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[derive(Default)]
struct Drained {
    bytes: Vec<u8>,
    overflowed: bool,
}

/// Reads a pipe to its end on a thread, keeping at most `max` bytes. It never stops reading,
/// so the child cannot block on a full pipe and be mistaken for a runaway program.
fn drain(mut pipe: impl Read + Send + 'static, max: u64) -> JoinHandle<Drained> {
    std::thread::spawn(move || {
        let mut drained = Drained::default();
        let _ = (&mut pipe).take(max).read_to_end(&mut drained.bytes);
        let mut rest = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut rest) {
            if n == 0 {
                break;
            }
            drained.overflowed = true;
        }
        drained
    })
}

fn join_drain(handle: JoinHandle<Drained>) -> Drained {
    handle.join().unwrap_or_default()
}

fn seconds(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if duration.subsec_nanos() == 0 {
        format!("{secs} s")
    } else {
        format!("{secs:.1} s")
    }
}

fn bytes(n: u64) -> String {
    const MIB: u64 = 1 << 20;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= MIB {
        format!("{:.1} MiB", n as f64 / MIB as f64)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_units() {
        assert_eq!(seconds(Duration::from_secs(5)), "5 s");
        assert_eq!(seconds(Duration::from_millis(2500)), "2.5 s");
        assert_eq!(bytes(256 << 20), "256 MiB");
        assert_eq!(bytes(3 << 19), "1.5 MiB");
        assert_eq!(bytes(1000), "1000 bytes");
    }
}
