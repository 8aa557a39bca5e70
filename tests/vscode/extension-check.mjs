// Checks the harness's extension paths with a throwaway extension it writes itself (a command
// that shows a notification and opens a webview panel, and a language with a TextMate
// grammar): installed once as a .vsix (packVsix + code-server --install-extension) and once as
// an unpacked folder. Run: node tests/vscode/extension-check.mjs (after install.sh).
// Prints "N passed, M failed" at the end, exits 1 on a failure.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vsc from './harness.mjs';

const t0 = Date.now();
const tmp = vsc.tempDir('fsvsc-ext-'); // removed at exit, also on Ctrl+C
const extDir = path.join(tmp, 'harness-check');
fs.mkdirSync(path.join(extDir, 'syntaxes'), { recursive: true });
fs.writeFileSync(
  path.join(extDir, 'package.json'),
  JSON.stringify(
    {
      name: 'harness-check',
      displayName: 'Harness Check',
      description: 'throwaway extension of tests/vscode/extension-check.mjs',
      publisher: 'flowscript-tests',
      version: '0.0.1',
      engines: { vscode: '^1.80.0' },
      main: './extension.js',
      activationEvents: [],
      contributes: {
        commands: [{ command: 'harnessCheck.hello', title: 'Harness Check: Hello' }],
        languages: [{ id: 'harnesslang', aliases: ['Harness Lang'], extensions: ['.hlang'] }],
        grammars: [
          { language: 'harnesslang', scopeName: 'source.harnesslang', path: './syntaxes/h.tmLanguage.json' },
        ],
      },
    },
    null,
    2,
  ),
);
fs.writeFileSync(
  path.join(extDir, 'syntaxes/h.tmLanguage.json'),
  JSON.stringify({
    scopeName: 'source.harnesslang',
    patterns: [
      { match: '#.*$', name: 'comment.line.number-sign.harnesslang' },
      { match: '\\b(let|fn|return)\\b', name: 'keyword.control.harnesslang' },
      { match: '"[^"]*"', name: 'string.quoted.double.harnesslang' },
      { match: '\\b[0-9]+\\b', name: 'constant.numeric.harnesslang' },
    ],
  }),
);
fs.writeFileSync(
  path.join(extDir, 'extension.js'),
  `const vscode = require('vscode');
exports.activate = (context) => {
  context.subscriptions.push(vscode.commands.registerCommand('harnessCheck.hello', () => {
    vscode.window.showInformationMessage('hello from harness-check');
    const panel = vscode.window.createWebviewPanel('harnessCheck', 'Harness Check Panel', vscode.ViewColumn.One, {});
    panel.webview.html = '<!DOCTYPE html><html><body><h1 id="greeting">webview says hi</h1></body></html>';
  }));
};
`,
);
const workspace = path.join(tmp, 'ws');
fs.mkdirSync(workspace);
fs.writeFileSync(path.join(workspace, 'x.hlang'), '# a comment\nlet n = 42\nfn f() { return "text" }\n');

let page = null;
const t = vsc.steps(() => page, { prefix: 'extension-check' });
try {
  const vsix = await vsc.packVsix(extDir, path.join(tmp, 'harness-check.vsix'));
  for (const [how, ext] of [
    ['vsix', vsix],
    ['folder', extDir],
  ]) {
    await vsc.withVSCode({ workspace, extensions: [ext], name: `extension-check-${how}` }, async (s) => {
      page = s.page;
      await t.step(`${how}-language`, async () => {
        await vsc.openFile(page, 'x.hlang');
        assert.equal(await vsc.languageOfActiveEditor(page, { expect: 'Harness Lang' }), 'Harness Lang');
        const colours = await vsc.waitForTokenColors(page, 4);
        console.log(`     colours: ${colours.join(' ')}`);
      });
      await t.step(`${how}-command-notification`, async () => {
        await vsc.runCommand(page, 'Harness Check: Hello');
        const toasts = await vsc.waitFor(
          async () => ((await vsc.notifications(page)).includes('hello from harness-check') ? vsc.notifications(page) : null),
          { what: 'the toast' },
        );
        console.log(`     toasts: ${JSON.stringify(toasts)}`);
      });
      await t.step(`${how}-webview`, async () => {
        const frame = await vsc.webviewFrame(page, 'Harness Check Panel');
        assert.equal(await frame.locator('#greeting').textContent(), 'webview says hi');
      });
      await t.step(`${how}-clear-notifications`, async () => {
        await vsc.clearNotifications(page);
        await vsc.waitFor(async () => (await vsc.notifications(page)).length === 0, { what: 'no toasts' });
      });
    });
    page = null;
  }
} catch (e) {
  t.fail('session', e);
}
console.log(`extension check took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.exit(t.summary() ? 0 : 1);
