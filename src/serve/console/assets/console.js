// The console page: the served flows (GET /flows), one flow's graph with a form to start a run
// of it, the run view (run.js) and the recent runs (GET /runs). The address's fragment names
// what is shown (`#flow=NAME`, `#run=ID`), so a reload or a shared link opens it again.

import * as api from "./api.js";
import { byId, clear, clock, el } from "./dom.js";
import { Graph } from "./graph.js";
import { RunView } from "./run.js";

const RUNS_SHOWN = 50;

const ui = {
  status: byId("server-status"), flows: byId("flows"), runs: byId("runs"),
  refreshRuns: byId("refresh-runs"), flowView: byId("flow-view"), flowTitle: byId("flow-title"),
  flowFile: byId("flow-file"), graph: byId("graph"), graphError: byId("graph-error"),
  form: byId("start-form"), input: byId("run-input"), inputError: byId("input-error"),
  start: byId("start"), runView: byId("run-view"), empty: byId("empty"),
};

const state = {
  flows: new Map(), // name -> GET /flows entry
  flow: null, // the flow shown
  graph: null, // its drawing
  run: null, // the RunView shown
  inputs: new Map(), // name -> the input text last used for it
  token: 0, // bumped by every navigation, so a slow one that was overtaken does nothing
};

/** Show `name`'s graph and start form (a fresh, uncoloured drawing). */
async function showFlow(name, { keepRun = false } = {}) {
  const flow = state.flows.get(name);
  if (!flow) throw new Error(`no flow named ${name} is served`);
  if (state.flow && state.flow.name !== name) state.inputs.set(state.flow.name, ui.input.value);
  if (!keepRun) closeRun();
  state.flow = flow;
  ui.empty.hidden = true;
  ui.flowView.hidden = false;
  ui.flowTitle.textContent = flow.name;
  ui.flowFile.textContent = flow.file;
  ui.graphError.textContent = "";
  ui.inputError.textContent = "";
  if (!state.inputs.has(name)) state.inputs.set(name, "{}");
  ui.input.value = state.inputs.get(name);
  for (const b of ui.flows.querySelectorAll("button")) {
    b.setAttribute("aria-current", b.dataset.flow === name ? "true" : "false");
  }
  state.graph = null;
  try {
    state.graph = await Graph.draw(ui.graph, flow);
  } catch (e) {
    clear(ui.graph);
    ui.graphError.textContent = `The graph could not be drawn: ${e.message ?? e}`;
  }
  return state.graph;
}

function closeRun() {
  if (state.run) state.run.close();
  state.run = null;
  ui.runView.hidden = true;
  ui.runView.dataset.runId = "";
}

/** Open run `id`: its flow's graph, freshly drawn, coloured as its events (re)play. */
async function openRun(id) {
  const token = ++state.token;
  let record;
  try {
    record = await api.run(id);
  } catch (e) {
    ui.status.textContent = `Run ${id}: ${e.message}`;
    return;
  }
  if (token !== state.token) return;
  closeRun();
  let graph = null;
  if (state.flows.has(record.flow)) graph = await showFlow(record.flow, { keepRun: true });
  if (token !== state.token) return;
  setHash(`run=${id}`);
  state.run = new RunView(id, graph, refreshRuns);
  for (const b of ui.runs.querySelectorAll("button")) {
    b.setAttribute("aria-current", b.dataset.run === id ? "true" : "false");
  }
  await state.run.open();
}

/** The input box's text as a store, or an error message saying what is wrong with it. */
function parseInput(text) {
  if (text.trim() === "") return { value: {} };
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `The input is not valid JSON: ${e.message}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const found = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
    return { error: `The input must be a JSON object (the run's initial store), not ${found}.` };
  }
  return { value };
}

async function startRun(e) {
  e.preventDefault();
  const flow = state.flow;
  if (!flow) return;
  ui.inputError.textContent = "";
  const parsed = parseInput(ui.input.value);
  if (parsed.error) {
    ui.inputError.textContent = parsed.error;
    ui.input.setAttribute("aria-invalid", "true");
    ui.input.focus();
    return;
  }
  ui.input.removeAttribute("aria-invalid");
  state.inputs.set(flow.name, ui.input.value);
  ui.start.disabled = true;
  try {
    const { id } = await api.startRun(flow.name, JSON.stringify(parsed.value));
    await openRun(id);
    refreshRuns();
  } catch (err) {
    ui.inputError.textContent = `The run did not start: ${err.message}`;
  } finally {
    ui.start.disabled = false;
  }
}

async function loadFlows() {
  const list = await api.flows();
  state.flows = new Map(list.map((f) => [f.name, f]));
  clear(ui.flows);
  for (const f of list) {
    const button = el("button", { type: "button", "data-flow": f.name, "aria-current": "false" }, f.name);
    button.addEventListener("click", () => {
      state.token++;
      setHash(`flow=${f.name}`);
      showFlow(f.name);
    });
    ui.flows.append(el("li", {}, button));
  }
  ui.status.textContent = `${list.length} flow${list.length === 1 ? "" : "s"} served`;
}

async function refreshRuns() {
  let list;
  try {
    list = await api.runs();
  } catch (e) {
    ui.status.textContent = `The runs could not be listed: ${e.message}`;
    return;
  }
  clear(ui.runs);
  if (list.length === 0) ui.runs.append(el("li", { class: "muted" }, "No runs yet."));
  for (const r of list.slice(0, RUNS_SHOWN)) {
    const label = `${r.flow} ${r.status} ${clock(r.started)} ${r.id.slice(0, 8)}`;
    const button = el(
      "button",
      { type: "button", "data-run": r.id, "aria-label": `Run ${r.id} of ${r.flow}: ${r.status}` },
      el("span", { class: "run-flow" }, r.flow),
      el("span", { class: "badge", "data-status": r.status }, r.status),
      el("span", { class: "muted" }, `${clock(r.started)} · ${r.id.slice(0, 8)}`),
    );
    button.title = label;
    if (state.run && state.run.id === r.id) button.setAttribute("aria-current", "true");
    button.addEventListener("click", () => openRun(r.id));
    ui.runs.append(el("li", {}, button));
  }
}

function setHash(h) {
  history.replaceState(null, "", `#${h}`);
}

/** Open what the address's fragment names. */
async function fromHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  if (params.get("run")) return openRun(params.get("run"));
  if (params.get("flow") && state.flows.has(params.get("flow"))) return showFlow(params.get("flow"));
  const first = state.flows.keys().next();
  if (!first.done && state.flows.size === 1) return showFlow(first.value);
}

async function main() {
  ui.form.addEventListener("submit", startRun);
  ui.refreshRuns.addEventListener("click", refreshRuns);
  try {
    await loadFlows();
  } catch (e) {
    ui.status.textContent = `The flows could not be listed: ${e.message}`;
    return;
  }
  await refreshRuns();
  await fromHash();
  document.body.dataset.ready = "true";
}

main();
