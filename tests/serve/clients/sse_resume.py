"""SSE through a real client library (httpx + httpx-sse): a run's event stream read in two
connections, the second resuming with Last-Event-ID, must deliver exactly the events the first
missed, in order, ending with run_finished; and equal a full replay of the finished run.

Usage: sse_resume.py BASE_URL
"""

import sys

import httpx
from httpx_sse import connect_sse

BASE = sys.argv[1]
N = 40  # progress events the run emits, 20 ms apart


def read(client, run_id, last_id=None, stop_after=None):
    headers = {"Last-Event-ID": last_id} if last_id is not None else {}
    got = []
    with connect_sse(client, "GET", f"{BASE}/runs/{run_id}/events", headers=headers) as source:
        assert source.response.status_code == 200, source.response.status_code
        for sse in source.iter_sse():
            got.append((sse.id, sse.event, sse.json()))
            if stop_after is not None and len(got) == stop_after:
                break  # drop the connection mid-run
    return got


with httpx.Client(timeout=30) as client:
    r = client.post(f"{BASE}/flows/chatty/runs?wait=false", json={"n": N, "pause": 0.02, "tag": "py"})
    assert r.status_code == 202, r.text
    run_id = r.json()["id"]

    first = read(client, run_id, stop_after=10)
    last_id = first[-1][0]
    rest = read(client, run_id, last_id=last_id)
    both = first + rest

    seqs = [int(i) for i, _, _ in both]
    assert seqs == list(range(1, len(seqs) + 1)), f"gap or duplicate: {seqs}"
    assert all(int(i) == data["seq"] and ev == data["type"] for i, ev, data in both)
    assert both[-1][1] == "run_finished", both[-1]
    progress = [d for _, ev, d in both if ev == "emitted" and d["data"]["type"] == "progress"]
    assert [p["data"]["i"] for p in progress] == list(range(N)), progress
    assert all(p["data"]["tag"] == "py" for p in progress)
    assert rest[0][0] == str(int(last_id) + 1), (last_id, rest[0])

    replay = read(client, run_id)
    assert replay == both, "a finished run replays the same stream"
    print(f"ok: {len(first)} + {len(rest)} events over two connections, resumed after id {last_id}, replay equal")
