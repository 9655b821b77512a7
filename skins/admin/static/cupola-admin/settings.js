// @@settings: a filter box that hides the settings whose words do not match.
// Without this script the box stays hidden and every setting shows.

const box = document.querySelector("[data-settings-filter]");
const form = document.querySelector(".settings-form");

const fold = (text) =>
  text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");

if (box && form) {
  const input = box.querySelector("input");
  const none = document.querySelector("[data-settings-none]");
  const fields = [...form.querySelectorAll("[data-setting]")].map((field) => ({
    field,
    words: fold(`${field.textContent} ${field.dataset.setting}`),
  }));
  const groups = [...form.querySelectorAll(".settings-group")];

  const filter = () => {
    const query = fold(input.value.trim());
    let shown = 0;
    for (const { field, words } of fields) {
      const hit = !query || query.split(/\s+/).every((w) => words.includes(w));
      field.hidden = !hit;
      shown += hit;
    }
    for (const group of groups) {
      const legend = fold(group.querySelector("legend").textContent);
      if (query && legend.includes(query)) {
        group.querySelectorAll("[data-setting]").forEach((f) => { f.hidden = false; shown += 1; });
      }
      group.hidden = !group.querySelector("[data-setting]:not([hidden])");
      group.querySelectorAll(".field-row").forEach((row) => {
        row.hidden = !row.querySelector("[data-setting]:not([hidden])");
      });
    }
    none.hidden = shown > 0;
  };

  box.hidden = false;
  input.addEventListener("input", filter);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && input.value) {
      input.value = "";
      filter();
    }
  });
}
