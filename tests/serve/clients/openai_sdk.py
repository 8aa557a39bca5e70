"""The official openai Python SDK as the client of flowscript serve's /v1 endpoints: models,
a completion, a streamed completion, and errors raised as the SDK's own exceptions.

Usage: openai_sdk.py BASE_URL   (the server serves tests/serve/echo.flow.rhai)
"""

import sys

import openai
from openai import OpenAI

client = OpenAI(base_url=sys.argv[1] + "/v1", api_key="not-checked", max_retries=0, timeout=30)

ids = [m.id for m in client.models.list()]
assert "echo" in ids, ids
assert client.models.retrieve("echo").id == "echo"

done = client.chat.completions.create(
    model="echo",
    messages=[{"role": "system", "content": "be kind"}, {"role": "user", "content": "hello sdk"}],
    temperature=0.3,
)
assert done.object == "chat.completion", done
assert done.choices[0].message.role == "assistant"
assert done.choices[0].message.content == "You said: hello sdk", done
assert done.choices[0].finish_reason == "stop"
assert done.usage.total_tokens == 0

pieces, finish, n = [], None, 0
stream = client.chat.completions.create(
    model="echo", messages=[{"role": "user", "content": "one two three"}], stream=True
)
for chunk in stream:
    n += 1
    assert chunk.object == "chat.completion.chunk"
    if chunk.choices and chunk.choices[0].delta.content:
        pieces.append(chunk.choices[0].delta.content)
    if chunk.choices and chunk.choices[0].finish_reason:
        finish = chunk.choices[0].finish_reason
assert "".join(pieces) == "You said: one two three", pieces
assert len(pieces) == 5, pieces  # one chunk per emitted chunk event
assert finish == "stop"

try:
    client.chat.completions.create(model="echo", messages=[{"role": "wizard", "content": "x"}])
    raise AssertionError("a bad role was accepted")
except openai.BadRequestError as e:
    assert e.status_code == 400 and e.body["param"] == "messages[0].role", e.body

try:
    client.chat.completions.create(model="nope", messages=[{"role": "user", "content": "x"}])
    raise AssertionError("an unknown model was accepted")
except openai.NotFoundError as e:
    assert e.body["code"] == "model_not_found", e.body

try:
    client.chat.completions.create(model="echo", messages=[{"role": "user", "content": "fail"}])
    raise AssertionError("a failing flow answered")
except openai.InternalServerError as e:
    assert "the echo was asked to fail" in e.body["message"], e.body

try:
    for _ in client.chat.completions.create(
        model="echo", messages=[{"role": "user", "content": "fail"}], stream=True
    ):
        pass
    raise AssertionError("a failing streamed flow ended quietly")
except openai.APIError as e:
    assert "the echo was asked to fail" in str(e.message), e

print(f"ok: models {ids}, a completion, a stream of {n} chunks, 4 errors raised as the SDK's exceptions")
