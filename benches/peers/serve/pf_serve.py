"""The Python peer of `benches/serve.sh`: FastAPI + uvicorn serving PocketFlow 0.0.3 flows.

The same API shape as `flowscript serve` for the one route the benchmark uses:
`POST /flows/{name}/runs` with a JSON object body (the initial shared store; empty = {}),
waits for the run and answers `200 {id, flow, status, action, shared, started, ended}`
(times in Unix ms), with `Location: /runs/{id}`. Unknown flow: 404; a body that is not a
JSON object: 400. Every request gets a fresh shared dict: nothing leaks between runs.

The flows, as in benches/workloads/serve_{one,wait}.flow.rhai:
- `one`: a sync `Node` (prep reads shared["name"], exec builds the greeting, post writes
  shared["greeting"]) in a sync `Flow`, run inline in the async handler: the node does no I/O,
  so a thread-pool hop (a `def` route) would only add cost.
- `wait`: an `AsyncNode` whose `exec_async` awaits `asyncio.sleep(0.05)`, in an `AsyncFlow`
  awaited in the handler (PocketFlow's way inside an async server).

Run (benches/serve.sh does this):
  uvicorn pf_serve:app --app-dir benches/peers/serve --host 127.0.0.1 --port PORT \
      --loop uvloop --http httptools --no-access-log [--workers 2]
"""
import asyncio
import json
import time
import uuid

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pocketflow import AsyncFlow, AsyncNode, Flow, Node

WAIT_S = 0.05


class Greet(Node):
    def prep(self, shared):
        return shared.get("name") or "world"

    def exec(self, name):
        return f"Hello, {name}!"

    def post(self, shared, name, text):
        shared["greeting"] = text


class Wait(AsyncNode):
    async def exec_async(self, _prep_res):
        await asyncio.sleep(WAIT_S)
        return 50

    async def post_async(self, shared, _prep_res, ms):
        shared["waited"] = ms


# PocketFlow copies the start node for every run (Flow._orch: copy.copy), so one flow object
# serves concurrent runs; the state of a run is its shared dict.
ONE = Flow(start=Greet())
WAIT = AsyncFlow(start=Wait())


async def run_one(shared):
    return ONE.run(shared)


async def run_wait(shared):
    return await WAIT.run_async(shared)


FLOWS = {"one": run_one, "wait": run_wait}

app = FastAPI()


def error(status, code, message):
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def unix_ms():
    return int(time.time() * 1000)


@app.post("/flows/{name}/runs")
async def start_run(name: str, request: Request):
    run = FLOWS.get(name)
    if run is None:
        return error(404, "flow_not_found", f"no flow named `{name}`")
    body = await request.body()
    try:
        shared = json.loads(body) if body.strip() else {}
    except ValueError as e:
        return error(400, "invalid_json", str(e))
    if not isinstance(shared, dict):
        return error(400, "invalid_input", "the body must be a JSON object")
    run_id = uuid.uuid4().hex
    started = unix_ms()
    action = await run(shared)
    return JSONResponse(
        {
            "id": run_id,
            "flow": name,
            "status": "finished",
            "action": action or "default",
            "shared": shared,
            "started": started,
            "ended": unix_ms(),
        },
        headers={"Location": f"/runs/{run_id}"},
    )
