// The rich-text editor of the admin forms: Tiptap (MIT) on a <textarea>.
//
// Source of skins/admin/static/cupola-admin/vendor/editor.js, which `make`
// builds with esbuild from the npm packages named in package.json. edit.js
// imports the bundle on edit screens only and calls mount(textarea). The
// textarea stays in the form and always holds the HTML that is sent; the
// server sanitises it (cupola.content.html). Text the editor cannot show
// without losing something (a table, a class, a figure...) opens as HTML.

import { Editor } from "@tiptap/core";
import StarterKit from "@tiptap/starter-kit";
import Image from "@tiptap/extension-image";

const SKIP = new Set(["P", "BR", "DIV", "SPAN"]);
const SAME = { B: "STRONG", I: "EM", STRIKE: "S", DEL: "S" };
const KEPT_ATTRS = { A: ["href"], IMG: ["src", "alt"], OL: ["start"] };

// What of *html* matters: the elements (with the attributes that carry
// meaning) and the words. Lossless means every token of the original is
// still there after the editor has read and written it.
function signature(html) {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const tokens = new Map();
  const add = (token) => tokens.set(token, (tokens.get(token) || 0) + 1);
  for (const el of doc.body.querySelectorAll("*")) {
    const tag = SAME[el.tagName] || el.tagName;
    for (const attr of el.attributes) {
      const keep = KEPT_ATTRS[el.tagName] || [];
      if (keep.includes(attr.name)) add(`${tag}[${attr.name}=${attr.value}]`);
      else if (!(tag === "A" && attr.name === "rel")) add(`${tag}@${attr.name}=${attr.value}`);
    }
    if (!SKIP.has(tag)) add(tag);
  }
  return { tokens, text: doc.body.textContent.replace(/\s+/g, "") };
}

function losses(before, after) {
  const a = signature(before), b = signature(after);
  const lost = [];
  for (const [token, count] of a.tokens) {
    if ((b.tokens.get(token) || 0) < count) lost.push(token);
  }
  if (a.text !== b.text) lost.push("text");
  return lost;
}

const GROUP = { TBODY: "TABLE", THEAD: "TABLE", TFOOT: "TABLE", TR: "TABLE", TD: "TABLE",
                TH: "TABLE", CAPTION: "TABLE", COL: "TABLE", COLGROUP: "TABLE",
                FIGCAPTION: "FIGURE", SUMMARY: "DETAILS", DT: "DL", DD: "DL" };

