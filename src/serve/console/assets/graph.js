// A flow's graph: drawn by mermaid (bundled, strict security) from the server's flowchart, and
// coloured by node state as a run's events arrive. An event names a node by its breadcrumb
// (`main/each[2]/load`); the flow's `graph` map (GET /flows/{name}) says which drawn node
// (`n3`) that is: the root is the entry, each further name is looked up among the nodes the
// enclosing flow or branch can reach.

import { clear } from "./dom.js";

/** The states a node is drawn in, with their colours (console.css has the same for the legend). */
/** `frame` is a flow's box: a lighter fill, so the nodes inside stay readable. */
export const STATES = {
  running: { fill: "#fff3c4", frame: "#fffbe8", stroke: "#b88a00" },
  retrying: { fill: "#ffd9a8", frame: "#fff3e6", stroke: "#c25e00" },
  finished: { fill: "#d4f5dc", frame: "#f0fbf2", stroke: "#1e7b34" },
  failed: { fill: "#ffd6d6", frame: "#fff1f1", stroke: "#b3261e" },
  cancelled: { fill: "#e4e4e4", frame: "#f4f4f4", stroke: "#666666" },
};

let drawn = 0;
let configured = false;

function mermaidApi() {
  const m = window.mermaid;
  if (!m || typeof m.render !== "function") throw new Error("mermaid did not load (/console/mermaid.min.js)");
  if (!configured) {
    // strict: labels are text, no clicks or scripts from the diagram.
    m.initialize({ startOnLoad: false, securityLevel: "strict", theme: "default" });
    configured = true;
  }
  return m;
}

/** A drawing of one flow in `container`, with its nodes by id and their states. */
export class Graph {
  /** Draws `flow` ({mermaid, graph}) into `container`; throws if mermaid cannot draw it. */
  static async draw(container, flow) {
    const mermaid = mermaidApi();
    const { svg } = await mermaid.render(`fs-graph-${++drawn}`, flow.mermaid);
    // The SVG is mermaid's own output under securityLevel "strict" (labels escaped and
    // sanitised by mermaid's DOMPurify), not the server's text.
    clear(container);
    container.innerHTML = svg;
    return new Graph(container, flow.graph);
  }

  constructor(container, map) {
    this.container = container;
    this.map = map && Array.isArray(map.nodes) ? map : { entry: "", nodes: [] };
    this.byId = new Map(this.map.nodes.map((n) => [n.id, n]));
    this.elements = collectElements(container, this.byId);
    this.visits = new Map(); // id -> {active, state}
  }

  /** The drawn node ids of a breadcrumb, outermost first (its last one is the node itself);
   *  empty when it names nothing drawn. */
  resolve(path) {
    if (typeof path !== "string" || !path) return [];
    const segments = path.split("/").map((s) => s.replace(/(\[\d+\])+$/, ""));
    let node = this.byId.get(this.map.entry);
    if (!node || node.name !== segments[0]) return [];
    const chain = [node.id];
    let scope = null;
    for (const name of segments.slice(1)) {
      if (scope === null && Array.isArray(node.branches)) {
        // The segment after a `branches` node is the branch's name.
        const branch = node.branches.find((b) => b.name === name);
        if (!branch) return [];
        scope = branch.reach;
        continue;
      }
      const within = scope ?? node.reach;
      if (!Array.isArray(within)) return [];
      const next = within.map((id) => this.byId.get(id)).find((n) => n && n.name === name);
      if (!next) return [];
      node = next;
      chain.push(node.id);
      scope = null;
    }
    return chain;
  }

  /** Apply one run event to the drawing. */
  apply(event) {
    switch (event.type) {
      case "node_started":
        this.visit(event.path, (v) => {
          v.active += 1;
          v.state = "running";
        });
        break;
      case "node_retry":
        this.visit(event.path, (v) => {
          v.state = "retrying";
        });
        break;
      case "node_finished":
        this.visit(event.path, (v) => {
          v.active = Math.max(0, v.active - 1);
          v.state = v.active > 0 ? "running" : "finished";
        });
        break;
      default:
        break;
    }
  }

  /** The run ended unsuccessfully: the failing node and the flows around it turn `state`
   *  (`failed` or `cancelled`), and whatever was still running is cancelled. */
  end(path, state) {
    for (const id of this.resolve(path)) this.set(id, state);
    for (const [id, v] of this.visits) {
      if (v.state === "running" || v.state === "retrying") this.set(id, "cancelled");
    }
  }

  visit(path, change) {
    const chain = this.resolve(path);
    const id = chain[chain.length - 1];
    if (!id) return;
    const v = this.visits.get(id) ?? { active: 0, state: "idle" };
    change(v);
    this.visits.set(id, v);
    this.paint(id, v.state);
  }

  set(id, state) {
    const v = this.visits.get(id) ?? { active: 0, state };
    v.state = state;
    v.active = 0;
    this.visits.set(id, v);
    this.paint(id, state);
  }

  /** Colour node `id`'s shapes. Inline `!important` beats mermaid's class styles. */
  paint(id, state) {
    const colours = STATES[state];
    for (const g of this.elements.get(id) ?? []) {
      for (const s of Object.keys(STATES)) g.classList.remove(`fs-${s}`);
      g.classList.add(`fs-${state}`);
      g.dataset.state = state;
      const fill = g.classList.contains("cluster") ? colours.frame : colours.fill;
      for (const shape of shapesOf(g)) {
        shape.style.setProperty("fill", fill, "important");
        shape.style.setProperty("stroke", colours.stroke, "important");
      }
    }
  }

  /** Every drawn node's state (`idle` if not visited), by id. */
  states() {
    const out = {};
    for (const id of this.elements.keys()) out[id] = this.visits.get(id)?.state ?? "idle";
    return out;
  }
}

/** The drawn group of every node and flow (`flowchart-n3-12` or `<svg id>-flowchart-n3-12`
 *  for nodes, `n3` for a flow's box), by node id; each is marked `data-node` for the tests. */
function collectElements(container, byId) {
  const found = new Map();
  for (const g of container.querySelectorAll("g.node, g.cluster")) {
    const raw = g.getAttribute("data-id") || g.id || "";
    const m = /(?:^|-)flowchart-(n\d+)-\d+$/.exec(raw) ?? /(?:^|-)(n\d+)$/.exec(raw);
    if (!m || !byId.has(m[1])) continue;
    g.dataset.node = m[1];
    g.dataset.state = "idle";
    if (!found.has(m[1])) found.set(m[1], []);
    found.get(m[1]).push(g);
  }
  return found;
}

/** The shapes of a node group (its box or a flow's frame), not its label. */
function shapesOf(g) {
  const out = [];
  for (const child of g.children) {
    if (child.matches("rect, polygon, path, circle, ellipse")) out.push(child);
    else if (child.matches("g.label-container, g.basic")) out.push(...child.querySelectorAll("rect, polygon, path, circle, ellipse"));
  }
  return out;
}
