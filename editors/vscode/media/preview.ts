// The graph preview's page: draws the mermaid text the extension sends, keeps the last drawing
// when a new one fails, marks a stale graph, and tells the extension which node was clicked.

import type { FromPage, Render } from "../src/messages";

declare const mermaid: {
  initialize(config: Record<string, unknown>): void;
  render(id: string, text: string): Promise<{ svg: string }>;
};
declare function acquireVsCodeApi(): { postMessage(msg: FromPage): void };

const vscode = acquireVsCodeApi();
const graph = document.getElementById("graph") as HTMLElement;
const errorBox = document.getElementById("error") as HTMLElement;
const fileLabel = document.getElementById("file") as HTMLElement;
const statusLabel = document.getElementById("status") as HTMLElement;
const dark = document.body.classList.contains("vscode-dark") || document.body.classList.contains("vscode-high-contrast");

mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: dark ? "dark" : "default" });

let known = new Set<string>();
let drawn = 0;
let queue: Promise<void> = Promise.resolve();

/** The drawing's node id (`n3`) of a clicked SVG element, if it is a node or a flow box. */
function nodeId(target: Element | null): string | undefined {
  for (let el = target; el && el !== graph; el = el.parentElement) {
    const candidates = [el.getAttribute("data-id"), el.id];
    for (const c of candidates) {
      if (!c) continue;
      // Nodes are drawn as `flowchart-n3-12` (or `<svgid>-flowchart-n3-12`), clusters as `n3`.
      const m = /(?:^|-)flowchart-(n\d+)-\d+$/.exec(c) ?? /^(n\d+)$/.exec(c);
      if (m && known.has(m[1])) return m[1];
    }
  }
  return undefined;
}

graph.addEventListener("click", (e) => {
  const id = nodeId(e.target as Element);
  if (id) vscode.postMessage({ type: "reveal", id });
});

async function draw(msg: Render): Promise<void> {
  fileLabel.textContent = msg.file;
  document.body.classList.toggle("stale", msg.stale);
  known = new Set(msg.nodes.map((n) => n.id));
  if (!msg.mermaid) {
    statusLabel.textContent = "no graph yet: the script has not built a graph";
    return;
  }
  try {
    const { svg } = await mermaid.render(`fs-graph-${++drawn}`, msg.mermaid);
    graph.innerHTML = svg;
    errorBox.textContent = "";
    statusLabel.textContent = `${msg.nodes.length} nodes`;
    document.body.dataset.rendered = String(drawn);
  } catch (err) {
    // Keep the previous drawing.
    errorBox.textContent = `The graph could not be drawn: ${String(err)}`;
  }
}

window.addEventListener("message", (event: MessageEvent) => {
  const msg = event.data as Render;
  if (msg && msg.type === "graph") {
    // One drawing at a time, in order.
    queue = queue.then(() => draw(msg));
  }
});

vscode.postMessage({ type: "ready" });
