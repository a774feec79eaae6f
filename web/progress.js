// Marks lessons whose exercises the reader solved (storage.js) wherever the page lists lessons: elements with
// data-lesson="<lesson file slug>" (the home page's lesson cards), the home page's lesson list (.nnlib-lessons) and
// the site navigation. Runs on every page (main.js); does nothing until an exercise has been solved.
import { lessonSlug, readLesson } from "./storage.js";
import { exerciseStrings } from "./exercises-i18n.js";

/** The element to mark for each lesson listed on the page: [element, slug] pairs. */
function listedLessons(root) {
  const found = [];
  for (const node of root.querySelectorAll("[data-lesson]")) found.push([node, node.dataset.lesson]);
  for (const link of root.querySelectorAll(".nnlib-lessons a[href], .md-nav--primary a.md-nav__link[href]")) {
    if (link.closest("[data-lesson]")) continue; // a card's own link: the card is marked
    const slug = lessonSlug(link.href);
    if (slug) found.push([link, slug]);
  }
  return found;
}

export function markLessons(root = document) {
  const t = exerciseStrings();
  for (const [node, slug] of listedLessons(root)) {
    const { solved, exercises } = readLesson(slug);
    const total = exercises.length;
    const done = exercises.filter((id) => solved[id]).length;
    // A card (or navigation link) gets the mark inside; a link in running text gets it right after itself.
    const inside = node.matches("[data-lesson], .md-nav__link");
    const old = inside ? node.querySelector(":scope > .nnex-lesson-mark") : node.nextElementSibling;
    if (old && old.classList.contains("nnex-lesson-mark")) old.remove();
    if (!done) {
      delete node.dataset.nnlibSolved;
      continue;
    }
    node.dataset.nnlibSolved = done === total ? "all" : "some";
    const mark = document.createElement("span");
    mark.className = "nnex-lesson-mark";
    const text = t.lessonSolved(done, total);
    const compact = node.matches(".md-nav__link"); // the navigation has room for a tick only
    mark.textContent = compact ? (done === total ? "✓" : `${done}/${total}`) : text;
    if (compact) mark.title = text;
    if (inside) node.append(mark);
    else node.after(mark);
  }
}
