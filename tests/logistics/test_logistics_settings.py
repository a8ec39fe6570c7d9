"""The one settings object: defaults, the environment over them, read once, a bad value
named by its variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from logistics.settings import DEFAULT_PLACE, SettingsError, get_settings


def test_defaults_when_unset_or_empty(env):
    env(DATABASE_URL=None, REDIS_URL=None, DOUAI_QUEUE=None, OSM_SOURCE="", OSM_CACHE_DIR=None,
        PLAN_TOMORROW_AT=None, DOUAI_VISIBILITY_TIMEOUT=None)
    s = get_settings()
    assert s.database_url.startswith("postgresql+psycopg://")
    assert s.redis_url == "redis://127.0.0.1:6379/0"
    assert (s.queue, s.osm_source, s.osm_cache_dir) == ("douai", DEFAULT_PLACE, Path("data/osm"))
    assert s.plan_tomorrow_hour_minute == (18, 0)
    assert s.visibility_timeout_s == 3600


def test_the_environment_over_the_defaults_read_once(env, monkeypatch):
    env(OSM_SOURCE="  Mulhouse, France ", DOUAI_QUEUE="other", PLAN_TOMORROW_AT="7:05",
        OSM_CACHE_DIR="/tmp/osm-cache")
    s = get_settings()
    assert (s.osm_source, s.queue, s.osm_cache_dir) == ("Mulhouse, France", "other", Path("/tmp/osm-cache"))
    assert (s.plan_tomorrow_at, s.plan_tomorrow_hour_minute) == ("07:05", (7, 5))
    monkeypatch.setenv("DOUAI_QUEUE", "changed-behind-its-back")
    assert get_settings() is s  # read once: a process keeps the settings it started with
    with pytest.raises(Exception, match="frozen"):
        s.queue = "x"


@pytest.mark.parametrize(("name", "value", "words"), [
    ("PLAN_TOMORROW_AT", "25:00", "PLAN_TOMORROW_AT: '25:00' is not a time HH:MM"),
    ("PLAN_TOMORROW_AT", "soon", "PLAN_TOMORROW_AT: 'soon' is not a time HH:MM"),
    ("DOUAI_VISIBILITY_TIMEOUT", "0", "DOUAI_VISIBILITY_TIMEOUT: "),
    ("DOUAI_VISIBILITY_TIMEOUT", "an hour", "DOUAI_VISIBILITY_TIMEOUT: "),
])
def test_a_bad_value_is_one_line_naming_the_variable(env, name, value, words):
    with pytest.raises(SettingsError) as e:
        env(**{name: value})
    assert str(e.value).startswith(words)
    assert "\n" not in str(e.value)
