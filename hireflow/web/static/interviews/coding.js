// Coding questions in the candidate's interview (SPEC E8): the statement, examples and a
// CodeMirror 6 editor (vendored: codemirror.min.js, built by scripts/build_codemirror.sh).
// "Run" grades the code on the visible examples, "Submit" on the hidden tests too; both are
// queued for the sandbox workers and polled here until their result arrives.
import {
  EditorState, Compartment, EditorView, keymap, lineNumbers, highlightActiveLine, drawSelection,
  defaultKeymap, history, historyKeymap, indentWithTab, syntaxHighlighting, defaultHighlightStyle,
  indentOnInput, bracketMatching, indentUnit, python, javascript, cpp, java, go,
} from "./codemirror.min.js";

const MODES = { python: () => python(), javascript: () => javascript(), cpp: () => cpp(), java: () => java(), go: () => go() };
const POLL_MS = 700;

function $(id) { return document.getElementById(id); }
function fmt(text, values) { return String(text).replace(/%\((\w+)\)s/g, (_, key) => values[key]); }

let view = null, mode = new Compartment(), ctx = null, question = null, language = "", drafts = {};
let polling = null;

function draftKey(lang) { return "hf-code|" + ctx.base + "|" + question.id + "|" + lang; }

function setLanguage(lang) {
  if (view && language) {
    drafts[language] = view.state.doc.toString();
    try { localStorage.setItem(draftKey(language), drafts[language]); } catch (e) { /* private mode */ }
  }
  language = lang;
  let text = drafts[lang];
  if (text === undefined) { try { text = localStorage.getItem(draftKey(lang)); } catch (e) { text = null; } }
  if (text === null || text === undefined) { text = question.coding.starter[lang] || ""; }
  view.dispatch({
    changes: { from: 0, to: view.state.doc.length, insert: text },
    effects: mode.reconfigure(MODES[lang] ? MODES[lang]() : []),
  });
  $("iv-code-language").value = lang;
}

function editor(parent) {
  parent.textContent = "";
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: "",
      extensions: [
        lineNumbers(), history(), drawSelection(), highlightActiveLine(), indentOnInput(),
        bracketMatching(), indentUnit.of("    "), syntaxHighlighting(defaultHighlightStyle),
        keymap.of([indentWithTab, ...defaultKeymap, ...historyKeymap]), mode.of([]),
        EditorView.contentAttributes.of({ "aria-label": ctx.T.code_editor }),
      ],
    }),
  });
}

function caseRow(c, T) {
  const li = document.createElement("li");
  li.className = "iv-case " + (c.status === "passed" ? "ok" : "bad");
  const head = document.createElement("b");
  head.textContent = (c.status === "passed" ? "✓ " : "✗ ") + (T["case_" + c.status] || c.status);
  li.appendChild(head);
  if (c.time_ms !== null && c.time_ms !== undefined) { li.appendChild(document.createTextNode(" · " + Math.round(c.time_ms) + " ms")); }
  if (c.status !== "passed") {
    const pre = document.createElement("pre");
    pre.className = "iv-code-out";
    pre.textContent = (c.output ? T.your_output + ":\n" + c.output + "\n" : "") + T.expected + ":\n" + (c.expected || "") + (c.message ? "\n" + c.message : "");
    li.appendChild(pre);
  }
  return li;
}

function showRun(run) {
  const T = ctx.T;
  const box = $("iv-code-result");
  box.hidden = false;
  box.textContent = "";
  const p = document.createElement("p");
  p.id = "iv-code-status";
  box.appendChild(p);
  if (run.status === "queued") {
    p.textContent = run.waiting ? (run.mode === "submit" ? T.code_waiting_submit : T.code_waiting) : T.code_running;
    p.className = run.waiting ? "notice" : "muted";
    return;
  }
  if (run.status === "refused") { p.className = "alert"; p.textContent = T.code_refused + " " + run.error; return; }
  const r = run.result;
  p.className = r.status === "accepted" ? "ok" : "alert";
  p.textContent = (T["status_" + r.status] || r.status) + " · " + fmt(T.passed_of, { passed: r.passed, total: r.total });
  if (r.compile_message) {
    const pre = document.createElement("pre");
    pre.className = "iv-code-out";
    pre.textContent = r.compile_message;
    box.appendChild(pre);
  }
  const list = document.createElement("ol");
  list.id = "iv-code-cases";
  r.cases.forEach((c) => list.appendChild(caseRow(c, T)));
  box.appendChild(list);
}

