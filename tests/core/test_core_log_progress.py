import logging

import pytest

from altermag.core.log import configure_logging, get_logger
from altermag.core.progress import progress


@pytest.fixture
def restore_level():
    logger = logging.getLogger("altermag")
    level = logger.level
    yield
    logger.setLevel(level)


def _handlers():
    return [h for h in logging.getLogger("altermag").handlers if h.get_name() == "altermag-stderr"]


def test_one_handler_for_all_loggers(restore_level):
    a = get_logger("altermag.core.x")
    b = get_logger("screen")
    configure_logging()
    assert a.name == "altermag.core.x" and b.name == "altermag.screen"
    assert len(_handlers()) == 1
    assert b.parent is logging.getLogger("altermag")


def test_level_from_environment(monkeypatch, restore_level):
    monkeypatch.setenv("ALTERMAG_LOG", "debug")
    assert configure_logging().level == logging.DEBUG
    assert get_logger("x").isEnabledFor(logging.DEBUG)
    monkeypatch.delenv("ALTERMAG_LOG")
    assert configure_logging().level == logging.WARNING
    assert configure_logging("INFO").level == logging.INFO
    monkeypatch.setenv("ALTERMAG_LOG", "chatty")
    assert configure_logging().level == logging.WARNING  # a typo does not crash a run


def test_progress_writes_to_stderr(capsys, monkeypatch):
    monkeypatch.delenv("ALTERMAG_NO_PROGRESS", raising=False)
    assert list(progress(range(3), desc="jobs", disable=False)) == [0, 1, 2]
    captured = capsys.readouterr()
    assert "jobs" in captured.err and "3/3" in captured.err and captured.out == ""


def test_progress_disabled_by_environment(capsys, monkeypatch):
    monkeypatch.setenv("ALTERMAG_NO_PROGRESS", "1")
    bar = progress(total=5, disable=False)
    bar.update(5)
    bar.close()
    assert bar.disable
    assert capsys.readouterr().err == ""
