//! The boa side: a fresh context with the varg prelude, the `vargai/*` module loader, runtime
//! limits, and the translation of engine errors into sentences. Runs inside the `__eval` child.

use std::cell::RefCell;
use std::future::Future;
use std::path::Path;
use std::rc::Rc;

use boa_engine::builtins::promise::PromiseState;
use boa_engine::error::{EngineError, RuntimeLimitError};
use boa_engine::module::{ModuleLoader, Referrer};
use boa_engine::object::builtins::JsPromise;
use boa_engine::vm::RuntimeLimits;
use boa_engine::{
    js_string, Context, JsError, JsNativeError, JsObject, JsResult, JsString, JsValue, Module,
    Source,
};

use super::error::ScriptErrorKind;
use super::exports::{forbidden_import_message, is_allowed_module, module_source};
use super::protocol::ChildError;

const PRELUDE: &str = include_str!("prelude.js");
/// Path boa attaches to the program's code; stack frames in it are the user's.
const PROGRAM_PATH: &str = "program.js";

/// Iterations of the loops of one function call. Far above what building a scene needs, low
/// enough that a runaway loop stops with a clear message well before the wall-clock deadline.
pub(crate) const LOOP_ITERATION_LIMIT: u64 = 10_000_000;
/// Nested calls, counting re-entries from built-ins (`map` callbacks, getters, ...).
pub(crate) const RECURSION_LIMIT: usize = 1_000;
/// Values on the VM stack.
const VALUE_STACK_LIMIT: usize = 1 << 20;

/// A successful evaluation: the element tree and the console lines, both already JSON.
#[derive(Debug)]
pub(crate) struct Output {
    pub tree_json: String,
    pub logs_json: String,
}

/// Evaluates generated JavaScript and returns the scene's element tree. Positions in errors are
/// in the generated JavaScript; the parent maps them back to the TSX.
pub(crate) fn run(js: &str) -> Result<Output, ChildError> {
    let loader = Rc::new(VargModules::default());
    let mut context = Context::builder()
        .module_loader(loader.clone())
        .build()
        .map_err(|e| internal(&format!("could not start the JavaScript engine: {e}")))?;
    let mut limits = RuntimeLimits::default();
    limits.set_loop_iteration_limit(LOOP_ITERATION_LIMIT);
    limits.set_recursion_limit(RECURSION_LIMIT);
    limits.set_stack_size_limit(VALUE_STACK_LIMIT);
    context.set_runtime_limits(limits);
    let context = &mut context;

    context
        .eval(Source::from_bytes(PRELUDE).with_path(Path::new("varg-prelude.js")))
        .map_err(|e| {
            internal(&format!(
                "the varg prelude failed: {}",
                describe(&e, context).message
            ))
        })?;
    let vargai = Module::parse(
        Source::from_bytes(module_source().as_bytes()).with_path(Path::new("vargai.js")),
        None,
        context,
    )
    .map_err(|e| {
        internal(&format!(
            "the vargai module failed: {}",
            describe(&e, context).message
        ))
    })?;
    *loader.module.borrow_mut() = Some(vargai);

    let program = Module::parse(
        Source::from_bytes(js.as_bytes()).with_path(Path::new(PROGRAM_PATH)),
        None,
        context,
    )
    .map_err(|e| {
        let mut error = describe(&e, context);
        error.message = format!(
            "the JavaScript engine could not parse the program: {}",
            error.message
        );
        error
    })?;

    let evaluated = program.load_link_evaluate(context);
    settle(&evaluated, context, "the program's top-level code")?;

    let namespace = program.namespace(context);
    let finish = context
        .global_object()
        .get(js_string!("__varg"), context)
        .and_then(|varg| match varg.as_object() {
            Some(varg) => varg.get(js_string!("finish"), context),
            None => Ok(JsValue::undefined()),
        })
        .map_err(|e| describe(&e, context))?;
    let Some(finish) = finish.as_callable() else {
        return Err(internal("the varg prelude lost its finish function"));
    };
    let finished = finish
        .call(&JsValue::undefined(), &[namespace.into()], context)
        .map_err(|e| describe(&e, context))?;
    let finished = finished
        .as_object()
        .and_then(|o| JsPromise::from_object(o).ok())
        .ok_or_else(|| internal("the varg prelude's finish did not return a promise"))?;
    let value = settle(&finished, context, "building the element tree")?;

    let part = |index: u32, context: &mut Context| -> Result<String, ChildError> {
        let object = value
            .as_object()
            .ok_or_else(|| internal("the varg prelude returned no result"))?;
        let item = object
            .get(index, context)
            .map_err(|e| describe(&e, context))?;
        item.as_string()
            .map(|s| s.to_std_string_escaped())
            .ok_or_else(|| internal("the varg prelude returned a malformed result"))
    };
    Ok(Output {
        tree_json: part(0, context)?,
        logs_json: part(1, context)?,
    })
}

/// Runs the job queue until `promise` settles. Runtime-limit errors surface here as `Err` from
/// `run_jobs`, not as a rejection.
fn settle(promise: &JsPromise, context: &mut Context, what: &str) -> Result<JsValue, ChildError> {
    context.run_jobs().map_err(|e| describe(&e, context))?;
    match promise.state() {
        PromiseState::Fulfilled(value) => Ok(value),
        PromiseState::Rejected(reason) => Err(describe(&JsError::from_opaque(reason), context)),
        PromiseState::Pending => Err(ChildError {
            kind: ScriptErrorKind::InvalidCode,
            message: format!(
                "{what} never finished: it waits for a promise that is never resolved"
            ),
            line: None,
            column: None,
        }),
    }
}

