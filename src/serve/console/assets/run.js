// One run, followed live: its events (GET /runs/{id}/events through EventSource, which resumes
// by itself with Last-Event-ID after a dropped connection) drive the graph's colours, the
// timeline, the streamed text, the prompts and the store; a run that has ended replays.

import * as api from "./api.js";
import { byId, clear, el, pretty } from "./dom.js";
import { Prompts } from "./prompts.js";

/** Every event type of the stream (docs/serve.md); EventSource delivers named events only to
 *  listeners of their name. */
const TYPES = [
  "run_started", "node_started", "node_retry", "item_started", "item_failed", "item_finished",
  "node_finished", "emitted",
  "warning", "input_required", "input_received", "llm_usage", "run_finished", "run_failed",
  "stream_error",
];

/** The most timeline entries kept on the page; older ones are dropped (a long run's events
 *  must not grow the page without bound). */
const TIMELINE_MAX = 1000;

/** A short one-line form of a value, for the timeline. */
function brief(value, max = 160) {
  let text = typeof value === "string" ? value : JSON.stringify(value);
  if (text === undefined) text = String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** What the timeline says about an event. */
function describe(e) {
  switch (e.type) {
    case "run_started": return `flow ${e.flow} (${e.file})`;
    case "node_started": return `${e.path} (${e.kind})${e.attempt > 1 ? `, attempt ${e.attempt}` : ""}`;
    case "node_retry": return `${e.path}: attempt ${e.attempt} in ${e.wait}s after: ${brief(e.error)}`;
    case "item_started": return `${e.path}: item ${Number(e.index) + 1} of ${e.of} started`;
    case "item_failed": return `${e.path}: item ${Number(e.index) + 1} of ${e.of} failed: ${brief(e.error)}`;
    case "item_finished": return `${e.path}: item ${Number(e.index) + 1} of ${e.of}`;
    case "node_finished": return `${e.path} → ${e.action} (${Math.round(Number(e.ms) || 0)} ms)`;
    case "emitted": return e.data && e.data.type === "chunk" ? `chunk ${brief(e.data.text)}` : brief(e.data);
    case "warning": return `[${e.code}] ${e.message}`;
    case "input_required": return `${e.key}: ${brief(e.prompt)}`;
    case "input_received": return String(e.key);
    case "llm_usage": return `${e.model}: ${e.prompt_tokens} + ${e.completion_tokens} = ${e.total_tokens} tokens`;
    case "run_finished": return `action ${e.action}`;
    case "run_failed": return `${e.error}${e.path ? ` at ${e.path}` : ""}`;
    case "stream_error": return e.message;
    default: return brief(e);
  }
}

/** The run view (the page's #run-view) showing one run. */
export class RunView {
  /**
   * @param {string} id the run
   * @param {object|null} graph the flow's drawing (graph.js Graph), coloured as events come
   * @param {() => void} onEnd called once the run has ended (to refresh the run list)
   */
  constructor(id, graph, onEnd) {
    this.id = id;
    this.graph = graph;
    this.onEnd = onEnd;
    this.lastSeq = 0;
    this.ended = false;
    this.source = null;
    this.ui = {
      view: byId("run-view"), title: byId("run-title"), status: byId("run-status"),
      cancel: byId("cancel"), error: byId("run-error"), store: byId("store"),
      storeNote: byId("store-note"), chunks: byId("chunks"), timeline: byId("timeline"),
      prompts: byId("prompts"),
    };
    for (const part of ["error", "store", "storeNote", "chunks", "timeline", "prompts"]) clear(this.ui[part]);
    this.prompts = new Prompts(this.ui.prompts, id);
    this.ui.title.textContent = `Run ${id}`;
    this.setStatus("");
    this.ui.view.hidden = false;
    this.ui.view.dataset.runId = id;
    this.onCancel = () => this.cancel();
    this.ui.cancel.addEventListener("click", this.onCancel);
  }

  /** Show the run as the server has it, then follow its events from the first. */
  async open() {
    try {
      const run = await api.run(this.id);
      this.showRecord(run, run.status === "running" ? "initial" : "final");
    } catch (e) {
      this.ui.error.textContent = `The run could not be read: ${e.message}`;
    }
    const source = new EventSource(api.eventsUrl(this.id));
    this.source = source;
    for (const type of TYPES) {
      source.addEventListener(type, (m) => this.receive(m));
    }
    source.addEventListener("error", () => {
      // A closed source will not reconnect (the run is gone, or the server answered an error);
      // an open one is retrying by itself.
      if (source.readyState === EventSource.CLOSED && !this.ended) this.finish();
    });
  }

  /** Stop following (another run was opened). */
  close() {
    this.ended = true;
    if (this.source) this.source.close();
    this.ui.cancel.removeEventListener("click", this.onCancel);
  }

  receive(message) {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      return;
    }
    if (!event || typeof event !== "object") return;
    if (event.type === "stream_error") {
      this.log(event);
      this.source.close();
      this.finish();
      return;
    }
    // A reconnection resumes after the last id, but never act on an event twice.
    if (typeof event.seq === "number") {
      if (event.seq <= this.lastSeq) return;
      this.lastSeq = event.seq;
    }
    this.handle(event);
  }

  handle(event) {
    this.log(event);
    if (this.graph) this.graph.apply(event);
    switch (event.type) {
      case "emitted":
        if (event.data && event.data.type === "chunk" && typeof event.data.text === "string") {
          this.ui.chunks.append(document.createTextNode(event.data.text));
        }
        break;
      case "input_required":
        this.prompts.open(event.key, event.prompt);
        break;
      case "input_received":
        this.prompts.close(event.key);
        break;
      case "run_finished":
        this.showStore(event.shared, "final");
        this.source.close();
        this.finish();
        break;
      case "run_failed":
        this.showStore(event.shared, "failed");
        this.ui.error.textContent = event.path ? `${event.error} (at ${event.path})` : event.error;
        if (this.graph) this.graph.end(event.path, /^cancelled/.test(event.error) ? "cancelled" : "failed");
        this.source.close();
        this.finish();
        break;
      default:
        break;
    }
  }

  /** The run has ended (or its stream has): show its outcome as the server records it. */
  async finish() {
    if (this.ended) return;
    this.ended = true;
    this.prompts.closeAll();
    try {
      const run = await api.run(this.id);
      this.showRecord(run, null);
    } catch (e) {
      this.setStatus("unknown");
      this.ui.error.textContent = `The run could not be read: ${e.message}`;
    }
    this.onEnd();
  }

  /** Status, error and (if `storeAs`) store from a GET /runs/{id} record. */
  showRecord(run, storeAs) {
    this.setStatus(run.status);
    if (run.error && run.error.message) {
      const at = run.error.path ? ` (at ${run.error.path})` : "";
      this.ui.error.textContent = `${run.error.message}${at}`;
    }
    if (storeAs && run.shared !== undefined) this.showStore(run.shared, storeAs);
  }

  setStatus(status) {
    const s = typeof status === "string" ? status : "unknown";
    this.ui.status.textContent = s;
    this.ui.status.dataset.status = s;
    this.ui.cancel.disabled = s !== "running";
  }

  showStore(shared, as) {
    this.ui.store.textContent = pretty(shared);
    this.ui.storeNote.textContent = {
      initial: "The store the run started with (the final store shows when it ends).",
      final: "The final store.",
      failed: "The store as it stood when the run ended.",
    }[as];
    this.ui.store.dataset.as = as;
  }

  log(event) {
    const seq = typeof event.seq === "number" ? String(event.seq) : "–";
    const item = el(
      "li",
      { class: `ev ev-${String(event.type).replace(/[^a-z_]/g, "")}`, "data-type": event.type },
      el("span", { class: "seq" }, seq),
      el("span", { class: "type" }, String(event.type)),
      el("span", { class: "what" }, describe(event)),
    );
    const list = this.ui.timeline;
    list.append(item);
    while (list.childElementCount > TIMELINE_MAX) list.firstElementChild.remove();
    list.scrollTop = list.scrollHeight;
  }

  async cancel() {
    if (this.ended) return;
    this.ui.cancel.disabled = true;
    try {
      const run = await api.cancelRun(this.id);
      // The stream's run_failed follows; the record says "cancelled" already.
      if (run && run.status !== "running") this.setStatus(run.status);
    } catch (e) {
      this.ui.error.textContent = `The run could not be cancelled: ${e.message}`;
      this.ui.cancel.disabled = false;
    }
  }
}
