"""`"use_adapter": false` on a worker started with --adapter: the base model answers (compare mode).

The real PeftModel.disable_adapter() needs torch + peft (the GPU image); here a stand-in records when
the adapter is off, which is what adapter_switch decides.
"""

import contextlib

import pytest

from llava_studio_worker.errors import EXIT_INVALID, WorkerError
from llava_studio_worker.serve_model import adapter_switch


class PeftLike:
    def __init__(self):
        self.adapter_on = True

    @contextlib.contextmanager
    def disable_adapter(self):
        self.adapter_on = False
        try:
            yield
        finally:
            self.adapter_on = True


@pytest.mark.parametrize("request_, adapter, is_lora, on_inside", [
    ({}, "/run/checkpoint-5", True, True),
    ({"use_adapter": True}, "/run/checkpoint-5", True, True),
    ({"use_adapter": False}, "/run/checkpoint-5", True, False),
    ({"use_adapter": False}, None, False, True),  # no adapter: nothing to switch off
])
def test_the_adapter_is_off_only_inside_a_use_adapter_false_request(request_, adapter, is_lora, on_inside):
    model = PeftLike()
    with adapter_switch(model, adapter, is_lora, request_):
        assert model.adapter_on is on_inside
    assert model.adapter_on is True, "switched back on for the next request"


def test_back_on_after_a_failed_generation():
    model = PeftLike()
    with pytest.raises(RuntimeError):
        with adapter_switch(model, "/run/checkpoint-5", True, {"use_adapter": False}):
            raise RuntimeError("CUDA out of memory")
    assert model.adapter_on is True


@pytest.mark.parametrize("request_, is_lora, message", [
    ({"use_adapter": "no"}, True, "use_adapter must be true or false, got 'no'"),
    ({"use_adapter": False}, False, "use_adapter false: the projector from /run/final cannot be switched off"),
])
def test_refused_requests(request_, is_lora, message):
    with pytest.raises(WorkerError) as caught:
        adapter_switch(PeftLike(), "/run/final", is_lora, request_)
    assert caught.value.message == message and caught.value.exit_code == EXIT_INVALID
