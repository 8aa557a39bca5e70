// Checks the harness itself, with no extension of ours: VS Code's built-in JSON, TypeScript and
// Markdown support and the integrated terminal, in code-server driven by headless Chromium.
// Run: node tests/vscode/smoke.mjs   (after tests/vscode/install.sh)
// Prints one line per step, "N passed, M failed" at the end, exits 1 on a failure. Screenshots
// of every step go to target/vscode-screenshots/smoke-NN-STEP.png.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vsc from './harness.mjs';

const t0 = Date.now();
const workspace = vsc.tempDir(); // removed at exit, also on Ctrl+C
fs.writeFileSync(
  path.join(workspace, 'a.json'),
  '{\n  "name": "smoke",\n  "list": [1, 2,, 3]\n  "ok": true\n}\n',
);
fs.writeFileSync(
  path.join(workspace, 'b.ts'),
  [
    'const greeting: string = "hello";',
    'function shout(text: string): string {',
    '  return text.toUpperCase();',
    '}',
    'shout(greeting);',
    '',
  ].join('\n'),
);
fs.writeFileSync(path.join(workspace, 'README.md'), '# Smoke title\n\nA paragraph with *emphasis*.\n');

let page = null;
const t = vsc.steps(() => page, { prefix: 'smoke' });
let ok = false;
try {
  await vsc.withVSCode({ workspace, name: 'smoke' }, async (s) => {
    page = s.page;
    console.log(`workbench up in ${((Date.now() - t0) / 1000).toFixed(1)} s at ${s.server.url}`);

    await t.step('json-language-mode', async () => {
      await vsc.openFile(page, 'a.json');
      assert.equal(await vsc.languageOfActiveEditor(page, { expect: 'JSON' }), 'JSON');
    });

    await t.step('json-token-colours', async () => {
      const colours = await vsc.waitForTokenColors(page, 3);
      console.log(`     colours: ${colours.join(' ')}`);
    });

    await t.step('json-problems', async () => {
      const rows = await vsc.waitFor(
        async () => {
          const p = await vsc.problems(page);
          return p.some((r) => r.source === 'json' && r.severity === 'error' && r.file === 'a.json') ? p : null;
        },
        { timeout: 30000, what: 'a JSON error in the Problems panel' },
      );
      console.log(`     problems: ${rows.map((r) => `${r.file}: ${r.severity} ${r.message} ${r.location}`).join('; ')}`);
      assert.ok(rows.some((r) => /value expected|expected comma/i.test(r.message)));
    });

    await t.step('ts-hover', async () => {
      await vsc.openFile(page, 'b.ts');
      assert.equal(await vsc.languageOfActiveEditor(page, { expect: 'TypeScript' }), 'TypeScript');
      const text = await vsc.hoverAt(page, 'greeting');
      console.log(`     hover: ${JSON.stringify(text)}`);
      assert.match(text, /const greeting: string/);
    });

    await t.step('ts-hover-line-column', async () => {
      await page.keyboard.press('Escape');
      const text = await vsc.hoverAt(page, { line: 2, column: 11 });
      console.log(`     hover: ${JSON.stringify(text)}`);
      assert.match(text, /function shout\(text: string\): string/);
    });

    await t.step('ts-completion', async () => {
      await page.keyboard.press('Escape');
      const rows = await vsc.triggerCompletion(page, { at: 'end', type: 'console.', expect: 'log' });
      console.log(`     ${rows.length} suggestions: ${rows.map((r) => r.label).join(' ')}`);
      assert.ok(rows.some((r) => r.label === 'log'));
      await page.keyboard.press('Escape');
    });

    await t.step('terminal', async () => {
      await vsc.runCommand(page, 'Terminal: Create New Terminal');
      await vsc.waitForTerminalPrompt(page);
      await page.keyboard.type('echo hello-from-terminal');
      await page.keyboard.press('Enter');
      const text = await vsc.waitForTerminalText(page, /^hello-from-terminal$/m);
      console.log(`     terminal: ${JSON.stringify(text.split('\n').filter(Boolean).slice(-3))}`);
    });

    await t.step('markdown-webview', async () => {
      await vsc.openFile(page, 'README.md');
      await vsc.runCommand(page, 'Markdown: Open Preview to the Side');
      const frame = await vsc.webviewFrame(page, 'Preview README.md');
      const heading = await vsc.waitFor(
        () => frame.evaluate(() => document.querySelector('h1')?.textContent?.trim()),
        { what: 'the preview heading' },
      );
      assert.equal(heading, 'Smoke title');
    });

    await t.step('file-watcher', async () => {
      // a file made on disk shows in the explorer: the server's watcher (@parcel/watcher) runs
      fs.writeFileSync(path.join(workspace, 'made-on-disk.txt'), 'x\n');
      await vsc.waitFor(async () => (await vsc.explorerItems(page)).includes('made-on-disk.txt'), {
        what: 'made-on-disk.txt in the explorer',
      });
    });

    await t.step('no-popups', async () => {
      const toasts = await vsc.notifications(page);
      console.log(`     toasts: ${JSON.stringify(toasts)}`);
      assert.deepEqual(toasts, []);
    });
  });
  ok = true;
} catch (e) {
  t.fail('session', e);
}
console.log(`smoke run took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const allOk = t.summary() && ok;
process.exit(allOk ? 0 : 1);
