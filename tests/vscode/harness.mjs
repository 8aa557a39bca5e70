// Drives a VS Code extension in real VS Code: code-server (npm, installed by install.sh into
// ./node_modules) served on 127.0.0.1, and Debian's Chromium driven by playwright-core.
// Every UI helper works from what the workbench shows (its DOM), as a person would see it.
//
//   import { withVSCode, openFile, problems } from './harness.mjs';
//   await withVSCode({ workspace, extensions: ['x.vsix'] }, async ({ page, server }) => {
//     await openFile(page, 'a.json');
//     console.log(await problems(page));
//   });
//
// See README.md for the selectors used and the pitfalls behind them.

import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '../..');
export const CODE_SERVER = path.join(HERE, 'node_modules/code-server/out/node/entry.js');
export const SCREENSHOT_DIR =
  process.env.VSCODE_SCREENSHOT_DIR || path.join(REPO, 'target/vscode-screenshots');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const DEBUG = !!process.env.VSCODE_HARNESS_DEBUG;
const log = (...a) => DEBUG && console.error('[harness]', ...a);

/** Settings that keep every first-run surface (welcome page, walkthroughs, release notes,
 *  workspace trust, telemetry, update and recommendation toasts, chat) out of the way, and make
 *  the terminal render rows as DOM. The caller's `settings` are merged over these. */
export const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.welcomePage.extraAnnouncements': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.editor.enablePreview': false,
  'workbench.editor.enablePreviewFromQuickOpen': false,
  'workbench.settings.enableNaturalLanguageSearch': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'update.mode': 'none',
  'update.showReleaseNotes': false,
  'security.workspace.trust.enabled': false,
  'security.workspace.trust.startupPrompt': 'never',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.commandCenter.enabled': false,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'npm.autoDetect': 'off',
  'typescript.surveys.enabled': false,
  'typescript.tsserver.web.typeAcquisition.enabled': false,
  // the node tsserver's automatic type acquisition would run npm for @types packages
  'typescript.disableAutomaticTypeAcquisition': true,
  'editor.accessibilitySupport': 'off',
  'editor.minimap.enabled': false,
  'editor.hover.delay': 200,
  'files.autoSave': 'off',
  'window.commandCenter': false,
  'terminal.integrated.gpuAcceleration': 'off',
  'terminal.integrated.enablePersistentSessions': false,
  'terminal.integrated.showExitAlert': false,
};

// ---------------------------------------------------------------------------------------------
// small utilities

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value (returned) or `timeout` ms pass (throws, naming
 *  `what` and the last value or error seen). */
export async function waitFor(fn, { timeout = 30000, interval = 150, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  let lastErr;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
      lastErr = undefined;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() > end) {
      const seen = lastErr ? `last error: ${lastErr.message}` : `last value: ${JSON.stringify(last)}`;
      throw new Error(`timed out after ${timeout} ms waiting for ${what} (${seen})`);
    }
    await sleep(interval);
  }
}

const live = new Set(); // running servers and browsers, ended on exit whatever happens
function killAllSync() {
  for (const item of live) {
    try {
      item.killSync();
    } catch {}
  }
}
process.once('exit', killAllSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    killAllSync();
    process.exit(128 + (os.constants.signals[sig] || 1));
  });
}

function mkTemp() {
  // Short paths: code-server puts a unix socket in the user-data-dir (108-byte limit).
  return fs.mkdtempSync(path.join(os.tmpdir(), 'fsvsc-'));
}

/** A temporary folder (e.g. a workspace) removed when the process exits, also on Ctrl+C. */
export function tempDir(prefix = 'fsvsc-ws-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  live.add({
    killSync() {
      if (!process.env.VSCODE_HARNESS_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    },
  });
  return dir;
}

// ---------------------------------------------------------------------------------------------
// code-server

function codeServerArgs(dirs) {
  return [
    '--config', dirs.config,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--disable-proxy',
    '--ignore-last-opened',
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
  ];
}

function codeServerEnv(dirs, extra = {}) {
  const env = { ...process.env, ...extra };
  // keep code-server's own config, logs and heartbeat out of $HOME
  env.XDG_CONFIG_HOME = dirs.xdgConfig;
  env.XDG_DATA_HOME = dirs.xdgData;
  // code-server reads these as passwords / auth settings: never inherit them
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  delete env.GITHUB_TOKEN;
  delete env.PORT;
  delete env.VSCODE_IPC_HOOK_CLI;
  return env;
}

/** Installs one extension into `dirs.extensions`: a .vsix through code-server's
 *  `--install-extension`, a folder (an unpacked extension with package.json) by copying it to
 *  `<publisher>.<name>-<version>` and adding it to the folder's extensions.json. */
