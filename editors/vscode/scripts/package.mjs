// `npm run package`: a platform .vsix with the flowscript binary inside.
//
//   npm ci && npm run package                      -> flowscript-linux-x64-<version>.vsix here
//   VSCE_TARGET=darwin-arm64 FLOWSCRIPT_BIN=/path/to/flowscript npm run package
//   VSCE_TARGET=linux-arm64 CARGO_TARGET=aarch64-unknown-linux-gnu npm run package
//
// The binary is FLOWSCRIPT_BIN when set, else the workspace's release build
// (`cargo build --release --locked`, with `--target CARGO_TARGET` when set; a fresh build is a
// no-op). It is copied to server/flowscript(.exe) and stripped, the bundle is built, and vsce
// packages it.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repo = resolve(here, "..", "..");
const pkg = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));

const platforms = { linux: "linux", darwin: "darwin", win32: "win32" };
const arches = { x64: "x64", arm64: "arm64", arm: "armhf" };
const target = process.env.VSCE_TARGET || `${platforms[process.platform]}-${arches[process.arch]}`;
const windows = target.startsWith("win32");
const exe = windows ? "flowscript.exe" : "flowscript";

function run(cmd, args, cwd) {
  console.log(`$ ${cmd} ${args.join(" ")}`);
  execFileSync(cmd, args, { cwd, stdio: "inherit" });
}

let binary = process.env.FLOWSCRIPT_BIN;
if (!binary) {
  const cargoTarget = process.env.CARGO_TARGET;
  const args = ["build", "--release", "--locked", "-p", "flowscript"];
  if (cargoTarget) args.push("--target", cargoTarget);
  run("cargo", args, repo);
  const targetDir = process.env.CARGO_TARGET_DIR ? resolve(repo, process.env.CARGO_TARGET_DIR) : join(repo, "target");
  binary = join(targetDir, ...(cargoTarget ? [cargoTarget] : []), "release", exe);
}
if (!existsSync(binary)) {
  console.error(`no flowscript binary at ${binary}`);
  process.exit(1);
}

const server = join(here, "server");
rmSync(server, { recursive: true, force: true });
mkdirSync(server);
copyFileSync(binary, join(server, exe));
chmodSync(join(server, exe), 0o755);
// The release profile keeps line tables for backtraces; the shipped copy needs none (73 MB -> 14 MB).
if (!windows && process.platform !== "win32") {
  try {
    execFileSync("strip", [join(server, exe)], { stdio: "inherit" });
  } catch {
    console.log("strip is not available (or not for this target): the binary is shipped as built");
  }
}

run(process.execPath, [join(here, "esbuild.mjs")], here);

const out = `${pkg.name}-${target}-${pkg.version}.vsix`;
run(process.execPath, [join(here, "node_modules", "@vscode", "vsce", "vsce"), "package", "--target", target, "--no-dependencies", "--no-rewrite-relative-links", "--out", out], here);
console.log(`packaged ${join(here, out)}`);
