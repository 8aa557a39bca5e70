// Input requests: a run that called `input(prompt)` waits (event `input_required {key,
// prompt}`) until a client answers with `POST /runs/{id}/input {key, value}`; the run then
// reports `input_received {key}`, and the request's form goes away.

import * as api from "./api.js";
import { el } from "./dom.js";

/** The open requests of one run, shown in `container`. */
export class Prompts {
  constructor(container, runId) {
    this.container = container;
    this.runId = runId;
    this.forms = new Map(); // key -> form
  }

  /** `input_required`: show a form to answer `key`. */
  open(key, prompt) {
    if (typeof key !== "string" || this.forms.has(key)) return;
    const text = typeof prompt === "string" ? prompt : JSON.stringify(prompt ?? "");
    const fieldId = `answer-${this.forms.size}-${Math.random().toString(36).slice(2, 8)}`;
    const field = el("textarea", { id: fieldId, rows: "2", spellcheck: "false" });
    const asJson = el("input", { type: "checkbox", id: `${fieldId}-json` });
    const message = el("p", { class: "error", role: "alert" });
    const send = el("button", { type: "submit" }, "Send answer");
    const form = el(
      "form",
      { class: "prompt", "aria-label": `Input request ${key}`, "data-key": key },
      el("p", { class: "prompt-text" }, el("strong", {}, "The run asks: "), text),
      el("label", { for: fieldId }, "Answer"),
      field,
      el("label", { class: "inline", for: asJson.id }, asJson, " Send as JSON (else as text)"),
      message,
      send,
    );
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      message.textContent = "";
      let value = field.value;
      if (asJson.checked) {
        try {
          value = JSON.parse(field.value);
        } catch (err) {
          message.textContent = `The answer is not valid JSON: ${err.message}`;
          return;
        }
      }
      send.disabled = true;
      try {
        await api.answer(this.runId, key, value);
        // Sent: the form goes when the run reports input_received.
        message.textContent = "Sent; waiting for the run to take it.";
        message.classList.remove("error");
      } catch (err) {
        message.textContent = `The answer was not taken: ${err.message}`;
        send.disabled = false;
      }
    });
    this.forms.set(key, form);
    this.container.append(form);
  }

  /** `input_received`: the run has its answer. */
  close(key) {
    const form = this.forms.get(key);
    if (form) form.remove();
    this.forms.delete(key);
  }

  /** The run ended: nothing waits any more. */
  closeAll() {
    for (const key of [...this.forms.keys()]) this.close(key);
  }
}
