"""Settings: every field declared with its type and valid values, checked on load (PX303 naming the setting,
the value and what is valid), every stage reachable from --config and recorded, every field read."""

from __future__ import annotations

import dataclasses
import re
import time
import typing
from pathlib import Path

import pytest
from click.testing import CliRunner

from parallax.cli import main
from parallax.config import (
    DEFAULT,
    MAX_CONFIG_BYTES,
    Check,
    Choice,
    Range,
    Settings,
    Text,
    declarations,
    settings,
    stage_names,
    use,
)
from parallax.errors import InputRejected, UsageError

SRC = Path(__file__).resolve().parents[1] / "src" / "parallax"


@pytest.fixture()
def runner():
    return CliRunner()


def _config_error(runner, tmp_path, text: str | bytes) -> str:
    """stderr of `parallax --config FILE brief PAGE` with FILE holding `text`; asserts a PX303, exit 2."""
    cfg = tmp_path / "bad.toml"
    cfg.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    page = tmp_path / "page.txt"
    page.write_text("The ferry left the harbour at noon on Monday with 240 passengers aboard.\n", encoding="utf-8")
    r = runner.invoke(main, ["--config", str(cfg), "brief", str(page)])
    assert r.exit_code == 2, r.output
    assert "Error: PX303" in r.stderr and "PX000" not in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert r.stdout == ""
    return r.stderr


# ---------------------------------------------------------------------------------------------------------
# The defects of issue 22, item 3: each value was accepted (or failed as PX000 / a traceback) before.

@pytest.mark.parametrize(("text", "needles"), [
    ("[crosscheck]\nsupport_min = -0.5\n", ["crosscheck.support_min", "-0.5", "0 to 1"]),
    ("[stories]\nthreshold = nan\n", ["stories.threshold", "nan", "finite", "0 to 1"]),
    ("[stories]\nthreshold = 5.0\n", ["stories.threshold", "5.0", "0 to 1"]),
    ("[stories]\nthreshold = inf\n", ["stories.threshold", "inf", "0 to 1"]),
    ("[clean]\nextract_mode = 'fastest'\n", ["clean.extract_mode", "'fastest'", "'precision'"]),
    ("[limits]\npage_seconds = 1e-9\n", ["limits.page_seconds", "1e-09", "0 or 0.1 to 86400"]),
    ("[limits]\nmax_sentences = 0\n", ["limits.max_sentences", "got 0", "1 to 100000"]),
    ("[embed]\nthreads = 'many'\n", ["embed.threads", "'many'", "1 to 256"]),
    ("[fetch]\nallow_networks = ['not a network']\n", ["fetch.allow_networks", "not an IP network"]),
    ("[brief.lengths]\nshort = {max_facts = 0, max_words = 10}\n", ["brief.lengths", "max_facts"]),
    ("[stories]\nthreshold = true\n", ["stories.threshold", "expected a number", "True"]),
])
def test_a_bad_value_is_one_px303_naming_the_setting_the_value_and_the_range(runner, tmp_path, text, needles):
    err = _config_error(runner, tmp_path, text)
    for needle in needles:
        assert needle in err, (needle, err)
    assert len(err.strip().splitlines()) == 1


