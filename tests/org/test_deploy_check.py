"""deploy_check's word on the cache's memory: pages keep their bodies in Redis, so an instance
without a ceiling (or one that may evict the task queue's keys) is named, not passed over."""

import pytest
from django.core.cache import caches

from org.management.commands.deploy_check import OK, WARN, Command

REDIS = {"default": {"BACKEND": "reportportal.cache.PortalRedisCache"}}


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {"default": REDIS["default"] | {"LOCATION": "redis://127.0.0.1:6379/12"}}
    caches.close_all()
    yield
    caches.close_all()


def test_a_redis_without_a_ceiling_is_named(redis_cache):
    """This machine's Redis runs as Debian installs it: no maxmemory, noeviction."""
    result, detail = Command().cache_memory()
    assert result == WARN
    assert "maxmemory=0" in detail and "volatile-lru" in detail


def test_a_cache_in_the_process_is_not_redis_business(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    result, detail = Command().cache_memory()
    assert result == OK and "不适用" in detail
