// The varg JSX runtime, evaluated as a script before the program. It installs the globals
// (components, providers, VOICES, render, console) and `globalThis.__varg`, which the
// `vargai/*` module re-exports and the host calls to finish (`__varg.finish(namespace)`).
(function () {
  "use strict";

  const global = globalThis;
  const SOURCE = Symbol("varg.source");
  const MAX_DEPTH = 200;
  const MAX_LOG_LINES = 200;
  const MAX_LOG_CHARS = 1000;
  const WORD_SECONDS = 0.4;
  const DEFAULT_VIDEO_SECONDS = 5;

  // Errors the runtime raises about the program. Their `name` tells the host to report the
  // message alone, without an "Error:" prefix.
  function vargError(message) {
    const error = new Error(message);
    error.name = "VargError";
    return error;
  }

  const define = (object, key, value) =>
    Object.defineProperty(object, key, {
      value,
      enumerable: false,
      writable: true,
      configurable: true,
    });

  const isObject = (v) => v !== null && (typeof v === "object" || typeof v === "function");
  const isElement = (v) =>
    v !== null && typeof v === "object" && typeof v.type === "string" && isObject(v.props);
  const isThenable = (v) => isObject(v) && typeof v.then === "function";
  const round3 = (x) => Math.round(x * 1000) / 1000;
  // Captured before the program runs, so that a program replacing it cannot corrupt the reply.
  const stringify = JSON.stringify;

  // Lone surrogates survive JSON.stringify as escapes that no UTF-8 JSON reader accepts.
  function wellFormed(s) {
    if (typeof s.isWellFormed === "function" && s.isWellFormed()) return s;
    if (typeof s.toWellFormed === "function") return s.toWellFormed();
    let out = "";
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          out += s[i] + s[i + 1];
          i++;
        } else {
          out += "\ufffd";
        }
      } else if (c >= 0xdc00 && c <= 0xdfff) {
        out += "\ufffd";
      } else {
        out += s[i];
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- console

  const logs = [];
  let droppedLogs = 0;

  // Like a terminal console: strings as they are, objects as JSON.
  function inspect(value) {
    if (typeof value === "string") return value;
    if (typeof value === "function") return `[Function ${value.name || "anonymous"}]`;
    if (typeof value === "symbol" || typeof value === "bigint") return String(value);
    if (!isObject(value)) return String(value);
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    try {
      const seen = new Set();
      const text = JSON.stringify(value, (key, v) => {
        if (typeof v === "function") return undefined;
        if (isObject(v)) {
          if (seen.has(v)) return "[Circular]";
          seen.add(v);
        }
        return v;
      });
      return text === undefined ? String(value) : text;
    } catch (_) {
      return Object.prototype.toString.call(value);
    }
  }

  function log(prefix) {
    return function (...args) {
      if (logs.length >= MAX_LOG_LINES) {
        droppedLogs++;
        return;
      }
      let line = prefix + args.map(inspect).join(" ");
      if (line.length > MAX_LOG_CHARS) line = line.slice(0, MAX_LOG_CHARS - 1) + "…";
      logs.push(wellFormed(line));
    };
  }

  const console = {
    log: log(""),
    info: log(""),
    debug: log(""),
    trace: log(""),
    warn: log("warn: "),
    error: log("error: "),
  };

  // ---------------------------------------------------------------- elements

  // §2.3: null/undefined and booleans go, arrays flatten, everything else stays.
  function normalizeChildren(children, out = [], depth = 0) {
    if (children === null || children === undefined || typeof children === "boolean") return out;
    if (Array.isArray(children)) {
      if (depth > MAX_DEPTH) throw vargError("children are nested too deeply");
      for (const child of children) normalizeChildren(child, out, depth + 1);
      return out;
    }
    out.push(children);
    return out;
  }

  function propsWithoutChildren(props) {
    const out = {};
    if (!isObject(props)) return out;
    for (const key of Object.keys(props)) if (key !== "children") out[key] = props[key];
    return out;
  }

  function element(type, props, children) {
    return { type, props: propsWithoutChildren(props), children: normalizeChildren(children) };
  }

  const sourceOf = (el) => (isObject(el) ? el[SOURCE] : undefined);
  function setSource(el, source) {
    if (source && isObject(el) && !el[SOURCE] && Object.isExtensible(el)) define(el, SOURCE, source);
  }

  // A copy that stays the same element for the author: position, awaitability and what an
  // await already learned travel with it.
  function withProps(el, props) {
    const copy = { ...el, props: { ...el.props, ...props } };
    for (const key of [SOURCE, "duration", "aspectRatio", "words", "segments", "file"]) {
      const d = Object.getOwnPropertyDescriptor(el, key);
      if (d && !d.enumerable) Object.defineProperty(copy, key, d);
    }
    if (Object.prototype.hasOwnProperty.call(el, "audio")) define(copy, "audio", copy);
    // The copy's own `then`, so that awaiting it yields the copy, not the original.
    if (Object.prototype.hasOwnProperty.call(el, "then") && metaFor[el.type]) makeAwaitable(copy);
    return copy;
  }

  function textOf(node) {
    if (typeof node === "string") return node;
    if (typeof node === "number") return String(node);
    if (Array.isArray(node)) return node.map(textOf).join("");
    if (isElement(node)) return textOf(node.children);
    return "";
  }
  const wordsIn = (text) => text.split(/\s+/).filter((w) => w.length > 0);

  // D16: what `await` can know without generating anything.
  function speechMeta(el) {
    const parts = normalizeChildren(el.children).filter(
      (c) => typeof c === "string" || typeof c === "number" || isElement(c)
    );
    const text = parts.map(textOf).join(parts.length > 1 ? " " : "");
    const words = wordsIn(text).map((word, i) => ({
      word,
      start: round3(i * WORD_SECONDS),
      end: round3((i + 1) * WORD_SECONDS),
    }));
    const duration = round3(words.length * WORD_SECONDS);
    const segments = [];
    let next = 0;
    for (let i = 0; i < parts.length; i++) {
      const partText = textOf(parts[i]);
      const count = wordsIn(partText).length;
      const start = i === 0 ? 0 : round3(next * WORD_SECONDS);
      next += count;
      const end = i === parts.length - 1 ? duration : round3(next * WORD_SECONDS);
      const seg = element("speech", el.props, [partText]);
      define(seg, "text", partText);
      define(seg, "start", start);
      define(seg, "end", end);
      define(seg, "duration", round3(end - start));
      define(seg, "words", words.slice(next - count, next));
      define(seg, "audio", seg);
      segments.push(seg);
    }
    return { duration, words, segments };
  }

  const numberProp = (el, key) => (typeof el.props[key] === "number" ? el.props[key] : undefined);

  const metaFor = {
    image: (el) => ({ duration: 0, aspectRatio: el.props.aspectRatio }),
    video: (el) => ({
      duration: numberProp(el, "duration") ?? DEFAULT_VIDEO_SECONDS,
      aspectRatio: el.props.aspectRatio,
    }),
    speech: speechMeta,
    music: (el) => ({ duration: numberProp(el, "duration") }),
    "talking-head": (el) => {
      const audio = el.props.audio;
      const duration = isElement(audio) && audio.type === "speech" ? speechMeta(audio).duration : undefined;
      return { duration };
    },
  };

  // §2.5: generators return the element plus a one-shot `then`; awaiting yields the element
  // itself, no longer awaitable, with what is known about it.
  function makeAwaitable(el) {
    define(el, "then", function (onFulfilled, onRejected) {
      delete el.then;
      try {
        const meta = metaFor[el.type](el);
        for (const key of Object.keys(meta)) define(el, key, meta[key]);
        define(el, "file", undefined);
        define(el, "audio", el);
      } catch (error) {
        return Promise.reject(error).then(onFulfilled, onRejected);
      }
      return Promise.resolve(el).then(onFulfilled, onRejected);
    });
    return el;
  }

  const awaitable = (type) => (props) =>
    makeAwaitable(element(type, props, isObject(props) ? props.children : undefined));

  const plain = (type) => (props) => element(type, props, isObject(props) ? props.children : undefined);
  const textual = (type) => (props) =>
    element(type, props, isObject(props) ? props.children ?? props.text : undefined);

  // ---------------------------------------------------------------- layout helpers (§15)

  const mediaChildren = (props) =>
    normalizeChildren(isObject(props) ? props.children : undefined).filter(isElement);
  const percent = (x) => `${x}%`;

  function Grid(props) {
    const children = mediaChildren(props);
    const n = children.length;
    if (n === 0) return null;
    const resize = props.resize ?? "cover";
    const cols = Math.max(1, Math.floor(props.columns ?? n));
    const rows = Math.max(1, Math.floor(props.rows ?? Math.ceil(n / cols)));
    return children.map((child, i) =>
      withProps(child, {
        left: percent(((i % cols) / cols) * 100),
        top: percent((Math.floor(i / cols) / rows) * 100),
        width: percent(100 / cols),
        height: percent(100 / rows),
        resize: child.props.resize ?? resize,
      })
    );
  }

  function Split(props) {
    const n = mediaChildren(props).length;
    const vertical = isObject(props) && props.direction === "vertical";
    return Grid({
      children: props && props.children,
      columns: vertical ? 1 : n,
      rows: vertical ? n : 1,
      resize: isObject(props) ? props.resize : undefined,
    });
  }

  const FIT = { cover: "cover", contain: "contain", "contain-blur": "contain-blur", fill: "stretch" };
  const POSITIONS = [
    "center", "top", "bottom", "left", "right",
    "top-left", "top-right", "bottom-left", "bottom-right",
  ];

  function Slot(props) {
    const child = mediaChildren(props)[0];
    if (!child) return null;
    let fit;
    let position;
    for (const token of String((props && props.class) || "").split(/\s+/)) {
      if (token.startsWith("fit-") && FIT[token.slice(4)]) fit = token.slice(4);
      if (token.startsWith("pos-") && POSITIONS.includes(token.slice(4))) position = token.slice(4);
    }
    fit = props.fit ?? fit ?? "cover";
    position = props.position ?? position ?? "center";
    return withProps(child, { resize: FIT[fit] ?? fit, cropPosition: position });
  }

  // ---------------------------------------------------------------- JSX runtime (§2.2)

  const COMPONENT_NAMES = [];

  function jsxDEV(type, props, key, _isStatic, source) {
    if (typeof type !== "function") {
      const name = typeof type === "string" ? `<${type}>` : `a ${type === null ? "null" : typeof type} value`;
      throw vargError(
        `${name} is not a component: use one of ${COMPONENT_NAMES.join(", ")}, or a function of your own`
      );
    }
    const copy = Object.assign({}, props);
    if (key !== undefined) copy.key = key;
    let node = type(copy);
    if (isThenable(node) && typeof node.type !== "string") {
      node = { type: "__lazy", props: { _promise: node }, children: [] };
    }
    if (source && typeof source.lineNumber === "number") {
      setSource(node, { line: source.lineNumber, column: source.columnNumber });
    }
    return node;
  }
  const jsx = (type, props, key) => jsxDEV(type, props, key);

  function createElement(type, config, ...children) {
    const props = Object.assign({}, config);
    const key = props.key;
    delete props.key;
    if (children.length === 1) props.children = children[0];
    else if (children.length > 1) props.children = children;
    const source = props.__source;
    delete props.__source;
    delete props.__self;
    return jsxDEV(type, props, key, false, source);
  }

  const Fragment = (props) => (isObject(props) ? props.children : undefined);

  // ---------------------------------------------------------------- providers (§3)

  const ELEVENLABS_SPEECH_ALIASES = {
    turbo: "eleven_turbo_v2",
    turbo_v2: "eleven_turbo_v2",
    multilingual_v2: "eleven_multilingual_v2",
  };

  function provider(name, defaults = {}, aliases = {}) {
    const handle = (kind) => (modelId, settings) => {
      const id = modelId ?? defaults[kind];
      const model = { provider: name, modelId: (kind === "speech" && aliases[id]) || id };
      if (settings !== undefined) model.settings = settings;
      return model;
    };
    const p = (modelId, settings) => handle("image")(modelId, settings);
    p.imageModel = handle("image");
    p.videoModel = handle("video");
    p.speechModel = handle("speech");
    p.musicModel = handle("music");
    p.transcriptionModel = handle("transcription");
    return p;
  }

  const providers = {
    varg: provider("varg", { music: "music_v1" }),
    fal: provider("fal"),
    elevenlabs: provider(
      "elevenlabs",
      { speech: "eleven_turbo_v2", music: "music_v1" },
      ELEVENLABS_SPEECH_ALIASES
    ),
    higgsfield: provider("higgsfield"),
    openai: provider("openai"),
    replicate: provider("replicate"),
    google: provider("google"),
    together: provider("together"),
  };

  const VOICE_IDS = {
    adam: "pNInz6obpgDQGcFmaJgB",
    alice: "Xb7hH8MSUJpSbSDYk0k2",
    bella: "hpp4J3VqNfWAUOO0d1Us",
    bill: "pqHfZKP75CvOlQylNhV4",
    brian: "nPczCjzI2devNBz1zQrb",
    callum: "N2lVS1w4EtoT3dr4eOWO",
    charlie: "IKne3meq5aSn9XLyUdCD",
    chris: "iP95p4xoKVk53GoZ742B",
    daniel: "onwK4e9ZLuTAKqWW03F9",
    eric: "cjVigY5qzO86Huf0OWal",
    george: "JBFqnCBsd6RMkjVDRZzb",
    harry: "SOYHLrjzK2X1ezoPC6cr",
    jessica: "cgSgspJ2msm6clMCkdW9",
    laura: "FGY2WhTYpPnrIDTdsKH5",
    liam: "TX3LPaxmHKxFdv7VOQHJ",
    lily: "pFZP5JQG7iQjIQuC4Bku",
    matilda: "XrExE9yKIg1WjnnlVkGX",
    river: "SAz9YHcvj6GT2YYXdXww",
    roger: "CwhRBWXzGAHq8TQ4Fs17",
    sarah: "EXAVITQu4vr4xnSDxMaL",
    will: "bIHbv24MWmeRgasZH58o",
    rachel: "21m00Tcm4TlvDq8ikWAM",
  };
  // Case-insensitive like the SDK's lookup: VOICES.Rachel and VOICES.RACHEL both work.
  const VOICES = new Proxy(Object.freeze({ ...VOICE_IDS }), {
    get: (target, key) => (typeof key === "string" ? target[key.toLowerCase()] : target[key]),
  });

  // ---------------------------------------------------------------- render() (D17)

  let rendered = null;
  function render(el, _options) {
    if (rendered === null) rendered = { element: el };
    return Promise.resolve({ files: [] });
  }

  // ---------------------------------------------------------------- finishing

  // §2.4: await every lazy and every promise in the tree, splicing arrays into children.
  async function resolve(value, depth, seen) {
    if (depth > MAX_DEPTH) throw vargError(`the element tree is nested more than ${MAX_DEPTH} levels deep`);
    if (!isObject(value) || typeof value === "function") return value;
    if (Array.isArray(value)) {
      const items = [];
      // Awaiting only objects: a long array of numbers should not cost a job per number.
      for (const item of value) items.push(isObject(item) ? await resolve(item, depth + 1, seen) : item);
      return items;
    }
    if (isElement(value) && value.type === "__lazy") {
      const result = await resolve(await value.props._promise, depth + 1, seen);
      for (const item of normalizeChildren(result)) setSource(item, sourceOf(value));
      return result;
    }
    if (isThenable(value) && typeof value.type !== "string") {
      return resolve(await value, depth + 1, seen);
    }
    if (seen.has(value)) return value;
    seen.add(value);
    if (isElement(value)) {
      // An async function returning a thenable adopts it: strip `then` (the tree is done
      // being awaited) so that returning the element returns the element.
      if (Object.prototype.hasOwnProperty.call(value, "then")) delete value.then;
      const children = [];
      for (const child of normalizeChildren(value.children)) {
        const resolved = await resolve(child, depth + 1, seen);
        normalizeChildren(resolved, children);
      }
      value.children = children;
      await resolveFields(value.props, depth, seen);
    } else if (Object.getPrototypeOf(value) === Object.prototype) {
      await resolveFields(value, depth, seen);
    }
    return value;
  }

  async function resolveFields(object, depth, seen) {
    for (const key of Object.keys(object)) {
      const v = object[key];
      if (isObject(v) && typeof v !== "function") object[key] = await resolve(v, depth + 1, seen);
    }
  }

  // Plain JSON data: elements as {type, props, children, source?}, functions, symbols and
  // undefined dropped (null inside arrays, like JSON.stringify), getters never run.
  function serialize(value, depth, stack) {
    switch (typeof value) {
      case "string":
        return wellFormed(value);
      case "boolean":
        return value;
      case "number":
        return Number.isFinite(value) ? value : null;
      case "bigint":
        return Number(value);
      case "undefined":
      case "function":
      case "symbol":
        return undefined;
    }
    if (value === null) return null;
    if (depth > MAX_DEPTH) throw vargError(`the element tree is nested more than ${MAX_DEPTH} levels deep`);
    if (stack.includes(value)) throw vargError("the element tree contains itself (a cycle)");
    stack.push(value);
    let out;
    if (Array.isArray(value)) {
      out = value.map((item) => {
        const v = serialize(item, depth + 1, stack);
        return v === undefined ? null : v;
      });
    } else if (isElement(value)) {
      out = { type: value.type, props: serializeFields(value.props, depth, stack) };
      out.children = [];
      for (const child of normalizeChildren(value.children)) {
        const v = serialize(child, depth + 1, stack);
        if (v !== undefined) out.children.push(v);
      }
      const source = sourceOf(value);
      if (source) out.source = { line: source.line, column: source.column };
    } else if (typeof value.toJSON === "function") {
      out = serialize(value.toJSON(), depth + 1, stack);
    } else {
      out = serializeFields(value, depth, stack);
    }
    stack.pop();
    return out;
  }

  function serializeFields(object, depth, stack) {
    const out = {};
    for (const key of Object.keys(object)) {
      const d = Object.getOwnPropertyDescriptor(object, key);
      if (!d || !("value" in d)) continue;
      const v = serialize(d.value, depth + 1, stack);
      if (v !== undefined) out[wellFormed(key)] = v;
    }
    return out;
  }

  function describe(value) {
    if (value === undefined) return "undefined";
    if (value === null) return "null";
    if (Array.isArray(value)) return `an array of ${value.length} items`;
    if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 60))}`;
    if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
      return `the ${typeof value} ${String(value)}`;
    }
    if (typeof value === "function") return `a function`;
    return "an object without a type";
  }

  // Called by the host once the module has evaluated: picks the scene (default export, else the
  // first render(...) argument), runs it if it is a function, resolves lazies, and returns
  // `[treeJson, logsJson]`.
  async function finish(namespace) {
    let scene;
    let what;
    if ("default" in namespace) {
      scene = namespace.default;
      what = "the default export";
      if (typeof scene === "function") {
        scene = await scene({});
        what = "the value returned by the default-exported function";
        // `export default async function main() { await render(<Render>...</Render>) }`
        if ((scene === undefined || scene === null) && rendered !== null) {
          scene = rendered.element;
          what = "the value passed to render(...)";
        }
      }
    } else if (rendered !== null) {
      scene = rendered.element;
      what = "the value passed to render(...)";
    } else {
      throw vargError(
        "the program has no default export and never calls render(...): export default a <Render> element"
      );
    }
    if (isThenable(scene) && typeof scene.type !== "string") scene = await scene;
    scene = await resolve(scene, 0, new Set());
    if (Array.isArray(scene)) {
      const items = normalizeChildren(scene);
      if (items.length === 1) scene = items[0];
    }
    if (!isElement(scene)) {
      throw vargError(`${what} is not an element: it is ${describe(scene)}`);
    }
    const tree = stringify(serialize(scene, 0, []));
    if (droppedLogs > 0) logs.push(`(${droppedLogs} more log lines were dropped)`);
    return [tree, stringify(logs)];
  }

  // ---------------------------------------------------------------- globals

  const components = {
    Render: plain("render"),
    Clip: plain("clip"),
    Image: awaitable("image"),
    Video: awaitable("video"),
    Speech: awaitable("speech"),
    Music: awaitable("music"),
    Captions: plain("captions"),
    Title: textual("title"),
    Subtitle: textual("subtitle"),
    Overlay: plain("overlay"),
    Split,
    Grid,
    Slot,
    Slider: plain("slider"),
    Swipe: plain("swipe"),
    Packshot: plain("packshot"),
    TalkingHead: awaitable("talking-head"),
  };
  COMPONENT_NAMES.push(...Object.keys(components));

  const exports = {
    ...components,
    Fragment,
    jsx,
    jsxs: jsx,
    jsxDEV,
    createElement,
    render,
    ...providers,
    VOICES,
  };

  function forbidden(message) {
    return function () {
      throw vargError(message);
    };
  }

  let timerId = 0;
  const cancelled = new Set();
  // No real clock: a timer fires once the promise jobs before it have run, which keeps
  // `await new Promise(r => setTimeout(r, ms))` working without making anyone wait.
  function setTimeout(callback, _ms, ...args) {
    const id = ++timerId;
    if (typeof callback === "function") {
      Promise.resolve().then(() => {
        if (!cancelled.delete(id)) callback(...args);
      });
    }
    return id;
  }
  const clearTimeout = (id) => {
    cancelled.add(id);
  };

  for (const [name, value] of Object.entries(exports)) define(global, name, value);
  define(global, "console", console);
  define(global, "setTimeout", setTimeout);
  define(global, "clearTimeout", clearTimeout);
  define(global, "queueMicrotask", (callback) => void Promise.resolve().then(callback));
  define(global, "process", { env: {}, argv: [], platform: "varg", exit: forbidden("process.exit(...) is not available") });
  define(global, "require", (name) => {
    throw vargError(
      typeof name === "string"
        ? `require("${name}") is not allowed: only vargai/* modules are available, through import`
        : "require(...) is not allowed: only vargai/* modules are available, through import"
    );
  });
  define(global, "fetch", forbidden("fetch(...) is not allowed: programs cannot access the network"));
  define(global, "__varg", Object.freeze({ exports: Object.freeze(exports), finish }));
})();
