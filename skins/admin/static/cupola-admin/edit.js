// Add and edit forms (cupola.admin.editing), enhanced where scripts run:
// a warning before leaving with unsaved changes, file sizes checked before
// sending, a progress bar while a file uploads, and the rich-text editor
// when its bundle was built (data-editor-src). Without this file every
// form still works: it is a plain POST.

const FORM = "form[data-edit-form]";

function sizeText(bytes) {
  const units = ["bytes", "KB", "MB", "GB"];
  let size = bytes, unit = 0;
  while (size >= 1024 && unit < units.length - 1) { size /= 1024; unit += 1; }
  return unit ? `${size.toFixed(1).replace(/\.0$/, "")} ${units[unit]}` : `${size} bytes`;
}

function say(form, text) {
  const state = form.querySelector(".save-state");
  if (state) state.textContent = text;
}

function checkSize(input) {
  const limit = Number(input.dataset.maxSize || 0);
  const file = input.files && input.files[0];
  if (limit && file && file.size > limit) {
    input.setCustomValidity(`This file is ${sizeText(file.size)}; the limit is ${sizeText(limit)}.`);
    input.reportValidity();
  } else {
    input.setCustomValidity("");
  }
}

function hasUpload(form) {
  return [...form.querySelectorAll("input[type=file]")].some((i) => i.files && i.files.length);
}

// Send the form with XMLHttpRequest to show upload progress. The server
// answers such a request (header X-Cupola-Upload) with JSON naming where
// to go instead of a redirect; a form with errors comes back as a page.
function upload(form, submitter, done) {
  const data = new FormData(form);
  if (submitter && submitter.name) data.append(submitter.name, submitter.value);
  const bar = document.createElement("div");
  bar.className = "upload-progress";
  bar.innerHTML = '<progress max="100" value="0"></progress><span aria-live="polite">Uploading…</span>';
  const progress = bar.querySelector("progress"), label = bar.querySelector("span");
  form.querySelector(".save-bar").append(bar);
  form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = true; });
  const xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.setRequestHeader("X-Cupola-Upload", "1");
  xhr.upload.addEventListener("progress", (event) => {
    if (!event.lengthComputable) return;
    const percent = Math.round((event.loaded / event.total) * 100);
    progress.value = percent;
    label.textContent = `Uploading… ${percent}% of ${sizeText(event.total)}`;
  });
  xhr.addEventListener("load", () => {
    const type = xhr.getResponseHeader("Content-Type") || "";
    if (xhr.status === 200 && type.startsWith("application/json")) {
      done();
      window.location.assign(JSON.parse(xhr.responseText).location);
    } else if (type.startsWith("text/html")) {
      done();  // a new form, with the errors and the values as sent
      const page = new DOMParser().parseFromString(xhr.responseText, "text/html");
      document.title = page.title;
      document.body.replaceWith(page.body);
      init();
    } else {
      fail();
    }
  });
  function fail() {
    bar.remove();
    form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = false; });
    say(form, "The upload failed. Check your connection and try again.");
  }
  xhr.addEventListener("error", fail);
  xhr.send(data);
}

function enhance(form) {
  let dirty = false;
  const changed = () => {
    if (!dirty) { dirty = true; say(form, "Unsaved changes"); }
  };
  form.addEventListener("input", changed);
  form.addEventListener("change", (event) => {
    changed();
    if (event.target.matches("input[type=file]")) checkSize(event.target);
  });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
  form.addEventListener("submit", (event) => {
    form.dispatchEvent(new CustomEvent("cupola:before-submit"));
    if (hasUpload(form) && window.FormData && window.XMLHttpRequest) {
      event.preventDefault();
      upload(form, event.submitter, () => { dirty = false; });
      return;
    }
    dirty = false;
  });
  const src = form.dataset.editorSrc;
  if (src) {
    import(src).then((editor) => {
      form.querySelectorAll("textarea[data-richtext]").forEach((area) => {
        editor.mount(area, { onChange: changed });
      });
    }).catch((error) => console.warn("The rich-text editor did not load:", error));
  }
}

function init() {
  document.querySelectorAll(FORM).forEach(enhance);
}

init();
