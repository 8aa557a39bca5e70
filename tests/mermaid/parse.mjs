// Parse mermaid diagrams with mermaid's own parser (the one `mermaid.render` uses), offline.
//
//   node parse.mjs [FILE...]   parse each file (stdin when none); print "ok" or the parse error;
//                              exit 1 when any fails
//   node parse.mjs --batch     stdin: a JSON array of diagram texts; stdout: a JSON array with,
//                              for each, null (parsed) or the error message; exit 0
//
// mermaid sanitises labels with DOMPurify, which needs a DOM: jsdom provides one. The globals
// must exist before mermaid is imported, hence the dynamic import.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, logLevel: 'fatal' });

/** null when `text` parses as a mermaid diagram, else the parser's message. */
async function check(text) {
  try {
    await mermaid.parse(text);
    return null;
  } catch (e) {
    // The message quotes the text around the error and may cut a surrogate pair in two.
    return String(e?.message ?? e).toWellFormed();
  }
}

const args = process.argv.slice(2);
if (args[0] === '--batch') {
  const texts = JSON.parse(readFileSync(0, 'utf8'));
  const results = [];
  for (const text of texts) results.push(await check(text));
  process.stdout.write(JSON.stringify(results) + '\n');
} else {
  const inputs = args.length ? args.map((f) => [f, readFileSync(f, 'utf8')]) : [['<stdin>', readFileSync(0, 'utf8')]];
  let failed = 0;
  for (const [name, text] of inputs) {
    const error = await check(text);
    if (error === null) {
      console.log(`ok: ${name}`);
    } else {
      failed += 1;
      console.log(`error: ${name}: ${error}`);
    }
  }
  process.exitCode = failed ? 1 : 0;
}
