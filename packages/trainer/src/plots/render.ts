/**
 * Charts as PNG files with no browser and no native canvas: Vega-Lite compiles to Vega, Vega renders SVG
 * headlessly, and sharp (librsvg inside its prebuilt binary) rasterises the SVG.
 */
import { writeFileAtomicSync } from '@mri/atomic-file';
import sharp from 'sharp';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders a chart to a PNG at 2x (density 144) so text stays sharp. */
export async function renderPng(spec: TopLevelSpec, path: string): Promise<void> {
  const svg = await renderSvg({ background: 'white', ...spec } as TopLevelSpec);
  const png = await sharp(Buffer.from(svg), { density: 144 }).png().toBuffer();
  writeFileAtomicSync(path, png);
}
