// Give the sidebar's expand/collapse toggles an accessible name: the theme draws
// them as <summary> elements holding only an icon, which screen readers cannot name.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("summary").forEach(function (summary) {
    if (summary.textContent.trim() === "" && !summary.getAttribute("aria-label")) {
      var item = summary.closest("li");
      var link = item ? item.querySelector("a") : null;
      var name = link ? link.textContent.trim() : "this section";
      summary.setAttribute("aria-label", "Show or hide the pages under " + name);
    }
  });
});
