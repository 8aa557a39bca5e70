// The web console of `flowscript serve`, driven in headless Chromium (Debian's, through
// playwright-core from tests/vscode/node_modules, the editor tests' install) as a person uses
// it: find things by role and label, click, type, read what the page shows.
//
//   node tests/serve/console.mjs http://127.0.0.1:PORT
//
// The server serves tests/serve/console/*.flow.rhai (tests/serve_console.rs starts it). Every
// step saves a screenshot under target/console-screenshots/ (CONSOLE_SCREENSHOT_DIR). Prints
// "N passed, M failed"; exits 1 on any failure.

import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
process.env.VSCODE_SCREENSHOT_DIR =
  process.env.CONSOLE_SCREENSHOT_DIR || path.resolve(HERE, '../../target/console-screenshots');
const { CHROMIUM, CHROMIUM_ARGS, screenshot, steps, waitFor, sleep } = await import('../vscode/harness.mjs');
const { chromium } = createRequire(path.join(HERE, '../vscode/package.json'))('playwright-core');

const base = process.argv[2];
if (!base || !/^http:\/\/127\.0\.0\.1:\d+$/.test(base)) {
  console.error('usage: node tests/serve/console.mjs http://127.0.0.1:PORT');
  process.exit(2);
}

/** What must never happen on the page: console errors, uncaught exceptions, requests that
 *  leave the server. */
const problems = [];

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60000 });
process.once('exit', () => {
  // playwright starts chromium as a process group leader: end the group whatever happened
  const p = browser.process?.();
  if (p && p.exitCode === null) {
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {}
  }
});
const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
await context.route('**/*', (route) => {
  const url = new URL(route.request().url());
  if (url.protocol === 'data:' || url.protocol === 'blob:' || (url.hostname === '127.0.0.1' && url.origin === base)) {
    return route.continue();
  }
  problems.push(`a request left the server: ${url.href}`);
  return route.abort();
});
const page = await context.newPage();
page.setDefaultTimeout(15000);
page.on('console', (m) => {
  if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
});
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));

/** GET a path of the API as JSON (from this script, not the page). */
async function api(p) {
  const r = await fetch(base + p);
  if (!r.ok) throw new Error(`GET ${p}: ${r.status}`);
  return r.json();
}

const flowsList = () => page.getByRole('list', { name: 'Flows' });
const runStatus = () => page.getByRole('status', { name: 'Run status' });
const flowCache = new Map();

/** The flow's `graph` map (node ids and names), from GET /flows/{name}. */
async function flowMap(name) {
  if (!flowCache.has(name)) flowCache.set(name, (await api(`/flows/${name}`)).graph);
  return flowCache.get(name);
}

/** The drawn id of the node named `name` in `flow`. */
async function nodeId(flow, name) {
  const n = (await flowMap(flow)).nodes.find((x) => x.name === name);
  if (!n) throw new Error(`${flow} has no node ${name}`);
  return n.id;
}

/** Every drawn node's state, by id, as the SVG carries it (`data-state` and an `fs-STATE` class). */
async function svgStates() {
  return page.evaluate(() => {
    const out = {};
    for (const g of document.querySelectorAll('#graph svg [data-node]')) {
      const cls = [...g.classList].find((c) => /^fs-(running|retrying|finished|failed|cancelled)$/.test(c));
      const fromClass = cls ? cls.slice(3) : 'idle';
      out[g.dataset.node] = g.dataset.state === fromClass ? fromClass : `mismatch(${g.dataset.state}/${fromClass})`;
    }
    return out;
  });
}

/** The inline fill of a drawn node's shape, to check the colour really changed. */
async function fillOf(id) {
  return page.evaluate((id) => {
    const g = document.querySelector(`#graph svg [data-node="${id}"]`);
    const shape = g && g.querySelector('rect, polygon, path');
    return shape ? shape.style.getPropertyValue('fill') : null;
  }, id);
}

/** Start recording every state change of the drawing (survives redraws: it watches #graph). */
async function recordStates() {
  await page.evaluate(() => {
    window.__states = [];
    window.__observer?.disconnect();
    window.__observer = new MutationObserver((records) => {
      for (const r of records) {
        if (r.attributeName === 'data-state' && r.target.dataset.node) {
          window.__states.push([r.target.dataset.node, r.target.dataset.state]);
        }
      }
    });
    window.__observer.observe(document.getElementById('graph'), { subtree: true, attributes: true, attributeFilter: ['data-state'] });
  });
}

/** The states node `id` went through once drawn, in order (repeats collapsed). */
async function historyOf(id) {
  const all = await page.evaluate(() => window.__states);
  return all
    .filter(([n, s]) => n === id && s !== 'idle')
    .map(([, s]) => s)
    .filter((s, i, a) => s !== a[i - 1]);
}

