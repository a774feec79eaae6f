// Renders what a running cell produces: streamed text, the last expression's value, tracebacks, figures and a live
// training progress bar. Everything printed is inserted as text (textContent), never parsed as HTML.
// The markup is nbconvert's (jp-OutputArea-child, empty jp-OutputPrompt, jp-RenderedText with a <pre>), so live
// output sits, wraps and scrolls exactly like the build-time output it replaces.
import { FROM_WORKER } from "./protocol.js";

/** Text kept per output block; beyond it the oldest part is dropped so a runaway print loop cannot stall the page. */
const MAX_TEXT = 200_000;
/** nbconvert's MIME type of stderr and tracebacks (its stylesheet gives them the error background). */
const STDERR_MIME = "application/vnd.jupyter.stderr";

const fmt = (x, digits = 3) => (typeof x === "number" ? x.toFixed(digits) : "–");
const pct = (x) => (typeof x === "number" ? `${(100 * x).toFixed(1)}%` : "–");

function div(className) {
  const node = document.createElement("div");
  node.className = className;
  return node;
}

export class OutputArea {
  /**
   * @param {HTMLElement} container the cell's jp-OutputArea element the outputs go into (emptied first)
   * @param {object} t the page's strings (i18n.js)
   */
  constructor(container, t) {
    this.el = container;
    this.t = t;
    this.el.replaceChildren();
    this.stream = null; // {name, pre, text, pending} the stream block being appended to
    this.progress = null;
    this.figures = 0;
    this.frame = 0;
  }

  /** Handle one worker message tagged with this run's id. */
  add(message) {
    switch (message.type) {
      case FROM_WORKER.STREAM:
        this.appendStream(message.name, message.text);
        break;
      case FROM_WORKER.RESULT:
        this.block("nnrt-result", message.text);
        break;
      case FROM_WORKER.ERROR:
        this.block("nnrt-traceback", message.text, STDERR_MIME).setAttribute("role", "alert");
        break;
      case FROM_WORKER.IMAGE:
        this.image(message);
        break;
      case FROM_WORKER.PROGRESS:
        this.updateProgress(message.info);
        break;
      case FROM_WORKER.LOADING:
        this.note(this.t.loadingPackages(message.packages));
        break;
      default:
        break;
    }
  }

  /**
   * Add one output (nbconvert's child row: an empty prompt, then `output`); ends the current stream block.
   * A training progress bar stays the last row, like a terminal's progress line: later output goes above it.
   */
  child(output) {
    this.flush();
    this.stream = null;
    const row = div("jp-OutputArea-child");
    row.append(div("jp-OutputPrompt jp-OutputArea-prompt"), output);
    this.el.insertBefore(row, this.progress ? this.progress.row : null);
    return row;
  }

  /** A block of plain text (result, traceback, stream). Returns its <pre>. */
  block(className, text, mime = "text/plain") {
    const output = div("jp-RenderedText jp-OutputArea-output");
    output.dataset.mimeType = mime;
    const pre = document.createElement("pre");
    pre.className = `nnrt-out ${className}`;
    pre.textContent = text;
    output.append(pre);
    this.child(output);
    return pre;
  }

  /** A short message of the runtime itself (not of the code), e.g. "Stopped". */
  note(text, kind = "info") {
    const output = div("jp-OutputArea-output nnrt-noteoutput");
    const p = document.createElement("p");
    p.className = `nnrt-note nnrt-note-${kind}`;
    p.textContent = text;
    output.append(p);
    this.child(output);
    return p;
  }

  appendStream(name, text) {
    if (!this.stream || this.stream.name !== name) {
      const pre = this.block(`nnrt-stream nnrt-${name}`, "", name === "stderr" ? STDERR_MIME : "text/plain");
      this.stream = { name, pre, text: "", pending: "" };
    }
    this.stream.pending += text;
    // Many small writes arrive in a burst: render them once per animation frame.
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  /** Render pending stream text, honouring "\r" (a line rewritten in place, as a terminal does). */
  flush() {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    const s = this.stream;
    if (!s || !s.pending) return;
    let text = s.text;
    for (const piece of s.pending.split(/(\r\n|\r|\n)/)) {
      if (piece === "\r") text = text.slice(0, text.lastIndexOf("\n") + 1);
      else if (piece === "\r\n") text += "\n";
      else text += piece;
    }
    if (text.length > MAX_TEXT) {
      text = `${this.t.outputTruncated}\n${text.slice(text.length - MAX_TEXT / 2)}`;
    }
    s.text = text;
    s.pending = "";
    s.pre.textContent = text;
  }

  /** A matplotlib figure (drawn like the build-time figures; the site's stylesheet adapts both to the dark scheme). */
  image({ mime, data }) {
    this.figures += 1;
    const output = div("jp-RenderedImage jp-OutputArea-output");
    const img = document.createElement("img");
    img.className = "nnrt-figure";
    img.alt = this.t.figure(this.figures);
    img.src = `data:${mime};base64,${data}`;
    output.append(img);
    this.child(output);
  }

  /** The live training progress bar: one per run, updated in place, as wide as the output, its label beside it. */
  updateProgress(info) {
    if (!this.progress) {
      const box = div("jp-OutputArea-output nnrt-progress");
      const bar = document.createElement("progress");
      bar.max = 1;
      bar.value = 0;
      bar.setAttribute("aria-label", this.t.progressStart);
      const label = document.createElement("span");
      label.className = "nnrt-progress-label";
      label.setAttribute("aria-live", "polite");
      box.append(bar, label);
      this.progress = { row: this.child(box), box, bar, label };
    }
    const { bar, label, box } = this.progress;
    const t = this.t;
    const total = info.iterations || 0;
    const done = info.event === "end" ? total : info.iteration || 0;
    if (total > 0) bar.value = Math.min(1, done / total);
    // The label says what the lessons print per epoch (the bar itself shows the iterations; its tooltip counts them).
    const parts = [];
    if (info.epochs) parts.push(t.epoch(Math.min(info.epoch ?? 0, info.epochs), info.epochs));
    if (total) bar.title = t.iteration(done, total);
    if (typeof info.loss === "number") parts.push(`${t.loss} ${fmt(info.loss)}`);
    if (typeof info.train_acc === "number") parts.push(`${t.trainAcc} ${pct(info.train_acc)}`);
    if (typeof info.test_acc === "number") parts.push(`${t.testAcc} ${pct(info.test_acc)}`);
    if (typeof info.elapsed === "number") parts.push(t.seconds(info.elapsed.toFixed(1)));
    label.textContent = parts.join(t.separator) || t.progressStart;
    box.dataset.event = info.event || "";
  }

  /** The run is over. A progress bar that did not reach its end (a Stop, an error) is removed: it no longer moves. */
  finish() {
    this.flush();
    if (this.progress && this.progress.box.dataset.event !== "end") {
      this.progress.row.remove();
      this.progress = null;
    }
  }
}