function installExtension(ext, dirs, env) {
  const abs = path.resolve(ext);
  const st = fs.statSync(abs);
  if (st.isFile()) {
    const r = spawnSync(
      process.execPath,
      [CODE_SERVER, ...codeServerArgs(dirs), '--force', '--install-extension', abs],
      { env, encoding: 'utf8', timeout: 120000 },
    );
    // it prints "Extension '<file>' was successfully installed." (and exits 0 even on some failures)
    if (r.status !== 0 || !/successfully installed/i.test(`${r.stdout}${r.stderr}`)) {
      throw new Error(`installing ${abs} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    }
    log('installed', abs, r.stdout.trim());
    return;
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(abs, 'package.json'), 'utf8'));
  const id = `${pkg.publisher}.${pkg.name}`;
  const rel = `${id}-${pkg.version}`;
  const dest = path.join(dirs.extensions, rel);
  fs.rmSync(dest, { recursive: true, force: true });
  fs.cpSync(abs, dest, { recursive: true, dereference: true });
  const manifest = path.join(dirs.extensions, 'extensions.json');
  let list = [];
  if (fs.existsSync(manifest)) list = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  list = list.filter((e) => e.identifier?.id?.toLowerCase() !== id.toLowerCase());
  list.push({
    identifier: { id },
    version: pkg.version,
    location: { $mid: 1, path: dest, scheme: 'file' },
    relativeLocation: rel,
    metadata: { installedTimestamp: Date.now(), source: 'vsix', pinned: true },
  });
  fs.writeFileSync(manifest, JSON.stringify(list));
  log('copied', abs, '->', dest);
}

/**
 * Packs an unpacked extension folder into a minimal .vsix (a zip of extension.vsixmanifest,
 * [Content_Types].xml and the folder under extension/), with the yazl that code-server's
 * lib/vscode ships. For throwaway test extensions; a real extension is packed by vsce.
 */
export async function packVsix(dir, out) {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const esc = (v) => String(v ?? '').replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const manifest = `<?xml version="1.0" encoding="utf-8"?>
<PackageManifest Version="2.0.0" xmlns="http://schemas.microsoft.com/developer/vsx-schema/2011">
  <Metadata>
    <Identity Language="en-US" Id="${esc(pkg.name)}" Version="${esc(pkg.version)}" Publisher="${esc(pkg.publisher)}"/>
    <DisplayName>${esc(pkg.displayName || pkg.name)}</DisplayName>
    <Description xml:space="preserve">${esc(pkg.description)}</Description>
    <Properties><Property Id="Microsoft.VisualStudio.Code.Engine" Value="${esc(pkg.engines?.vscode)}"/></Properties>
  </Metadata>
  <Installation><InstallationTarget Id="Microsoft.VisualStudio.Code"/></Installation>
  <Dependencies/>
  <Assets><Asset Type="Microsoft.VisualStudio.Code.Manifest" Path="extension/package.json" Addressable="true"/></Assets>
</PackageManifest>
`;
  const types = `<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension=".json" ContentType="application/json"/><Default Extension=".vsixmanifest" ContentType="text/xml"/></Types>
`;
  const yazl = createRequire(path.join(HERE, 'node_modules/code-server/lib/vscode/package.json'))('yazl');
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(manifest), 'extension.vsixmanifest');
  zip.addBuffer(Buffer.from(types), '[Content_Types].xml');
  const walk = (d, rel) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(abs, r);
      else zip.addFile(abs, `extension/${r}`);
    }
  };
  walk(dir, '');
  zip.end();
  await new Promise((resolve, reject) => {
    const ws = fs.createWriteStream(out);
    zip.outputStream.pipe(ws).on('close', resolve).on('error', reject);
  });
  return out;
}

/**
 * Starts code-server on 127.0.0.1 with a free port and its own temporary user-data and
 * extensions folders.
 *   extensions: .vsix files or unpacked extension folders to install first
 *   workspace:  folder to open (default: an empty temporary folder)
 *   settings:   user settings merged over DEFAULT_SETTINGS
 *   env:        extra environment for code-server (and so the extension host and terminals)
 *   keepTemp:   keep the temporary folder after stop() (its path is `tmp`)
 * Returns { url, port, tmp, dirs, workspace, logText(), stop() }.
 */
export async function startCodeServer({
  extensions = [],
  workspace,
  settings = {},
  env: extraEnv = {},
  keepTemp = !!process.env.VSCODE_HARNESS_KEEP,
  timeout = 60000,
} = {}) {
  if (!fs.existsSync(CODE_SERVER)) {
    throw new Error(`code-server is not installed: run ${path.join(HERE, 'install.sh')}`);
  }
  const tmp = mkTemp();
  const dirs = {
    userData: path.join(tmp, 'ud'),
    extensions: path.join(tmp, 'ext'),
    xdgConfig: path.join(tmp, 'xdg-config'),
    xdgData: path.join(tmp, 'xdg-data'),
    config: path.join(tmp, 'config.yaml'),
  };
  for (const d of [dirs.userData, dirs.extensions, dirs.xdgConfig, dirs.xdgData]) {
    fs.mkdirSync(d, { recursive: true });
  }
  fs.writeFileSync(dirs.config, 'auth: none\ncert: false\n');
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(dirs.userData, 'User/settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2),
  );
  if (!workspace) {
    workspace = path.join(tmp, 'workspace');
    fs.mkdirSync(workspace);
  }
  workspace = path.resolve(workspace);
  const env = codeServerEnv(dirs, extraEnv);

  let child;
  let output = '';
  let exited = null;
  const server = {
    tmp,
    dirs,
    workspace,
    url: '',
    port: 0,
    logText: () => output,
    killSync() {
      if (child && exited === null) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {}
      }
      if (!keepTemp) fs.rmSync(tmp, { recursive: true, force: true });
    },
    async stop() {
      live.delete(server);
      if (child && exited === null) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {}
        const end = Date.now() + 5000;
        while (exited === null && Date.now() < end) await sleep(50);
      }
      // the whole process group: extension host, language servers, pty host, file watcher
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
      if (!keepTemp) {
        for (let i = 0; i < 5; i++) {
          try {
            fs.rmSync(tmp, { recursive: true, force: true });
            break;
          } catch {
            await sleep(200);
          }
        }
      }
    },
  };
  live.add(server);
  try {
    for (const ext of extensions) installExtension(ext, dirs, env);

    child = spawn(
      process.execPath,
      [CODE_SERVER, ...codeServerArgs(dirs), '--bind-addr', '127.0.0.1:0', workspace],
      { env, cwd: workspace, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const onData = (d) => {
      output += d.toString();
      if (DEBUG) process.stderr.write(`[code-server] ${d}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, sig) => {
      exited = code ?? sig;
    });
    const m = await waitFor(
      () => {
        if (exited !== null) throw new Error(`code-server exited (${exited}):\n${output}`);
        return output.match(/HTTP server listening on (http:\/\/127\.0\.0\.1:(\d+)\/?)/);
      },
      { timeout, what: 'code-server to listen' },
    ).catch((e) => {
      if (exited !== null) throw new Error(`code-server exited (${exited}):\n${output}`);
      throw e;
    });
    server.port = Number(m[2]);
    server.url = `http://127.0.0.1:${server.port}/?folder=${encodeURIComponent(workspace)}`;
    await waitFor(
      async () => {
        const r = await fetch(`http://127.0.0.1:${server.port}/healthz`);
        return r.ok;
      },
      { timeout, what: 'code-server /healthz' },
    );
    log('code-server at', server.url);
    return server;
  } catch (e) {
    await server.stop();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// the browser

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

/** Opens `url` in headless Chromium and waits until the workbench is up. Returns the page;
 *  `closeBrowser(page)` (or `page.context().browser().close()`) ends it. */
export async function openBrowser(url, { viewport = { width: 1400, height: 900 }, timeout = 90000 } = {}) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout,
  });
  const item = {
    killSync() {
      try {
        // playwright starts chromium as a process group leader: end the group
        const p = browser.process?.();
        if (p && p.exitCode === null) {
          try {
            process.kill(-p.pid, 'SIGKILL');
          } catch {
            process.kill(p.pid, 'SIGKILL');
          }
        }
      } catch {}
    },
  };
  live.add(item);
  browser.on('disconnected', () => live.delete(item));
  try {
    const context = await browser.newContext({ viewport, ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.setDefaultTimeout(30000);
    page.on('pageerror', (e) => log('page error:', e.message));
    if (DEBUG) page.on('console', (m) => log('console:', m.type(), m.text()));
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout });
    await waitForWorkbench(page, { timeout });
    return page;
  } catch (e) {
    await browser.close().catch(() => {});
    throw e;
  }
}

