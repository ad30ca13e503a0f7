from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Demo data, synthetic data, the load test and the benchmarks: for developers and the demo.

    No product module imports this app; production leaves it out (settings.DEVTOOLS)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "devtools"
    verbose_name = "开发工具"