async function openFlow(name) {
  await flowsList().getByRole('button', { name, exact: true }).click();
  await page.getByRole('heading', { name, exact: true }).waitFor();
  await waitFor(async () => (await page.locator('#graph svg [data-node]').count()) > 0, { what: `${name}'s graph`, timeout: 15000 });
}

/** Submit the form with `input`; unless `refused`, wait until the page shows the new run. */
async function startWith(input, { refused = false } = {}) {
  const before = (await api('/runs')).map((r) => r.id);
  await page.getByLabel('Run input').fill(input);
  await page.getByRole('button', { name: 'Start run' }).click();
  if (refused) return;
  await waitFor(async () => {
    const shown = await page.locator('#run-view').getAttribute('data-run-id');
    return shown && !before.includes(shown);
  }, { what: 'the new run shown' });
}

async function waitStatus(status, timeout = 20000) {
  await waitFor(async () => (await runStatus().textContent()) === status, { what: `run status ${status}`, timeout });
}

/** The store the page shows, parsed. */
async function shownStore() {
  return JSON.parse(await page.getByLabel('Store', { exact: true }).textContent());
}

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

const t = steps(() => page, { prefix: 'console' });
const stepsFlow = 'steps';

await t.step('loads-with-flows', async () => {
  await page.goto(`${base}/`, { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready="true"]');
  expect((await page.title()) === 'flowscript console', `title: ${await page.title()}`);
  const names = await flowsList().getByRole('button').allTextContents();
  for (const want of ['approve', 'broken', 'nested', 'steps', 'stream']) expect(names.includes(want), `flows listed: ${names}`);
});

await t.step('graph-drawn', async () => {
  await openFlow(stepsFlow);
  const map = await flowMap(stepsFlow);
  const states = await svgStates();
  for (const n of map.nodes) expect(states[n.id] === 'idle', `${n.id} (${n.name}) drawn idle: ${JSON.stringify(states)}`);
  const labels = await page.locator('#graph svg').textContent();
  for (const name of ['greet', 'count', 'done']) expect(labels.includes(name), `the drawing names ${name}: ${labels}`);
  await page.getByRole('list', { name: 'Legend' }).getByText('retrying').waitFor();
});

await t.step('bad-json-refused', async () => {
  const before = (await api('/runs')).length;
  await startWith('{"name": "Ada",}', { refused: true });
  const alert = page.locator('#input-error');
  await waitFor(async () => /not valid JSON/.test(await alert.textContent()), { what: 'the bad-JSON message' });
  await startWith('[1, 2]', { refused: true });
  await waitFor(async () => /must be a JSON object/.test(await alert.textContent()), { what: 'the not-an-object message' });
  expect((await api('/runs')).length === before, 'no run started from bad input');
});

await t.step('run-live-then-finished', async () => {
  await recordStates();
  await startWith('{"name": "Ada", "pause": 0.5}');
  const greet = await nodeId(stepsFlow, 'greet');
  const count = await nodeId(stepsFlow, 'count');
  const done = await nodeId(stepsFlow, 'done');
  await waitFor(async () => (await svgStates())[count] === 'running', { what: 'count running' });
  expect((await svgStates())[greet] === 'finished', 'greet finished while count runs');
  expect((await fillOf(count)) !== (await fillOf(greet)), 'running and finished look different');
  await screenshot(page, 'console-04-run-live');
  await waitStatus('finished');
  const states = await svgStates();
  for (const n of (await flowMap(stepsFlow)).nodes) expect(states[n.id] === 'finished', `${n.name} finished: ${JSON.stringify(states)}`);
  for (const id of [greet, count, done]) {
    const h = await historyOf(id);
    expect(h.join(',') === 'running,finished', `${id} went running then finished, not ${h}`);
  }
  const store = await shownStore();
  expect(store.greeting === 'Hello, Ada!' && store.length === 11 && store.done === true, `final store: ${JSON.stringify(store)}`);
  await page.getByRole('list', { name: 'Event timeline' }).getByText('run_finished').waitFor();
});

await t.step('failing-run', async () => {
  await openFlow('broken');
  await recordStates();
  await startWith('{}');
  await waitStatus('failed');
  const fetchId = await nodeId('broken', 'fetch');
  const states = await svgStates();
  expect(states[fetchId] === 'failed', `fetch failed: ${JSON.stringify(states)}`);
  expect(states[await nodeId('broken', 'prepare')] === 'finished', `prepare finished: ${JSON.stringify(states)}`);
  expect((await historyOf(fetchId)).includes('retrying'), `fetch was seen retrying: ${await historyOf(fetchId)}`);
  const error = await page.getByRole('alert', { name: 'Run error' }).textContent();
  expect(/fetch: the source is unreachable/.test(error) && /broken\/fetch/.test(error), `the error shows: ${error}`);
});

await t.step('chunks-stream', async () => {
  await openFlow('stream');
  await page.evaluate(() => {
    window.__chunkStatus = [];
    new MutationObserver(() => window.__chunkStatus.push(document.getElementById('run-status').textContent))
      .observe(document.getElementById('chunks'), { childList: true, characterData: true, subtree: true });
  });
  await startWith('{"text": "alpha beta gamma delta epsilon"}');
  await waitStatus('finished');
  const text = await page.getByLabel('Streamed text').textContent();
  expect(text === 'alpha beta gamma delta epsilon', `streamed text: ${JSON.stringify(text)}`);
  const seen = await page.evaluate(() => window.__chunkStatus);
  expect(seen.includes('running'), `chunks arrived while the run was running: ${seen}`);
  expect((await shownStore()).chunks === 5, 'the store counts the chunks');
});

await t.step('nested-breadcrumbs', async () => {
  // branches (`nested/both/research/research/search`), a batch flow's items
  // (`nested/each[1]/translate`) and a parallel node all land on their drawn nodes.
  await openFlow('nested');
  await startWith('{}');
  await waitStatus('finished');
  const states = await svgStates();
  const map = await flowMap('nested');
  for (const n of map.nodes) expect(states[n.id] === 'finished', `${n.name} finished: ${JSON.stringify(states)}`);
  expect(map.nodes.length === 8, `nested has 8 nodes: ${map.nodes.map((n) => n.name)}`);
  expect((await shownStore()).languages === 2, 'both batch items ran');
});

await t.step('cancel', async () => {
  await openFlow(stepsFlow);
  await startWith('{"pause": 30}');
  const greet = await nodeId(stepsFlow, 'greet');
  await waitFor(async () => (await svgStates())[greet] === 'running', { what: 'greet running' });
  await page.getByRole('button', { name: 'Cancel run' }).click();
  await waitStatus('cancelled', 10000);
  expect((await svgStates())[greet] === 'cancelled', `greet cancelled: ${JSON.stringify(await svgStates())}`);
  const error = await page.getByRole('alert', { name: 'Run error' }).textContent();
  expect(/cancelled/.test(error), `the error says cancelled: ${error}`);
  expect(await page.getByRole('button', { name: 'Cancel run' }).isDisabled(), 'cancel is disabled once ended');
});

await t.step('recent-run-replays', async () => {
  await page.getByRole('button', { name: 'Refresh' }).click();
  const runs = page.getByRole('list', { name: 'Recent runs' });
  await waitFor(async () => (await runs.getByRole('button').count()) >= 4, { what: 'four runs listed' });
  await runs.getByRole('button', { name: /of steps: finished/ }).first().click();
  await waitStatus('finished');
  await waitFor(async () => Object.values(await svgStates()).every((s) => s === 'finished'), { what: 'the replayed run all finished' });
  expect((await shownStore()).greeting === 'Hello, Ada!', 'the replayed run shows its final store');
  expect(/#run=[0-9a-f]{32}$/.test(page.url()), `the address names the run: ${page.url()}`);
});

await t.step('input-prompt-answered', async () => {
  await openFlow('approve');
  await startWith('{}');
  const prompt = page.getByRole('form', { name: 'Input request input-1' });
  await prompt.waitFor();
  const text = await prompt.textContent();
  expect(/Approve the summary\?/.test(text), `the prompt shows: ${text}`);
  expect((await runStatus().textContent()) === 'running', 'the run waits while the prompt is open');
  expect((await svgStates())[await nodeId('approve', 'approve')] === 'running', 'approve is running while it waits');
  await screenshot(page, 'console-input-prompt-open');
  await prompt.getByLabel('Send as JSON').check();
  await prompt.getByLabel('Answer').fill('{"ok": tru');
  await prompt.getByRole('button', { name: 'Send answer' }).click();
  await waitFor(async () => /not valid JSON/.test(await prompt.textContent()), { what: 'the bad-JSON answer message' });
  await prompt.getByLabel('Answer').fill('{"ok": true, "by": "Ada"}');
  await prompt.getByRole('button', { name: 'Send answer' }).click();
  await waitStatus('finished');
  expect((await prompt.count()) === 0, 'the prompt went away once answered');
  const store = await shownStore();
  expect(store.approval && store.approval.ok === true && store.approval.by === 'Ada', `final store: ${JSON.stringify(store)}`);
  await page.getByRole('list', { name: 'Event timeline' }).getByText('input_received').waitFor();
});

await t.step('no-errors-no-foreign-requests', async () => {
  await sleep(200);
  expect(problems.length === 0, `problems:\n${problems.join('\n')}`);
});

await browser.close();
process.exit(t.summary() ? 0 : 1);