export async function closeBrowser(page) {
  const browser = page?.context().browser();
  if (browser) await browser.close().catch(() => {});
}

/** Waits for the workbench's parts and for the explorer to show the workspace folder (its
 *  tree is rendered once the remote file system answers). */
export async function waitForWorkbench(page, { timeout = 90000 } = {}) {
  await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout });
  await page.waitForSelector('.monaco-workbench .part.editor', { timeout });
  await waitFor(
    () =>
      page.evaluate(() => {
        if (document.querySelector('.explorer-folders-view .monaco-list-row')) return true;
        // an empty folder: the tree is there with no rows; no folder: the explorer's welcome view
        return !!document.querySelector('.explorer-folders-view .monaco-list, .part.sidebar .welcome-view');
      }),
    { timeout, what: 'the explorer to show the workspace' },
  );
}

// ---------------------------------------------------------------------------------------------
// UI helpers (Linux/web keybindings; F1 opens the command palette: Ctrl+Shift+P, Ctrl+P and
// Ctrl+W may belong to the browser)

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = '.quick-input-widget .quick-input-box input';

async function quickInputVisible(page) {
  return page.evaluate((sel) => {
    const w = document.querySelector(sel);
    const shown = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
    return !!w && shown(w);
  }, QUICK_INPUT);
}

