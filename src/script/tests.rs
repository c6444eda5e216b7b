//! In-process tests of the JSX runtime (prelude + boa) without the child process. The limits
//! that need the process boundary are covered by `tests/script_eval.rs`.

use serde_json::{json, Value};

use super::error::ScriptErrorKind;
use super::protocol::ChildError;
use super::runtime;
use super::transpile::compile;

/// Evaluates on a thread with the child's stack size, as the child does.
fn run(tsx: &str) -> Result<(Value, Vec<String>), ChildError> {
    let compiled = compile(tsx).map_err(|e| ChildError {
        kind: e.kind,
        message: e.message,
        line: e.line,
        column: e.column,
    })?;
    let output = std::thread::Builder::new()
        .stack_size(32 << 20)
        .spawn(move || runtime::run(&compiled.js))
        .expect("thread")
        .join()
        .expect("no panic")?;
    let tree = serde_json::from_str(&output.tree_json).expect("tree is JSON");
    let logs = serde_json::from_str(&output.logs_json).expect("logs are JSON");
    Ok((tree, logs))
}

fn tree(tsx: &str) -> Value {
    match run(tsx) {
        Ok((tree, _)) => tree,
        Err(e) => panic!("evaluation failed: {e:?}"),
    }
}

fn failure(tsx: &str) -> ChildError {
    match run(tsx) {
        Ok((tree, _)) => panic!("expected an error, got {tree}"),
        Err(e) => e,
    }
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
fn element_shape_and_positions() {
    let t = tree(
        "export default (\n  <Render width={1280}>\n    <Clip duration={3} transition={{ name: \"fade\" }}>\n      <Title position=\"top\">Hello {2} {false}{null}</Title>\n    </Clip>\n  </Render>\n);\n",
    );
    assert_eq!(
        t,
        json!({
            "type": "render",
            "props": {"width": 1280},
            "source": {"line": 2, "column": 3},
            "children": [{
                "type": "clip",
                "props": {"duration": 3, "transition": {"name": "fade"}},
                "source": {"line": 3, "column": 5},
                "children": [{
                    "type": "title",
                    "props": {"position": "top"},
                    "source": {"line": 4, "column": 7},
                    "children": ["Hello ", 2, " "]
                }]
            }]
        })
    );
}

#[test]
fn props_drop_functions_and_undefined_and_keep_elements() {
    let t = tree(
        "const speech = Speech({ model: elevenlabs.speechModel(\"turbo\"), children: \"hi there\" });\n\
         const face = Image({ prompt: \"face\", model: fal.imageModel(\"flux\") });\n\
         export default <Render onDone={() => 1} nothing={undefined} nil={null}>\n\
           <TalkingHead image={face} audio={speech} model={varg.videoModel(\"kling\", { mode: \"pro\" })} />\n\
           <Image prompt={{ text: \"edit\", images: [face] }} />\n\
           <Captions src={speech} />\n\
         </Render>;\n",
    );
    let t = without_source(t);
    assert_eq!(t["props"], json!({"nil": null}));
    let speech = json!({"type": "speech", "props": {"model": {"provider": "elevenlabs", "modelId": "eleven_turbo_v2"}}, "children": ["hi there"]});
    let face = json!({"type": "image", "props": {"prompt": "face", "model": {"provider": "fal", "modelId": "flux"}}, "children": []});
    assert_eq!(
        t["children"][0],
        json!({"type": "talking-head", "props": {"image": face, "audio": speech, "model": {"provider": "varg", "modelId": "kling", "settings": {"mode": "pro"}}}, "children": []})
    );
    assert_eq!(t["children"][1]["props"]["prompt"]["images"][0], face);
    assert_eq!(t["children"][2]["props"]["src"], speech);
}

#[test]
fn imports_and_globals_give_the_same_tree() {
    let body = "\nconst shots = [\"a\", \"b\"];\nexport default (\n  <Render>\n    {shots.map((s) => <Clip key={s}><Image prompt={s} model={varg.imageModel(\"flux-schnell\")} /></Clip>)}\n    <Music model={varg.musicModel()} prompt=\"m\" />\n  </Render>\n);\n";
    let with_imports = format!(
        "import {{ Render, Clip, Image, Music }} from \"vargai/react\"; import {{ varg }} from \"vargai/ai\";{body}"
    );
    let with_globals = body.to_owned();
    assert_eq!(tree(&with_imports), tree(&with_globals));
    let other_specifiers = format!(
        "import {{ Render, Clip, Image, Music, varg }} from \"vargai\"; import * as g from \"@vargai/gateway\";{body}"
    );
    assert_eq!(tree(&other_specifiers), tree(&with_globals));
}

#[test]
fn layout_helpers_rewrite_props() {
    let t = without_source(tree(
        "export default <Render><Clip>\n\
           <Split><Image prompt=\"a\" /><Image prompt=\"b\" resize=\"contain\" /></Split>\n\
           <Split direction=\"vertical\"><Video prompt=\"only\" /></Split>\n\
           <Grid columns={2} resize=\"contain\">{[1, 2, 3].map((i) => <Image prompt={`g${i}`} />)}</Grid>\n\
           <Grid />\n\
           <Slot class=\"fit-fill pos-bottom\" position=\"top\"><Image prompt=\"s\" /></Slot>\n\
         </Clip></Render>;\n",
    ));
    let props: Vec<Value> = t["children"][0]["children"]
        .as_array()
        .expect("children")
        .iter()
        .map(|c| c["props"].clone())
        .collect();
    assert_eq!(
        props,
        vec![
            json!({"prompt": "a", "left": "0%", "top": "0%", "width": "50%", "height": "100%", "resize": "cover"}),
            json!({"prompt": "b", "left": "50%", "top": "0%", "width": "50%", "height": "100%", "resize": "contain"}),
            json!({"prompt": "only", "left": "0%", "top": "0%", "width": "100%", "height": "100%", "resize": "cover"}),
            json!({"prompt": "g1", "left": "0%", "top": "0%", "width": "50%", "height": "50%", "resize": "contain"}),
            json!({"prompt": "g2", "left": "50%", "top": "0%", "width": "50%", "height": "50%", "resize": "contain"}),
            json!({"prompt": "g3", "left": "0%", "top": "50%", "width": "50%", "height": "50%", "resize": "contain"}),
            json!({"prompt": "s", "resize": "stretch", "cropPosition": "top"}),
        ]
    );
}

#[test]
fn awaited_generators_know_their_durations() {
    let (t, logs) = run(
        "const s = await Speech({ voice: VOICES.Rachel, children: [\"one two three\", \"four five\"] });\n\
         const v = await Video({ prompt: \"v\", duration: 7 });\n\
         const w = await Video({ prompt: \"w\" });\n\
         const i = await Image({ prompt: \"i\", aspectRatio: \"16:9\" });\n\
         console.log(s.duration, JSON.stringify(s.words[3]), JSON.stringify(s.segments.map((g) => [g.text, g.start, g.end])));\n\
         console.log(v.duration, w.duration, i.duration, i.aspectRatio, s.audio === s, typeof s.then);\n\
         export default <Render><Clip duration={s.duration}>{s}{i}</Clip></Render>;\n",
    )
    .expect("evaluates");
    assert_eq!(
        logs,
        vec![
            "2 {\"word\":\"four\",\"start\":1.2,\"end\":1.6} [[\"one two three\",0,1.2],[\"four five\",1.2,2]]",
            "7 5 0 16:9 true undefined",
        ]
    );
    let clip = &t["children"][0];
    assert_eq!(clip["props"]["duration"], json!(2));
    assert_eq!(
        clip["children"][0]["props"],
        json!({"voice": "21m00Tcm4TlvDq8ikWAM"})
    );
    assert_eq!(
        clip["children"][0]["children"],
        json!(["one two three", "four five"])
    );
}

#[test]
fn async_components_and_default_functions_resolve() {
    let t = without_source(tree(
        "async function Scene({ text }: { text: string }) {\n\
           await null;\n\
           return <Clip><Title>{text}</Title></Clip>;\n\
         }\n\
         async function Pair() { return [<Scene text=\"b\" />, <Scene text=\"c\" />]; }\n\
         export default async function Main() {\n\
           await new Promise((r) => setTimeout(r, 1000));\n\
           return <Render><Scene text=\"a\" /><Pair /><>{[<Scene text=\"d\" />]}</></Render>;\n\
         }\n",
    ));
    let texts: Vec<Value> = t["children"]
        .as_array()
        .expect("children")
        .iter()
        .map(|clip| clip["children"][0]["children"][0].clone())
        .collect();
    assert_eq!(texts, vec![json!("a"), json!("b"), json!("c"), json!("d")]);
}

#[test]
fn lazy_results_take_the_position_of_their_tag() {
    let t = tree(
        "async function A() { return Clip({}); }\nexport default <Render>\n  <A />\n</Render>;\n",
    );
    assert_eq!(t["children"][0]["source"], json!({"line": 3, "column": 3}));
}

#[test]
fn render_call_is_the_scene_without_a_default_export() {
    let (t, logs) = run("import { render, Render, Clip } from \"vargai/react\";\n\
         async function main() {\n\
           const result = await render(<Render><Clip /></Render>, { output: \"out.mp4\" });\n\
           console.log(\"rendered\", typeof result, import.meta.main);\n\
           await render(<Render width={1} />);\n\
         }\n\
         if (import.meta.main) main();\n")
    .expect("evaluates");
    assert_eq!(t["type"], json!("render"));
    assert_eq!(t["props"], json!({}));
    assert_eq!(logs, vec!["rendered object true"]);
}

#[test]
fn programs_without_a_scene_are_refused() {
    let e = failure("const x = <Render />;\n");
    assert_eq!(e.kind, ScriptErrorKind::InvalidCode);
    assert_eq!(
        e.message,
        "the program has no default export and never calls render(...): export default a <Render> element"
    );
    let e = failure("export default 42;\n");
    assert_eq!(
        e.message,
        "the default export is not an element: it is the number 42"
    );
    let e = failure("export default () => undefined;\n");
    assert_eq!(
        e.message,
        "the value returned by the default-exported function is not an element: it is undefined"
    );
}

#[test]
fn fragments_and_single_element_arrays_unwrap() {
    let t = tree("export default <><Render /></>;\n");
    assert_eq!(t["type"], json!("render"));
}

#[test]
fn providers_and_voices() {
    let (_, logs) = run(
        "console.log(JSON.stringify([\n\
           elevenlabs.speechModel(\"turbo_v2\"), elevenlabs.speechModel(\"multilingual_v2\"),\n\
           elevenlabs.speechModel(), elevenlabs.musicModel(), varg.musicModel(),\n\
           fal.transcriptionModel(\"whisper\"), openai(\"gpt-image-1\"), together.imageModel(\"x\")]));\n\
         console.log(VOICES.rachel, VOICES.ADAM, VOICES.nobody);\n\
         export default <Render />;\n",
    )
    .expect("evaluates");
    assert_eq!(
        logs,
        vec![
            concat!(
                "[{\"provider\":\"elevenlabs\",\"modelId\":\"eleven_turbo_v2\"},",
                "{\"provider\":\"elevenlabs\",\"modelId\":\"eleven_multilingual_v2\"},",
                "{\"provider\":\"elevenlabs\",\"modelId\":\"eleven_turbo_v2\"},",
                "{\"provider\":\"elevenlabs\",\"modelId\":\"music_v1\"},",
                "{\"provider\":\"varg\",\"modelId\":\"music_v1\"},",
                "{\"provider\":\"fal\",\"modelId\":\"whisper\"},",
                "{\"provider\":\"openai\",\"modelId\":\"gpt-image-1\"},",
                "{\"provider\":\"together\",\"modelId\":\"x\"}]"
            ),
            "21m00Tcm4TlvDq8ikWAM pNInz6obpgDQGcFmaJgB undefined",
        ]
    );
}

#[test]
fn logs_are_bounded() {
    let (_, logs) = run(
        "for (let i = 0; i < 250; i++) console.log(\"x\".repeat(2000));\n\
         console.warn(\"late\");\n\
         export default <Render />;\n",
    )
    .expect("evaluates");
    assert_eq!(logs.len(), 201);
    assert_eq!(logs[0].chars().count(), 1000);
    assert_eq!(logs[200], "(51 more log lines were dropped)");
}

#[test]
fn thrown_errors_keep_their_message_and_position() {
    let e = failure("function boom() {\n  throw new Error(\"no clips today\");\n}\nboom();\n");
    assert_eq!(e.kind, ScriptErrorKind::InvalidCode);
    assert_eq!(e.message, "Error: no clips today");
    assert!(e.line.is_some(), "{e:?}");

    let e = failure("export default <Render><Missing /></Render>;\n");
    assert_eq!(e.message, "ReferenceError: Missing is not defined");

    let e = failure("throw \"plain\";\n");
    assert_eq!(e.message, "the program threw \"plain\"");

    let e = failure("export default <div />;\n");
    assert!(
        e.message
            .starts_with("<div> is not a component: use one of Render, Clip"),
        "{}",
        e.message
    );
}

#[test]
fn dynamic_imports_go_through_the_same_gate() {
    let e = failure("const name = [\"left\", \"pad\"].join(\"-\");\nawait import(name);\nexport default <Render />;\n");
    assert_eq!(
        e.message,
        "import of \"left-pad\" is not allowed: only vargai/* modules are available"
    );
    let t = tree("const m = await import(\"vargai/react\");\nexport default <m.Render />;\n");
    assert_eq!(t["type"], json!("render"));
}

#[test]
fn runtime_require_and_fetch_fail_clearly() {
    let e = failure("const r = globalThis.require;\nr(\"fs\");\n");
    assert_eq!(
        e.message,
        "require(\"fs\") is not allowed: only vargai/* modules are available, through import"
    );
    let e = failure("const f = globalThis.fetch;\nawait f(\"https://example.com\");\n");
    assert_eq!(
        e.message,
        "fetch(...) is not allowed: programs cannot access the network"
    );
}

#[test]
fn loops_and_recursion_hit_engine_limits() {
    let e = failure("while (true) {}\n");
    assert_eq!(e.kind, ScriptErrorKind::LimitExceeded);
    assert_eq!(e.message, "the program ran a loop more than 10000000 times");
    let e = failure("function f(n: number): number { return f(n + 1) + 1; }\nf(0);\n");
    assert_eq!(e.kind, ScriptErrorKind::LimitExceeded);
    assert_eq!(
        e.message,
        "the program recursed too deeply (more than 1000 nested calls)"
    );
    let e = failure("const x = [1].map(function f(n) { return [n].map(f); });\n");
    assert_eq!(e.kind, ScriptErrorKind::LimitExceeded);
}

#[test]
fn cycles_are_reported_not_followed() {
    let e = failure(
        "const a: any = Clip({});\na.children = [a];\nexport default <Render>{a}</Render>;\n",
    );
    assert_eq!(e.message, "the element tree contains itself (a cycle)");
}

#[test]
fn lone_surrogates_become_replacement_characters() {
    let (t, logs) = run(
        "console.log(\"\\uD83C!\");\nJSON.stringify = () => \"not json\";\nexport default <Render title={\"\\uD83C\\uDFAC \\uDFAC\"} />;\n",
    )
    .expect("evaluates");
    assert_eq!(t["props"]["title"], json!("🎬 \u{FFFD}"));
    assert_eq!(logs, vec!["\u{FFFD}!"]);
}

#[test]
fn default_function_that_only_calls_render() {
    let t =
        tree("export default async function main() {\n  await render(<Render width={2} />);\n}\n");
    assert_eq!(t["props"], json!({"width": 2}));
}
