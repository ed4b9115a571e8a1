"""LIST-7: the "Select exportable columns" window and the export's progress.

The file itself is streamed by the HTTP route ``api.export``; this state picks
the columns, starts the download in the browser (assets/msc-export.js) for the
list's current view, and shows the progress the script reports back.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import reflex as rx

from msc_app.api.export import EXPORT_PATH
from msc_app.db import session_scope
from msc_app.services import customer_export
from msc_app.services.preferences import CUSTOMER_COLUMNS
from msc_app.state.customers import CustomersState
from msc_app.state.session import SessionState, guarded

REPORT_FORM_ID = "msc-export-report"
ALL_COLUMN_KEYS = [c.key for c in CUSTOMER_COLUMNS]


def _int(value) -> int:
    try:
        return max(0, int(float(value)))
    except (TypeError, ValueError):
        return 0


class ExportState(SessionState):
    export_open: bool = False
    export_columns: list[str] = []
    export_matching: int = 0  # rows the current view holds
    export_running: bool = False
    export_finished: bool = False
    export_rows: int = 0
    export_total: int = 0
    export_error: str = ""

    @rx.var
    def export_all_selected(self) -> bool:
        return len(self.export_columns) == len(ALL_COLUMN_KEYS)

    @rx.var
    def export_percent(self) -> int:
        if self.export_finished and not self.export_error:
            return 100
        return min(100, 100 * self.export_rows // self.export_total) if self.export_total else 0

    @rx.event
    @guarded
    async def open_export(self):
        view = await self.get_state(CustomersState)
        with session_scope() as session:
            self.export_matching = customer_export.count_matching(
                session=session, actor=self._signed_actor(), query=view._current_query()
            )
        self.export_columns = [k for k in ALL_COLUMN_KEYS if k in view.visible_columns]
        self.export_running = self.export_finished = False
        self.export_rows = self.export_total = 0
        self.export_error = ""
        self.export_open = True

    @rx.event
    def set_export_open(self, value: bool):
        self.export_open = value

    @rx.event
    def toggle_export_column(self, key: str, checked: bool):
        chosen = set(self.export_columns)
        if checked and key in ALL_COLUMN_KEYS:
            chosen.add(key)
        else:
            chosen.discard(key)
        self.export_columns = [k for k in ALL_COLUMN_KEYS if k in chosen]

    @rx.event
    def select_all_export(self, checked: bool):
        self.export_columns = list(ALL_COLUMN_KEYS) if checked else []

    @rx.event
    @guarded
    async def start_export(self):
        if not self.export_columns:
            self.export_error = "Select at least one column to export."
            return None
        view = await self.get_state(CustomersState)
        params = view._current_query().to_params()
        params.pop("page", None)
        params.pop("size", None)
        params["columns"] = ",".join(customer_export.selected_columns(self.export_columns))
        url = f"{EXPORT_PATH}?{urlencode(params)}"
        self.export_running = True
        self.export_finished = False
        self.export_rows = 0
        self.export_total = self.export_matching
        self.export_error = ""
        return rx.call_script(f"window.mscExport({json.dumps(url)}, {json.dumps(REPORT_FORM_ID)})")

    @rx.event
    def export_report(self, form_data: dict):
        """Progress from the browser: rows received so far, and whether the download is done."""
        self.export_rows = _int(form_data.get("rows"))
        self.export_total = _int(form_data.get("total")) or self.export_total
        self.export_error = str(form_data.get("error", ""))[:300]
        if str(form_data.get("done", "")) == "1":
            self.export_running = False
            self.export_finished = True
