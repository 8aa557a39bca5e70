// The flowscript extension in real VS Code: installs the packaged .vsix (argv[2]) into
// code-server, opens a copy of workspace/ in headless Chromium and checks, each from what the
// page shows, every feature a user gets. Screenshots of each step go to
// target/vscode-screenshots/. Prints "N passed, M failed"; exits 1 on a failure.
//
//   node extension.mjs ../../editors/vscode/flowscript-linux-x64-0.1.0.vsix
//
// Session 1 (the bundled server): language, colours, the typo'd option in Problems, option-key
// completion, constructor hover, the fix clearing the problem, the graph preview (every node
// drawn, stale while broken, click to jump), "▶ Run" from the code lens and Run with input in
// the terminal. Session 2: the same .vsix with its binary removed and no flowscript on PATH:
// the extension says so and highlighting still works; then `flowscript.server.path` set to the
// binary starts the server (diagnostics appear), and "Restart language server" brings it back.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  clearNotifications,
  hoverAt,
  languageOfActiveEditor,
  notifications,
  goToLine,
  openFile,
  problems,
  quickInputRows,
  runCommand,
  screenshot,
  sleep,
  steps,
  triggerCompletion,
  waitFor,
  waitForTerminalText,
  waitForTokenColors,
  webviewFrame,
  withVSCode,
} from './harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const vsix = path.resolve(process.argv[2] || '');
if (!process.argv[2] || !fs.existsSync(vsix)) {
  console.error(`usage: node extension.mjs FILE.vsix (not found: ${vsix})`);
  process.exit(2);
}

const FILE = 'triage.flow.rhai';
const NODES = ['next', 'triage', 'file_bug', 'answer', 'drop_spam', 'report', 'support'];

/** A fresh copy of the workspace (the test edits and saves the file). */
function workspace() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsws-'));
  fs.cpSync(path.join(HERE, 'workspace'), dir, { recursive: true });
  return dir;
}

/** The computed colour of the first visible token span whose text is `text` (or, with
 *  `{part: true}`, contains it). */
