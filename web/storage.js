// The reader's work on a lesson, kept in localStorage under one key per lesson: edited cells (code and the version of
// the cell it was written against) and solved exercises. The key holds the lesson's file slug, not the language, so
// both languages of a lesson share it (their code is the same). When storage is unavailable (private mode, disabled
// cookies, quota), everything still works for the visit and `available` is false.

const KEY_PREFIX = "nnlib:v1:lesson:"; // v1: the layout of the stored record; a new layout gets a new prefix

/** Renumbered lessons, old slug -> new slug (mkdocs.yml: extra.moved_lessons): work saved under the old slug is moved
 * to the new one the first time the lesson is read. Cell ids do not depend on the slug, so the edits still apply. */
export const MOVED = {
  "01-activation-functions": "02-activation-functions",
  "02-computational-graphs": "06-computational-graphs",
  "03-digits-network": "09-digits-network",
};

/** The lesson's file slug from a page URL: ".../lessons/02-activation-functions/" -> "02-activation-functions". */
export function lessonSlug(url = location.href) {
  const match = new URL(url, location.href).pathname.match(/\/lessons\/([^/]+?)(?:\/(?:index\.html)?)?$/);
  return match ? decodeURIComponent(match[1]) : null;
}

function storage() {
  try {
    return window.localStorage; // the getter itself throws where storage is blocked
  } catch {
    return null;
  }
}

/** True when localStorage can be written now (a probe key is written and removed). */
export function storageWorks() {
  const s = storage();
  if (!s) return false;
  try {
    s.setItem(`${KEY_PREFIX}probe`, "1");
    s.removeItem(`${KEY_PREFIX}probe`);
    return true;
  } catch {
    return false;
  }
}

/** Move the record saved under a lesson's old slug, if any, to its current slug (unless one exists there already). */
function carryOver(s, slug) {
  for (const [old, current] of Object.entries(MOVED)) {
    if (current !== slug) continue;
    const saved = s.getItem(KEY_PREFIX + old);
    if (saved === null) continue;
    if (s.getItem(KEY_PREFIX + slug) === null) s.setItem(KEY_PREFIX + slug, saved);
    s.removeItem(KEY_PREFIX + old);
  }
}

/** The stored record of a lesson, or an empty one. */
export function readLesson(slug) {
  const empty = { cells: {}, solved: {}, exercises: [] };
  const s = storage();
  if (!s) return empty;
  try {
    carryOver(s, slug);
    const data = JSON.parse(s.getItem(KEY_PREFIX + slug) || "null");
    if (!data || typeof data !== "object") return empty;
    return { cells: data.cells || {}, solved: data.solved || {}, exercises: data.exercises || [] };
  } catch {
    return empty; // unreadable or not ours: start afresh rather than fail
  }
}

export class LessonStore extends EventTarget {
  /** @param {string} slug the lesson's file slug */
  constructor(slug) {
    super();
    this.slug = slug;
    this.available = storageWorks();
    this.data = readLesson(slug);
  }

  /** {code, version} saved for a cell, or undefined. */
  cell(id) {
    return this.data.cells[id];
  }

  saveCell(id, version, code) {
    this.data.cells[id] = { code, version };
    this.write();
  }

  forgetCell(id) {
    if (!(id in this.data.cells)) return;
    delete this.data.cells[id];
    this.write();
  }

  isSolved(id) {
    return Boolean(this.data.solved[id]);
  }

  markSolved(id, version) {
    this.data.solved[id] = { version, at: new Date().toISOString() };
    this.write();
  }

  /** The ids of the lesson's exercises, so that pages without them (the home page) can show "1 of 2 solved". */
  setExercises(ids) {
    if (JSON.stringify(ids) === JSON.stringify(this.data.exercises)) return;
    this.data.exercises = ids;
    this.write();
  }

  /** Forget every edit and solved exercise of the lesson. */
  clear() {
    this.data = { cells: {}, solved: {}, exercises: this.data.exercises };
    this.write();
  }

  write() {
    if (!this.available) return;
    try {
      storage().setItem(KEY_PREFIX + this.slug, JSON.stringify(this.data));
    } catch (error) {
      this.available = false; // quota exceeded, or storage was blocked meanwhile: keep working without it
      this.dispatchEvent(new CustomEvent("unavailable", { detail: { error } }));
    }
  }
}
