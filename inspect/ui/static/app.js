// orderhooks inspect: the live list, copy buttons and tree folding.
// Served from the binary; the page's Content-Security-Policy allows no
// other script. Rows arrive as HTML escaped by the server's templates.
"use strict";

function liveList() {
  const table = document.querySelector("table[data-live]");
  if (!table || !window.EventSource) return;
  const body = table.tBodies[0];
  const count = document.getElementById("count");
  const badge = document.getElementById("live");
  const feed = new EventSource(table.dataset.live);
  const state = (s) => { if (badge) badge.dataset.state = s; };
  feed.onopen = () => state("open");
  feed.onerror = () => state(feed.readyState === EventSource.CLOSED ? "closed" : "connecting");
  feed.addEventListener("delivery", (ev) => {
    let msg;
    try { msg = JSON.parse(ev.data); } catch (e) { return; }
    if (body.querySelector('tr[data-id="' + Number(msg.id) + '"]')) return;
    const empty = body.querySelector("tr.empty");
    if (empty) empty.remove();
    body.insertAdjacentHTML("afterbegin", msg.html);
    const row = body.firstElementChild;
    if (row) row.classList.add("new");
    if (count) count.textContent = String(Number(count.textContent) + 1);
  });
}

function copyButtons() {
  document.querySelectorAll("button[data-copy]").forEach((btn) => {
    btn.addEventListener("click", () => {
      const el = document.getElementById(btn.dataset.copy);
      if (!el) return;
      const done = () => { btn.textContent = "Copied"; setTimeout(() => { btn.textContent = "Copy"; }, 1500); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(el.textContent).then(done, () => selectText(el));
      } else {
        selectText(el);
      }
    });
  });
}

function selectText(el) {
  const range = document.createRange();
  range.selectNodeContents(el);
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
}

function treeButtons() {
  document.querySelectorAll("button[data-tree]").forEach((btn) => {
    btn.addEventListener("click", () => {
      const open = btn.dataset.tree === "open";
      document.querySelectorAll("#tree details").forEach((d) => { d.open = open; });
    });
  });
}

function autoFilter() {
  const form = document.querySelector("form.filters");
  if (!form) return;
  form.querySelectorAll("select, input[type=checkbox]").forEach((el) => {
    el.addEventListener("change", () => form.requestSubmit());
  });
}

document.addEventListener("DOMContentLoaded", () => {
  liveList();
  copyButtons();
  treeButtons();
  autoFilter();
});
