// Which `flowscript` binary the extension uses, for the language server and for Run/Check:
// the `flowscript.server.path` setting, else the binary bundled in a platform .vsix
// (server/flowscript), else `flowscript` on PATH.
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";

/** A binary found, and where it came from (shown in the output channel). */
export interface Binary {
  path: string;
  source: "setting" | "bundled" | "PATH";
}

const exe = process.platform === "win32" ? "flowscript.exe" : "flowscript";

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(): string | undefined {
  const dirs = (process.env.PATH ?? "").split(path.delimiter);
  for (const dir of dirs) {
    // A relative PATH entry would resolve against the editor's working folder.
    if (!dir || !path.isAbsolute(dir)) continue;
    const file = path.join(dir, exe);
    if (isExecutable(file)) return file;
  }
  return undefined;
}

/** The binary to use, or an explanation of why none was found. */
export function findBinary(context: vscode.ExtensionContext): Binary | { error: string } {
  const configured = vscode.workspace
    .getConfiguration("flowscript")
    .get<string>("server.path", "")
    .trim();
  if (configured) {
    const resolved = configured.startsWith("~/")
      ? path.join(process.env.HOME ?? "", configured.slice(2))
      : configured;
    if (!path.isAbsolute(resolved)) {
      return { error: `flowscript.server.path must be an absolute path, found "${configured}".` };
    }
    if (!isExecutable(resolved)) {
      return { error: `flowscript.server.path is "${configured}", which is not an executable file.` };
    }
    return { path: resolved, source: "setting" };
  }
  const bundled = context.asAbsolutePath(path.join("server", exe));
  if (isExecutable(bundled)) return { path: bundled, source: "bundled" };
  const found = onPath();
  if (found) return { path: found, source: "PATH" };
  return {
    error:
      "No flowscript binary found: this extension has none bundled and `flowscript` is not on PATH. " +
      "Install a platform .vsix, put flowscript on PATH, or set flowscript.server.path.",
  };
}
