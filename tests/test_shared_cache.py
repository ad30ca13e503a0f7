"""The shared cache (reportportal.cache): Django's Redis backend with one client per pool."""

import pytest
from django.core.cache import caches


@pytest.fixture
def redis(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "reportportal.cache.PortalRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/12",
        }
    }
    cache = caches["default"]
    cache.clear()
    yield cache
    cache.clear()


def test_it_stores_and_expires_through_one_client(redis):
    redis.set("page", "<main>正文</main>", 30)
    assert redis.get("page") == "<main>正文</main>"
    assert redis.get_many(["page", "missing"]) == {"page": "<main>正文</main>"}
    redis.delete("page")
    assert redis.get("page") is None
    backend = redis._cache
    assert backend.get_client(write=True) is backend.get_client() is backend.get_client("page")
