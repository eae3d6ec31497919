// The viewer as one self-contained HTML file: every stage's SVG inline, the node details as JSON in
// a data script, and a small script (no libraries, no network) for the pass list and slider, the
// details panel and search. The page builds its panels from the data with textContent, never
// innerHTML, so names from a model file cannot inject markup; the JSON escapes `<`.
import type { NodeInfo } from './viewer.ts';
import { xmlText } from './format.ts';

/** What the page holds. */
export interface ViewerData {
  readonly title: string;
  readonly stages: ReadonlyArray<{
    readonly name: string;
    readonly nodes: number;
    readonly changed: number;
    readonly removed: number;
    readonly notes: readonly string[];
    readonly svg: string;
    readonly info: Readonly<Record<string, NodeInfo>>;
  }>;
  /** Kernel sources, shared between stages and nodes. */
  readonly code: readonly string[];
  readonly plots: ReadonlyArray<{ readonly caption: string; readonly svg: string }>;
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:13px/1.4 Helvetica,Arial,sans-serif;color:#263238;background:#fafafa}
header{display:flex;gap:16px;align-items:center;padding:8px 16px;background:#263238;color:white}
header h1{font-size:16px;margin:0;font-weight:600}header input{flex:0 0 320px;padding:4px 8px;border-radius:4px;border:0}
#main{display:grid;grid-template-columns:260px 1fr 360px;height:calc(100vh - 44px)}
nav{overflow:auto;border-right:1px solid #cfd8dc;padding:8px;background:white}
nav ol{list-style:none;margin:8px 0;padding:0}nav li button{width:100%;text-align:left;border:0;background:none;padding:4px 6px;border-radius:4px;cursor:pointer;font:inherit}
nav li button.current{background:#1565c0;color:white}nav li .delta{display:block;font-size:11px;opacity:.75}
#slider{width:100%}#canvas{overflow:auto;padding:8px;background:white}#canvas svg{max-width:none}
.fit #canvas svg{max-width:100%;height:auto}
aside{overflow:auto;border-left:1px solid #cfd8dc;padding:12px;background:white}
aside h2{font-size:15px;margin:0 0 8px}aside dt{font-weight:600;margin-top:8px}aside dd{margin:2px 0 0 0;word-break:break-all}
aside pre{background:#263238;color:#eceff1;padding:8px;border-radius:4px;overflow:auto;font-size:11px;max-height:420px}
g.node{cursor:pointer}g.node.hit polygon,g.node.hit ellipse,g.node.hit path{stroke:#ff6f00;stroke-width:4px}
g.node.selected polygon,g.node.selected ellipse,g.node.selected path{fill:#fff59d}
#hits button{display:block;border:0;background:none;color:#1565c0;cursor:pointer;padding:2px 0;text-align:left;font:inherit}
.notes{font-size:11px;color:#546e7a;white-space:pre-wrap;word-break:break-all}
#plots{padding:16px;background:white;border-top:1px solid #cfd8dc}#plots figure{margin:0 0 24px}#plots figcaption{font-weight:600;margin-bottom:4px}
`;

/** The client: pass selection, details on click, search by name. Plain ES2020, no dependencies. */
const SCRIPT = String.raw`
const data = JSON.parse(document.getElementById('opgraph-data').textContent);
const stages = [...document.querySelectorAll('#canvas .stage')];
const slider = document.getElementById('slider');
const buttons = [...document.querySelectorAll('nav li button')];
const details = document.getElementById('details');
let current = 0;
function show(k) {
  current = k;
  stages.forEach((s, i) => { s.hidden = i !== k; });
  buttons.forEach((b, i) => b.classList.toggle('current', i === k));
  slider.value = String(k);
  const st = data.stages[k];
  const notes = document.getElementById('notes');
  notes.textContent = st.notes.length ? st.notes.join('\n') : 'no rewrites in this pass';
  search();
}
function field(dl, name, value) {
  const dt = document.createElement('dt'); dt.textContent = name; dl.append(dt);
  for (const v of Array.isArray(value) ? value : [value]) { const dd = document.createElement('dd'); dd.textContent = v; dl.append(dd); }
}
function select(id) {
  const info = data.stages[current].info[id];
  details.replaceChildren();
  stages[current].querySelectorAll('g.node.selected').forEach((g) => g.classList.remove('selected'));
  const g = nodeElement(id); if (g) g.classList.add('selected');
  if (!info) { details.textContent = 'no details for ' + id; return; }
  const h = document.createElement('h2'); h.textContent = info.op + (info.changed ? ' (changed by this pass)' : ''); details.append(h);
  const dl = document.createElement('dl'); details.append(dl);
  details.dataset.node = id;
  if (info.label !== undefined) field(dl, 'label', info.label);
  field(dl, 'source', info.source ?? 'unknown (not built by the API here, or made by a pass)');
  if (info.attrs.length) field(dl, 'attributes', info.attrs.map(([k, v]) => k + ': ' + v));
  if (info.inputs.length) field(dl, 'inputs', info.inputs);
  if (info.outputs.length) field(dl, 'outputs', info.outputs);
  field(dl, 'kernel', info.kernel);
  if (info.members) field(dl, 'nodes', info.members);
  if (info.code !== undefined) { const pre = document.createElement('pre'); pre.className = 'code'; pre.textContent = data.code[info.code]; details.append(pre); }
}
function nodeElement(id) {
  return [...stages[current].querySelectorAll('g.node')].find((g) => g.querySelector('title')?.textContent === id);
}
function search() {
  const q = document.getElementById('search').value.trim().toLowerCase();
  const hits = document.getElementById('hits');
  hits.replaceChildren();
  stages[current].querySelectorAll('g.node.hit').forEach((g) => g.classList.remove('hit'));
  if (!q) return;
  const info = data.stages[current].info;
  const found = Object.keys(info).filter((id) => [info[id].op, info[id].label ?? ''].some((s) => s.toLowerCase().includes(q)));
  const head = document.createElement('div'); head.textContent = found.length + ' match' + (found.length === 1 ? '' : 'es'); hits.append(head);
  for (const id of found.slice(0, 200)) {
    const g = nodeElement(id); if (g) g.classList.add('hit');
    const b = document.createElement('button'); b.textContent = info[id].op + (info[id].label ? ' ' + info[id].label : '') + (g ? '' : ' (inside a collapsed module)');
    b.onclick = () => { select(id); if (g) g.scrollIntoView({ block: 'center', inline: 'center' }); };
    hits.append(b);
  }
}
document.getElementById('canvas').addEventListener('click', (e) => {
  const g = e.target.closest('g.node');
  if (g) select(g.querySelector('title').textContent);
});
buttons.forEach((b, i) => b.addEventListener('click', () => show(i)));
slider.addEventListener('input', () => show(Number(slider.value)));
document.getElementById('search').addEventListener('input', search);
document.getElementById('fit').addEventListener('change', (e) => document.body.classList.toggle('fit', e.target.checked));
show(data.stages.length - 1);
window.opgraphViewerReady = true;
`;

/** The complete HTML document. */
export function viewerPage(d: ViewerData): string {
  const list = d.stages.map((s, k) => {
    const delta = k === 0 ? `${s.nodes} nodes` : `${s.nodes} nodes, ${s.changed} new or changed, ${s.removed} removed, ${s.notes.length} rewrites`;
    return `<li><button data-stage="${k}">${String(k).padStart(2, '0')} ${xmlText(s.name)}<span class="delta">${xmlText(delta)}</span></button></li>`;
  });
  const pictures = d.stages.map((s, k) => `<div class="stage" data-stage="${k}" data-name="${xmlText(s.name)}" hidden>${s.svg}</div>`);
  const plots = d.plots.map((p) => `<figure><figcaption>${xmlText(p.caption)}</figcaption>${p.svg.replace(/<\?xml[^>]*\?>/g, '')}</figure>`);
  const stages = d.stages.map((s) => ({ name: s.name, nodes: s.nodes, changed: s.changed, removed: s.removed, notes: s.notes, info: s.info }));
  const json = JSON.stringify({ stages, code: d.code }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${xmlText(`opgraph view: ${d.title}`)}</title><style>${STYLE}</style></head>
<body class="fit">
<header><h1>${xmlText(d.title)}</h1><input id="search" type="search" placeholder="search nodes by op or label"><label><input id="fit" type="checkbox" checked> fit to width</label></header>
<div id="main">
<nav><input id="slider" type="range" min="0" max="${d.stages.length - 1}" step="1" value="${d.stages.length - 1}" aria-label="pass"><ol>${list.join('')}</ol><div id="hits"></div><h3>rewrites</h3><div id="notes" class="notes"></div></nav>
<section id="canvas">${pictures.join('\n')}</section>
<aside id="details">Click a node to see its op, attributes, types, source line, label, kernel and code.</aside>
</div>
${plots.length ? `<section id="plots">${plots.join('\n')}</section>` : ''}
<script type="application/json" id="opgraph-data">${json}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
