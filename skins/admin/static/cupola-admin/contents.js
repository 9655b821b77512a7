// Folder contents (@@contents), enhanced: select many with shift-click,
// reorder by dragging or from the keyboard, upload with progress.
// Everything here also works without this script, through plain forms.

const root = document.getElementById("contents");
if (root) {
  const form = document.getElementById("contents-form");
  const table = form.querySelector(".contents-table");
  const live = document.getElementById("contents-live");
  const csrf = form.querySelector("input[name=_csrf]").value;
  const say = (text, kind = "info") => {
    live.className = `live-feedback status-${kind}`;
    live.textContent = text;
  };
  if (table) selection(form, table);
  if (table && table.dataset.reorder) reorder(form, table, csrf, say);
  const upload = root.querySelector(".upload-form");
  if (upload) uploads(upload);
}

// -- selecting ---------------------------------------------------------------

function selection(form, table) {
  const boxes = [...table.querySelectorAll("tbody input[name=item]")];
  const all = form.querySelector("#select-all");
  const count = form.querySelector(".selected-count");
  const needy = [...form.querySelectorAll(".bulk-actions [data-needs]")];
  form.querySelectorAll(".select-all-link").forEach((a) => { a.hidden = true; });
  all.closest("label").hidden = false;
  let last = null;

  const update = () => {
    const chosen = boxes.filter((b) => b.checked);
    const states = new Set(chosen.map((b) => b.closest("tr").dataset.state));
    for (const box of boxes) box.closest("tr").classList.toggle("selected", box.checked);
    all.checked = chosen.length === boxes.length;
    all.indeterminate = chosen.length > 0 && chosen.length < boxes.length;
    count.textContent = chosen.length ? `${chosen.length} selected` : "Select items to act on them";
    for (const button of needy) {
      const from = button.dataset.from;
      button.disabled = !chosen.length ||
        (from !== undefined && !from.split(" ").some((s) => states.has(s)));
    }
  };

  table.addEventListener("click", (event) => {
    const box = event.target.closest("input[name=item]");
    if (!box) return;
    const index = boxes.indexOf(box);
    if (event.shiftKey && last !== null && last !== index) {
      const [a, b] = last < index ? [last, index] : [index, last];
      for (let i = a; i <= b; i++) boxes[i].checked = box.checked;
    }
    last = index;
    update();
  });
  // no text selection when shift-clicking a range
  table.addEventListener("mousedown", (event) => {
    if (event.shiftKey && event.target.closest(".check")) event.preventDefault();
  });
  all.addEventListener("change", () => {
    for (const box of boxes) box.checked = all.checked;
    last = null;
    update();
  });
  update();
}

// -- reordering --------------------------------------------------------------

