//! `script::evaluate` end to end: the real binary as the `__eval` child, its limits, and the
//! element trees of the shared examples.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use varg_render::script::{evaluate, EvalLimits, Evaluated, ScriptError, ScriptErrorKind};

fn limits() -> EvalLimits {
    EvalLimits::new(PathBuf::from(env!("CARGO_BIN_EXE_varg-render")))
}

fn eval(tsx: &str) -> Result<Evaluated, ScriptError> {
    evaluate(tsx, &limits())
}

fn ok(tsx: &str) -> Evaluated {
    match eval(tsx) {
        Ok(evaluated) => evaluated,
        Err(e) => panic!("evaluation failed: {e:?}"),
    }
}

fn err(tsx: &str) -> ScriptError {
    match eval(tsx) {
        Ok(evaluated) => panic!("expected an error, got {}", evaluated.tree),
        Err(e) => e,
    }
}

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/examples")
}

fn without_source(mut value: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.remove("source");
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut value);
    value
}

#[test]
fn every_shared_example_evaluates_to_a_render_tree() {
    let dir = examples_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipping: {} is not here", dir.display());
        return;
    };
    let mut count = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("tsx") {
            continue;
        }
        let tsx = std::fs::read_to_string(&path).expect("readable example");
        let evaluated = match eval(&tsx) {
            Ok(evaluated) => evaluated,
            Err(e) => panic!("{} failed: {e:?}", path.display()),
        };
        assert_eq!(
            evaluated.tree["type"],
            json!("render"),
            "{}",
            path.display()
        );
        assert!(
            evaluated.tree["source"]["line"].is_u64(),
            "{}",
            path.display()
        );
        count += 1;
    }
    assert!(count >= 4, "found {count} examples");
}

#[test]
fn layouts_example_is_rewritten_by_split() {
    let Ok(tsx) = std::fs::read_to_string(examples_dir().join("layouts.tsx")) else {
        return;
    };
    let tree = ok(&tsx).tree;
    let first_clip = &tree["children"][0];
    assert_eq!(first_clip["source"], json!({"line": 3, "column": 5}));
    assert_eq!(
        first_clip["children"],
        json!([
            {"type": "image", "props": {"prompt": "city skyline by day", "left": "0%", "top": "0%", "width": "100%", "height": "50%", "resize": "cover"}, "children": [], "source": {"line": 5, "column": 9}},
            {"type": "image", "props": {"prompt": "city skyline by night", "left": "0%", "top": "50%", "width": "100%", "height": "50%", "resize": "cover"}, "children": [], "source": {"line": 6, "column": 9}}
        ])
    );
    assert_eq!(
        tree["children"][1]["children"][2]["children"],
        json!(["Fresh every day"])
    );
}

#[test]
fn imports_and_globals_give_identical_trees() {
    // Same line layout in both, so even the positions agree.
    let imports = "import { Render, Clip, Image, Title } from \"vargai/react\"; import { varg } from \"vargai/ai\";\n";
    let body = "export default (\n  <Render>\n    {[\"a\", \"b\"].map((p) => (\n      <Clip key={p}><Image prompt={p} model={varg.imageModel(\"flux-schnell\")} /><Title>{p}</Title></Clip>\n    ))}\n  </Render>\n);\n";
    let with_imports = ok(&format!("{imports}{body}")).tree;
    let with_globals = ok(&format!("\n{body}")).tree;
    assert_eq!(with_imports, with_globals);
    assert_eq!(with_globals["children"].as_array().map(Vec::len), Some(2));
}

#[test]
fn async_default_export_is_called_and_awaited() {
    let tree = ok("async function Scene({ text }: { text: string }) {\n  await null;\n  return <Clip><Title>{text}</Title></Clip>;\n}\nexport default async function Main() {\n  return <Render><Scene text=\"a\" /><Scene text=\"b\" /></Render>;\n}\n").tree;
    assert_eq!(
        without_source(tree),
        json!({"type": "render", "props": {}, "children": [
            {"type": "clip", "props": {}, "children": [{"type": "title", "props": {}, "children": ["a"]}]},
            {"type": "clip", "props": {}, "children": [{"type": "title", "props": {}, "children": ["b"]}]}
        ]})
    );
}

