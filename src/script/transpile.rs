//! TSX → JavaScript with oxc, plus the static checks that give exact positions for forbidden
//! imports, `require` and `fetch`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use oxc::allocator::Allocator;
use oxc::ast::ast::{
    Argument, Expression, ImportDeclarationSpecifier, ModuleExportName, Program, Statement,
    TSModuleReference,
};
use oxc::ast::AstKind;
use oxc::codegen::{Codegen, CodegenOptions};
use oxc::diagnostics::OxcDiagnostic;
use oxc::parser::Parser;
use oxc::semantic::{Semantic, SemanticBuilder};
use oxc::span::{SourceType, Span};
use oxc::transformer::{JsxOptions, JsxRuntime, TransformOptions, Transformer};

use super::error::{ScriptError, ScriptErrorKind};
use super::exports::{forbidden_import_message, is_allowed_module, is_export, EXPORTS};
use super::position::{line_column, PositionMap};

/// The JSX runtime module oxc imports `jsxDEV`/`Fragment` from (`<source>/jsx-dev-runtime`).
const JSX_IMPORT_SOURCE: &str = "vargai/react";
/// File name the generated code and its source map refer to.
const SOURCE_NAME: &str = "program.tsx";

/// Generated JavaScript and the way back from it to the TSX.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    pub js: String,
    pub map: PositionMap,
}

/// Parse + transform TSX to JS. Syntax errors → [`ScriptErrorKind::Syntax`] with 1-based
/// line/column; imports of modules other than `vargai/*`, `require(...)` and `fetch(...)` →
/// [`ScriptErrorKind::InvalidCode`] at the offending expression.
pub fn transpile(tsx: &str) -> Result<String, ScriptError> {
    compile(tsx).map(|compiled| compiled.js)
}

pub(crate) fn compile(tsx: &str) -> Result<Compiled, ScriptError> {
    // oxc's transformer asserts on some inputs it does not expect (TS enums without enum
    // evaluation were one); a panic there must cost one request, not the worker thread.
    catch_unwind(AssertUnwindSafe(|| compile_unguarded(tsx))).unwrap_or_else(|_| {
        Err(ScriptError::internal(
            "the TSX compiler failed on this program; please report it with the program attached",
        ))
    })
}

