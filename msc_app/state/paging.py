"""Sort, search and paging handlers shared by the server-paged lists (customers, contracts).

A mixin, so each list keeps its own vars (``page``, ``page_count``, ``sort``,
``descending``, ``search``) and supplies ``_refresh()``: reload the page and
put the view in the URL. Each handler goes through the ``guarded`` seam, so
the reload resolves the actor once.
"""

from __future__ import annotations

import reflex as rx

from msc_app.state.session import guarded


class PagedListMixin(rx.State, mixin=True):
    @rx.event
    @guarded
    def clear_search(self):
        self.search = ""
        self.page = 1
        return self._refresh()

    @rx.event
    @guarded
    def sort_by(self, key: str):
        """A header click: sort by that column, or reverse the direction if it already sorts."""
        if key == self.sort:
            self.descending = not self.descending
        else:
            self.sort = key
            self.descending = False
        self.page = 1
        return self._refresh()

    @rx.event
    @guarded
    def next_page(self):
        if self.page < self.page_count:
            self.page += 1
            return self._refresh()

    @rx.event
    @guarded
    def previous_page(self):
        if self.page > 1:
            self.page -= 1
            return self._refresh()
