// The graph preview: a webview beside the editor that draws the active flowscript document's
// `flowscript/graph` with mermaid (bundled in the extension: the page loads nothing from the
// network), re-draws as the user types (debounced), keeps the last good graph marked stale
// while the text does not build, and moves the editor to a node's constructor when the user
// clicks the node.
import * as crypto from "node:crypto";
import * as vscode from "vscode";

import { GraphResult, Server } from "./client";
import { FromPage, Render } from "./messages";

/** The one preview panel, following the active flowscript editor. */
export class GraphPreview implements vscode.Disposable {
  static readonly viewType = "flowscript.graph";
  private panel: vscode.WebviewPanel | undefined;
  private doc: vscode.TextDocument | undefined;
  private last: GraphResult | undefined;
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly server: Server,
  ) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.panel && e.document === this.doc) this.schedule();
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (this.panel && editor && editor.document.languageId === "flowscript" && editor.document !== this.doc) {
          this.doc = editor.document;
          this.last = undefined;
          void this.refresh();
        }
      }),
      server.onDidChange(() => {
        if (this.panel) this.schedule();
      }),
    );
  }

  /** Open (or reveal) the preview for `uri` or the active editor's document. */
  async show(uri?: vscode.Uri): Promise<void> {
    const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
    if (!doc || doc.languageId !== "flowscript") {
      void vscode.window.showWarningMessage("flowscript: open a .flow.rhai file to see its graph.");
      return;
    }
    this.doc = doc;
    this.last = undefined;
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
    } else {
      this.panel = this.create();
    }
    await this.refresh();
  }

  private create(): vscode.WebviewPanel {
    const dist = vscode.Uri.joinPath(this.context.extensionUri, "dist");
    const panel = vscode.window.createWebviewPanel(
      GraphPreview.viewType,
      "flowscript graph",
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [dist], retainContextWhenHidden: true },
    );
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, "media", "file-icon.svg");
    panel.webview.html = this.html(panel.webview, dist);
    panel.webview.onDidReceiveMessage((msg) => this.onMessage(msg), undefined, this.subscriptions);
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.doc = undefined;
    });
    return panel;
  }

  private html(webview: vscode.Webview, dist: vscode.Uri): string {
    const nonce = crypto.randomBytes(16).toString("base64");
    const src = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(dist, file)).toString();
    // Mermaid writes its styles inline into the SVG, hence 'unsafe-inline' for styles only.
    const csp = [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src ${webview.cspSource} 'unsafe-inline'`,
      `img-src ${webview.cspSource} data:`,
      `font-src ${webview.cspSource}`,
    ].join("; ");
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>flowscript graph</title>
<style>
  body { padding: 0 12px; color: var(--vscode-foreground); font-family: var(--vscode-font-family); }
  header { display: flex; gap: 8px; align-items: baseline; margin: 8px 0; }
  #file { font-weight: 600; }
  #status { opacity: 0.8; }
  #stale { display: none; padding: 4px 8px; border-radius: 3px;
           background: var(--vscode-inputValidation-warningBackground);
           border: 1px solid var(--vscode-inputValidation-warningBorder); }
  body.stale #stale { display: inline-block; }
  body.stale #graph svg { opacity: 0.55; }
  #graph .node, #graph .cluster { cursor: pointer; }
  #error { color: var(--vscode-errorForeground); white-space: pre-wrap; }
</style>
</head>
<body>
<header><span id="file"></span><span id="stale">stale: the script does not build; showing its last good graph</span><span id="status"></span></header>
<div id="graph"></div>
<div id="error"></div>
<script nonce="${nonce}" src="${src("mermaid.min.js")}"></script>
<script nonce="${nonce}" src="${src("preview.js")}"></script>
</body>
</html>`;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    const ms = vscode.workspace.getConfiguration("flowscript").get<number>("graph.debounce", 300);
    this.timer = setTimeout(() => void this.refresh(), Math.max(0, ms));
  }

  /** Ask the server for the graph and send it to the page; a late answer is dropped. */
  private async refresh(): Promise<void> {
    const doc = this.doc;
    const panel = this.panel;
    if (!doc || !panel) return;
    const generation = ++this.generation;
    const graph = await this.server.graph(doc);
    if (generation !== this.generation || !this.panel) return;
    if (!graph) {
      // No server (yet): keep what is shown.
      return;
    }
    this.last = graph;
    const msg: Render = {
      type: "graph",
      file: vscode.workspace.asRelativePath(doc.uri),
      mermaid: graph.mermaid,
      stale: graph.stale,
      nodes: graph.nodes.map((n) => ({ id: n.id, name: n.name })),
    };
    panel.title = `Graph: ${doc.uri.path.split("/").pop() ?? "flow"}`;
    void panel.webview.postMessage(msg);
  }

  private onMessage(msg: unknown): void {
    if (typeof msg !== "object" || msg === null) return;
    const m = msg as Partial<FromPage> & { id?: unknown };
    if (m.type === "ready") {
      void this.refresh();
    } else if (m.type === "reveal" && typeof m.id === "string") {
      void this.reveal(m.id);
    }
  }

  /** Move the editor to the constructor of the node drawn as `id`. */
  private async reveal(id: string): Promise<void> {
    const node = this.last?.nodes.find((n) => n.id === id);
    const doc = this.doc;
    if (!node || !doc) return;
    const r = node.range;
    const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
    const visible = vscode.window.visibleTextEditors.find((e) => e.document === doc);
    const editor = await vscode.window.showTextDocument(doc, {
      viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
      selection: range,
      preserveFocus: false,
    });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.panel?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
