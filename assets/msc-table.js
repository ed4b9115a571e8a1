// The customers list's table (issue 14): shared pop-ups opened for the clicked row (LIST-8,
// CONTRACT-1) and the loading feedback of a list action (UX-2). No per-row widget: one listener each.
(function () {
  // ---- One menu / pop-up for the whole table, anchored at the row's button that opened it.
  // A row's button carries data-msc-opens="<anchor id>"; the anchor is the hidden Radix trigger of
  // the shared menu / pop-up. On click (mouse, Enter or Space) the anchor is laid over the button, so
  // the pop-up opens next to it; with data-msc-toggles the anchor is clicked too (an uncontrolled
  // pop-up), otherwise the row's own handler opens it through the state. When Radix gives focus back
  // to the anchor on close, it goes on to the row's button.
  const opener = {};

  function place(anchor, rect) {
    anchor.style.left = rect.left + "px";
    anchor.style.top = rect.top + "px";
    anchor.style.width = rect.width + "px";
    anchor.style.height = rect.height + "px";
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("[data-msc-opens]");
    if (!button) return;
    const anchor = document.getElementById(button.getAttribute("data-msc-opens"));
    if (!anchor) return;
    opener[anchor.id] = button;
    place(anchor, button.getBoundingClientRect());
    if (button.hasAttribute("data-msc-toggles") && anchor.getAttribute("data-state") !== "open") anchor.click();
  }, true);

  document.addEventListener("focusin", function (event) {
    const anchor = event.target;
    if (!anchor || !anchor.hasAttribute || !anchor.hasAttribute("data-msc-anchor")) return;
    const button = opener[anchor.id];
    if (button && button.isConnected) button.focus();
  });

  // ---- UX-2: an action that changes the list (sort, pager, search Enter, filter Apply) marks the
  // table's scroll container data-pending (and aria-busy) until the list changes; msc.css dims the
  // old rows and shows a progress bar only after 150 ms, so a fast answer does not flash.
  const TRIGGERS = ".msc-sort-button, [data-msc-pager] button, [data-msc-busy]";
  let watching = null;

  function table() { return document.querySelector("[data-msc-table]"); }

  function clear() {
    if (!watching) return;
    watching.observer.disconnect();
    clearTimeout(watching.timer);
    watching.table.removeAttribute("data-pending");
    watching.table.removeAttribute("aria-busy");
    watching = null;
  }

  // Radix's ScrollArea mounts its scrollbar when the pointer comes near: not an answer.
  function isAnswer(record) {
    const el = record.target.nodeType === 1 ? record.target : record.target.parentElement;
    if (el && el.closest && el.closest(".rt-ScrollAreaScrollbar")) return false;
    if (record.type === "childList") {
      const nodes = Array.from(record.addedNodes).concat(Array.from(record.removedNodes));
      const scrollbar = (n) => n.nodeType === 1 && n.classList.contains("rt-ScrollAreaScrollbar");
      if (nodes.length && nodes.every(scrollbar)) return false;
    }
    return true;
  }

  function mark() {
    const el = table();
    if (!el) return;
    clear();
    // The list's answer: new rows or cells, a new sort order, the pager's summary (the card around).
    const scope = el.parentElement || el;
    const observer = new MutationObserver(function (records) { if (records.some(isAnswer)) clear(); });
    observer.observe(scope, { subtree: true, childList: true, characterData: true, attributeFilter: ["aria-sort"] });
    el.setAttribute("data-pending", "true");
    el.setAttribute("aria-busy", "true");
    // An answer that changes nothing (the same search again) must not leave the rows dimmed.
    watching = { table: el, observer: observer, timer: setTimeout(clear, 10000) };
  }

  function isFilterApply(button) {
    // The Filters panel's Apply (components/filter_panel.py): a dialog titled "Filters".
    const dialog = button.closest('[role="dialog"]');
    const title = dialog && dialog.querySelector("h2");
    return !!title && title.textContent.trim() === "Filters" && button.textContent.trim() === "Apply";
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("button");
    if (!button || button.disabled || !table()) return;
    if (button.matches(TRIGGERS) || isFilterApply(button)) mark();
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) return;
    const input = event.target;
    if (input && input.matches && input.matches('input[type="search"]') && table()) mark();
  }, true);

  window.mscTable = { mark: mark, clear: clear };
})();
