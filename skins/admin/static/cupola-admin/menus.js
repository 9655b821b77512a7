// Menus that open in place (the toolbar's Add menu, a row's Move menu, the
// header's navigation on small screens): Escape closes the open one and
// puts the focus back on what opened it; a click elsewhere closes the
// toolbar's menus. Without this script they open and close on click.

const MENUS = "details.toolbar-menu[open], details.move-menu[open]";

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || event.defaultPrevented) return;
  const open = [...document.querySelectorAll(MENUS)];
  const inside = open.find((menu) => menu.contains(document.activeElement)) || open.at(-1);
  if (inside) {
    inside.open = false;
    inside.querySelector("summary")?.focus();
    event.preventDefault();
    return;
  }
  const nav = document.getElementById("nav-toggle");
  if (nav?.checked) {
    nav.checked = false;
    nav.focus();
    event.preventDefault();
  }
});

document.addEventListener("click", (event) => {
  for (const menu of document.querySelectorAll("details.toolbar-menu[open]")) {
    if (!menu.contains(event.target)) menu.open = false;
  }
});