async function colourOf(page, text, { part = false } = {}) {
  return page.evaluate(
    ({ text, part }) => {
      const root = document.querySelector('.editor-group-container.active .monaco-editor .view-lines');
      const lines = [...(root?.querySelectorAll('.view-line') ?? [])].sort(
        (a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top,
      );
      for (const line of lines) {
        for (const span of line.querySelectorAll('span span')) {
          const t = span.textContent.replace(/\u00a0/g, ' ');
          if (part ? t.includes(text) : t === text) return getComputedStyle(span).color;
        }
      }
      return null;
    },
    { text, part },
  );
}

/** The 1-based line of the workspace file's first line containing `text`. */
function lineOf(ws, text) {
  const lines = fs.readFileSync(path.join(ws, FILE), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`"${text}" is not in ${FILE}`);
  return { line: i + 1, column: lines[i].indexOf(text) + 1 };
}

/** Focus the editor of the flow file (the first group; the preview is beside it). */
async function focusFileEditor(page) {
  await runCommand(page, 'View: Focus First Editor Group');
}

/** Hide the panel (Problems, Terminal) so the editor shows more lines. */
async function hidePanel(page) {
  const shown = await page.evaluate(() => {
    const panel = document.querySelector('.monaco-workbench .part.panel');
    return !!panel && panel.getClientRects().length > 0 && getComputedStyle(panel).visibility !== 'hidden';
  });
  if (shown) await runCommand(page, 'View: Hide Panel');
}

/** "Ln 12, Col 5" of the status bar as [12, 5]. */
async function cursor(page) {
  const text = await page.evaluate(() => document.querySelector('#status\\.editor\\.selection')?.textContent || '');
  const m = /Ln (\d+), Col (\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : null;
}


/** The lenses shown in the editor: [{text, top}]. */
async function lenses(page) {
  return page.$$eval('.editor-group-container.active .codelens-decoration a', (links) =>
    links.map((a) => ({ text: a.textContent.trim(), top: a.getBoundingClientRect().top })),
  );
}

/** The preview's state: the drawn SVG's texts, whether it is marked stale, its status line. */
async function previewState(frame) {
  return frame.evaluate(() => {
    const svg = document.querySelector('#graph svg');
    const labels = svg ? [...svg.querySelectorAll('.nodeLabel, .cluster-label, text')].map((e) => e.textContent.trim()) : [];
    return {
      svg: !!svg,
      labels,
      stale: document.body.classList.contains('stale'),
      staleShown: getComputedStyle(document.getElementById('stale')).display !== 'none',
      status: document.getElementById('status')?.textContent || '',
      rendered: Number(document.body.dataset.rendered || 0),
      error: document.getElementById('error')?.textContent || '',
    };
  });
}

const t = steps(() => current, { prefix: 'vscode' });
let current;

async function withBundledServer() {
  const ws = workspace();
  await withVSCode(
    {
      name: 'vscode-bundled',
      extensions: [vsix],
      workspace: ws,
      settings: {
        'terminal.integrated.defaultProfile.linux': 'bash',
        'flowscript.graph.debounce': 100,
      },
    },
    async ({ page }) => {
      current = page;

      await t.step('language-is-flowscript', async () => {
        await openFile(page, FILE);
        const lang = await languageOfActiveEditor(page);
        if (lang !== 'flowscript') throw new Error(`language mode shows "${lang}"`);
      });

      await t.step('tokens-are-coloured', async () => {
        await waitForTokenColors(page, 4);
        const kinds = {
          keyword: await colourOf(page, 'let'),
          constructor: await colourOf(page, 'node'),
          string: await colourOf(page, 'crash', { part: true }),
          comment: await colourOf(page, 'Takes the next ticket', { part: true }),
          node_name: await colourOf(page, 'next'),
          hook: await colourOf(page, 'post'),
        };
        const distinct = new Set(Object.values(kinds).filter(Boolean));
        if (distinct.size < 4) throw new Error(`too few distinct colours: ${JSON.stringify(kinds)}`);
        if (kinds.constructor === kinds.keyword || kinds.constructor === kinds.string) {
          throw new Error(`constructors are not told apart: ${JSON.stringify(kinds)}`);
        }
      });

      await t.step('problems-list-the-typo', async () => {
        await hidePanel(page).catch(() => {});
        const rows = await waitFor(
          async () => {
            const rows = await problems(page);
            return rows.some((r) => r.message.includes('unknown option `retires` for node()')) ? rows : null;
          },
          { timeout: 30000, what: 'the unknown option in the Problems panel' },
        );
        const row = rows.find((r) => r.message.includes('retires'));
        if (row.severity !== 'error') throw new Error(`severity ${row.severity}: ${JSON.stringify(row)}`);
        const at = lineOf(ws, 'retires: 2');
        if (row.location !== `[Ln ${at.line}, Col ${at.column}]`) throw new Error(`at ${row.location}, expected ${JSON.stringify(at)}`);
        await screenshot(page, 'vscode-problems');
        await hidePanel(page);
      });

      await t.step('option-keys-complete', async () => {
        // A new line inside triage's option map.
        const at = lineOf(ws, 'retires: 2,');
        await goToLine(page, at.line, 200);
        await page.keyboard.press('End');
        await page.keyboard.press('Enter');
        const rows = await triggerCompletion(page, { type: 'tim', expect: 'timeout' });
        const labels = rows.map((r) => r.label);
        if (!labels.includes('timeout') || labels.includes('concurrency')) throw new Error(`suggestions: ${labels.join(', ')}`);
        await screenshot(page, 'vscode-completion');
        await page.keyboard.press('Escape');
        // Take the new line back out.
        await page.keyboard.press('Shift+Home');
        await page.keyboard.press('Shift+Home');
        await page.keyboard.press('Backspace');
        await page.keyboard.press('Backspace');
        const back = await page.evaluate(() => document.querySelector('.editor-group-container.active .view-lines')?.textContent || '');
        if (back.includes('tim\u00a0') || /\btim\b/.test(back)) throw new Error('the typed text is still there');
      });

      await t.step('constructor-hover', async () => {
        await goToLine(page, lineOf(ws, 'let next = node').line);
        const text = await hoverAt(page, { text: 'node', occurrence: 1 });
        if (!/node\(name: String, opts\?: Map\)/.test(text)) throw new Error(`hover: ${text}`);
      });

      await t.step('fixing-the-typo-clears-the-problem', async () => {
        const at = lineOf(ws, 'retires: 2');
        await goToLine(page, at.line, at.column);
        await page.keyboard.press('Control+Shift+ArrowRight');
        await page.keyboard.type('retries');
        await runCommand(page, 'File: Save');
        await waitFor(() => fs.readFileSync(path.join(ws, FILE), 'utf8').includes('retries: 2,'), {
          timeout: 10000,
          what: 'the file to be saved',
        });
        await waitFor(
          async () => !(await problems(page)).some((r) => r.message.includes('retires')),
          { timeout: 30000, what: 'the problem to go away' },
        );
        await hidePanel(page);
      });

      let frame;
      await t.step('graph-preview-draws-every-node', async () => {
        await openFile(page, FILE);
        // The button in the editor's title bar.
        const button = page.locator('.editor-group-container.active .editor-actions .action-label[aria-label="Show graph"]');
        await button.waitFor({ timeout: 15000 });
        await button.click();
        frame = await webviewFrame(page, 0, { timeout: 30000 });
        const state = await waitFor(
          async () => {
            const s = await previewState(frame);
            return s.svg && NODES.every((n) => s.labels.some((l) => l.includes(n))) ? s : null;
          },
          { timeout: 30000, what: 'an SVG naming every node' },
        );
        if (state.stale) throw new Error('a graph of a good file is marked stale');
        await screenshot(page, 'vscode-graph');
      });

      await t.step('graph-preview-keeps-the-last-graph-marked-stale', async () => {
        await focusFileEditor(page);
        await page.keyboard.press('Control+End');
        await page.keyboard.type('\nlet broken = ;');
        const state = await waitFor(
          async () => {
            const s = await previewState(frame);
            return s.stale && s.staleShown ? s : null;
          },
          { timeout: 20000, what: 'the preview to be marked stale' },
        );
        if (!NODES.every((n) => state.labels.some((l) => l.includes(n)))) {
          throw new Error(`the stale preview lost nodes: ${state.labels.join(', ')}`);
        }
        await screenshot(page, 'vscode-graph-stale');
        // Take the broken line back out.
        await page.keyboard.press('Shift+Home');
        await page.keyboard.press('Shift+Home');
        await page.keyboard.press('Backspace');
        await page.keyboard.press('Backspace');
        await waitFor(async () => !(await previewState(frame)).stale, { timeout: 20000, what: 'the preview to be fresh again' });
      });

      await t.step('clicking-a-node-jumps-to-it', async () => {
        // Away from the node first, so the jump is seen.
        await focusFileEditor(page);
        await page.keyboard.press('Control+Home');
        const node = frame.locator('#graph svg g.node', { hasText: /^\s*answer\s*$/ }).first();
        await node.waitFor({ timeout: 10000 });
        await node.click();
        const { line, column: col } = lineOf(ws, 'node("answer"');
        const at = await waitFor(
          async () => {
            const c = await cursor(page);
            return c && c[0] === line ? c : null;
          },
          { timeout: 10000, what: `the cursor on line ${line}` },
        );
        if (at[1] !== col && at[1] !== col + 4) throw new Error(`cursor at ${at}, expected line ${line} col ${col}`);
      });

      await t.step('run-from-the-code-lens', async () => {
        await focusFileEditor(page);
        // The entry flow is at the end of the file: bring it into view.
        await page.keyboard.press('Control+End');
        const lens = await waitFor(
          async () => (await lenses(page)).find((l) => l.text === '▶ Run'),
          { timeout: 30000, what: 'the "▶ Run" code lens' },
        );
        const both = (await lenses(page)).map((l) => l.text);
        if (!both.includes('Graph')) throw new Error(`lenses: ${both.join(', ')}`);
        await page.locator('.editor-group-container.active .codelens-decoration a', { hasText: '▶ Run' }).click();
        const out = await waitForTerminalText(page, '"summary": "triaged: 1 bugs, 1 answers, 1 spam"', { timeout: 30000 });
        const line = out.replace(/\n/g, '');
        if (!line.includes('flowscript') || !line.includes('run triage.flow.rhai')) {
          throw new Error(`the terminal does not show the command: ${out}`);
        }
        await screenshot(page, 'vscode-run');
      });

      await t.step('run-with-input', async () => {
        await focusFileEditor(page);
        await runCommand(page, 'flowscript: Run with input…');
        // code-server's file dialog is a quick input holding a path.
        const box = page.locator('.quick-input-widget .quick-input-box input');
        await box.waitFor({ state: 'visible' });
        // The dialog fills in its folder first; type the file's path after that.
        await waitFor(async () => (await box.inputValue()).endsWith('/'), { timeout: 10000, what: 'the dialog to show its folder' });
        await waitFor(async () => (await quickInputRows(page)).some((r) => r.label === 'input.json'), {
          timeout: 10000,
          what: 'input.json in the dialog',
        });
        await box.fill(path.join(ws, 'input.json'));
        await waitFor(async () => (await box.inputValue()) === path.join(ws, 'input.json'), { timeout: 5000, what: 'the path typed' });
        await sleep(300);
        await page.keyboard.press('Enter');
        const out = await waitForTerminalText(page, '"summary": "triaged: 1 bugs, 1 answers, 0 spam"', { timeout: 30000 });
        // Long command lines wrap over rows.
        if (!out.replace(/\n/g, '').includes('--input')) throw new Error(`no --input in the terminal: ${out}`);
      });

      await t.step('overview', async () => {
        await focusFileEditor(page);
        await page.keyboard.press('Control+Home');
        await screenshot(page, 'vscode-overview');
      });
    },
  );
}

/** The .vsix unpacked, its bundled binary moved out of the extension: [extension, binary]. */
function unpackedWithoutBinary() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsvsix-'));
  const r = spawnSync('python3', ['-m', 'zipfile', '-e', vsix, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`unpacking ${vsix}: ${r.stderr}`);
  const ext = path.join(dir, 'extension');
  const binary = path.join(dir, 'flowscript');
  fs.renameSync(path.join(ext, 'server', 'flowscript'), binary);
  fs.chmodSync(binary, 0o755);
  fs.rmSync(path.join(ext, 'server'), { recursive: true, force: true });
  return [ext, binary];
}

async function withoutServer() {
  const ws = workspace();
  const [extension, binary] = unpackedWithoutBinary();
  await withVSCode(
    {
      name: 'vscode-no-server',
      extensions: [extension],
      workspace: ws,
      // No flowscript anywhere on PATH (code-server itself runs on process.execPath).
      env: { PATH: '/usr/bin:/bin' },
    },
    async ({ page, server }) => {
      current = page;
      await t.step('no-server-says-so', async () => {
        await openFile(page, FILE);
        const shown = await waitFor(
          async () => (await notifications(page)).find((n) => n.includes('No flowscript binary found')),
          { timeout: 30000, what: 'the "no server" notification' },
        );
        if (!shown.includes('flowscript.server.path')) throw new Error(`message: ${shown}`);
        const lang = await languageOfActiveEditor(page);
        if (lang !== 'flowscript') throw new Error(`language mode shows "${lang}"`);
        await waitForTokenColors(page, 4);
        await screenshot(page, 'vscode-no-server');
        await clearNotifications(page);
      });

      await t.step('server-path-setting-starts-the-server', async () => {
        // The user points the setting at a binary in the Settings editor (it is saved in the
        // machine's settings): the extension restarts the client with it.
        await runCommand(page, 'Preferences: Open User Settings');
        const search = page.locator('.settings-editor .settings-header .suggest-input-container textarea, .settings-editor .settings-header input').first();
        await search.waitFor({ timeout: 15000 });
        // A machine setting: in code-server (a remote window) it lives under "Remote".
        await page.locator('.settings-editor .settings-tabs-widget .action-label', { hasText: 'Remote' }).first().click();
        await search.fill('flowscript.server.path');
        const row = page.locator('.settings-editor .setting-item-contents', { hasText: 'binary used for the language server' }).first();
        const input = row.locator('input, textarea').first();
        await input.waitFor({ timeout: 15000 });
        await input.fill(binary);
        await page.keyboard.press('Tab');
        await screenshot(page, 'vscode-server-path-setting');
        await waitFor(
          () => {
            const file = path.join(server.dirs.userData, 'Machine', 'settings.json');
            return fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes(binary);
          },
          { timeout: 10000, what: 'the setting to be saved' },
        );
        // Back to the flow (its tab; the Settings editor keeps the keyboard focus otherwise).
        await page.locator('.tabs-container .tab', { hasText: FILE }).first().click();
        await waitFor(
          async () => (await problems(page)).some((r) => r.message.includes('unknown option `retires` for node()')),
          { timeout: 45000, what: 'diagnostics from the configured server' },
        );
        await hidePanel(page);
        await runCommand(page, 'flowscript: Restart language server');
        await openFile(page, FILE);
        await goToLine(page, lineOf(ws, 'let next = node').line);
        const text = await hoverAt(page, { text: 'node', occurrence: 1 });
        if (!/node\(name: String, opts\?: Map\)/.test(text)) throw new Error(`hover after restart: ${text}`);
      });
    },
  );
}

try {
  await withBundledServer();
} catch (e) {
  t.fail('session-bundled', e);
  console.error(e);
}
try {
  await withoutServer();
} catch (e) {
  t.fail('session-no-server', e);
  console.error(e);
}
process.exit(t.summary() ? 0 : 1);