fn compile_unguarded(tsx: &str) -> Result<Compiled, ScriptError> {
    let allocator = Allocator::default();
    // Always a module: an "unambiguous" file without imports would be a script, and the JSX
    // transform would then `require` its runtime.
    let source_type = SourceType::tsx().with_module(true);
    let parsed = Parser::new(&allocator, tsx, source_type).parse();
    if let Some(error) = parsed.diagnostics.errors().next() {
        return Err(syntax_error(error, tsx));
    }
    if parsed.panicked {
        return Err(ScriptError::new(
            ScriptErrorKind::Syntax,
            "the program could not be parsed as TSX",
        ));
    }
    let mut program = parsed.program;

    let semantic = SemanticBuilder::new()
        .with_check_syntax_error(true)
        // `check_sandbox` walks the node list.
        .with_build_nodes(true)
        // Without evaluated enum members the transformer panics on `enum`.
        .with_enum_eval(true)
        .build(&program);
    if let Some(error) = semantic.diagnostics.errors().next() {
        return Err(syntax_error(error, tsx));
    }
    check_sandbox(&semantic.semantic, tsx)?;
    let scoping = semantic.semantic.into_scoping();

    let options = TransformOptions {
        jsx: JsxOptions {
            runtime: JsxRuntime::Automatic,
            // Development mode passes `{ lineNumber, columnNumber }` of every element's `<` to
            // `jsxDEV`, which is how the element tree knows where each element was written.
            development: true,
            import_source: Some(JSX_IMPORT_SOURCE.to_owned()),
            ..JsxOptions::enable()
        },
        ..TransformOptions::default()
    };
    let transformed = Transformer::new(&allocator, Path::new(SOURCE_NAME), &options)
        .build_with_scoping(scoping, &mut program);
    if let Some(error) = transformed.diagnostics.errors().next() {
        return Err(syntax_error(error, tsx));
    }
    // After the transform, so that imports used only as types are gone already.
    check_imported_names(&program, tsx)?;

    let generated = Codegen::new()
        .with_options(CodegenOptions {
            source_map_path: Some(PathBuf::from(SOURCE_NAME)),
            ..CodegenOptions::default()
        })
        .build(&program);
    let tokens = generated
        .map
        .map(|map| {
            map.get_tokens()
                .map(|t| {
                    (
                        t.get_dst_line(),
                        t.get_dst_col(),
                        t.get_src_line(),
                        t.get_src_col(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Compiled {
        js: generated.code,
        map: PositionMap::new(tokens),
    })
}

fn syntax_error(diagnostic: &OxcDiagnostic, tsx: &str) -> ScriptError {
    let mut message = diagnostic.message.to_string();
    if let Some(help) = &diagnostic.help {
        message = format!(
            "{}: {}",
            message.trim_end_matches('.'),
            lowercase_first(help)
        );
    }
    // Without a primary label, the latest one: parsers notice a problem where it becomes one
    // (the closing tag that does not match, the second declaration of a name).
    let label = diagnostic
        .labels
        .iter()
        .find(|label| label.primary())
        .or_else(|| diagnostic.labels.iter().max_by_key(|label| label.offset()));
    if let Some(label) = label {
        let span = label.span();
        let text = tsx
            .get(span.start as usize..span.end as usize)
            .unwrap_or("");
        if message == "Unexpected token"
            && !text.is_empty()
            && text.len() <= 20
            && !text.contains('\n')
        {
            message = format!("Unexpected token `{text}`");
        }
    }
    let position = label.map(|label| line_column(tsx, label.offset()));
    ScriptError::new(ScriptErrorKind::Syntax, message).at(position)
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn invalid_at(message: String, span: Span, tsx: &str) -> ScriptError {
    ScriptError::invalid(message).at(Some(line_column(tsx, span.start)))
}

/// Rejects, with the position of the first offender in source order: imports of modules other
/// than `vargai/*` (type-only imports are erased and allowed), and calls of the global
/// `require` or `fetch` (D15). The runtime refuses them too; this gives a position.
fn check_sandbox(semantic: &Semantic<'_>, tsx: &str) -> Result<(), ScriptError> {
    let mut offenders: Vec<(Span, String)> = Vec::new();
    for node in semantic.nodes().iter() {
        match node.kind() {
            AstKind::ImportDeclaration(decl) => {
                let type_only = decl.import_kind.is_type()
                    || decl.specifiers.as_ref().is_some_and(|specs| {
                        !specs.is_empty()
                            && specs.iter().all(|spec| {
                                matches!(spec, ImportDeclarationSpecifier::ImportSpecifier(s)
                                    if s.import_kind.is_type())
                            })
                    });
                if !type_only && !is_allowed_module(&decl.source.value) {
                    offenders.push((
                        decl.source.span,
                        forbidden_import_message(&decl.source.value),
                    ));
                }
            }
            AstKind::ExportAllDeclaration(decl)
                if !decl.export_kind.is_type() && !is_allowed_module(&decl.source.value) =>
            {
                offenders.push((
                    decl.source.span,
                    forbidden_import_message(&decl.source.value),
                ));
            }
            AstKind::ExportFromDeclaration(decl)
                if !decl.export_kind.is_type() && !is_allowed_module(&decl.source.value) =>
            {
                offenders.push((
                    decl.source.span,
                    forbidden_import_message(&decl.source.value),
                ));
            }
            AstKind::ImportExpression(import) => {
                if let Expression::StringLiteral(source) = &import.source {
                    if !is_allowed_module(&source.value) {
                        offenders.push((source.span, forbidden_import_message(&source.value)));
                    }
                }
            }
            AstKind::TSImportEqualsDeclaration(decl) => {
                if let TSModuleReference::ExternalModuleReference(external) = &decl.module_reference
                {
                    let name = &external.expression.value;
                    if !decl.import_kind.is_type() && !is_allowed_module(name) {
                        offenders.push((external.span, require_message(Some(name))));
                    }
                }
            }
            AstKind::CallExpression(call) => {
                let Expression::Identifier(callee) = &call.callee else {
                    continue;
                };
                if !semantic.is_reference_to_global_variable(callee) {
                    continue;
                }
                match callee.name.as_str() {
                    "require" => {
                        let module = match call.arguments.first() {
                            Some(Argument::StringLiteral(s)) => Some(s.value.as_str()),
                            _ => None,
                        };
                        offenders.push((call.span, require_message(module)));
                    }
                    "fetch" => offenders.push((call.span, FETCH_MESSAGE.to_owned())),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    match offenders.into_iter().min_by_key(|(span, _)| span.start) {
        Some((span, message)) => Err(invalid_at(message, span, tsx)),
        None => Ok(()),
    }
}

pub(crate) const FETCH_MESSAGE: &str =
    "fetch(...) is not allowed: programs cannot access the network";

pub(crate) fn require_message(module: Option<&str>) -> String {
    match module {
        Some(module) => format!(
            "require(\"{module}\") is not allowed: only vargai/* modules are available, through import"
        ),
        None => "require(...) is not allowed: only vargai/* modules are available, through import"
            .to_owned(),
    }
}

/// Named imports from the built-in modules must name something they export; the engine would
/// otherwise fail at link time with a message that has no position.
fn check_imported_names(program: &Program<'_>, tsx: &str) -> Result<(), ScriptError> {
    for statement in &program.body {
        let Statement::ImportDeclaration(decl) = statement else {
            continue;
        };
        if !is_allowed_module(&decl.source.value) {
            continue;
        }
        for spec in decl.specifiers.iter().flatten() {
            let ImportDeclarationSpecifier::ImportSpecifier(spec) = spec else {
                continue;
            };
            let name = match &spec.imported {
                ModuleExportName::IdentifierName(id) => id.name.as_str(),
                ModuleExportName::IdentifierReference(id) => id.name.as_str(),
                ModuleExportName::StringLiteral(s) => s.value.as_str(),
            };
            if !is_export(name) && spec.span.start < spec.span.end {
                return Err(invalid_at(
                    format!(
                        "\"{name}\" is not exported by \"{}\": the available names are {}",
                        decl.source.value,
                        EXPORTS.join(", ")
                    ),
                    spec.span,
                    tsx,
                ));
            }
        }
    }
    Ok(())
}
