// The playground's code editor: CodeMirror 6 with TSX highlighting, varg completions and an
// error shown under the line it names. Bundled once by web/build.mjs into
// static/vendor/editor.js (committed), so the server never needs npm or a CDN.

import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, dropCursor, rectangularSelection, crosshairCursor, highlightSpecialChars,
  Decoration, WidgetType,
} from "@codemirror/view";
import { EditorState, StateField, StateEffect } from "@codemirror/state";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { javascript } from "@codemirror/lang-javascript";
import {
  syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput, foldGutter,
  foldKeymap,
} from "@codemirror/language";
import {
  autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap, completeFromList,
} from "@codemirror/autocomplete";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { oneDark } from "@codemirror/theme-one-dark";

const COMPONENTS = [
  "Render", "Clip", "Image", "Video", "Speech", "Music", "Captions", "Title", "Subtitle",
  "Overlay", "Split", "Grid", "Slot", "Slider", "Swipe", "Packshot", "TalkingHead",
];
const PROPS = [
  "prompt", "src", "duration", "transition", "width", "height", "fps", "zoom", "resize",
  "cropPosition", "left", "top", "position", "color", "outline", "outlineColor", "start", "end",
  "volume", "model", "voice", "style", "withAudio", "direction", "loop",
];
const varCompletions = completeFromList([
  ...COMPONENTS.map((label) => ({ label, type: "class", detail: "varg component" })),
  ...PROPS.map((label) => ({ label, type: "property", detail: "prop" })),
  { label: "varg", type: "namespace", detail: "models" },
]);

// The error decoration: a red line, a wavy mark at the column, and the message in a block
// right under the line.
const setError = StateEffect.define();

class ErrorWidget extends WidgetType {
  constructor(message, line, column) {
    super();
    this.message = message;
    this.line = line;
    this.column = column;
  }
  eq(other) {
    return other.message === this.message && other.line === this.line && other.column === this.column;
  }
  toDOM() {
    const box = document.createElement("div");
    box.className = "cm-varg-error";
    box.setAttribute("role", "alert");
    const where = document.createElement("span");
    where.className = "cm-varg-error-where";
    where.textContent = this.column ? `line ${this.line}:${this.column}` : `line ${this.line}`;
    const text = document.createElement("span");
    text.textContent = this.message;
    box.append(where, text);
    return box;
  }
  ignoreEvent() {
    return false;
  }
}

function errorDecorations(state, error) {
  if (!error) return Decoration.none;
  const lineNo = Math.min(Math.max(1, error.line | 0), state.doc.lines);
  const line = state.doc.line(lineNo);
  const ranges = [Decoration.line({ class: "cm-varg-error-line" }).range(line.from)];
  if (error.column && line.length > 0) {
    const from = line.from + Math.min(Math.max(0, error.column - 1), line.length - 1);
    const rest = state.doc.sliceString(from, line.to);
    const word = /^[\w$]+/.exec(rest);
    ranges.push(Decoration.mark({ class: "cm-varg-error-mark" }).range(from, from + (word ? word[0].length : 1)));
  }
  ranges.push(
    Decoration.widget({
      widget: new ErrorWidget(error.message, lineNo, error.column),
      block: true,
      side: 1,
    }).range(line.to),
  );
  return Decoration.set(ranges, true);
}

const errorField = StateField.define({
  create: () => Decoration.none,
  update(decorations, tr) {
    for (const effect of tr.effects) {
      if (effect.is(setError)) return errorDecorations(tr.state, effect.value);
    }
    // The message is about the code as it was: once that line changes, it goes.
    if (tr.docChanged) {
      let touched = false;
      decorations.between(0, tr.startState.doc.length, (from, to) => {
        tr.changes.iterChangedRanges((fromA, toA) => {
          const line = tr.startState.doc.lineAt(from);
          if (fromA <= line.to && toA >= line.from) touched = true;
        });
      });
      return touched ? Decoration.none : decorations.map(tr.changes);
    }
    return decorations;
  },
  provide: (field) => EditorView.decorations.from(field),
});

const theme = EditorView.theme({
  "&": { height: "100%", fontSize: "13.5px" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.55" },
  ".cm-varg-error-line": { backgroundColor: "rgba(255, 84, 104, 0.12)" },
  ".cm-varg-error-mark": { textDecoration: "underline wavy #ff5468", textUnderlineOffset: "3px" },
  ".cm-varg-error": {
    margin: "2px 0 6px 0", padding: "6px 10px", borderLeft: "3px solid #ff5468",
    background: "rgba(255, 84, 104, 0.16)", color: "#ffd6dc", fontFamily: "var(--sans)",
    fontSize: "13px", borderRadius: "0 6px 6px 0", whiteSpace: "pre-wrap",
    maxHeight: "9.5em", overflow: "auto",
  },
  ".cm-varg-error-where": { fontFamily: "var(--mono)", color: "#ff8c9b", marginRight: "10px" },
});

/**
 * Creates the editor in `parent`. `onRun` is called on Ctrl/Cmd-Enter.
 * Returns { getCode, setCode, showError({line, column, message}), clearError, focus, view }.
 */
export function create(parent, { doc = "", onRun = () => {}, onChange = () => {} } = {}) {
  const run = () => {
    onRun();
    return true;
  };
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        foldGutter(),
        drawSelection(),
        dropCursor(),
        EditorState.allowMultipleSelections.of(true),
        indentOnInput(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        bracketMatching(),
        closeBrackets(),
        autocompletion({ override: [varCompletions] }),
        rectangularSelection(),
        crosshairCursor(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        keymap.of([
          { key: "Mod-Enter", run },
          { key: "Shift-Enter", run },
          ...closeBracketsKeymap,
          ...defaultKeymap,
          ...searchKeymap,
          ...historyKeymap,
          ...foldKeymap,
          ...completionKeymap,
          indentWithTab,
        ]),
        javascript({ jsx: true, typescript: true }),
        EditorView.lineWrapping,
        oneDark,
        theme,
        errorField,
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange();
        }),
        EditorView.contentAttributes.of({ "aria-label": "TSX program" }),
      ],
    }),
  });
  return {
    view,
    getCode: () => view.state.doc.toString(),
    setCode(code) {
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: code },
        effects: setError.of(null),
        selection: { anchor: 0 },
        scrollIntoView: true,
      });
    },
    showError(error) {
      const lineNo = Math.min(Math.max(1, error.line | 0), view.state.doc.lines);
      const line = view.state.doc.line(lineNo);
      view.dispatch({
        effects: [setError.of(error), EditorView.scrollIntoView(line.from, { y: "center" })],
      });
    },
    clearError() {
      view.dispatch({ effects: setError.of(null) });
    },
    focus: () => view.focus(),
  };
}
