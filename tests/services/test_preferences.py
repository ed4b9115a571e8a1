"""LIST-3: per-user list preferences on the server."""

from __future__ import annotations

from msc_app.services import preferences
from tests.conftest import World


def test_list_3_default_columns_are_forced_on_and_unknown_columns_dropped(session, world: World):
    actor = world.actor("r1_admin")
    saved = preferences.save_list_preferences(
        session=session, actor=actor, columns=["customer_name", "no_such_column"], density="huge"
    )
    assert set(saved.columns) == {"name", "products", "service_plan", "customer_name"}
    assert saved.columns == tuple(k for k in preferences.COLUMN_KEYS if k in saved.columns)  # display order
    assert saved.density == preferences.DEFAULT_DENSITY


def test_list_3_preferences_are_per_user_and_survive_a_new_session(session, world: World):
    r1 = world.actor("r1_admin")
    preferences.save_list_preferences(session=session, actor=r1, columns=["organization"], density="compact")
    session.commit()
    again = preferences.list_preferences(session=session, actor=r1)
    assert again.density == "compact"
    assert "organization" in again.columns and "customer_name" not in again.columns
    other = preferences.list_preferences(session=session, actor=world.actor("r2_admin"))
    assert other == preferences.DEFAULT_PREFERENCES


def test_list_3_saving_only_density_keeps_the_columns(session, world: World):
    actor = world.actor("dist_admin")
    preferences.save_list_preferences(session=session, actor=actor, columns=["tenant_type"])
    prefs = preferences.save_list_preferences(session=session, actor=actor, density="comfortable")
    assert "tenant_type" in prefs.columns and "customer_name" not in prefs.columns
    assert prefs.density == "comfortable"
