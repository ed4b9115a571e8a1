"""Benchmark the customers list as a user sees it, in headless Chromium against the built app
(LIST-1, LIST-5, LIST-7; SPEC section 8: "with 100,000 customers the list stays as fast as with 100").

    .venv/bin/python bench/list_browser.py --customers 100000                  # SQLite file in bench/results/
    .venv/bin/python bench/list_browser.py --customers 100000 --reuse          # keep / reuse that file
    .venv/bin/python bench/list_browser.py --database-url postgresql://postgres@127.0.0.1:5432/test --reuse

Prepares the database as bench/list_query.py does (its ``prepare``: migrate, load
the demo data (DEMO-1) unless ``--reuse`` finds it there; a database given by URL
that holds other data is refused without ``--reuse``), builds the production
frontend if its sources changed (scripts/build_frontend.py), serves it with the
backend on a free loopback address (scripts/app_server.py, MSC_OUTBOX_SENDER=0),
signs in as the distributor admin and times, ``--tries`` times each (after
``--warmup`` untimed ones), from the user's action to the new rows in the DOM:

- search: Enter in the search box (cycling through ``--search`` terms);
- filter: Apply in the filter panel (alternating two choices);
- sort: a column header's sort button (toggling);
- page: Next, then Previous.

Both ends are taken in the page with ``performance.now()``: a capture-phase
listener on ``window`` notes the click / Enter keydown as it is dispatched, and a
MutationObserver notes when the list (the total, the pager summary and the
table body's text) first differs from what it was before; the time of the next
animation frame after that is kept too ("frame"), and the time the backend's
state delta reached the page ("delta": a wrapper around the page's WebSocket
notes each one as it arrives), so that the rest is the page's own rendering: "render", from
the delta's arrival to the painted frame, taken with performance marks (``msc:action``,
``msc:delta``, ``msc:rows``, ``msc:frame`` and the measure ``msc:render``) and reported with its
share of the whole ("render share" = render / frame). Every case runs at each ``--page-size``
(default 25 and 50 rows a page: the list's URL takes ``size=``).
Then it exports every
customer to CSV through the Export window (Select All): from the click on
"Export CSV" to "Done:" and to the downloaded file, counting the file's rows,
while sampling the resident memory (VmRSS) of the server's process tree every
~50 ms. Prints a table and writes bench/results/list_browser-<backend>.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
for extra in (ROOT, ROOT / "bench", ROOT / "scripts"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # noqa: E402

import app_server  # noqa: E402  (scripts/app_server.py)
import build_frontend  # noqa: E402  (scripts/build_frontend.py)
from list_query import prepare, row_counts  # noqa: E402  (bench/list_query.py)
from msc_app.browser import launch_chromium  # noqa: E402
from msc_app.services.demo import ADMIN_EMAIL, DEMO_PASSWORD  # noqa: E402

SEARCH_TERMS = ("ab", "son", "tech", "ing")
FILTER_CHOICES = ("Microsoft 365", "Failed")  # a product, a source-data state
SORT_HEADERS = ("Customer Name", "License Expiry")
TIMEOUT_MS = 120_000
EXPORT_TIMEOUT_MS = 900_000

ROWS = '[data-testid="customer-row"], [data-testid="context-row"]'

# Arms one measurement: ``kind`` is "click" or "keydown" (Enter). The next such event on the page
# (seen in the capture phase on window, before React's handlers) starts the clock; the first DOM
# change after it that makes the list's signature differ from now stops it.
ARM_JS = """
(kind) => {
  const text = (selector) => { const el = document.querySelector(selector); return el ? el.textContent : ""; };
  const signature = () => {
    const row = document.querySelector(%(rows)r);
    return [text('[data-testid="customer-total"]'), text('[data-testid="pager-summary"]'),
            row ? row.parentElement.textContent : ""].join("\\u0000");
  };
  const state = { t0: null, t1: null, frame: null, delta: null, render: null, total: null, summary: null, first: null, error: null };
  const before = signature();
  window.__mscDeltas = [];
  const onEvent = (event) => {
    if (state.t0 !== null) return;
    if (kind === "keydown" && event.key !== "Enter") return;
    state.t0 = performance.now();
  };
  window.addEventListener(kind, onEvent, true);
  const observer = new MutationObserver(() => {
    if (state.t0 === null || state.t1 !== null) return;
    if (signature() === before) return;
    state.t1 = performance.now();
    observer.disconnect();
    window.removeEventListener(kind, onEvent, true);
    state.total = text('[data-testid="customer-total"]');
    state.summary = text('[data-testid="pager-summary"]');
    const first = document.querySelector(%(rows)r);
    state.first = first ? first.querySelector("th, td").textContent : "";
    const delta = (window.__mscDeltas || []).find((t) => t >= state.t0);
    state.delta = delta === undefined ? null : delta;
    requestAnimationFrame(() => {
      state.frame = performance.now();
      // The page's own share, as performance marks: delta arrival -> painted frame.
      for (const name of ["msc:action", "msc:delta", "msc:rows", "msc:frame", "msc:render"]) {
        performance.clearMarks(name); performance.clearMeasures(name);
      }
      performance.mark("msc:action", { startTime: state.t0 });
      performance.mark("msc:rows", { startTime: state.t1 });
      performance.mark("msc:frame", { startTime: state.frame });
      if (state.delta !== null) {
        performance.mark("msc:delta", { startTime: state.delta });
        state.render = performance.measure("msc:render", "msc:delta", "msc:frame").duration;
      }
    });
  });
  observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  window.__mscBench = state;
}
""" % {"rows": ROWS}

# Installed before the app's scripts: notes when each state delta from the backend reaches the
# page (Reflex's socket.io "event" messages carrying a "delta"), before the app handles it.
DELTA_CLOCK_JS = """
(() => {
  const Native = window.WebSocket;
  if (!Native || Native.__mscClock) return;
  window.__mscDeltas = [];
  class Clocked extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (typeof event.data === "string" && event.data.startsWith("42") && event.data.includes('"delta"')) {
          window.__mscDeltas.push(performance.now());
        }
      });
    }
  }
  Clocked.__mscClock = true;
  window.WebSocket = Clocked;
})();
"""

# The export: the click on "Export CSV", the click on the download link msc-export.js makes,
# "Done:" in the progress text; the export request's resource timing.
ARM_EXPORT_JS = """
() => {
  performance.clearResourceTimings();
  performance.setResourceTimingBufferSize(100000);
  const state = { t0: null, link: null, done: null, doneText: null };
  const onClick = (event) => {
    const link = event.target.closest ? event.target.closest("a[download]") : null;
    if (link) { if (state.link === null) state.link = performance.now(); return; }
    if (state.t0 === null) state.t0 = performance.now();
  };
  window.addEventListener("click", onClick, true);
  const observer = new MutationObserver(() => {
    const el = document.querySelector('[data-testid="export-progress"]');
    if (state.t0 === null || state.done !== null || !el || !el.textContent.startsWith("Done:")) return;
    state.done = performance.now();
    state.doneText = el.textContent;
    observer.disconnect();
    window.removeEventListener("click", onClick, true);
  });
  observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  window.__mscExport = state;
}
"""

EXPORT_RESULT_JS = """
() => {
  const state = window.__mscExport;
  const entry = performance.getEntriesByType("resource").find((e) => e.name.includes("/api/export/customers.csv"));
  return {
    ...state,
    fetchStart: entry ? entry.startTime : null,
    firstByte: entry ? entry.responseStart : null,
    fetchEnd: entry ? entry.responseEnd : null,
    bytes: entry ? entry.encodedBodySize : null,
    url: entry ? entry.name : null,
  };
}
"""


# ------------------------------------------------------------------ statistics


def summarise(samples: list[float]) -> dict:
    if not samples:
        return {"n": 0}
    cuts = statistics.quantiles(samples, n=100, method="inclusive") if len(samples) > 1 else [samples[0]] * 99
    return {
        "n": len(samples),
        "p50": statistics.median(samples),
        "p95": cuts[94],
        "max": max(samples),
        "min": min(samples),
        "mean": statistics.fmean(samples),
    }


# ------------------------------------------------------------------ process memory


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants (from /proc/*/stat)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0  # exited, or a kernel thread


class RssSampler:
    """Samples the summed VmRSS of a process tree every ``interval`` seconds in a thread."""

    def __init__(self, root: int, interval: float = 0.05):
        self.root, self.interval = root, interval
        self.samples: list[tuple[float, int, int]] = []  # (perf_counter, kB, processes)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> tuple[int, int]:
        pids = process_tree(self.root)
        return sum(rss_kb(pid) for pid in pids), len(pids)

    def _run(self) -> None:
        while not self._stop.is_set():
            kb, count = self.sample()
            self.samples.append((time.perf_counter(), kb, count))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()


# ------------------------------------------------------------------ browser steps


def sign_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/signin")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/customers**", timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("customer-total")).to_contain_text("in your scope", timeout=TIMEOUT_MS)


PAGE_SIZE = {"rows": 25}  # the --page-size being run (the list's URL takes size=)


def fresh_list(page: Page, base_url: str) -> None:
    """The default view of the list at the page size being run (the view lives in the URL)."""
    page.goto(f"{base_url}/customers?size={PAGE_SIZE['rows']}")
    expect(page.get_by_test_id("customer-total")).to_contain_text("in your scope", timeout=TIMEOUT_MS)
    expect(page.locator(ROWS).first).to_be_visible(timeout=TIMEOUT_MS)


def timed(page: Page, kind: str, action) -> dict:
    """Arm the in-page clock, do ``action`` (a real click / key press), wait for the new rows."""
    page.evaluate(ARM_JS, kind)
    action()
    page.wait_for_function("() => window.__mscBench.frame !== null", timeout=TIMEOUT_MS)
    state = page.evaluate("() => window.__mscBench")
    return {
        "ms": state["t1"] - state["t0"],
        "frame_ms": state["frame"] - state["t0"],
        "delta_ms": None if state["delta"] is None else state["delta"] - state["t0"],
        "render_ms": state["render"],
        "total": state["total"],
        "summary": state["summary"],
        "first": (state["first"] or "").strip()[:60],
    }


def case_search(page: Page, base_url: str, count: int, terms: tuple[str, ...]):
    fresh_list(page, base_url)
    box = page.get_by_role("searchbox", name="Search customers")
    for i in range(count):
        term = terms[i % len(terms)]
        box.fill(term)
        result = timed(page, "keydown", lambda: box.press("Enter"))
        result["variant"] = f"search {term!r}"
        yield result


WARNINGS: list[str] = []


def setup_click(locator, what: str) -> None:
    """A click that is only a setup step (not timed): when something covers the element (a layout
    bug), note it and dispatch the click to the element instead, so the timed steps can still run."""
    if any(note.startswith(f"{what}:") for note in WARNINGS):
        locator.dispatch_event("click")  # covered the first time: do not wait for it again
        return
    try:
        locator.click(timeout=10_000)
    except PlaywrightTimeoutError as error:
        note = f"{what}: not clickable with the pointer, clicked by dispatching the event ({str(error).splitlines()[0]})"
        if note not in WARNINGS:
            WARNINGS.append(note)
            print(f"  WARNING: {note}", flush=True)
        locator.dispatch_event("click")


def _open_filters(page: Page):
    setup_click(page.get_by_role("button", name="Filters"), "the Filters button")
    panel = page.get_by_role("dialog", name="Filters")
    expect(panel).to_be_visible(timeout=TIMEOUT_MS)
    return panel


def case_filter(page: Page, base_url: str, count: int, choices: tuple[str, ...]):
    fresh_list(page, base_url)
    for i in range(count):
        choice = choices[i % len(choices)]
        panel = _open_filters(page)
        for other in choices:
            box = panel.get_by_role("checkbox", name=other, exact=True)
            if other != choice and box.is_checked():
                box.click()
                expect(box).not_to_be_checked()
        box = panel.get_by_role("checkbox", name=choice, exact=True)
        if not box.is_checked():
            box.click()
            expect(box).to_be_checked()
        apply = panel.get_by_role("button", name="Apply")
        result = timed(page, "click", lambda: apply.click())
        expect(panel).to_be_hidden(timeout=TIMEOUT_MS)
        result["variant"] = f"filter {choice}"
        yield result


def case_sort(page: Page, base_url: str, count: int, header: str):
    fresh_list(page, base_url)
    column = page.get_by_role("columnheader", name=header, exact=True)
    button = column.get_by_role("button")
    # Sort by this column first (untimed: from the default sort by Name it may not change the rows),
    # so that every timed click toggles ascending / descending.
    button.click()
    expect(column).to_have_attribute("aria-sort", "ascending", timeout=TIMEOUT_MS)
    for _ in range(count):
        result = timed(page, "click", lambda: button.click())
        result["variant"] = f"sort {header}"
        yield result


def case_page(page: Page, base_url: str, count: int):
    fresh_list(page, base_url)
    pager = page.get_by_test_id("pager-summary").locator("..")  # not every button on the page
    for i in range(count):
        name = "Next" if i % 2 == 0 else "Previous"
        button = pager.get_by_role("button", name=name, exact=True)
        result = timed(page, "click", lambda: button.click())
        result["variant"] = name
        yield result


def run_case(name: str, steps, *, warmup: int) -> dict:
    samples, frames, deltas, renders, shares, seen = [], [], [], [], [], {}
    for index, result in enumerate(steps):
        if index < warmup:
            continue
        samples.append(result["ms"])
        frames.append(result["frame_ms"])
        if result["delta_ms"] is not None:
            deltas.append(result["delta_ms"])
        if result["render_ms"] is not None:
            renders.append(result["render_ms"])
            shares.append(result["render_ms"] / result["frame_ms"] if result["frame_ms"] else 0.0)
        seen.setdefault(result["variant"], f"{result['total']} / {result['summary']}")
    return {
        "name": name,
        "page_size": PAGE_SIZE["rows"],
        **summarise(samples),
        "frame": summarise(frames),
        "delta": summarise(deltas),
        # The page's own rendering: the delta's arrival -> the painted frame (performance measure msc:render).
        "render": summarise(renders),
        "render_share": statistics.median(shares) if shares else None,
        "render_samples_ms": renders,
        "samples_ms": samples,
        "delta_samples_ms": deltas,
        "states": seen,
    }


def export_all(page: Page, base_url: str, server_pid: int, download_dir: Path) -> dict:
    fresh_list(page, base_url)
    setup_click(page.get_by_role("button", name="Export", exact=True), "the Export button")
    dialog = page.get_by_role("dialog", name="Select exportable columns")
    expect(dialog).to_be_visible(timeout=TIMEOUT_MS)
    select_all = dialog.get_by_role("checkbox", name="Select All")
    if not select_all.is_checked():
        setup_click(select_all, "Select All")
    expect(select_all).to_be_checked()
    expect(dialog.get_by_role("checkbox", name="Created")).to_be_checked()
    matching = dialog.inner_text().split("all ", 1)[-1].split(" customers", 1)[0]
    button = dialog.get_by_role("button", name="Export CSV")
    page.evaluate(ARM_EXPORT_JS)
    sampler = RssSampler(server_pid)
    with sampler:
        time.sleep(1.0)  # a second of baseline samples before the export starts
        began = time.perf_counter()
        with page.expect_download(timeout=EXPORT_TIMEOUT_MS) as info:
            button.click()
        download = info.value
        saved = download_dir / (download.suggested_filename or "customers.csv")
        download.save_as(saved)
        downloaded = time.perf_counter()
        expect(dialog.get_by_test_id("export-progress")).to_contain_text("Done:", timeout=EXPORT_TIMEOUT_MS)
        page.wait_for_function("() => window.__mscExport.done !== null", timeout=EXPORT_TIMEOUT_MS)
        finished = time.perf_counter()
        time.sleep(0.5)  # and half a second after
    state = page.evaluate(EXPORT_RESULT_JS)
    with open(saved, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = sum(1 for _ in reader)
    before = [kb for t, kb, _ in sampler.samples if t < began]
    during = [kb for t, kb, _ in sampler.samples if began <= t <= finished]
    baseline = statistics.median(before) if before else (during[0] if during else 0)
    peak = max(during or [baseline])
    t0 = state["t0"]

    def since_click(value):
        return None if value is None or t0 is None else value - t0

    return {
        "matching_shown": matching,
        "rows_in_file": rows,
        "columns": len(header),
        "file_bytes": saved.stat().st_size,
        "click_to_first_byte_ms": since_click(state["firstByte"]),
        "click_to_response_end_ms": since_click(state["fetchEnd"]),
        "click_to_download_link_ms": since_click(state["link"]),
        "click_to_done_ms": since_click(state["done"]),
        "python_click_to_file_saved_ms": (downloaded - began) * 1000,
        "python_click_to_done_ms": (finished - began) * 1000,
        "done_text": state["doneText"],
        "rss_baseline_mb": baseline / 1024,
        "rss_peak_mb": peak / 1024,
        "rss_increase_mb": (peak - baseline) / 1024,
        "rss_processes": max((n for _, _, n in sampler.samples), default=0),
        "rss_samples": len(sampler.samples),
        "rss_timeline_mb": [(round((t - began) * 1000), round(kb / 1024, 1)) for t, kb, _ in sampler.samples],
    }


# ------------------------------------------------------------------ main


def print_table(cases: list[dict]) -> None:
    nan = float("nan")
    print(
        f"\n{'case':<30} {'rows':>4} {'tries':>5} {'p50 ms':>7} {'p95 ms':>7} {'frame p50':>9} {'frame p95':>9} "
        f"{'delta p50':>9} {'delta p95':>9} {'render p50':>10} {'render p95':>10} {'share':>5}"
    )
    for case in cases:
        delta, frame, render = case["delta"], case["frame"], case["render"]
        share = case["render_share"]
        print(
            f"{case['name']:<30} {case['page_size']:>4} {case['n']:>5} {case['p50']:>7.1f} {case['p95']:>7.1f} "
            f"{frame['p50']:>9.1f} {frame['p95']:>9.1f} {delta.get('p50', nan):>9.1f} {delta.get('p95', nan):>9.1f} "
            f"{render.get('p50', nan):>10.1f} {render.get('p95', nan):>10.1f} "
            f"{'n/a' if share is None else f'{share:.0%}':>5}",
            flush=True,
        )
    print(
        "(ms from the click / Enter to the new rows in the DOM; frame: to the next animation frame (the goal's\n"
        " figure); delta: to the backend's state delta reaching the page; render: the page's own rendering, from\n"
        " the delta's arrival to the painted frame (performance measure msc:render); share: render / frame, median)"
    )
    for case in cases:
        print(f"  {case['name']} ({case['page_size']} rows): " + "; ".join(f"{k} -> {v}" for k, v in case["states"].items()))


def print_export(export: dict) -> None:
    def ms(key):
        value = export[key]
        return "n/a" if value is None else f"{value / 1000:.2f}s"

    print(
        f"\nExport to CSV, all {export['matching_shown']} customers, all {export['columns']} columns: "
        f"{export['rows_in_file']:,} rows, {export['file_bytes'] / 1e6:.1f} MB\n"
        f"  from the click on Export CSV: first byte {ms('click_to_first_byte_ms')}, "
        f"response complete {ms('click_to_response_end_ms')}, download handed over {ms('click_to_download_link_ms')}, "
        f"'Done:' shown {ms('click_to_done_ms')} (file saved, as Playwright saw it: "
        f"{ms('python_click_to_file_saved_ms')})\n"
        f"  server RSS ({export['rss_processes']} processes, {export['rss_samples']} samples): "
        f"baseline {export['rss_baseline_mb']:.0f} MB, peak {export['rss_peak_mb']:.0f} MB "
        f"(+{export['rss_increase_mb']:.0f} MB)",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="default: a SQLite file in bench/results/")
    parser.add_argument("--reuse", action="store_true", help="use the data already there")
    parser.add_argument("--tries", type=int, default=30, help="timed tries per case (>= 30)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed tries before them")
    parser.add_argument("--search", default=",".join(SEARCH_TERMS), help="comma-separated search terms")
    parser.add_argument("--no-export", action="store_true", help="skip the CSV export")
    parser.add_argument("--page-size", default="25,50", help="comma-separated rows a page to run every case at")
    args = parser.parse_args(argv)
    try:
        sizes = tuple(int(v) for v in args.page_size.split(",") if v)
    except ValueError:
        parser.error("--page-size takes numbers, e.g. 25,50")
    tries = max(30, args.tries)
    terms = tuple(t for t in args.search.split(",") if t)
    if len(terms) < 2:
        parser.error("--search needs at least two terms (every try must change the rows)")

    RESULTS.mkdir(parents=True, exist_ok=True)
    default_db = None
    url = args.database_url
    if url is None:
        default_db = RESULTS / f"list_browser-{args.customers}.db"
        url = f"sqlite:///{default_db}"
    engine = prepare(url, customers=args.customers, reuse=args.reuse, default_db=default_db)
    backend = engine.dialect.name
    version = ".".join(map(str, engine.dialect.server_version_info or ()))
    database = engine.url.render_as_string(hide_password=True)
    rows = row_counts(engine)
    engine.dispose()
    print(f"Backend: {backend} {version}\nDatabase: {database}\nRows: {rows}", flush=True)

    build_frontend.ensure_built()
    host = app_server.free_loopback_host(9, 75)  # 127.0.9.77, ...: clear of the e2e workers' hosts
    log_path = RESULTS / f"list_browser-{backend}.server.log"
    print(f"Serving on http://{host}:{app_server.PORT} (log: {log_path}) ...", flush=True)
    server = app_server.start_server(
        host=host, db_url=url, log_path=log_path, extra_env={"MSC_OUTBOX_SENDER": "0"}
    )
    cases: list[dict] = []
    export: dict | None = None
    errors: list[str] = []
    load_before = os.getloadavg()
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
            context.add_init_script(DELTA_CLOCK_JS)
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            sign_in(page, server.base_url)
            base, count = server.base_url, tries + max(0, args.warmup)
            plan = [
                ("search (Enter)", lambda: case_search(page, base, count, terms)),
                ("filter (Apply)", lambda: case_filter(page, base, count, FILTER_CHOICES)),
                *[
                    (f"sort: {header} (toggle)", lambda header=header: case_sort(page, base, count, header))
                    for header in SORT_HEADERS
                ],
                ("page (Next / Previous)", lambda: case_page(page, base, count)),
            ]
            for size in sizes:
                PAGE_SIZE["rows"] = size
                for name, steps in plan:
                    print(f"  {name}, {size} rows a page ...", flush=True)
                    cases.append(run_case(name, steps(), warmup=max(0, args.warmup)))
            print_table(cases)
            if not args.no_export:
                print("\n  export ...", flush=True)
                with tempfile.TemporaryDirectory(prefix="msc-export-") as downloads:
                    export = export_all(page, base, server.process.pid, Path(downloads))
                print_export(export)
            if errors:
                print("\nPage errors:\n  " + "\n  ".join(errors[:10]))
            if WARNINGS:
                print("\nWarnings:\n  " + "\n  ".join(WARNINGS))
            browser.close()
    finally:
        app_server.stop_server(server)

    load_after = os.getloadavg()
    print(
        f"\nLoad average (1, 5, 15 min) on {os.cpu_count()} CPUs: before {', '.join(f'{v:.1f}' for v in load_before)}; "
        f"after {', '.join(f'{v:.1f}' for v in load_after)} (other work on the machine skews the figures)"
    )
    out = RESULTS / f"list_browser-{backend}.json"
    out.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "backend": f"{backend} {version}",
                "database": database,
                "rows": rows,
                "tries": tries,
                "cpus": os.cpu_count(),
                "load_average_before": load_before,
                "load_average_after": load_after,
                "warmup": args.warmup,
                "page_sizes": sizes,
                "unit": "ms from the click / Enter keydown to the new rows in the DOM (frame: to the next animation "
                "frame; delta: to the backend's state delta reaching the page; render: from the delta's arrival to "
                "the painted frame, the page's own rendering; render_share: median of render / frame)",
                "cases": cases,
                "export": export,
                "warnings": WARNINGS,
                "page_errors": errors,
            },
            indent=2,
        )
    )
    print(f"\nResults: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
