// The flowscript extension's entry point: the language client (diagnostics, completion, hover,
// definitions, symbols, quick fixes from `flowscript lsp`), the graph preview, code lenses and
// the Run/Check commands. Highlighting, brackets and snippets are declarative (package.json).
import * as vscode from "vscode";

import { Server } from "./client";
import { EntryLenses } from "./lens";
import { GraphPreview } from "./preview";
import { check, run, runWithInput } from "./run";

let server: Server | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("flowscript");
  server = new Server(context, output);
  const preview = new GraphPreview(context, server);
  const lenses = new EntryLenses(server);
  context.subscriptions.push(
    output,
    server,
    preview,
    lenses,
    vscode.languages.registerCodeLensProvider({ language: "flowscript" }, lenses),
    vscode.commands.registerCommand("flowscript.showGraph", (uri?: vscode.Uri) => preview.show(uri)),
    vscode.commands.registerCommand("flowscript.run", (uri?: vscode.Uri) => run(context, uri)),
    vscode.commands.registerCommand("flowscript.runWithInput", (uri?: vscode.Uri) => runWithInput(context, uri)),
    vscode.commands.registerCommand("flowscript.check", (uri?: vscode.Uri) => check(context, uri)),
    vscode.commands.registerCommand("flowscript.restartServer", () => server?.restart()),
    vscode.workspace.onDidCloseTextDocument((doc) => server?.forget(doc)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("flowscript.server.path")) void server?.restart();
    }),
  );
  await server.start();
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}