function poll(run) {
  clearTimeout(polling);
  showRun(run);
  if (run.status !== "queued") {
    setBusy(false);
    if (run.mode === "submit") { $("iv-code-next").hidden = false; }
    return;
  }
  if (run.mode === "submit" && run.waiting) { $("iv-code-next").hidden = false; }
  polling = setTimeout(() => {
    ctx.request("GET", "/code-runs/" + run.id).then(poll).catch(() => { polling = setTimeout(() => poll(run), 3000); });
  }, POLL_MS);
}

function setBusy(on) {
  $("iv-code-run").disabled = on;
  $("iv-code-submit").disabled = on || question.status === "answered";
}

function send(kind) {
  const code = view.state.doc.toString();
  ctx.error("");
  setBusy(true);
  showRun({ status: "queued", waiting: false, mode: kind });
  return ctx.request("POST", "/questions/" + encodeURIComponent(question.id) + "/code", { tab: ctx.tab, mode: kind, language, code })
    .then((run) => {
      try { localStorage.setItem(draftKey(language), code); } catch (e) { /* private mode */ }
      if (kind === "submit") { question.status = "answered"; $("iv-code-submit").disabled = true; $("iv-code-skip").hidden = true; }
      poll(run);
    })
    .catch((err) => { setBusy(false); ctx.handle(err); });
}

function examples(q) {
  const box = $("iv-code-examples");
  box.textContent = "";
  q.coding.examples.forEach((ex, i) => {
    const fig = document.createElement("figure");
    const cap = document.createElement("figcaption");
    cap.textContent = fmt(ctx.T.example, { n: i + 1 }) + (ex.note ? " — " + ex.note : "");
    const input = document.createElement("pre"); input.className = "iv-code-out"; input.textContent = ex.input;
    const output = document.createElement("pre"); output.className = "iv-code-out"; output.textContent = ex.output;
    fig.append(cap, document.createTextNode(ctx.T.input), input, document.createTextNode(ctx.T.output), output);
    box.appendChild(fig);
  });
}

window.HireflowCoding = {
  // Show coding question ``q`` (its view from the state); ``c`` gives the page's helpers.
  show(q, c) {
    ctx = c; question = q; drafts = {}; language = "";
    clearTimeout(polling);
    $("iv-code-title").textContent = q.coding.title;
    $("iv-code-statement").textContent = q.coding.statement;
    $("iv-code-limits").textContent = fmt(ctx.T.code_limits, { time: q.coding.time_s, memory: q.coding.memory_mb });
    examples(q);
    const select = $("iv-code-language");
    select.textContent = "";
    q.coding.languages.forEach((l) => { const o = document.createElement("option"); o.value = l.key; o.textContent = l.label; select.appendChild(o); });
    view = editor($("iv-code-editor"));
    const last = q.coding.last_code;
    if (last) { drafts[last.language] = last.code; }
    setLanguage(last ? last.language : q.coding.languages[0].key);
    $("iv-code-result").hidden = true;
    $("iv-code-next").hidden = q.status !== "answered";
    $("iv-code-skip").hidden = q.status === "answered";
    setBusy(false);
    if (q.coding.last_run) { poll(q.coding.last_run); }
  },
  // The question's time is up: hand in what is in the editor (unless already handed in).
  timeUp() {
    if (question && question.status !== "answered") { return send("submit"); }
    return Promise.resolve();
  },
  hide() { clearTimeout(polling); },
  code() { return view ? view.state.doc.toString() : ""; },
  setCode(text) { view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }); },
};

$("iv-code-language").addEventListener("change", (e) => setLanguage(e.target.value));
$("iv-code-run").addEventListener("click", () => send("run"));
$("iv-code-submit").addEventListener("click", () => { if (window.confirm(ctx.T.confirm_code_submit)) { send("submit"); } });
$("iv-code-next").addEventListener("click", () => { clearTimeout(polling); ctx.afterAnswer(); });
// Leaving a coding question without handing in code skips it, as a blank typed answer does.
$("iv-code-skip").addEventListener("click", () => {
  if (!window.confirm(ctx.T.confirm_code_skip)) { return; }
  clearTimeout(polling);
  ctx.request("POST", "/questions/" + encodeURIComponent(question.id) + "/text", { tab: ctx.tab, text: "", final: true })
    .then(() => ctx.afterAnswer())
    .catch((err) => ctx.handle(err));
});
document.dispatchEvent(new Event("hireflow-coding-ready"));
