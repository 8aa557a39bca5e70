// The messages between the extension and the graph preview's page (media/preview.ts); both
// sides import this file, so they cannot drift apart.

/** The extension to the page: draw this graph. */
export interface Render {
  type: "graph";
  file: string;
  mermaid: string;
  stale: boolean;
  nodes: { id: string; name: string }[];
}

/** The page to the extension: it is ready, or a node was clicked. */
export type FromPage = { type: "ready" } | { type: "reveal"; id: string };
