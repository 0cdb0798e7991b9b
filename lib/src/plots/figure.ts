/**
 * Plotly figures as plain JSON, and their Jupyter display bundles.
 *
 * A chart is shown in JupyterLab through the `application/vnd.plotly.v1+json` mime type (rendered by
 * the `plotly` Python package's JupyterLab extension, also in untrusted notebooks, so charts show
 * after a headless run and a reopen). The same output carries a `text/html` fallback (a div drawn
 * by a global `Plotly` when the page has one: our HTML exports inline plotly.js once) and a
 * `text/plain` summary so an export without JavaScript stays readable.
 */
import { escapeHtml } from '../io/text';

/** A Plotly trace: the fields we use are typed loosely, Plotly has hundreds. */
export type Trace = Record<string, unknown> & { type?: string; name?: string };

export interface Figure {
  data: Trace[];
  layout: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/** A Jupyter display bundle: mime type -> data. */
export type MimeBundle = Record<string, unknown>;

/** Something the notebook can show: a bundle plus a short plain-text summary. */
export interface Displayable {
  bundle: MimeBundle;
}

/** The project's chart look, applied to every figure (explicit layout keys win). */
export const BASE_LAYOUT: Record<string, unknown> = {
  template: 'plotly_white',
  font: { family: 'Inter, Helvetica, Arial, sans-serif', size: 13 },
  margin: { l: 60, r: 20, t: 50, b: 50 },
  height: 380,
  colorway: ['#4C78A8', '#F58518', '#54A24B', '#E45756', '#72B7B2', '#EECA3B', '#B279A2', '#FF9DA6', '#9D755D', '#BAB0AC'],
};

/** Colour of cluster `i` (the same in every chart and contact sheet). */
export function clusterColor(i: number): string {
  const c = BASE_LAYOUT.colorway as string[];
  return i < 0 ? '#9e9e9e' : c[i % c.length];
}

/** Builds a figure with the base layout. */
export function figure(data: Trace[], layout: Record<string, unknown> = {}): Figure {
  const merged: Record<string, unknown> = { ...BASE_LAYOUT, ...layout };
  // the title sits just above the plot area, below the band Plotly's mode bar takes at the top
  if (merged.title !== undefined) {
    const t = typeof merged.title === 'string' ? { text: merged.title } : (merged.title as Record<string, unknown>);
    merged.title = { x: 0, xref: 'paper', xanchor: 'left', y: 1, yref: 'paper', yanchor: 'bottom', pad: { b: 12 }, ...t };
    const margin = (merged.margin ?? {}) as Record<string, number>;
    merged.margin = { ...margin, t: Math.max(margin.t ?? 0, 72) };
  }
  return { data, layout: merged, config: { responsive: true, displaylogo: false } };
}

let divCounter = 0;

/** Serialises JSON safely inside a <script> element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** The HTML of a figure: a div drawn by a global Plotly (inlined once by our HTML exports). */
export function figureHtml(fig: Figure, summary = ''): string {
  const id = `facetype-plot-${Date.now().toString(36)}-${(divCounter++).toString(36)}`;
  const height = typeof fig.layout.height === 'number' ? fig.layout.height : 380;
  return (
    `<div id="${id}" class="facetype-plot" style="width:100%;min-height:${height}px">` +
    `<pre class="facetype-plot-fallback">${escapeHtml(summary)}</pre></div>` +
    `<script type="text/javascript">(function(){var el=document.getElementById(${JSON.stringify(id)});` +
    `var fig=${scriptJson(fig)};` +
    `if(window.Plotly){el.innerHTML='';window.Plotly.newPlot(el,fig.data,fig.layout,fig.config||{});}})();</script>`
  );
}

/** Display bundle of a figure: Plotly mime (JupyterLab), HTML (exports), plain text (anywhere). */
export function figureBundle(fig: Figure, summary: string): MimeBundle {
  const title = typeof fig.layout.title === 'string' ? fig.layout.title : (fig.layout.title as { text?: string } | undefined)?.text ?? 'chart';
  const text = `[${title}]\n${summary}`.trim();
  return {
    'application/vnd.plotly.v1+json': fig,
    'text/html': figureHtml(fig, text),
    'text/plain': text,
  };
}
