"""Issue 22, one page at a time: each defect reproduced and now handled. Numbers in the test names are the
issue's items (7: a large prose page; 8: a time budget inside an import; 10: reading leftovers)."""

from __future__ import annotations

import sys
import time

import pytest

from parallax.config import Settings, use
from parallax.errors import InputRejected

# ---- #8 the page time budget never interrupts an import ----------------------------------------------------

# A module that, like a C extension registering its types (onnxruntime's pybind11 module), cannot be imported
# a second time in one process once its first import got under way; its import takes a while.
SLOW_MODULE = '''
import sys, time
if getattr(sys, "_px_slow_registered", False):
    raise ImportError("generic_type: type already registered")
sys._px_slow_registered = True
time.sleep({sleep})
READY = True
'''


@pytest.fixture
def slow_module(tmp_path, monkeypatch):
    name = "px_slow_import_probe"
    (tmp_path / f"{name}.py").write_text(SLOW_MODULE.format(sleep=0.4), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)
    yield name
    sys.modules.pop(name, None)
    if hasattr(sys, "_px_slow_registered"):
        del sys._px_slow_registered


def test_8_a_budget_running_out_during_an_import_waits_for_it_and_later_pages_work(slow_module):
    import importlib

    from parallax.stages.limits import page_budget

    t0 = time.monotonic()
    with pytest.raises(InputRejected) as exc, page_budget("first.txt", seconds=0.1):
        importlib.import_module(slow_module)  # the budget runs out in the middle of this import
    assert exc.value.code == "PX109" and exc.value.input == "first.txt"
    assert time.monotonic() - t0 < 5
    mod = sys.modules[slow_module]  # the import was let finish: the module is whole
    assert mod.READY is True
    with page_budget("second.txt", seconds=5):  # the next page imports it again (a no-op) and goes on
        assert importlib.import_module(slow_module).READY is True


def test_8_the_budget_still_interrupts_ordinary_work_after_an_import():
    from parallax.stages.limits import page_budget

    t0 = time.monotonic()
    with pytest.raises(InputRejected) as exc, page_budget("slow.txt", seconds=0.1):
        while time.monotonic() - t0 < 3:
            sum(range(1000))
    assert exc.value.code == "PX109" and time.monotonic() - t0 < 1.5


def test_8_an_embedder_interrupted_while_loading_is_loaded_whole_by_the_next_page(monkeypatch):
    """The model's session and tokenizer are kept together: an interruption between the two loads leaves
    neither set (the next page loads both), never a session without its tokenizer (an AssertionError)."""
    from parallax.text import embed as E

    e = E.OnnxEmbedder(verify=False)
    real = e._load
    calls = []

    def interrupted_once():
        calls.append(1)
        got = real()
        if len(calls) == 1:
            raise KeyboardInterrupt  # as the budget's exception would, after the session was made
        return got

    monkeypatch.setattr(e, "_load", interrupted_once)
    with pytest.raises(KeyboardInterrupt):
        e.warm_up()
    assert e._session is None and e._tokenizer is None
    assert e.embed(["The harbour board approved the plan."]).shape == (1, E.DIM)
