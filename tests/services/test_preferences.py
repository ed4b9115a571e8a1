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


def test_list_3_column_widths_are_kept_clamped_and_merged(session, world: World):
    """LIST-3: a dragged column width is stored per user, clamped, merged with the others, and a
    0 width forgets it; unknown columns and junk values are dropped."""
    actor = world.actor("r1_viewer")
    preferences.save_list_preferences(session=session, actor=actor, widths={"name": 260, "bogus": 100})
    prefs = preferences.save_list_preferences(
        session=session, actor=actor, widths={"products": "99999", "service_plan": "wide"}
    )
    assert prefs.width_map == {"name": 260, "products": preferences.MAX_WIDTH}
    session.commit()
    assert preferences.list_preferences(session=session, actor=actor).width_map == prefs.width_map
    prefs = preferences.save_list_preferences(session=session, actor=actor, widths={"name": 0, "products": 20})
    assert prefs.width_map == {"products": preferences.MIN_WIDTH}
    # Saving columns or density keeps the widths.
    prefs = preferences.save_list_preferences(session=session, actor=actor, density="compact")
    assert prefs.width_map == {"products": preferences.MIN_WIDTH}