function reorder(form, table, csrf, say) {
  // form.action would be the buttons named "action": read the attribute
  const target = form.getAttribute("action");
  const body = table.tBodies[0];
  const rows = () => [...body.rows];
  const slots = rows().map((r) => Number(r.dataset.position)).sort((a, b) => a - b);
  const titleOf = (row) => row.querySelector("th.item a").textContent.trim();
  let lifted = null; // {row, from (index on the page), next sibling}

  for (const row of rows()) {
    const handle = document.createElement("button");
    handle.type = "button";
    handle.className = "handle";
    handle.setAttribute("aria-label", `Reorder “${titleOf(row)}”`);
    handle.setAttribute("aria-describedby", "reorder-help");
    handle.setAttribute("aria-pressed", "false");
    row.querySelector(".position").prepend(handle);
  }

  const lift = (row) => {
    lifted = { row, from: rows().indexOf(row), next: row.nextElementSibling };
    row.classList.add("lifted");
    row.querySelector(".handle").setAttribute("aria-pressed", "true");
  };
  const settle = () => {
    lifted.row.classList.remove("lifted");
    lifted.row.querySelector(".handle").setAttribute("aria-pressed", "false");
    lifted = null;
  };
  const place = (row, before) => {
    const handle = row.querySelector(".handle");
    const focused = document.activeElement === handle;
    body.insertBefore(row, before);
    if (focused) handle.focus();
  };
  const cancel = () => {
    if (!lifted) return;
    const { row } = lifted;
    place(row, lifted.next);
    settle();
    say(`Cancelled: “${titleOf(row)}” is back at position ${Number(row.dataset.position) + 1}.`);
  };
  const drop = () => {
    const { row, from } = lifted;
    const to = rows().indexOf(row);
    settle();
    if (to === from) {
      say(`“${titleOf(row)}” stays at position ${Number(row.dataset.position) + 1}.`);
      return;
    }
    commit(row, from, to);
  };

  const renumber = () => rows().forEach((r, i) => {
    r.dataset.position = slots[i];
    r.querySelector(".pos").textContent = slots[i] + 1;
  });

  const commit = (row, from, to) => {
    const data = new FormData();
    data.append("_csrf", csrf);
    data.append("action", "reorder");
    data.append("name", row.dataset.name);
    data.append("position", slots[to]);
    row.classList.add("saving");
    fetch(target, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "X-Requested-With": "fetch", Accept: "application/json" },
    }).then((response) => response.json().then((answer) => {
      row.classList.remove("saving");
      if (!response.ok || !answer.ok) throw new Error(answer.message || "refused");
      renumber();
      row.classList.add("just-moved");
      setTimeout(() => row.classList.remove("just-moved"), 1600);
      say(answer.message, "success");
    })).catch((error) => {
      row.classList.remove("saving");
      if (error instanceof TypeError) { // no answer at all: try the plain form
        fallback(target, { _csrf: csrf, action: "reorder", name: row.dataset.name,
                                position: slots[to] });
        return;
      }
      place(row, rows()[from + (from > to ? 1 : 0)] || null);
      say(`Not moved: ${error.message}`, "error");
    });
  };

  // keyboard: Space picks up and drops, arrows move, Escape cancels
  body.addEventListener("keydown", (event) => {
    const handle = event.target.closest(".handle");
    if (!handle) return;
    const row = handle.closest("tr");
    const key = event.key;
    if (key === " " || key === "Enter") {
      event.preventDefault();
      if (!lifted) {
        lift(row);
        say(`Picked up “${titleOf(row)}”, position ${rows().indexOf(row) + 1} of ` +
            `${rows().length} on this page. Arrow keys move it, Space drops it, Escape cancels.`);
      } else {
        drop();
      }
    } else if (lifted && lifted.row === row) {
      const list = rows();
      const at = list.indexOf(row);
      let target = null;
      if (key === "ArrowUp" && at > 0) target = at - 1;
      else if (key === "ArrowDown" && at < list.length - 1) target = at + 1;
      else if (key === "Home") target = 0;
      else if (key === "End") target = list.length - 1;
      else if (key === "Escape") { event.preventDefault(); cancel(); return; }
      else if (key === "Tab") { cancel(); return; }
      if (key.startsWith("Arrow") || key === "Home" || key === "End") event.preventDefault();
      if (target === null) return;
      place(row, target < at ? list[target] : list[target].nextElementSibling);
      say(`Position ${target + 1} of ${list.length}.`);
    }
  });
  // leaving a picked-up row cancels; moving the row itself blurs the
  // handle for a moment (place() focuses it again), so look a tick later
  body.addEventListener("focusout", () => {
    setTimeout(() => {
      if (lifted && !lifted.dragging &&
          document.activeElement !== lifted.row.querySelector(".handle")) cancel();
    }, 0);
  });

  // pointer: drag the handle up and down (mouse, pen and touch alike). The
  // listeners are on the window: moving the row in the document would end
  // a pointer capture on its handle.
  body.addEventListener("pointerdown", (event) => {
    const handle = event.target.closest(".handle");
    if (!handle || event.button !== 0 || lifted) return;
    event.preventDefault();
    const row = handle.closest("tr");
    handle.focus();
    lift(row);
    lifted.dragging = true;
    const move = (e) => {
      const list = rows();
      for (const other of list) {
        if (other === row) continue;
        const box = other.getBoundingClientRect();
        if (e.clientY > box.top && e.clientY < box.bottom) {
          const below = list.indexOf(other) > list.indexOf(row);
          place(row, below ? other.nextElementSibling : other);
          break;
        }
      }
    };
    const end = (e) => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", end);
      window.removeEventListener("pointercancel", end);
      if (!lifted) return;
      if (e.type === "pointercancel") cancel(); else drop();
    };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", end);
    window.addEventListener("pointercancel", end);
  });
}

function fallback(action, fields) {
  const form = document.createElement("form");
  form.method = "post";
  form.setAttribute("action", action);
  for (const [name, value] of Object.entries(fields)) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  form.submit();
}

// -- uploading ---------------------------------------------------------------

function uploads(form) {
  const input = form.querySelector("input[type=file]");
  const bar = form.querySelector("progress");
  const status = form.querySelector(".upload-status");
  const button = form.querySelector("button[type=submit]");
  const max = Number(form.dataset.max) || 0;
  const human = (n) => n < 1048576 ? `${Math.ceil(n / 1024)} KB` : `${(n / 1048576).toFixed(1)} MB`;
  const tell = (text, kind) => {
    status.textContent = text;
    status.className = `upload-status status-${kind}`;
  };

  form.addEventListener("submit", (event) => {
    const files = [...input.files];
    if (!files.length) return;
    const total = files.reduce((sum, f) => sum + f.size, 0);
    event.preventDefault();
    if (max && total > max) {
      tell(`These files come to ${human(total)}; at most ${human(max)} fit in one upload. ` +
           "Choose fewer.", "error");
      return;
    }
    const request = new XMLHttpRequest();
    request.open("POST", form.getAttribute("action"));
    request.setRequestHeader("X-Requested-With", "fetch");
    request.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      const percent = Math.round((e.loaded / e.total) * 100);
      bar.value = percent;
      tell(`Uploading ${files.length} file${files.length === 1 ? "" : "s"}: ${percent}%`, "info");
    });
    request.addEventListener("load", () => {
      let answer = null;
      try { answer = JSON.parse(request.responseText); } catch (e) { answer = null; }
      if (request.status === 200 && answer && answer.location) {
        tell("Uploaded. Loading the folder…", "success");
        window.location.assign(answer.location);
        return;
      }
      done();
      tell(request.status === 413 ? "The files are too big for one upload. Choose fewer."
        : `The upload failed (${request.status}). Reload the page and try again.`, "error");
    });
    request.addEventListener("error", () => {
      done();
      tell("The upload failed: the connection was lost. Try again.", "error");
    });
    bar.hidden = false;
    bar.value = 0;
    button.disabled = true;
    tell(`Uploading ${files.length} file${files.length === 1 ? "" : "s"}…`, "info");
    request.send(new FormData(form));
  });
  const done = () => { button.disabled = false; bar.hidden = true; };
}