#[test]
fn render_call_form_without_default_export() {
    let evaluated = ok("import { render, Render, Clip, Image } from \"vargai/react\";\n\nasync function main() {\n  await render(<Render width={640}><Clip><Image prompt=\"x\" /></Clip></Render>, { output: \"output/x.mp4\" });\n  console.log(\"done\");\n}\n\nif (import.meta.main) {\n  main();\n}\n");
    assert_eq!(evaluated.tree["type"], json!("render"));
    assert_eq!(evaluated.tree["props"], json!({"width": 640}));
    assert_eq!(evaluated.tree["source"], json!({"line": 4, "column": 16}));
    assert_eq!(evaluated.logs, vec!["done"]);
}

#[test]
fn split_grid_and_slot_rewrite_props() {
    let tree = without_source(ok("export default <Render><Clip>\n  <Split><Image prompt=\"solo\" /></Split>\n  <Grid columns={2}><Image prompt=\"a\" /><Image prompt=\"b\" /><Image prompt=\"c\" /></Grid>\n  <Slot fit=\"contain\" position=\"left\"><Image prompt=\"s\" /></Slot>\n</Clip></Render>;\n").tree);
    let props: Vec<&Value> = tree["children"][0]["children"]
        .as_array()
        .expect("children")
        .iter()
        .map(|c| &c["props"])
        .collect();
    assert_eq!(
        props,
        vec![
            &json!({"prompt": "solo", "left": "0%", "top": "0%", "width": "100%", "height": "100%", "resize": "cover"}),
            &json!({"prompt": "a", "left": "0%", "top": "0%", "width": "50%", "height": "50%", "resize": "cover"}),
            &json!({"prompt": "b", "left": "50%", "top": "0%", "width": "50%", "height": "50%", "resize": "cover"}),
            &json!({"prompt": "c", "left": "0%", "top": "50%", "width": "50%", "height": "50%", "resize": "cover"}),
            &json!({"prompt": "s", "resize": "contain", "cropPosition": "left"}),
        ]
    );
}

#[test]
fn awaited_speech_has_an_estimated_duration() {
    let evaluated = ok("const s = await Speech({ model: elevenlabs.speechModel(\"eleven_v3\"), children: \"one two three four five\" });\nconsole.log(s.duration, s.words.length, s.words[4].end);\nexport default <Render><Clip duration={s.duration}>{s}</Clip><Captions src={s} /></Render>;\n");
    assert_eq!(evaluated.logs, vec!["2 5 2"]);
    assert_eq!(evaluated.tree["children"][0]["props"]["duration"], json!(2));
    assert_eq!(
        evaluated.tree["children"][1]["props"]["src"]["children"],
        json!(["one two three four five"])
    );
}

#[test]
fn forbidden_import_require_and_fetch() {
    let e = err("import _ from \"lodash\";\nexport default <Render />;\n");
    assert_eq!(e.kind, ScriptErrorKind::InvalidCode);
    assert_eq!(
        e.message,
        "import of \"lodash\" is not allowed: only vargai/* modules are available"
    );
    assert_eq!((e.line, e.column), (Some(1), Some(15)));

    let e = err("const fs = require(\"fs\");\nexport default <Render />;\n");
    assert_eq!(e.kind, ScriptErrorKind::InvalidCode);
    assert_eq!(
        e.message,
        "require(\"fs\") is not allowed: only vargai/* modules are available, through import"
    );
    assert_eq!((e.line, e.column), (Some(1), Some(12)));

    let e = err("const data = await fetch(\"https://example.com\");\nexport default <Render />;\n");
    assert_eq!(e.kind, ScriptErrorKind::InvalidCode);
    assert_eq!(
        e.message,
        "fetch(...) is not allowed: programs cannot access the network"
    );
    assert_eq!((e.line, e.column), (Some(1), Some(20)));
}

#[test]
fn infinite_loop_is_stopped() {
    let started = Instant::now();
    let e = err("while (true) {}\nexport default <Render />;\n");
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(e.kind, ScriptErrorKind::LimitExceeded);
    assert_eq!(e.message, "the program ran a loop more than 10000000 times");
}

#[test]
fn loops_spread_over_calls_hit_the_deadline() {
    let mut limits = limits();
    limits.wall_time = Duration::from_secs(2);
    let started = Instant::now();
    let e = evaluate(
        "function spin() { for (let j = 0; j < 9000000; j++) {} }\nfor (let i = 0; i < 100000; i++) spin();\nexport default <Render />;\n",
        &limits,
    )
    .expect_err("runs forever");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_secs(2) && elapsed < Duration::from_secs(4),
        "{elapsed:?}"
    );
    assert_eq!(e.kind, ScriptErrorKind::Timeout);
    assert_eq!(e.message, "the program ran for more than 2 s");
}

