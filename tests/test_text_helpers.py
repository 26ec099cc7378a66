"""Patterns compiled at first use (index/text.py): every one compiles, and each acts as re.compile's."""

from __future__ import annotations

import importlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.text import LazyPattern, lazy_re

MODULES = ("qa.periods", "qa.questions", "qa.answer", "qa.metrics", "index.numbers")


def lazy_patterns() -> list[tuple[str, LazyPattern]]:
    out = []
    for name in MODULES:
        mod = importlib.import_module(name)
        out += [(f"{name}.{k}", v) for k, v in vars(mod).items() if isinstance(v, LazyPattern)]
    return out


def test_every_lazy_pattern_compiles():
    # A typo in a lazy pattern would otherwise surface only when a question first needs it.
    found = lazy_patterns()
    assert len(found) > 40
    for name, p in found:
        try:
            p.search("")  # compiles it
        except re.error as e:
            pytest.fail(f"{name}: {e}")


SAMPLE_TEXT = st.text(
    alphabet=st.sampled_from(list("abcQ1 2004,.$()-%first quarter three months ended March 31 fiscal")),
    max_size=80,
)


@settings(max_examples=200, deadline=None)
@given(SAMPLE_TEXT)
def test_lazy_pattern_acts_as_compiled(text):
    for _, p in lazy_patterns():
        compiled = re.compile(p.pattern, p._flags)
        assert [m.span() for m in p.finditer(text)] == [m.span() for m in compiled.finditer(text)]
        assert p.sub("#", text) == compiled.sub("#", text)


def test_lazy_pattern_attributes():
    p = lazy_re(r"(?P<n>\d+)", re.I)
    assert p.pattern == r"(?P<n>\d+)"
    assert p.match("42x").group("n") == "42"
    assert p.groupindex == {"n": 1} and p.groups == 1 and p.flags & re.I
    with pytest.raises(AttributeError):
        p.no_such_method  # noqa: B018