/** Rows the quick input (command palette / quick open) shows: [{label, description, aria}] */
export async function quickInputRows(page) {
  return page.$$eval(`${QUICK_INPUT} .monaco-list-row`, (rows) =>
    rows.map((r) => ({
      label: (r.querySelector('.quick-input-list-label .label-name, .label-name')?.textContent || '').trim(),
      description: (r.querySelector('.label-description')?.textContent || '').trim(),
      aria: r.getAttribute('aria-label') || '',
      focused: r.classList.contains('focused'),
    })),
  );
}

/** Opens the quick input with F1 and sets its text (">" is the command palette, no prefix is
 *  quick open of files, ":" is go to line). */
export async function openQuickInput(page, text) {
  if (await quickInputVisible(page)) {
    await page.keyboard.press('Escape');
    await waitFor(async () => !(await quickInputVisible(page)), { timeout: 5000, what: 'quick input to close' });
  }
  await focusWorkbench(page);
  await page.keyboard.press('F1');
  await page.waitForSelector(QUICK_INPUT_BOX, { state: 'visible' });
  const box = page.locator(QUICK_INPUT_BOX);
  await box.fill(text);
  return box;
}

async function focusWorkbench(page) {
  // F1 pressed in the terminal makes VS Code toast "Some keybindings don't go to the terminal
  // by default..." (once per browser profile): take the focus out of the terminal first
  await page.evaluate(() => {
    const a = document.activeElement;
    if (a && a.closest('.terminal-wrapper, .xterm')) a.blur();
  });
  // keyboard events go to the focused element: make sure it is inside the workbench
  const inside = await page.evaluate(() => !!document.activeElement?.closest('.monaco-workbench'));
  if (!inside) {
    const editor = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
    if (await editor.count()) await editor.click();
    else await page.locator('.part.statusbar').click({ position: { x: 5, y: 5 } });
  }
}

/** Runs a command by its title through the command palette (F1), choosing the row whose label
 *  is exactly `title` (or, with {exact:false}, the first row containing it). The palette lists
 *  the commands known when it opens (an extension's come once its host has started): it is
 *  closed and opened again until the row shows or `timeout` passes. */
export async function runCommand(page, title, { exact = true, timeout = 20000 } = {}) {
  const norm = (s) => s.replace(/\s+/g, ' ').trim().toLowerCase();
  const want = norm(title);
  let rows = [];
  const end = Date.now() + timeout;
  for (let attempt = 0; ; attempt++) {
    await openQuickInput(page, `>${title}`);
    const idx = await waitFor(
      async () => {
        rows = await quickInputRows(page);
        const i = rows.findIndex((r) => (exact ? norm(r.label) === want : norm(r.label).includes(want)));
        return i >= 0 ? i + 1 : 0;
      },
      { timeout: Math.max(500, Math.min(3000 + attempt * 1000, end - Date.now())), what: 'the row' },
    ).catch(() => 0);
    if (idx) {
      await page.locator(`${QUICK_INPUT} .monaco-list-row`).nth(idx - 1).click();
      await waitFor(async () => !(await quickInputVisible(page)), { timeout: 5000, what: 'command palette to close' })
        .catch(() => {});
      return;
    }
    await page.keyboard.press('Escape');
    if (Date.now() >= end) {
      throw new Error(
        `command "${title}" not in the command palette after ${timeout} ms; rows: ${rows.map((r) => r.label).join(' | ')}`,
      );
    }
  }
}

/** Names the explorer shows now (its tree is virtual: the rows in view). */
export async function explorerItems(page) {
  return page.$$eval('.explorer-folders-view .monaco-list-row', (rows) =>
    rows.map((r) => (r.querySelector('.label-name')?.textContent || '').trim()).filter(Boolean),
  );
}

/** Label of the active editor tab. */
export async function activeTabLabel(page) {
  return page.evaluate(() => {
    const t = document.querySelector('.editor-group-container.active .tab.active .label-name')
      || document.querySelector('.editor-group-container.active .title-label .label-name');
    return t ? t.textContent.trim() : '';
  });
}

/** Opens a workspace file through quick open (F1, no ">" prefix, the path typed, its row
 *  clicked: label = the file name, description = its folder relative to the workspace). */