fn internal(message: &str) -> ChildError {
    ChildError {
        kind: ScriptErrorKind::Internal,
        message: message.to_owned(),
        line: None,
        column: None,
    }
}

fn limit(message: String) -> ChildError {
    ChildError {
        kind: ScriptErrorKind::LimitExceeded,
        message,
        line: None,
        column: None,
    }
}

/// One sentence for an engine error, with the innermost position inside the program if the
/// engine recorded one.
pub(crate) fn describe(error: &JsError, context: &mut Context) -> ChildError {
    if let Some(engine) = error.as_engine() {
        return match engine {
            EngineError::RuntimeLimit(RuntimeLimitError::LoopIteration) => limit(format!(
                "the program ran a loop more than {LOOP_ITERATION_LIMIT} times"
            )),
            EngineError::RuntimeLimit(RuntimeLimitError::Recursion) => limit(format!(
                "the program recursed too deeply (more than {RECURSION_LIMIT} nested calls)"
            )),
            EngineError::RuntimeLimit(RuntimeLimitError::StackSize) => {
                limit("the program recursed too deeply (the engine's stack is full)".to_owned())
            }
            other => internal(&format!("the JavaScript engine failed: {other}")),
        };
    }
    if let Some(native) = error.as_native() {
        return thrown(format!("{native}"), None);
    }
    let Some(value) = error.as_opaque() else {
        return internal("the JavaScript engine reported an unknown error");
    };
    let Some(object) = value.as_object() else {
        return thrown(
            format!("the program threw {}", display_primitive(value)),
            None,
        );
    };
    let mut get_string = |key: JsString| -> Option<String> {
        object
            .get(key, context)
            .ok()
            .and_then(|v| v.as_string())
            .map(|s| s.to_std_string_escaped())
    };
    let name = get_string(js_string!("name"));
    let message = get_string(js_string!("message"));
    let stack = get_string(js_string!("stack"));
    let position = stack.as_deref().and_then(program_position);
    let text = match (name.as_deref(), message) {
        (Some("VargError"), Some(message)) => message,
        (Some(name), Some(message)) if !message.is_empty() => format!("{name}: {message}"),
        (Some(name), _) => name.to_owned(),
        (None, Some(message)) => message,
        (None, None) => "the program threw an object that is not an Error".to_owned(),
    };
    thrown(text, position)
}

fn thrown(message: String, position: Option<(u32, u32)>) -> ChildError {
    ChildError {
        kind: ScriptErrorKind::InvalidCode,
        message: truncate(message, 500),
        line: position.map(|p| p.0),
        column: position.map(|p| p.1),
    }
}

fn truncate(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

fn display_primitive(value: &JsValue) -> String {
    if let Some(s) = value.as_string() {
        return format!("\"{}\"", s.to_std_string_escaped());
    }
    value.display().to_string()
}

/// The innermost `(program.js:LINE:COLUMN)` frame of a boa stack string.
fn program_position(stack: &str) -> Option<(u32, u32)> {
    let marker = format!("({PROGRAM_PATH}:");
    stack.lines().find_map(|line| {
        let start = line.find(&marker)? + marker.len();
        let rest = &line[start..];
        let rest = &rest[..rest.find(')')?];
        let (line_no, column) = rest.split_once(':')?;
        Some((line_no.parse().ok()?, column.parse().ok()?))
    })
}

/// Resolves every allowed specifier to the one built-in module and refuses the rest with the
/// same sentence the compile-time check uses (dynamic `import(name)` gets here).
#[derive(Default)]
struct VargModules {
    module: RefCell<Option<Module>>,
}

impl ModuleLoader for VargModules {
    fn load_imported_module(
        self: Rc<Self>,
        _referrer: Referrer,
        request: boa_engine::module::ModuleRequest,
        context: &RefCell<&mut Context>,
    ) -> impl Future<Output = JsResult<Module>> {
        let specifier = request.specifier().to_std_string_escaped();
        let result = if is_allowed_module(&specifier) {
            self.module.borrow().clone().ok_or_else(|| {
                JsNativeError::error()
                    .with_message("the vargai module is not ready")
                    .into()
            })
        } else {
            Err(varg_error(
                &forbidden_import_message(&specifier),
                &mut context.borrow_mut(),
            ))
        };
        std::future::ready(result)
    }

    fn init_import_meta(
        self: Rc<Self>,
        import_meta: &JsObject,
        _module: &Module,
        context: &mut Context,
    ) {
        // D17: programs written to run locally guard their entry point with `import.meta.main`.
        let _ = import_meta.set(js_string!("main"), true, false, context);
        let _ = import_meta.set(
            js_string!("url"),
            js_string!("file:///program.tsx"),
            false,
            context,
        );
    }
}

/// An error whose message the parent reports as is, like the prelude's `vargError`.
fn varg_error(message: &str, context: &mut Context) -> JsError {
    let object = JsNativeError::error()
        .with_message(message.to_owned())
        .into_opaque(context);
    let _ = object.set(js_string!("name"), js_string!("VargError"), false, context);
    JsError::from_opaque(object.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_positions() {
        let stack = "    at fail (varg-prelude.js:10:5)\n    at f (program.js:3:14)\n    at <main> (program.js:9:1)\n";
        assert_eq!(program_position(stack), Some((3, 14)));
        assert_eq!(program_position("    at x (other.js:1:1)"), None);
    }
}
