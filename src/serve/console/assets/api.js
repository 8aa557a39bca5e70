// The API on this origin (docs/serve.md): JSON in and out, errors as `{error: {code, message}}`.

/** An answer that was not 2xx: its status and the API's message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** `fetch` a path of the API and read its JSON; throws ApiError on a non-2xx answer. */
export async function call(path, { method = "GET", body } = {}) {
  const init = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, "network", `the server could not be reached (${e.message})`);
  }
  let data = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const err = data && typeof data === "object" ? data.error : null;
    const message = err && typeof err.message === "string" ? err.message : `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, err && err.code, message);
  }
  return data;
}

const seg = encodeURIComponent;

/** `GET /flows`. */
export const flows = () => call("/flows");

/** `GET /flows/{name}`. */
export const flow = (name) => call(`/flows/${seg(name)}`);

/** `POST /flows/{name}/runs?wait=false` with the store's JSON text: `{id}`. */
export const startRun = (name, jsonText) => call(`/flows/${seg(name)}/runs?wait=false`, { method: "POST", body: jsonText });

/** `GET /runs`. */
export const runs = () => call("/runs");

/** `GET /runs/{id}`. */
export const run = (id) => call(`/runs/${seg(id)}`);

/** `POST /runs/{id}/cancel`. */
export const cancelRun = (id) => call(`/runs/${seg(id)}/cancel`, { method: "POST" });

/** `POST /runs/{id}/input`: answer the prompt `key`. */
export const answer = (id, key, value) => call(`/runs/${seg(id)}/input`, { method: "POST", body: { key, value } });

/** The URL of a run's event stream (for EventSource). */
export const eventsUrl = (id) => `/runs/${seg(id)}/events`;