export async function openFile(page, relativePath, { timeout = 30000 } = {}) {
  const rel = relativePath.replace(/\\/g, '/').replace(/^\.\//, '');
  const base = path.posix.basename(rel);
  const dir = path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel);
  await openQuickInput(page, rel);
  const idx = await waitFor(
    async () => {
      const rows = await quickInputRows(page);
      const named = rows.map((r, i) => ({ ...r, i })).filter((r) => r.label === base);
      const row = named.find((r) => r.description === dir)
        || named.find((r) => dir && r.description.endsWith(dir))
        || (named.length === 1 && !dir ? named[0] : null);
      return row ? row.i + 1 : 0;
    },
    { timeout, what: `"${rel}" in quick open` },
  );
  await page.locator(`${QUICK_INPUT} .monaco-list-row`).nth(idx - 1).click();
  await waitFor(async () => (await activeTabLabel(page)) === base, { timeout, what: `editor tab "${base}"` });
  await page.waitForSelector('.editor-group-container.active .monaco-editor .view-lines .view-line');
}

/** The status bar's language mode text for the active editor ("JSON", "TypeScript", ...).
 *  With `expect`, waits (up to `timeout`) for that text and returns what shows then. */
export async function languageOfActiveEditor(page, { expect, timeout = 15000 } = {}) {
  const read = () =>
    page.evaluate(() => (document.querySelector('#status\\.editor\\.mode')?.textContent || '').trim());
  let last = '';
  await waitFor(
    async () => {
      last = await read();
      return expect ? last === expect : !!last;
    },
    { timeout, what: 'the language mode in the status bar' },
  ).catch((e) => {
    if (!expect) throw e;
  });
  return last;
}

/** Distinct computed colours of the text spans in the active editor's visible lines. Spans
 *  coloured by bracket-pair colourization (class bracket-highlighting-N) are left out unless
 *  {brackets: true}: they are coloured even when no grammar tokenized the text. */
export async function tokenColors(page, { brackets = false } = {}) {
  return page.evaluate((brackets) => {
    const root = document.querySelector('.editor-group-container.active .monaco-editor .view-lines');
    if (!root) return [];
    const colours = new Set();
    for (const span of root.querySelectorAll('.view-line span span')) {
      if (!span.textContent.trim()) continue;
      if (!brackets && /\bbracket-highlighting-\d/.test(span.className)) continue;
      colours.add(getComputedStyle(span).color);
    }
    return [...colours];
  }, brackets);
}

/** Polls tokenColors until at least `min` colours show (TextMate tokenizes in a worker). */
export async function waitForTokenColors(page, min = 3, { timeout = 20000 } = {}) {
  return waitFor(async () => {
    const c = await tokenColors(page);
    return c.length >= min ? c : null;
  }, { timeout, what: `${min} token colours` });
}

/** Opens the Problems panel (unless it shows) and returns its marker rows:
 *  [{severity: 'error'|'warning'|'info', message, source, code, location: '[Ln 3, Col 17]',
 *  aria, file}]. The tree is virtual: only rows in view (about 30 at 900 px) are in the DOM. */
export async function problems(page, { open = true } = {}) {
  const shown = await page.evaluate(() => {
    const m = document.querySelector('.markers-panel');
    return !!m && m.getClientRects().length > 0;
  });
  if (open && !shown) {
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)').catch(async () => {
      await page.keyboard.press('Control+Shift+M');
    });
  }
  await page.waitForSelector('.markers-panel', { state: 'visible' });
  return page.$$eval('.markers-panel .monaco-list-row', (rows) => {
    let current = '';
    return rows
      .sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index))
      .map((r) => {
        const msg = r.querySelector('.marker-message');
        if (!msg) {
          const f = r.querySelector('.monaco-icon-label .label-name');
          if (f) current = f.textContent.trim();
        }
        if (msg) {
          const icon = r.querySelector('.marker-icon');
          const sev = icon ? [...icon.classList].find((c) => /^(error|warning|info)$/.test(c)) : '';
          return {
            kind: 'marker',
            severity: sev || '',
            message: msg.textContent.trim(),
            source: (r.querySelector('.marker-source')?.textContent || '').trim(),
            code: (r.querySelector('.marker-code')?.textContent || '').trim(),
            location: (r.querySelector('.marker-line')?.textContent || '').trim(),
            aria: r.getAttribute('aria-label') || '',
            file: current,
          };
        }
        return { kind: 'file' };
      })
      .filter((r) => r.kind === 'marker')
      .map(({ kind, ...r }) => r);
  });
}

/** Moves the cursor to line:column (1-based) with "Go to Line/Column" (quick input ":"). */
export async function goToLine(page, line, column = 1) {
  await openQuickInput(page, `:${line}:${column}`);
  await page.keyboard.press('Enter');
  await waitFor(async () => !(await quickInputVisible(page)), { timeout: 5000, what: 'go to line to close' });
  await waitFor(
    () =>
      page.evaluate(() => document.querySelector('#status\\.editor\\.selection')?.textContent || ''),
    { timeout: 5000, what: 'the cursor position in the status bar' },
  );
}

/** The text of the visible hover widget, or '' */
export async function hoverText(page) {
  return page.evaluate(() => {
    const hovers = [...document.querySelectorAll('.monaco-hover')].filter(
      (h) => !h.classList.contains('hidden') && h.getBoundingClientRect().height > 0 && getComputedStyle(h).visibility !== 'hidden',
    );
    return hovers.map((h) => h.innerText.trim()).filter(Boolean).join('\n');
  });
}

