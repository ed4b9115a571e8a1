"""Per-user list preferences: visible columns and density (LIST-3), kept in the database.

Stored on ``User.preferences`` so they follow the user to any browser and
come back at the next sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session

from msc_app.models import User
from msc_app.services.permissions import Actor


@dataclass(frozen=True)
class ListColumn:
    key: str
    label: str
    locked: bool = False  # a default column: cannot be hidden
    shown_by_default: bool = True


# The customers list's columns, in display order.
CUSTOMER_COLUMNS: tuple[ListColumn, ...] = (
    ListColumn("name", "Name", locked=True),
    ListColumn("customer_name", "Customer Name"),
    ListColumn("organization", "Organization", shown_by_default=False),
    ListColumn("products", "Products", locked=True),
    ListColumn("service_plan", "Service Plan", locked=True),
    ListColumn("edition", "Edition", shown_by_default=False),
    ListColumn("storage_regions", "Storage Regions", shown_by_default=False),
    ListColumn("tenant_type", "Tenant Type"),
    ListColumn("tenant_admin", "Tenant Admin", shown_by_default=False),
    ListColumn("admin", "Admin", shown_by_default=False),
    ListColumn("status", "Status"),
    ListColumn("source_data", "Source Data"),
    ListColumn("contracts", "Contracts"),
    ListColumn("credit_quota", "Credit Quota", shown_by_default=False),
    ListColumn("quota_effective", "Quota Effective", shown_by_default=False),
    ListColumn("quota_end", "Quota End Date", shown_by_default=False),
    ListColumn("license_expiry", "License Expiry"),
    ListColumn("consumption", "Consumption (90 days)", shown_by_default=False),
    ListColumn("created", "Created", shown_by_default=False),
)
COLUMN_KEYS = tuple(c.key for c in CUSTOMER_COLUMNS)
LOCKED_COLUMNS = frozenset(c.key for c in CUSTOMER_COLUMNS if c.locked)

DENSITIES = ("compact", "standard", "comfortable")
DEFAULT_DENSITY = "standard"
_KEY = "customers_list"


# Column widths a user may drag to (LIST-3), in pixels.
MIN_WIDTH = 60
MAX_WIDTH = 800


@dataclass(frozen=True)
class ListPreferences:
    columns: tuple[str, ...]
    density: str
    widths: tuple[tuple[str, int], ...] = ()  # (column key, pixels) for resized columns

    @property
    def width_map(self) -> dict[str, int]:
        return dict(self.widths)


def _widths(widths) -> tuple[tuple[str, int], ...]:
    """Known columns with whole pixel widths, clamped to a usable range; anything else dropped."""
    if not isinstance(widths, dict):
        return ()
    clean = {}
    for key, value in widths.items():
        if key not in COLUMN_KEYS:
            continue
        try:
            clean[key] = min(MAX_WIDTH, max(MIN_WIDTH, int(float(value))))
        except (TypeError, ValueError, OverflowError):
            continue
    return tuple((k, clean[k]) for k in COLUMN_KEYS if k in clean)


def normalise(columns, density, widths=None) -> ListPreferences:
    """Known columns only, in display order, the default columns always in; a known density."""
    wanted = {str(c) for c in (columns or ())} | LOCKED_COLUMNS
    return ListPreferences(
        columns=tuple(k for k in COLUMN_KEYS if k in wanted),
        density=density if density in DENSITIES else DEFAULT_DENSITY,
        widths=_widths(widths),
    )


DEFAULT_PREFERENCES = normalise([c.key for c in CUSTOMER_COLUMNS if c.shown_by_default], DEFAULT_DENSITY)


def list_preferences(*, session: Session, actor: Actor) -> ListPreferences:
    user = session.get(User, actor.user_id)
    stored = (user.preferences or {}).get(_KEY) if user else None
    if not isinstance(stored, dict):
        return DEFAULT_PREFERENCES
    return normalise(stored.get("columns"), stored.get("density"), stored.get("widths"))


def save_list_preferences(
    *, session: Session, actor: Actor, columns=None, density=None, widths=None
) -> ListPreferences:
    """Save what is given (None keeps the current value; ``widths`` merges into the stored ones,
    a width of 0 forgets that column's); returns what was stored."""
    current = list_preferences(session=session, actor=actor)
    merged = current.width_map
    if widths is not None:
        if widths == {}:
            merged = {}
        for key, value in widths.items():
            if value in (0, "0", None, ""):
                merged.pop(key, None)
            else:
                merged[key] = value
    prefs = normalise(
        current.columns if columns is None else columns,
        current.density if density is None else density,
        merged,
    )
    user = session.get(User, actor.user_id)
    user.preferences = {
        **(user.preferences or {}),
        _KEY: {"columns": list(prefs.columns), "density": prefs.density, "widths": prefs.width_map},
    }
    flag_modified(user, "preferences")
    session.add(user)
    session.flush()
    return prefs
