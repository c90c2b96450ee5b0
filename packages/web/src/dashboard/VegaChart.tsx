import { useEffect, useRef } from 'react';
import embed from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';
import type { Config, TopLevelSpec } from 'vega-lite';

// The page's colours and type for the same specs the trainer renders to PNG: only the look changes here.
const config: Config = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  background: 'transparent',
  title: { fontSize: 14, fontWeight: 600, color: '#14212b', anchor: 'start' },
  axis: { labelColor: '#44545f', titleColor: '#44545f', gridColor: '#e3e8ec', domainColor: '#8a99a5' },
  legend: { labelColor: '#14212b', titleColor: '#44545f' },
  range: {
    // Tableau 10's first eight, darkened where needed for 3:1 against white (lines and points are graphics).
    category: ['#1f77b4', '#d95f02', '#2ca02c', '#c2185b', '#7b4fa6', '#8c564b', '#5f6b75', '#b8860b'],
  },
};

/**
 * A Vega-Lite spec drawn in the page with vega-embed. Vega's interpreter evaluates expressions, so the page needs
 * no `unsafe-eval` in its Content-Security-Policy; the chart follows its container's width.
 */
export function VegaChart({ spec, label }: { spec: TopLevelSpec; label: string }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (element === null) return;
    const responsive = { ...spec, width: 'container', autosize: { type: 'fit-x', contains: 'padding' } };
    let finalize: (() => void) | undefined;
    let cancelled = false;
    embed(element, responsive as TopLevelSpec, {
      actions: false,
      renderer: 'svg',
      ast: true,
      expr: expressionInterpreter,
      defaultStyle: false,
      tooltip: false,
      config,
    }).then(
      (result) => {
        if (cancelled) result.finalize();
        else finalize = () => result.finalize();
      },
      () => {
        if (!cancelled) element.textContent = 'This chart could not be drawn; its figures are in the tables.';
      },
    );
    return () => {
      cancelled = true;
      finalize?.();
    };
  }, [spec]);
  return <div ref={container} className="vega-chart" role="img" aria-label={label} />;
}
