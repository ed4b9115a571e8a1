// LIST-3: resize a table column by dragging the handle on its header's right border. The new
// width is sent to the server by submitting the hidden form named by the table's
// data-resize-form attribute, which saves it for the user.
(function () {
  const MIN = 60, MAX = 800;

  function headerOf(handle) { return handle.closest("th"); }

  function apply(th, width) {
    const px = Math.max(MIN, Math.min(MAX, Math.round(width))) + "px";
    th.style.width = px;
    th.style.minWidth = px;
    th.style.maxWidth = px;
    return px;
  }

  function save(handle, th) {
    const table = th.closest("[data-resize-form]");
    const form = table && document.getElementById(table.getAttribute("data-resize-form"));
    if (!form) return;
    form.elements.column.value = handle.getAttribute("data-column");
    form.elements.width.value = String(Math.round(th.getBoundingClientRect().width));
    form.requestSubmit();
  }

  document.addEventListener("pointerdown", function (event) {
    const handle = event.target.closest && event.target.closest(".msc-col-resizer");
    if (!handle) return;
    const th = headerOf(handle);
    if (!th) return;
    event.preventDefault();
    const startX = event.clientX;
    const startWidth = th.getBoundingClientRect().width;
    handle.setPointerCapture(event.pointerId);
    document.body.classList.add("msc-resizing");
    function move(e) { apply(th, startWidth + e.clientX - startX); }
    function up() {
      handle.removeEventListener("pointermove", move);
      handle.removeEventListener("pointerup", up);
      handle.removeEventListener("pointercancel", up);
      document.body.classList.remove("msc-resizing");
      save(handle, th);
    }
    handle.addEventListener("pointermove", move);
    handle.addEventListener("pointerup", up);
    handle.addEventListener("pointercancel", up);
  });

  // A click on the handle must not sort the column.
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest(".msc-col-resizer")) {
      event.stopPropagation();
      event.preventDefault();
    }
  }, true);
})();