/** Hides a hover that shows: moves the mouse off the editor (to the activity bar), then
 *  Escape if it is still up. */
export async function hideHover(page) {
  if (!(await hoverText(page))) return;
  const bar = await page.locator('.part.activitybar').boundingBox().catch(() => null);
  await page.mouse.move(bar ? bar.x + bar.width / 2 : 2, bar ? bar.y + bar.height - 5 : 450);
  const gone = await waitFor(async () => !(await hoverText(page)), { timeout: 1500, what: 'the hover to hide' })
    .catch(() => false);
  if (!gone) {
    await page.keyboard.press('Escape');
    await waitFor(async () => !(await hoverText(page)), { timeout: 3000, what: 'the hover to hide' }).catch(() => {});
  }
}

/** Box of `text` (its `occurrence`-th appearance) in the active editor's visible lines. */
export async function textBox(page, text, occurrence = 1) {
  return page.evaluate(
    ({ text, occurrence }) => {
      const root = document.querySelector('.editor-group-container.active .monaco-editor .view-lines');
      if (!root) return null;
      const lines = [...root.querySelectorAll('.view-line')].sort(
        (a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top,
      );
      let seen = 0;
      for (const line of lines) {
        const content = line.textContent.replace(/\u00a0/g, ' ');
        let from = 0;
        for (;;) {
          const at = content.indexOf(text, from);
          if (at < 0) break;
          seen++;
          if (seen === occurrence) {
            // map the character offset to text nodes
            const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
            let off = 0;
            let startNode, startOff, endNode, endOff;
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
              const len = n.textContent.length;
              if (!startNode && at < off + len) {
                startNode = n;
                startOff = at - off;
              }
              if (startNode && at + text.length <= off + len) {
                endNode = n;
                endOff = at + text.length - off;
                break;
              }
              off += len;
            }
            const range = document.createRange();
            range.setStart(startNode, startOff);
            range.setEnd(endNode, endOff);
            const r = range.getBoundingClientRect();
            return { x: r.left, y: r.top, width: r.width, height: r.height };
          }
          from = at + 1;
        }
      }
      return null;
    },
    { text, occurrence },
  );
}

/**
 * Shows the hover at a place of the active editor and returns its text.
 *   hoverAt(page, 'identifier')        mouse over the first visible occurrence of the text
 *   hoverAt(page, {text, occurrence})  the same, n-th occurrence
 *   hoverAt(page, {line, column})      cursor there, then "Show or Focus Hover"
 * Waits until the hover shows text other than "Loading...".
 */
export async function hoverAt(page, where, { timeout = 20000 } = {}) {
  if (typeof where === 'string') where = { text: where };
  // language servers may answer "Loading..." / "(loading...)" first: wait for the real text
  let lastSeen = '';
  const ready = async () => {
    const t = await hoverText(page);
    if (t) lastSeen = t;
    return t && !/\bloading\.\.\./i.test(t) ? t : '';
  };
  const fail = (e) => {
    throw new Error(`${e.message}; the hover showed last: ${JSON.stringify(lastSeen)}`);
  };
  if (where.text) {
    const box = await waitFor(() => textBox(page, where.text, where.occurrence || 1), {
      timeout: 5000,
      what: `"${where.text}" in the editor`,
    });
    const x = box.x + Math.min(box.width / 2, 4);
    const y = box.y + box.height / 2;
    // the hover comes when the mouse moves onto the token; a hover that stays up keeps its
    // first answer, so each try hides it first
    return waitFor(
      async () => {
        await hideHover(page);
        await page.mouse.move(x - 20, y, { steps: 2 });
        await page.mouse.move(x, y, { steps: 3 });
        return waitFor(ready, { timeout: 3000, what: 'hover' }).catch(() => '');
      },
      { timeout, what: `a hover over "${where.text}"` },
    ).catch(fail);
  }
  await goToLine(page, where.line, where.column || 1);
  return waitFor(
    async () => {
      await hideHover(page);
      await runCommand(page, 'Show or Focus Hover');
      return waitFor(ready, { timeout: 4000, what: 'hover' }).catch(() => '');
    },
    { timeout, what: `a hover at ${where.line}:${where.column}` },
  ).catch(fail);
}

/** Rows the visible suggest widget renders now (the list is virtual: only the rows in view
 *  and a few more are in the DOM): [{index, label, detail, aria, focused, total}] */
