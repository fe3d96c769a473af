// Small enhancements of the hub's pages; every page also works without them.

// A banner reports one action. The address that named it is cleaned, so that a reload or a
// later visit does not repeat it, and the banner goes when the next request starts.
const search = new URLSearchParams(location.search);
if (["connected", "disconnected", "cancelled"].some((name) => search.has(name))) {
  history.replaceState(null, "", location.pathname);
}
// (htmx 4 names its events htmx:before:request, htmx:after:swap, ...)
document.addEventListener("htmx:before:request", () => {
  document.getElementById("notice")?.replaceChildren();
});

// Close empties an items panel and hands focus back to its card. Without this script the
// same link leads back to the dashboard.
document.addEventListener("click", (event) => {
  const close = event.target instanceof Element ? event.target.closest("[data-close-panel]") : null;
  if (!(close instanceof HTMLElement)) return;
  event.preventDefault();
  document.getElementById(close.dataset.closePanel ?? "")?.replaceChildren();
  document.getElementById(close.dataset.returnTo ?? "")?.querySelector("a, button")?.focus();
});

// Items open below the cards; on a narrow screen that is below the fold, so bring them up.
// The event comes from the Load items link, which names its panel in aria-controls.
document.addEventListener("htmx:after:swap", (event) => {
  const source = event.target instanceof Element ? event.target : null;
  const panel = document.getElementById(source?.getAttribute("aria-controls") ?? "");
  if (panel !== null && panel.getBoundingClientRect().top > innerHeight * 0.75) {
    panel.scrollIntoView({ block: "start" });
  }
});
