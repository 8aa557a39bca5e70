// The language client: starts `flowscript lsp` over stdio for flowscript and Rhai documents,
// restarts it on demand or when `flowscript.server.path` changes, and says clearly when there
// is no server to start.
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, State } from "vscode-languageclient/node";

import { findBinary } from "./binary";

/** The graph request's answer (see docs/lsp.md). */
export interface GraphNode {
  id: string;
  name: string;
  kind: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

/** `flowscript/graph`: the drawing, whether it is stale, and where nodes are defined. */
export interface GraphResult {
  mermaid: string;
  stale: boolean;
  nodes: GraphNode[];
  entry: GraphNode | null;
}

/** Owns the running client, if any. */
export class Server implements vscode.Disposable {
  private client: LanguageClient | undefined;
  /** The last graph asked for, per document: its version, the client asked, the answer. */
  private readonly graphs = new Map<
    string,
    { version: number; client: LanguageClient; answer: Promise<GraphResult | undefined> }
  >();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a client has started (or stopped): previews and lenses ask again. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly output: vscode.OutputChannel,
  ) {}

  /** Start the server; shows an error (once per start) when none is found. */
  async start(): Promise<void> {
    const binary = findBinary(this.context);
    if ("error" in binary) {
      this.output.appendLine(binary.error);
      const open = "Open Settings";
      void vscode.window.showErrorMessage(`flowscript: ${binary.error}`, open).then((choice) => {
        if (choice === open) {
          void vscode.commands.executeCommand("workbench.action.openSettings", "flowscript.server.path");
        }
      });
      return;
    }
    this.output.appendLine(`Starting ${binary.path} lsp (from ${binary.source})`);
    const serverOptions: ServerOptions = { command: binary.path, args: ["lsp"] };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: "file", language: "flowscript" },
        { scheme: "untitled", language: "flowscript" },
        { scheme: "file", language: "rhai" },
      ],
      outputChannel: this.output,
      traceOutputChannel: this.output,
    };
    // The id `flowscript` makes the client read `flowscript.trace.server`.
    const client = new LanguageClient("flowscript", "flowscript language server", serverOptions, clientOptions);
    client.onDidChangeState((e) => {
      if (e.newState === State.Running || e.newState === State.Stopped) this.changed.fire();
    });
    this.client = client;
    try {
      await client.start();
    } catch (err) {
      this.output.appendLine(`The language server did not start: ${String(err)}`);
      void vscode.window.showErrorMessage(`flowscript: the language server did not start (${binary.path}): ${String(err)}`);
    }
  }

  /** Stop the server, if running. */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(2000);
      } catch (err) {
        this.output.appendLine(`Stopping the language server: ${String(err)}`);
      }
    }
    this.changed.fire();
  }

  /** Stop, then start again (the "Restart language server" command). */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** The document's graph, or undefined when no server runs or it fails. The code lenses and
   *  the preview both ask after each edit: one request per document version serves both. */
  graph(doc: vscode.TextDocument): Promise<GraphResult | undefined> {
    const client = this.client;
    if (!client || client.state !== State.Running) return Promise.resolve(undefined);
    const key = doc.uri.toString();
    const cached = this.graphs.get(key);
    if (cached && cached.version === doc.version && cached.client === client) return cached.answer;
    const answer = client
      .sendRequest<GraphResult>("flowscript/graph", { textDocument: { uri: key } })
      .then(
        (g) => g,
        (err) => {
          this.output.appendLine(`flowscript/graph failed: ${String(err)}`);
          this.graphs.delete(key);
          return undefined;
        },
      );
    this.graphs.set(key, { version: doc.version, client, answer });
    return answer;
  }

  /** Forget a closed document's graph. */
  forget(doc: vscode.TextDocument): void {
    this.graphs.delete(doc.uri.toString());
  }

  dispose(): void {
    void this.stop();
    this.changed.dispose();
  }
}