export async function suggestions(page) {
  return page.evaluate(() => {
    const w = document.querySelector('.editor-widget.suggest-widget.visible');
    const shown = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
    if (!w || !shown(w)) return [];
    return [...w.querySelectorAll('.monaco-list-row')].map((r) => ({
      index: Number(r.dataset.index),
      label: (r.querySelector('.label-name')?.textContent || '').trim(),
      detail: (r.querySelector('.details-label')?.textContent || '').trim(),
      aria: r.getAttribute('aria-label') || '',
      focused: r.classList.contains('focused'),
      total: Number(r.getAttribute('aria-setsize') || 0),
    })).sort((a, b) => a.index - b.index);
  });
}

/** All rows of the visible suggest widget: scrolls its list with the mouse wheel (which moves
 *  neither the selection nor the cursor) until every row was seen, then back to the top. */
export async function allSuggestions(page) {
  const seen = new Map();
  const add = (rows) => rows.forEach((r) => seen.set(r.index, r));
  let rows = await suggestions(page);
  add(rows);
  const total = rows[0]?.total || 0;
  const list = page.locator('.editor-widget.suggest-widget.visible .monaco-list').first();
  const box = total > seen.size ? await list.boundingBox() : null;
  if (box) {
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 200 && seen.size < total; i++) {
      const before = seen.size;
      await page.mouse.wheel(0, box.height * 0.8);
      await sleep(60);
      add(await suggestions(page));
      if (seen.size === before && i > 3) break;
    }
    await page.mouse.wheel(0, -100000);
  }
  return [...seen.values()].sort((a, b) => a.index - b.index);
}

/**
 * Types `type` at a place of the active editor and returns the suggest widget's rows once it
 * shows (Ctrl+Space if it does not come by itself). The rows are all of the list's rows
 * (allSuggestions), not only those in view.
 *   at: {line, column} | 'end' (Ctrl+End) | undefined (where the cursor is)
 *   expect: wait until a row with this label is there (the list fills asynchronously)
 */
export async function triggerCompletion(page, { at, type = '', expect, timeout = 20000 } = {}) {
  if (at === 'end') {
    await focusEditor(page);
    await page.keyboard.press('Control+End');
  } else if (at) {
    await goToLine(page, at.line, at.column || 1);
  } else {
    await focusEditor(page);
  }
  if (type) await page.keyboard.type(type, { delay: 30 });
  const ok = async () => {
    if (!(await suggestions(page)).length) return null;
    // the widget may show "Loading..." first, and fill in more rows as providers answer
    if (await page.$('.editor-widget.suggest-widget.visible.message')) return null;
    const rows = await allSuggestions(page);
    if (!rows.length) return null;
    if (expect && !rows.some((r) => r.label === expect)) return null;
    return rows;
  };
  const rows = await waitFor(ok, { timeout: 4000, what: 'suggestions' }).catch(() => null);
  if (rows) return rows;
  return waitFor(
    async () => {
      if (!(await suggestions(page)).length) await page.keyboard.press('Control+Space');
      return waitFor(ok, { timeout: 3000, what: 'suggestions' }).catch(() => null);
    },
    { timeout, what: `the suggest widget${expect ? ` with "${expect}"` : ''}` },
  );
}

async function focusEditor(page) {
  const focused = await page.evaluate(
    () => !!document.activeElement?.closest('.editor-group-container.active .monaco-editor'),
  );
  if (!focused) {
    await runCommand(page, 'View: Focus Active Editor Group');
  }
}

/** Text of the active (or only) integrated terminal, rows joined by "\n". Needs the DOM
 *  renderer: DEFAULT_SETTINGS sets terminal.integrated.gpuAcceleration "off". */
export async function terminalText(page) {
  return page.evaluate(() => {
    const terms = [...document.querySelectorAll('.terminal-wrapper')];
    const shown = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
    const term = terms.find((t) => t.classList.contains('active') && shown(t))
      || terms.find(shown)
      || terms[0];
    if (!term) return '';
    const rows = term.querySelector('.xterm-rows');
    if (rows) return [...rows.children].map((r) => r.textContent.replace(/\u00a0/g, ' ').trimEnd()).join('\n').trimEnd();
    const a11y = term.querySelector('.xterm-accessibility-tree');
    return a11y ? a11y.innerText : '';
  });
}

/** Waits until the terminal shows `text` (string or RegExp); returns the terminal text. */
export async function waitForTerminalText(page, text, { timeout = 20000 } = {}) {
  return waitFor(async () => {
    const t = await terminalText(page);
    return (typeof text === 'string' ? t.includes(text) : text.test(t)) ? t : null;
  }, { timeout, what: `terminal text ${text}` });
}

/** Waits until the terminal's last non-empty line looks like a shell prompt (ends with $, #,
 *  > or %) and has stayed so for a moment; returns the terminal text. */