#[test]
fn memory_hog_is_stopped() {
    let started = Instant::now();
    let e = err("let s = \"x\";\nwhile (true) s += s;\nexport default <Render />;\n");
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(e.kind, ScriptErrorKind::LimitExceeded);
    assert_eq!(e.message, "the program used more than 256 MiB of memory");

    let e = err("const a = [];\nfor (let i = 0; i < 9000000; i++) a.push({ i, s: \"abcdefgh\" + i });\nexport default <Render />;\n");
    assert_eq!(e.kind, ScriptErrorKind::LimitExceeded);
    assert_eq!(e.message, "the program used more than 256 MiB of memory");
}

#[test]
fn a_normal_program_fits_in_the_memory_limit() {
    // A few MiB of ordinary data on top of the runtime: well inside 256 MiB of address space.
    let evaluated = ok("const shots = Array.from({ length: 20000 }, (_, i) => `shot number ${i} of a long list`);\nexport default <Render>{shots.slice(0, 200).map((s) => <Clip key={s}><Image prompt={s} /><Title>{s}</Title></Clip>)}</Render>;\n");
    assert_eq!(
        evaluated.tree["children"].as_array().map(Vec::len),
        Some(200)
    );
}

#[test]
fn deep_recursion_is_stopped() {
    let e = err("function down(n: number): number { return down(n + 1) + 1; }\ndown(0);\nexport default <Render />;\n");
    assert_eq!(e.kind, ScriptErrorKind::LimitExceeded);
    assert_eq!(
        e.message,
        "the program recursed too deeply (more than 1000 nested calls)"
    );
}

#[test]
fn thrown_error_keeps_message_and_tsx_position() {
    let e = err("interface Shot { prompt: string }\n\nfunction check(shots: Shot[]) {\n  if (shots.length === 0) throw new Error(\"no shots given\");\n}\ncheck([]);\nexport default <Render />;\n");
    assert_eq!(e.kind, ScriptErrorKind::InvalidCode);
    assert_eq!(e.message, "Error: no shots given");
    assert_eq!((e.line, e.column), (Some(4), Some(33)));
    assert_eq!(e.to_string(), "Error: no shots given");
}

#[test]
fn undefined_component_is_named() {
    let e = err("export default (\n  <Render>\n    <Clipp />\n  </Render>\n);\n");
    assert_eq!(e.kind, ScriptErrorKind::InvalidCode);
    assert_eq!(e.message, "ReferenceError: Clipp is not defined");
    assert_eq!(e.line, Some(3));
}

#[test]
fn syntax_error_is_reported_without_starting_the_child() {
    let limits = EvalLimits::new(PathBuf::from("/nonexistent/varg-render"));
    let e = evaluate("export default <Render>;\n", &limits).expect_err("syntax error");
    assert_eq!(e.kind, ScriptErrorKind::Syntax);
    assert_eq!(e.line, Some(1));
}

#[test]
fn non_element_default_export_is_refused() {
    let e = err("export default 42;\n");
    assert_eq!(e.kind, ScriptErrorKind::InvalidCode);
    assert_eq!(
        e.message,
        "the default export is not an element: it is the number 42"
    );
}

#[test]
fn missing_scene_is_refused() {
    let e = err("const scene = <Render />;\n");
    assert_eq!(e.kind, ScriptErrorKind::InvalidCode);
    assert_eq!(
        e.message,
        "the program has no default export and never calls render(...): export default a <Render> element"
    );
}

#[test]
fn a_missing_evaluator_binary_is_an_internal_error() {
    let limits = EvalLimits::new(PathBuf::from("/nonexistent/varg-render"));
    let e = evaluate("export default <Render />;\n", &limits).expect_err("no binary");
    assert_eq!(e.kind, ScriptErrorKind::Internal);
}

/// `cargo test --release --test script_eval -- --ignored --nocapture overhead` prints the
/// median wall time of one evaluation of hello.tsx.
#[test]
#[ignore = "measurement, not a check"]
fn overhead() {
    let tsx = std::fs::read_to_string(examples_dir().join("hello.tsx")).expect("hello.tsx");
    let mut times: Vec<Duration> = (0..7)
        .map(|_| {
            let started = Instant::now();
            ok(&tsx);
            started.elapsed()
        })
        .collect();
    times.sort();
    eprintln!("evaluate(hello.tsx): median {:?} of {times:?}", times[3]);
}
