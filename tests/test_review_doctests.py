"""Every example in the review package's docstrings runs and shows what it claims."""

import doctest
import importlib
import pkgutil

import pytest

import review

MODULES = sorted(info.name for info in pkgutil.walk_packages(review.__path__, "review."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
