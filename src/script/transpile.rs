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

/// Deepest `(`/`[`/`{` nesting accepted. Real programs stay far below; each level costs oxc
/// up to about 2 KiB of native stack.
const MAX_BRACKET_DEPTH: usize = 1000;
/// oxc recurses once per nesting level, and a level can cost as little as one source byte (`!`,
/// `a=>`, `A<`): measured at most about 540 bytes of stack per source byte once brackets are
/// capped. The compiler therefore runs on its own thread with a stack sized to the input, which
/// is only address space until a pathological program actually uses it, instead of
/// overflowing (and aborting) whatever thread called us.
const STACK_BASE: usize = 32 << 20;
const STACK_PER_SOURCE_BYTE: usize = 640;

pub(crate) fn compile(tsx: &str) -> Result<Compiled, ScriptError> {
    check_nesting(tsx)?;
    let stack = STACK_BASE.saturating_add(tsx.len().saturating_mul(STACK_PER_SOURCE_BYTE));
    std::thread::scope(|scope| {
        let compiler = std::thread::Builder::new()
            .name("varg-tsx".to_owned())
            .stack_size(stack)
            // oxc's transformer asserts on some inputs it does not expect (TS enums without
            // enum evaluation were one); a panic there must cost one request, not the caller.
            .spawn_scoped(scope, || {
                catch_unwind(AssertUnwindSafe(|| compile_unguarded(tsx)))
            });
        match compiler.map(|handle| handle.join()) {
            Ok(Ok(Ok(result))) => result,
            Ok(_) => Err(ScriptError::internal(
                "the TSX compiler failed on this program; please report it with the program attached",
            )),
            Err(e) => Err(ScriptError::internal(format!(
                "could not start the TSX compiler: {e}"
            ))),
        }
    })
}

