// The editor the candidate's page uses for coding questions: one ES module, no CDN.
export { EditorState, Compartment } from "@codemirror/state";
export { EditorView, keymap, lineNumbers, highlightActiveLine, drawSelection } from "@codemirror/view";
export { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
export {
  syntaxHighlighting, defaultHighlightStyle, indentOnInput, bracketMatching, indentUnit,
} from "@codemirror/language";
export { python } from "@codemirror/lang-python";
export { javascript } from "@codemirror/lang-javascript";
export { cpp } from "@codemirror/lang-cpp";
export { java } from "@codemirror/lang-java";
export { go } from "@codemirror/lang-go";
