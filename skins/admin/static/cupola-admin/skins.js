// @@skins-edit: line numbers beside the template source that follow typing
// and scrolling, and the caret put on the line the compiler complained about.
// Without this script the numbers shown are those of the page as sent.

const area = document.querySelector(".code-editor textarea");
const gutter = document.querySelector("[data-gutter]");

if (area && gutter) {
  let shown = 0;
  const number = () => {
    const count = area.value.split("\n").length;
    if (count !== shown) {
      shown = count;
      gutter.textContent = Array.from({ length: count }, (_, i) => i + 1).join("\n") + "\n";
    }
  };
  const follow = () => { gutter.scrollTop = area.scrollTop; };
  area.addEventListener("input", number);
  area.addEventListener("scroll", follow);
  number();

  const line = Number(area.dataset.errorLine);
  if (line > 0) {
    const lines = area.value.split("\n");
    const start = lines.slice(0, line - 1).reduce((n, text) => n + text.length + 1, 0);
    area.focus();
    area.setSelectionRange(start, start + (lines[line - 1] || "").length);
    const height = area.scrollHeight / Math.max(lines.length, 1);
    area.scrollTop = Math.max(0, (line - 5) * height);
    follow();
  }
}
