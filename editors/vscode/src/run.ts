// Run and Check from the editor: `flowscript run` / `flowscript check` on the saved file in an
// integrated terminal, so the user sees exactly what a shell shows, with the extra arguments of
// `flowscript.run.args` (permissions are denied unless allowed there).
import * as path from "node:path";
import * as vscode from "vscode";

import { findBinary } from "./binary";

const TERMINAL = "flowscript";

/** Quote one argument for the terminal's shell. */
function quote(arg: string): string {
  if (process.platform === "win32") {
    return `'${arg.replace(/'/g, "''")}'`;
  }
  return /^[A-Za-z0-9_\/.,:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command line for `args`, runnable in bash, zsh, fish and PowerShell. */
export function commandLine(binary: string, args: string[]): string {
  const line = [binary, ...args].map(quote).join(" ");
  return process.platform === "win32" ? `& ${line}` : line;
}

/** The flowscript document to act on: `uri` if given, else the active editor's. */
async function target(uri?: vscode.Uri): Promise<vscode.TextDocument | undefined> {
  const doc = uri
    ? await vscode.workspace.openTextDocument(uri)
    : vscode.window.activeTextEditor?.document;
  if (!doc || doc.languageId !== "flowscript") {
    void vscode.window.showWarningMessage("flowscript: open a .flow.rhai file first.");
    return undefined;
  }
  if (doc.isUntitled) {
    void vscode.window.showWarningMessage("flowscript: save the file first: Run uses the file on disk.");
    return undefined;
  }
  // Run what the user sees: the file on disk must be this text.
  if (doc.isDirty && !(await doc.save())) return undefined;
  return doc;
}

/** Send `flowscript <sub> FILE ...` to the flowscript terminal, opening it if needed. */
async function inTerminal(
  context: vscode.ExtensionContext,
  sub: "run" | "check",
  uri: vscode.Uri | undefined,
  extra: string[],
): Promise<void> {
  const doc = await target(uri);
  if (!doc) return;
  const binary = findBinary(context);
  if ("error" in binary) {
    void vscode.window.showErrorMessage(`flowscript: ${binary.error}`);
    return;
  }
  const file = doc.uri.fsPath;
  const cwd = path.dirname(file);
  let terminal = vscode.window.terminals.find((t) => t.name === TERMINAL);
  if (!terminal || terminal.exitStatus !== undefined) {
    terminal = vscode.window.createTerminal({ name: TERMINAL, cwd });
  }
  terminal.show(true);
  const args = [sub, path.basename(file), ...extra];
  // `cd` first: relative paths in the script's flags and grants mean what they do in a shell.
  terminal.sendText(`cd ${quote(cwd)}`);
  terminal.sendText(commandLine(binary.path, args));
}

/** `flowscript.run`: run the file with the configured extra arguments. */
export function run(context: vscode.ExtensionContext, uri?: vscode.Uri): Promise<void> {
  const extra = vscode.workspace.getConfiguration("flowscript").get<string[]>("run.args", []);
  return inTerminal(context, "run", uri, extra);
}

/** `flowscript.runWithInput`: pick a JSON file for the initial store, then run. */
export async function runWithInput(context: vscode.ExtensionContext, uri?: vscode.Uri): Promise<void> {
  const base = uri ?? vscode.window.activeTextEditor?.document.uri;
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { JSON: ["json"] },
    openLabel: "Run with this input",
    defaultUri: base ? vscode.Uri.file(path.dirname(base.fsPath)) : undefined,
  });
  if (!picked || picked.length === 0) return;
  const extra = vscode.workspace.getConfiguration("flowscript").get<string[]>("run.args", []);
  return inTerminal(context, "run", uri, ["--input", picked[0].fsPath, ...extra]);
}

/** `flowscript.check`: check the file. */
export function check(context: vscode.ExtensionContext, uri?: vscode.Uri): Promise<void> {
  return inTerminal(context, "check", uri, []);
}
