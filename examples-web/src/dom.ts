// Small DOM helpers: element lookup, element building, the activity log, progress bars.

/** The element with this id (the page's markup is in index.html). */
export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
}

type Child = Node | string | null | undefined | false;

/** `h("li", { class: "x", dataset: { testid: "y" } }, "text", child)`: builds an element. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Omit<HTMLElementTagNameMap[K], "dataset">> & { class?: string; dataset?: Record<string, string> } = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  const { class: className, dataset, ...rest } = props;
  if (className) el.className = className;
  if (dataset) Object.assign(el.dataset, dataset);
  Object.assign(el, rest);
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** A byte count for people: `1.5 MB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** Appends a line to the activity log: what the app asked AgentBay, and how it went. */
export function log(text: string, kind: "info" | "ok" | "error" = "info"): void {
  const time = new Date().toLocaleTimeString([], { hour12: false });
  $("log").prepend(h("li", { class: kind }, h("time", {}, time), " ", text));
}

/** A labelled progress bar in #transfers; `update` takes a fraction (0..1), `done` a final word. */
export function progressBar(label: string) {
  const bar = h("div", { class: "bar-fill" });
  const pct = h("span", { class: "pct", dataset: { testid: "transfer-percent" } }, "0%");
  const row = h("div", { class: "transfer", dataset: { testid: "transfer" } }, h("div", { class: "transfer-label" }, label, pct), h("div", { class: "bar" }, bar));
  $("transfers").prepend(row);
  return {
    update(fraction: number) {
      const p = Math.max(0, Math.min(100, Math.floor(fraction * 100)));
      bar.style.width = `${p}%`;
      pct.textContent = `${p}%`;
      row.dataset.percent = String(p);
    },
    done(ok: boolean, word: string) {
      row.classList.add(ok ? "ok" : "error");
      row.dataset.state = ok ? "done" : "failed";
      pct.textContent = `${pct.textContent} · ${word}`;
    },
  };
}
