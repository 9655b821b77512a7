// Reference fields: "Browse the site…" opens the picker page in a dialog
// instead of a new tab; its folders, breadcrumbs, search and pages load
// inside the dialog, and "Choose" adds the item to the form (as an address
// that the server turns into a stable id when the form is saved).
// Escape or "Close" closes the dialog.

let dialog = null;
let target = null; // the fieldset of the field being filled

function makeDialog() {
  const d = document.createElement("dialog");
  d.className = "picker-dialog";
  d.setAttribute("aria-labelledby", "picker-dialog-title");
  d.innerHTML = `<div class="picker-dialog-head">
      <h2 id="picker-dialog-title">Choose an item</h2>
      <button type="button" class="button subtle small" data-close>Close</button>
    </div>
    <div class="picker-dialog-body" aria-live="polite"></div>`;
  d.querySelector("[data-close]").addEventListener("click", () => d.close());
  d.addEventListener("click", onClick);
  d.addEventListener("submit", onSubmit);
  document.body.append(d);
  return d;
}

async function load(url) {
  const body = dialog.querySelector(".picker-dialog-body");
  body.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const picker = page.querySelector("[data-picker]");
    if (!response.ok || !picker) throw new Error(String(response.status));
    picker.querySelector(".admin-header")?.remove(); // the dialog has its own title
    picker.querySelectorAll("[data-choose]").forEach((b) => { b.hidden = false; });
    body.replaceChildren(picker);
    body.querySelector("input[type=search]")?.focus();
  } catch (error) {
    const p = document.createElement("p");
    p.className = "error-message";
    p.textContent = "The site could not be browsed just now. Try again.";
    body.replaceChildren(p);
  } finally {
    body.removeAttribute("aria-busy");
  }
}

function onClick(event) {
  const link = event.target.closest("a[href]");
  if (link && dialog.contains(link)) {
    event.preventDefault();
    load(link.href);
    return;
  }
  const choose = event.target.closest("[data-choose]");
  if (choose) choosePath(choose.dataset.choose, choose.dataset.title);
}

function onSubmit(event) {
  const form = event.target;
  event.preventDefault();
  const url = new URL(form.action, location.href);
  new FormData(form).forEach((value, key) => url.searchParams.set(key, value));
  load(url.href);
}

function choosePath(path, title) {
  const name = target.dataset.references;
  const list = target.querySelector("[data-reference-list]");
  if (target.dataset.single) {
    list.querySelectorAll("input[type=checkbox]").forEach((box) => { box.checked = false; });
  }
  const label = document.createElement("label");
  const box = document.createElement("input");
  box.type = "checkbox";
  box.name = `${name}.add`;
  box.value = path;
  box.checked = true;
  const text = document.createElement("span");
  text.textContent = `${title} `;
  const small = document.createElement("small");
  small.className = "muted";
  small.textContent = path;
  text.append(small);
  label.append(box, text);
  list.append(label);
  target.querySelector("[data-reference-empty]")?.remove();
  target.closest("form")?.dispatchEvent(new Event("input", { bubbles: true }));
  dialog.close();
  box.focus();
}

document.addEventListener("click", (event) => {
  const opener = event.target.closest("[data-reference-picker]");
  if (!opener || typeof HTMLDialogElement === "undefined") return;
  event.preventDefault();
  target = opener.closest("[data-references]");
  dialog = dialog || makeDialog();
  dialog.showModal();
  load(opener.href);
});
