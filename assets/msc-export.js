// LIST-7: download the streamed CSV export while reporting its progress to the server-side
// state (through the hidden form whose id is given), then hand the file to the browser.
window.mscExport = async function (url, reportFormId) {
  const form = document.getElementById(reportFormId);
  function report(fields) {
    if (!form) return;
    for (const [name, value] of Object.entries(fields)) form.elements[name].value = String(value);
    form.requestSubmit();
  }
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) {
      report({ rows: 0, total: 0, done: 1, error: (await response.text()) || "The export failed." });
      return;
    }
    const total = Number(response.headers.get("X-Total-Rows") || 0);
    const disposition = response.headers.get("Content-Disposition") || "";
    const match = /filename="([^"]+)"/.exec(disposition);
    const filename = match ? match[1] : "customers.csv";
    const reader = response.body.getReader();
    const chunks = [];
    let lines = 0;
    let lastReport = 0;
    report({ rows: 0, total: total, done: 0, error: "" });
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      for (let i = 0; i < value.length; i++) if (value[i] === 10) lines++;
      const now = performance.now();
      if (now - lastReport > 250) {
        lastReport = now;
        report({ rows: Math.max(0, lines - 1), total: total, done: 0, error: "" });
      }
    }
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob(chunks, { type: "text/csv;charset=utf-8" }));
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
    report({ rows: Math.max(0, lines - 1), total: total, done: 1, error: "" });
  } catch (error) {
    report({ rows: 0, total: 0, done: 1, error: "The export failed: " + error.message });
  }
};