function describe(lost) {
  const names = new Set(lost.map((t) => {
    const tag = t.replace(/[\[@].*$/, "");
    return (GROUP[tag] || tag).toLowerCase() + (t.includes("@") ? " attributes" : "");
  }));
  return [...names].slice(0, 4).join(", ");
}

const BUTTONS = [
  // [label, title, command, is active?]
  ["Text", "Paragraph", (c) => c.setParagraph(), (e) => e.isActive("paragraph")],
  ["H2", "Heading", (c) => c.toggleHeading({ level: 2 }), (e) => e.isActive("heading", { level: 2 })],
  ["H3", "Subheading", (c) => c.toggleHeading({ level: 3 }), (e) => e.isActive("heading", { level: 3 })],
  null,
  ["B", "Bold (Ctrl+B)", (c) => c.toggleBold(), (e) => e.isActive("bold")],
  ["I", "Italic (Ctrl+I)", (c) => c.toggleItalic(), (e) => e.isActive("italic")],
  ["Link", "Link (Ctrl+K)", null, (e) => e.isActive("link")],
  null,
  ["• List", "Bulleted list", (c) => c.toggleBulletList(), (e) => e.isActive("bulletList")],
  ["1. List", "Numbered list", (c) => c.toggleOrderedList(), (e) => e.isActive("orderedList")],
  ["Quote", "Quotation", (c) => c.toggleBlockquote(), (e) => e.isActive("blockquote")],
  ["Image", "Image…", "image", null],
  null,
  ["Undo", "Undo (Ctrl+Z)", (c) => c.undo(), null],
  ["Redo", "Redo (Ctrl+Shift+Z)", (c) => c.redo(), null],
];

function editLink(editor) {
  const current = editor.getAttributes("link").href || "";
  const href = window.prompt("Address of the link (empty to remove it):", current || "https://");
  if (href === null) return;
  const chain = editor.chain().focus().extendMarkRange("link");
  if (!href.trim() || href.trim() === "https://") chain.unsetLink().run();
  else chain.setLink({ href: href.trim() }).run();
}

function insertImage(editor) {
  const src = window.prompt(
    "Address of the image (an image of this site, like /photos/lake.jpg/@@inline):", "");
  if (src === null || !src.trim()) return;
  const alt = window.prompt("Describe the image for people who cannot see it:", "");
  if (alt === null) return;
  editor.chain().focus().setImage({ src: src.trim(), alt: alt.trim() }).run();
}

export function mount(textarea, { onChange } = {}) {
  const label = document.querySelector(`label[for="${textarea.id}"]`);
  if (label && !label.id) label.id = `${textarea.id}-label`;
  const box = document.createElement("div");
  box.className = "rte";
  const bar = document.createElement("div");
  bar.className = "rte-toolbar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", "Formatting");
  const surface = document.createElement("div");
  const note = document.createElement("p");
  note.className = "rte-note";
  note.hidden = true;
  textarea.before(box);
  box.append(bar, note, surface, textarea);
  textarea.required = false; // never required while hidden (see the form)

  const original = textarea.value;
  let sourceMode = false;
  const attrs = {
    class: "rte-content prose", role: "textbox", "aria-multiline": "true",
  };
  if (label) attrs["aria-labelledby"] = label.id;
  const describedBy = textarea.getAttribute("aria-describedby");
  if (describedBy) attrs["aria-describedby"] = describedBy;
  if (textarea.getAttribute("aria-invalid")) attrs["aria-invalid"] = "true";

  const editor = new Editor({
    element: surface,
    injectCSS: false, // the CSP allows no inline <style>; admin.css has the rules
    extensions: [
      StarterKit.configure({
        heading: { levels: [2, 3, 4, 5, 6] },
        trailingNode: false, // no empty paragraph added at the end
        link: { openOnClick: false, autolink: true, defaultProtocol: "https",
                HTMLAttributes: { target: null, rel: null, class: null } },
      }),
      Image.configure({ inline: false }),
    ],
    content: original,
    editorProps: {
      attributes: attrs,
      handleKeyDown: (view, event) => {
        if ((event.ctrlKey || event.metaKey) && event.key === "k") {
          event.preventDefault();
          editLink(editor);
          return true;
        }
        return false;
      },
    },
    onUpdate: () => {
      if (!sourceMode) textarea.value = editor.isEmpty ? "" : editor.getHTML();
      onChange?.();
      refresh();
    },
    onSelectionUpdate: () => refresh(),
    onFocus: () => box.classList.add("rte-focused"),
    onBlur: () => box.classList.remove("rte-focused"),
  });

  const buttons = [];
  for (const spec of BUTTONS) {
    if (!spec) {
      const gap = document.createElement("span");
      gap.className = "rte-gap";
      bar.append(gap);
      continue;
    }
    const [text, title, command, active] = spec;
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = text;
    button.title = title;
    // the visible text is part of the name (WCAG 2.5.3), unless it is a letter
    const name = title.replace(/ \(.*\)$/, "").replace(/…$/, "");
    const shown = text.replace(/[^A-Za-z0-9 ]/g, "").trim();
    button.setAttribute("aria-label", shown.length < 2 || name.toLowerCase().includes(shown.toLowerCase())
      ? name : `${text} (${name.toLowerCase()})`);
    button.className = `rte-button rte-${text.toLowerCase().replace(/[^a-z0-9]/g, "")}`;
    button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the caret
    button.addEventListener("click", () => {
      if (command === "image") insertImage(editor);
      else if (command) command(editor.chain().focus()).run();
      else editLink(editor);
    });
    buttons.push([button, active]);
    bar.append(button);
  }
  const source = document.createElement("button");
  source.type = "button";
  source.className = "rte-button rte-source";
  source.textContent = "HTML";
  source.title = "Edit the HTML";
  source.setAttribute("aria-pressed", "false");
  bar.append(source);

  function refresh() {
    for (const [button, active] of buttons) {
      button.disabled = sourceMode;
      if (active) button.setAttribute("aria-pressed", String(!sourceMode && active(editor)));
    }
  }

  function showSource(on, why) {
    sourceMode = on;
    surface.hidden = on;
    textarea.hidden = !on;
    source.setAttribute("aria-pressed", String(on));
    source.textContent = on ? "Visual" : "HTML";
    source.title = on ? "Back to the visual editor" : "Edit the HTML";
    note.hidden = !why;
    note.textContent = why || "";
    refresh();
  }

  source.addEventListener("click", () => {
    if (!sourceMode) {
      showSource(true);
      textarea.focus();
      return;
    }
    const html = textarea.value;
    editor.commands.setContent(html, { emitUpdate: false });
    const lost = losses(html, editor.getHTML());
    if (lost.length && !window.confirm(
      `The visual editor cannot keep some of this formatting (${describe(lost)}). Switch anyway?`)) {
      return;
    }
    textarea.value = editor.isEmpty ? "" : editor.getHTML();
    showSource(false);
    editor.commands.focus();
  });
  if (label) label.addEventListener("click", (event) => {
    event.preventDefault();
    if (sourceMode) textarea.focus(); else editor.commands.focus();
  });

  const lost = original.trim() ? losses(original, editor.getHTML()) : [];
  if (lost.length) {
    showSource(true, `Shown as HTML: the visual editor would drop some of its formatting (${describe(lost)}).`);
  } else {
    showSource(false);
  }
  return editor;
}
