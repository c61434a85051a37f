"""The stdio protocol with a scripted backend (the model-backed server is in test_model_tiny.py)."""

import io
import json
import threading
import time

from llava_studio_worker.errors import WorkerError
from llava_studio_worker.serve import Channel, Server


class ScriptedBackend:
    """Streams the words of the last user message; 'slow' streams until cancelled."""

    def __init__(self):
        self.started = threading.Event()

    def generate(self, request, cancelled, emit):
        words = request["messages"][-1]["content"].split()
        if words == ["fail"]:
            raise WorkerError("bad messages: x", "see the request format")
        if words == ["crash"]:
            raise RuntimeError("CUDA out of memory")
        count = 0
        while words == ["slow"] and not cancelled():
            self.started.set()
            emit("."); count += 1
            time.sleep(0.01)
        for word in words if words != ["slow"] else []:
            emit(word + " "); count += 1
        return {"tokens": count, "ttft_ms": 1.5}


class Pipe(io.TextIOBase):
    """A stdin that blocks until lines are pushed, like a real pipe."""

    def __init__(self):
        self.lines, self.cv = [], threading.Condition()

    def push(self, line):
        with self.cv:
            self.lines.append(line)
            self.cv.notify()

    def __iter__(self):
        while True:
            with self.cv:
                while not self.lines:
                    self.cv.wait()
                line = self.lines.pop(0)
            if line is None:
                return
            yield line


def run_server(lines, idle_timeout=5.0, backend=None):
    out = io.StringIO()
    pipe = Pipe()
    for line in lines:
        pipe.push(line)
    server = Server(backend or ScriptedBackend(), Channel(out), idle_timeout)
    reason = server.run(pipe)
    return reason, [json.loads(line) for line in out.getvalue().splitlines()]


def generate(request_id, text):
    return json.dumps({"id": request_id, "type": "generate", "messages": [{"role": "user", "content": text}]}) + "\n"


def test_tokens_then_done_then_exit_on_eof():
    reason, out = run_server([generate("a", "hello there"), None])
    assert reason == "eof"
    assert out == [{"id": "a", "type": "token", "text": "hello "}, {"id": "a", "type": "token", "text": "there "},
                   {"id": "a", "type": "done", "tokens": 2, "ttft_ms": 1.5, "cancelled": False},
                   {"type": "exit", "reason": "eof"}]


def test_errors_are_per_request_and_the_server_goes_on():
    reason, out = run_server(["not json\n", json.dumps({"type": "dance"}) + "\n", generate("b", "fail"),
                              generate("c", "crash"), generate("d", "ok"), json.dumps({"type": "shutdown"}) + "\n"])
    assert reason == "shutdown"
    errors = [m for m in out if m["type"] == "error"]
    assert errors[0]["id"] is None and errors[0]["message"].startswith("not a JSON line")
    assert errors[1]["message"] == "unknown request type 'dance'"
    assert errors[2] == {"id": "b", "type": "error", "message": "bad messages: x", "hint": "see the request format"}
    assert errors[3]["id"] == "c" and "fewer images" in errors[3]["hint"]
    assert {"id": "d", "type": "done", "tokens": 1, "ttft_ms": 1.5, "cancelled": False} in out


def test_cancel_stops_a_running_generation():
    backend = ScriptedBackend()
    out = io.StringIO()
    pipe = Pipe()
    server = Server(backend, Channel(out), idle_timeout=5.0)
    thread = threading.Thread(target=server.run, args=(pipe,))
    thread.start()
    pipe.push(generate("s", "slow"))
    assert backend.started.wait(5)
    pipe.push(json.dumps({"type": "cancel", "id": "s"}) + "\n")
    pipe.push(None)
    thread.join(5)
    done = [json.loads(line) for line in out.getvalue().splitlines() if '"done"' in line]
    assert done[0]["id"] == "s" and done[0]["cancelled"] is True and done[0]["tokens"] >= 1


def test_a_request_cancelled_before_it_starts_is_done_at_once():
    _, out = run_server([json.dumps({"type": "cancel", "id": "x"}) + "\n", generate("x", "never"), None])
    assert out[0] == {"id": "x", "type": "done", "tokens": 0, "ttft_ms": None, "cancelled": True}


def test_idle_timeout_exits():
    started = time.monotonic()
    out = io.StringIO()
    reason = Server(ScriptedBackend(), Channel(out), idle_timeout=0.2).run(Pipe())
    assert reason == "idle-timeout" and time.monotonic() - started < 3
    assert json.loads(out.getvalue()) == {"type": "exit", "reason": "idle-timeout"}
