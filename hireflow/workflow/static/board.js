// The kanban board: a Move dialog per card (keyboard and touch), drag and drop with a mouse,
// and the bulk bar. Moves go through the JSON API with the version the page showed, so a
// candidate someone else moved meanwhile is refused (409) instead of silently overwritten.
// Without this script the same forms post to the page and the board reloads.
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board) { return; }
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var live = document.getElementById("board-live");
  var dialog = document.getElementById("move-dialog");
  var form = document.getElementById("move-form");
  var toSelect = document.getElementById("move-to");
  var reasonSelect = document.getElementById("move-reason");
  var errorBox = document.getElementById("move-error");
  var current = null;  // the card being moved through the dialog

  function kindOf(select) {
    var option = select.options[select.selectedIndex];
    return option ? option.getAttribute("data-kind") : "";
  }

  function syncReason(select, reason) {
    if (!select || !reason) { return; }
    var field = reason.closest(".reason-field");
    var rejecting = kindOf(select) === "rejected";
    field.hidden = !rejecting;
    reason.required = rejecting;
  }

  function say(text) { if (live) { live.textContent = text; } }

  function column(key) { return board.querySelector('.column[data-stage="' + key + '"]'); }

  function recount() {
    board.querySelectorAll(".column").forEach(function (col) {
      var badge = col.querySelector("h2 .count");
      if (badge) { badge.textContent = String(col.querySelectorAll(".kcard").length); }
    });
  }

  function placed(card, position) {
    var target = column(position.stage);
    card.setAttribute("data-version", String(position.version));
    card.setAttribute("data-stage", position.stage);
    var box = card.querySelector("input[type=checkbox]");
    if (box) { box.value = position.application_id + ":" + position.version; box.checked = false; }
    var days = card.querySelector(".kmeta span");
    if (days) { days.textContent = board.getAttribute("data-zero-days"); }
    if (target) { target.querySelector("ol.cards").prepend(card); }
    recount();
    say(board.getAttribute("data-moved-to") + " " + position.stage_label);
  }

  function send(card, to, reason, note) {
    var id = card.getAttribute("data-application");
    return fetch("/api/v1/applications/" + id + "/move", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({
        to: to,
        version: parseInt(card.getAttribute("data-version"), 10),
        reason: reason || null,
        note: note || ""
      })
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) {
          var message = body && body.error ? body.error.message : String(response.status);
          throw new Error(message);
        }
        placed(card, body);
        return body;
      });
    });
  }

  function openDialog(card, stage) {
    current = card;
    document.getElementById("move-application").value = card.getAttribute("data-application");
    document.getElementById("move-version").value = card.getAttribute("data-version");
    document.getElementById("move-name").textContent = card.querySelector(".kname").textContent;
    var options = Array.prototype.map.call(toSelect.options, function (o) { return o.value; });
    var here = options.indexOf(card.getAttribute("data-stage"));
    toSelect.value = stage || options[Math.min(here + 1, options.length - 1)];
    reasonSelect.value = "";
    document.getElementById("move-note").value = "";
    errorBox.hidden = true;
    syncReason(toSelect, reasonSelect);
    dialog.showModal();
    toSelect.focus();
  }

  board.addEventListener("click", function (event) {
    var button = event.target.closest(".move-open");
    if (button && dialog) { openDialog(button.closest(".kcard")); }
  });

  if (dialog) {
    toSelect.addEventListener("change", function () { syncReason(toSelect, reasonSelect); });
    document.getElementById("move-cancel").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () {
      var button = current && current.querySelector(".move-open");
      if (button) { button.focus(); }
    });
    form.addEventListener("submit", function (event) {
      if (!current) { return; }
      event.preventDefault();
      if (!form.reportValidity()) { return; }
      var note = document.getElementById("move-note").value;
      send(current, toSelect.value, reasonSelect.value, note).then(function () {
        dialog.close();
      }).catch(function (error) {
        errorBox.textContent = error.message;
        errorBox.hidden = false;
      });
    });
  }

  // Drag and drop (mouse); a drop on a rejection column asks for the reason first.
  var dragged = null;
  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".kcard");
    if (!card) { return; }
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-application"));
  });
  board.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    board.querySelectorAll(".drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
  });
  board.addEventListener("dragover", function (event) {
    var col = event.target.closest(".column");
    if (!col || !dragged) { return; }
    event.preventDefault();
    board.querySelectorAll(".drop-target").forEach(function (c) { if (c !== col) { c.classList.remove("drop-target"); } });
    col.classList.add("drop-target");
  });
  board.addEventListener("drop", function (event) {
    var col = event.target.closest(".column");
    if (!col || !dragged) { return; }
    event.preventDefault();
    col.classList.remove("drop-target");
    var card = dragged;
    dragged = null;
    var stage = col.getAttribute("data-stage");
    if (stage === card.getAttribute("data-stage")) { return; }
    if (col.getAttribute("data-kind") === "rejected" && dialog) { openDialog(card, stage); return; }
    send(card, stage, null, "").catch(function (error) { say(error.message); window.alert(error.message); });
  });

  // The bulk bar: how many are selected; a reason when moving them to a rejection stage.
  var bulkTo = document.getElementById("bulk-to");
  var bulkReason = document.getElementById("bulk-reason");
  if (bulkTo) {
    syncReason(bulkTo, bulkReason);
    bulkTo.addEventListener("change", function () { syncReason(bulkTo, bulkReason); });
    var counter = document.getElementById("bulk-count");
    var template = counter.getAttribute("data-selected");
    board.addEventListener("change", function (event) {
      if (!event.target.matches("input[type=checkbox]")) { return; }
      var n = board.querySelectorAll(".kcard input[type=checkbox]:checked").length;
      counter.textContent = template.replace("{n}", String(n));
    });
  }
  if (dialog) { syncReason(toSelect, reasonSelect); }
})();