def test_an_oversized_config_file_is_refused_before_it_is_parsed(runner, tmp_path):
    err = _config_error(runner, tmp_path, b"# padding\n" * (MAX_CONFIG_BYTES // 10 + 1))
    assert "bad.toml" in err and f"over {MAX_CONFIG_BYTES} bytes" in err


def test_a_config_file_that_is_not_utf8_is_px303(runner, tmp_path):
    err = _config_error(runner, tmp_path, b"[stories]\nthreshold = 0.5 # \xff\xfe caf\xe9\n")
    assert "bad.toml" in err and "not UTF-8" in err


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    cfg = tmp_path / "bom.toml"
    cfg.write_bytes(b"\xef\xbb\xbf[stories]\nthreshold = 0.5\n")
    assert Settings.from_toml(cfg).stories.threshold == 0.5


def test_a_top_level_key_named_like_a_python_parameter_is_px303_not_px000(runner, tmp_path):
    err = _config_error(runner, tmp_path, "[self]\nx = 1\n")
    assert "no stage of that name" in err


def test_values_in_range_are_accepted_and_ints_stand_for_floats():
    s = Settings().replace(crosscheck={"support_min": 1}, limits={"page_seconds": 0}, embed={"threads": 2},
                           fetch={"allow_networks": ["10.0.0.0/8"]})
    assert s.crosscheck.support_min == 1.0 and isinstance(s.crosscheck.support_min, float)
    assert s.limits.page_seconds == 0.0  # 0: no budget
    assert s.embed.threads == 2  # `threads` (int or None) could not be set at all before
    assert s.fetch.allow_networks == ("10.0.0.0/8",)


def test_a_page_budget_that_runs_out_at_once_is_this_pages_px109():
    from parallax.stages.limits import page_budget

    with pytest.raises(InputRejected) as exc, page_budget("tiny.txt", seconds=1e-9):
        time.sleep(0.05)
    assert exc.value.code == "PX109" and exc.value.input == "tiny.txt"


# ---------------------------------------------------------------------------------------------------------
# Every field declared, every default valid, every stage in Settings.

def test_every_setting_is_declared_with_a_range_or_choices():
    undeclared = []
    for stage in stage_names():
        for name, (base, constraint) in declarations(type(getattr(DEFAULT, stage))).items():
            if base is bool:
                continue  # true or false: nothing more to declare
            if not isinstance(constraint, Range | Choice | Text | Check):
                undeclared.append(f"{stage}.{name}")
            elif isinstance(constraint, Range):
                assert constraint.lo <= constraint.hi, f"{stage}.{name}"
    assert undeclared == [], f"settings without a declared range or choices: {undeclared}"


def test_every_default_is_valid():
    assert Settings().check() == Settings()


def test_the_stage_configs_that_lived_elsewhere_are_in_settings_and_recorded():
    recorded = Settings().replace(glued={"prev_sim": 0.25}, noise={"max_byline_words": 20},
                                  judge={"max_tokens": 128}, scale={"top_terms": 8},
                                  fetch={"timeout": 5}).to_dict()
    assert recorded["glued"]["prev_sim"] == 0.25 and recorded["noise"]["max_byline_words"] == 20
    assert recorded["judge"]["max_tokens"] == 128 and recorded["scale"]["top_terms"] == 8
    assert recorded["fetch"]["timeout"] == 5.0
    # No stage config class is defined outside parallax.config any more.
    defined = re.compile(r"^class (\w+Config)\b", re.M)
    elsewhere = {str(p.relative_to(SRC)): defined.findall(p.read_text(encoding="utf-8"))
                 for p in SRC.rglob("*.py") if p.name != "config.py"}
    assert {p: c for p, c in elsewhere.items() if c} == {}


def test_the_code_reads_the_moved_settings_from_the_settings_in_effect():
    from parallax.ingest import make_config
    from parallax.stages.clean import noise
    from parallax.text.judge import get_judge

    line = "Updated 3 hours ago"
    assert noise.is_timestamp(line)
    with use(Settings().replace(noise={"max_timestamp_words": 2}, fetch={"retries": 7},
                                judge={"max_tokens": 64})):
        assert not noise.is_timestamp(line)
        assert make_config().retries == 7
        assert get_judge().config.max_tokens == 64
    assert make_config().retries == settings().fetch.retries == 2


def test_every_recorded_setting_is_read_by_the_code():
    """A field recorded in every brief but read nowhere misleads whoever sets it: each field's name must be
    read as an attribute (`cfg.name`, `config.name`, ...) somewhere in the package outside config.py, or be
    read through `feature_key` (the loaded-language model's input definition)."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in SRC.rglob("*.py") if p.name != "config.py")
    config_py = (SRC / "config.py").read_text(encoding="utf-8")
    feature_keys = set(re.findall(r'"(\w+)"', config_py.split("def feature_key", 1)[1].split("return", 1)[0]))
    unread = []
    for stage in stage_names():
        for f in dataclasses.fields(getattr(DEFAULT, stage)):
            if stage == "loaded" and f.name in feature_keys and re.search(rf"\.{f.name}\b", config_py):
                continue
            if not re.search(rf"\.{f.name}\b", source):
                unread.append(f"{stage}.{f.name}")
    assert unread == [], f"recorded settings that no code reads: {unread}"


def test_the_declaration_helpers_read_as_documented():
    hints = typing.get_type_hints(type(DEFAULT.crosscheck), include_extras=True)
    assert typing.get_args(hints["support_min"])[1] == Range(0.0, 1.0)
    assert declarations(type(DEFAULT.limits))["max_sentences"][1].describe() == "1 to 100000"
    with pytest.raises(UsageError, match=r"stories\.threshold"):
        Settings().replace(stories={"threshold": -1})