export async function waitForTerminalPrompt(page, { prompt = /[$#>%]\s*$/, timeout = 30000 } = {}) {
  let last = null;
  return waitFor(async () => {
    const text = await terminalText(page);
    const lines = text.split('\n').filter((l) => l.trim());
    const ready = lines.length && prompt.test(lines[lines.length - 1]);
    const stable = ready && text === last;
    last = text;
    return stable ? text : null;
  }, { timeout, interval: 250, what: 'a shell prompt in the terminal' });
}

/** Texts of the notification toasts that show now. */
export async function notifications(page) {
  return page.$$eval('.notifications-toasts .notification-toast', (toasts) =>
    toasts
      .filter((e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')
      .map((t) => (t.querySelector('.notification-list-item-message')?.textContent || t.textContent).trim()),
  );
}

/** Closes every notification toast (the "Notifications: Clear All Notifications" command). */
export async function clearNotifications(page) {
  await runCommand(page, 'Notifications: Clear All Notifications');
}

/**
 * The playwright Frame of a webview's content. Webviews are iframes two deep: an outer
 * `iframe.webview` (the host, positioned over the editor or view), and its inner `#active-frame`
 * holding the extension's HTML.
 *   titleOrIndex: a string: the editor tab with this label is activated first, then the visible
 *                 webview is taken; a number: the n-th (0-based) visible webview.
 */
export async function webviewFrame(page, titleOrIndex = 0, { timeout = 30000 } = {}) {
  if (typeof titleOrIndex === 'string') {
    const tab = page.locator('.tabs-container .tab', { hasText: titleOrIndex }).first();
    await tab.waitFor({ timeout });
    await tab.click();
  }
  const index = typeof titleOrIndex === 'number' ? titleOrIndex : 0;
  return waitFor(
    async () => {
      const handles = await page.$$('iframe.webview');
      const visible = [];
      for (const h of handles) {
        const ok = await h.evaluate((el) => {
          const r = el.getBoundingClientRect();
          const st = getComputedStyle(el);
          const parent = el.parentElement && getComputedStyle(el.parentElement);
          return r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && (!parent || parent.visibility !== 'hidden');
        });
        if (ok) visible.push(h);
      }
      const outer = visible[index];
      if (!outer) return null;
      const outerFrame = await outer.contentFrame();
      if (!outerFrame) return null;
      const inner = await outerFrame.$('#active-frame');
      if (!inner) return null;
      const frame = await inner.contentFrame();
      if (!frame) return null;
      const ready = await frame.evaluate(() => document.readyState === 'complete' && !!document.body).catch(() => false);
      return ready ? frame : null;
    },
    { timeout, what: `webview ${JSON.stringify(titleOrIndex)}` },
  );
}

/** Saves a screenshot to target/vscode-screenshots/NAME.png; returns its path. */
export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file });
  return file;
}

// ---------------------------------------------------------------------------------------------
// one session: server + browser, always ended

/**
 * Starts code-server (options as startCodeServer) and the browser, runs `fn({page, server})`,
 * and always ends both. On a failure it saves `<name>-failure.png` first and adds the
 * code-server log's tail to the error.
 */
export async function withVSCode(options, fn) {
  const name = options.name || 'session';
  const server = await startCodeServer(options);
  let page;
  try {
    page = await openBrowser(server.url, options);
    return await fn({ page, server });
  } catch (e) {
    if (page) {
      const shot = await screenshot(page, `${name}-failure`).catch(() => null);
      if (shot) e.message += `\n(screenshot: ${shot})`;
    }
    e.message += `\n--- code-server log (tail) ---\n${server.logText().split('\n').slice(-30).join('\n')}`;
    throw e;
  } finally {
    if (page) await closeBrowser(page);
    await server.stop();
  }
}

/**
 * A tiny step runner for scripts: `const t = steps(page)`; `await t.step('name', async () => {})`
 * takes a screenshot after each step (`<prefix>-<n>-<name>.png`, also on failure) and counts
 * passes and failures; `t.summary()` prints "N passed, M failed".
 */
export function steps(getPage, { prefix = 'step', stopOnFailure = false } = {}) {
  let passed = 0;
  let failed = 0;
  let n = 0;
  return {
    async step(name, fn) {
      n++;
      const t0 = Date.now();
      const shotName = `${prefix}-${String(n).padStart(2, '0')}-${name}`;
      try {
        await fn();
        passed++;
        console.log(`ok   ${name} (${Date.now() - t0} ms)`);
      } catch (e) {
        failed++;
        console.log(`FAIL ${name} (${Date.now() - t0} ms): ${e.stack || e.message}`);
        if (stopOnFailure) throw e;
      } finally {
        const page = typeof getPage === 'function' ? getPage() : getPage;
        if (page) await screenshot(page, shotName).catch(() => {});
      }
    },
    get passed() {
      return passed;
    },
    get failed() {
      return failed;
    },
    /** counts a failure outside any step (e.g. the session could not start) */
    fail(name, e) {
      failed++;
      console.log(`FAIL ${name}: ${e?.stack || e}`);
    },
    summary() {
      console.log(`${passed} passed, ${failed} failed`);
      return failed === 0;
    },
  };
}
