import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

from msc_app.settings import database_url

config = rx.Config(
    app_name="msc_app",
    # Reflex's REFLEX_DB_URL / REFLEX_REDIS_URL override these from the environment.
    db_url=database_url(),
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="indigo", gray_color="slate", radius="medium")
        ),
    ],
    disable_plugins=[SitemapPlugin],
)
