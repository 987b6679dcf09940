import pytest

from popup.urls import safe_next


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "", None, "relative/path"],
)
def test_next_refuses_other_sites(target):
    assert safe_next(target, "/home") == "/home"


def test_next_keeps_local_paths_with_query():
    assert safe_next("/units/3?tab=history", "/home") == "/units/3?tab=history"
