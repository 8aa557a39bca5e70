// Code lenses above the entry flow: "▶ Run" and "Graph". The entry's place comes from the
// language server's `flowscript/graph` answer, so the lens sits where the graph says the entry
// is, including `flow(...)` as the script's last expression.
import * as vscode from "vscode";

import { Server } from "./client";

/** Provides the two lenses for flowscript documents. */
export class EntryLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly server: Server) {
    this.subscription = server.onDidChange(() => this.changed.fire());
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!vscode.workspace.getConfiguration("flowscript").get<boolean>("codeLens.enabled", true)) {
      return [];
    }
    const graph = await this.server.graph(doc);
    const entry = graph?.entry;
    if (!entry) return [];
    const at = new vscode.Range(entry.range.start.line, 0, entry.range.start.line, 0);
    return [
      new vscode.CodeLens(at, {
        title: "▶ Run",
        tooltip: `flowscript run ${vscode.workspace.asRelativePath(doc.uri)}`,
        command: "flowscript.run",
        arguments: [doc.uri],
      }),
      new vscode.CodeLens(at, {
        title: "Graph",
        tooltip: "Show the graph beside the editor",
        command: "flowscript.showGraph",
        arguments: [doc.uri],
      }),
    ];
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