/// Counts brackets without understanding strings or comments: a stray bracket in a string
/// shifts the count by one, far from the limit, and the check stays linear and simple.
fn check_nesting(tsx: &str) -> Result<(), ScriptError> {
    let mut depth = 0usize;
    for (offset, byte) in tsx.bytes().enumerate() {
        match byte {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_BRACKET_DEPTH {
                    let offset = u32::try_from(offset).unwrap_or(u32::MAX);
                    return Err(ScriptError::new(
                        ScriptErrorKind::LimitExceeded,
                        format!(
                            "the program nests brackets more than {MAX_BRACKET_DEPTH} levels deep"
                        ),
                    )
                    .at(Some(line_column(tsx, offset))));
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn error(tsx: &str) -> ScriptError {
        match compile(tsx) {
            Ok(compiled) => panic!("expected an error, got:\n{}", compiled.js),
            Err(error) => error,
        }
    }

    fn at(error: &ScriptError) -> (ScriptErrorKind, Option<u32>, Option<u32>) {
        (error.kind, error.line, error.column)
    }

    #[test]
    fn syntax_errors_have_exact_positions() {
        let e = error("const a = 1;\nconst x = ;\n");
        assert_eq!(at(&e), (ScriptErrorKind::Syntax, Some(2), Some(11)));
        assert_eq!(e.message, "Unexpected token `;`");

        let e = error("export default (\n  <Render>\n    <Clip>\n  </Render>\n);\n");
        assert_eq!(at(&e), (ScriptErrorKind::Syntax, Some(4), Some(5)));
        assert_eq!(
            e.message,
            "Expected corresponding JSX closing tag for 'Clip'."
        );

        let e = error("let a = 1;\nlet a = 2;\n");
        assert_eq!(at(&e), (ScriptErrorKind::Syntax, Some(2), Some(5)));
        assert_eq!(e.message, "Identifier `a` has already been declared");

        // Columns count UTF-16 code units, like editors do.
        let e = error("const é = \"🎬\"; const y = ;");
        assert_eq!(at(&e), (ScriptErrorKind::Syntax, Some(1), Some(27)));
    }

    #[test]
    fn typescript_is_erased() {
        let js = transpile(
            "enum Color { Red, Green = \"g\", Blue = Red + 2 }\n\
             const enum Dir { Up = 1 }\n\
             interface P { a: number }\n\
             type T = P | null;\n\
             namespace N { export const n = 1 }\n\
             const p = { a: 1 } satisfies P;\n\
             const q = (p as unknown as P).a! + Dir.Up + N.n;\n\
             function id<X>(x: X): X { return x }\n\
             export default <Render width={id<number>(q)}>{Color.Blue}</Render>;\n",
        )
        .expect("TypeScript compiles");
        assert!(!js.contains("interface"), "{js}");
        assert!(!js.contains("satisfies"), "{js}");
        assert!(js.contains("\"Blue\""), "{js}");
    }

    #[test]
    fn jsx_positions_are_the_opening_angle_bracket() {
        let js = transpile("export default (\n  <Render>\n\t<Clip />\n  </Render>\n);\n")
            .expect("compiles");
        assert!(js.contains("vargai/react/jsx-dev-runtime"), "{js}");
        let positions: Vec<(u32, u32)> = js
            .split("lineNumber: ")
            .skip(1)
            .map(|rest| {
                let line: u32 = rest[..rest.find(',').unwrap()].parse().unwrap();
                let col = &rest[rest.find("columnNumber: ").unwrap() + 14..];
                let col: u32 = col[..col.find(|c: char| !c.is_ascii_digit()).unwrap()]
                    .parse()
                    .unwrap();
                (line, col)
            })
            .collect();
        assert_eq!(positions, vec![(3, 2), (2, 3)]);
    }

    #[test]
    fn programs_without_imports_are_modules() {
        // An "unambiguous" script would get `require("vargai/react/jsx-dev-runtime")`.
        let js = transpile("const x = <Render />;\n").expect("compiles");
        assert!(js.contains("import { jsxDEV"), "{js}");
        assert!(!js.contains("require("), "{js}");
    }

    #[test]
    fn forbidden_modules_are_rejected_where_they_are_named() {
        let cases = [
            ("import _ from \"lodash\";\n", (1, 15), "lodash"),
            (
                "const a = 1;\nimport * as fs from \"node:fs\";\n",
                (2, 21),
                "node:fs",
            ),
            ("export * from \"x\";\n", (1, 15), "x"),
            ("export { a } from \"x\";\n", (1, 19), "x"),
            (
                "const m = await import(\"left-pad\");\n",
                (1, 24),
                "left-pad",
            ),
        ];
        for (tsx, (line, column), module) in cases {
            let e = error(tsx);
            assert_eq!(
                at(&e),
                (ScriptErrorKind::InvalidCode, Some(line), Some(column)),
                "{tsx}"
            );
            assert_eq!(
                e.message,
                format!(
                    "import of \"{module}\" is not allowed: only vargai/* modules are available"
                )
            );
        }
    }

    #[test]
    fn require_and_fetch_are_rejected() {
        let e = error("const x = 1;\nconst fs = require(\"fs\");\n");
        assert_eq!(at(&e), (ScriptErrorKind::InvalidCode, Some(2), Some(12)));
        assert_eq!(e.message, require_message(Some("fs")));

        let e = error("import x = require(\"fs\");\n");
        assert_eq!(e.message, require_message(Some("fs")));

        let e = error("async function f() {\n  await fetch(\"https://example.com\");\n}\n");
        assert_eq!(at(&e), (ScriptErrorKind::InvalidCode, Some(2), Some(9)));
        assert_eq!(e.message, FETCH_MESSAGE);

        // A local function of that name is the author's own business.
        transpile("function fetch(x: string) { return x }\nfetch(\"a\");\n").expect("local fetch");
    }

    #[test]
    fn allowed_and_type_only_imports_pass() {
        transpile(
            "import { Render, Clip } from \"vargai/react\";\n\
             import { varg } from \"vargai/ai\";\n\
             import * as all from \"vargai\";\n\
             import { something } from \"@vargai/gateway\";\n\
             import type { Props } from \"some-lib\";\n\
             import { type Other } from \"other-lib\";\n\
             export default <Render><Clip /></Render>;\n",
        )
        .expect("allowed imports");
    }

    #[test]
    fn unknown_names_from_vargai_are_rejected_when_used() {
        let e = error("import { Render, Nope } from \"vargai/react\";\nexport default <Nope />;\n");
        assert_eq!(at(&e), (ScriptErrorKind::InvalidCode, Some(1), Some(18)));
        assert!(
            e.message
                .starts_with("\"Nope\" is not exported by \"vargai/react\""),
            "{}",
            e.message
        );
        // Unused (e.g. type-only) names are erased before the check.
        transpile("import { Render, VargElement } from \"vargai/react\";\nconst x: VargElement = <Render />;\n")
            .expect("type-only name");
    }

    #[test]
    fn position_map_points_back_into_the_tsx() {
        let compiled = compile("const a = 1;\n\nfunction boom() {\n  throw new Error(\"x\");\n}\n")
            .expect("compiles");
        let (line, col) = compiled
            .js
            .lines()
            .enumerate()
            .find_map(|(i, l)| l.find("throw").map(|c| (i as u32 + 1, c as u32 + 1)))
            .expect("throw in output");
        assert_eq!(compiled.map.to_source(line, col), Some((4, 3)));
    }

    #[test]
    fn pathological_nesting_is_refused_or_survived() {
        let deep = format!("const x = {}1{};", "(".repeat(5000), ")".repeat(5000));
        let e = error(&deep);
        assert_eq!(
            at(&e),
            (ScriptErrorKind::LimitExceeded, Some(1), Some(1011))
        );
        assert_eq!(
            e.message,
            "the program nests brackets more than 1000 levels deep"
        );

        // Nesting without brackets cannot be capped cheaply; the sized stack absorbs it, even
        // when the caller runs on a small thread like the test harness's.
        for deep in [
            format!("const x = {}1;", "a => ".repeat(20_000)),
            format!("const x = {}1;", "!".repeat(100_000)),
            format!("type T = {}B{};", "A<".repeat(20_000), ">".repeat(20_000)),
            format!(
                "export default {}{};",
                "<Clip>".repeat(20_000),
                "</Clip>".repeat(20_000)
            ),
        ] {
            let _ = compile(&deep);
        }
    }
}
