/**
 * Monitoring as code (deploy/monitoring): the alert policies and the dashboard, validated against the fields the
 * Cloud Monitoring v3 API requires of an AlertPolicy and a Dashboard, and every metric their PromQL names checked
 * against what the API really exports (a scrape of the running service).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

const ROOT = join(import.meta.dirname, '..', '..');
const ALERTS = join(ROOT, 'deploy/monitoring/alerts');

const seconds = z.string().regex(/^\d+s$/, 'a duration such as "300s"');

/** AlertPolicy (monitoring.googleapis.com v3): the fields `policies create --policy-from-file` needs, and ours. */
const AlertPolicy = z.strictObject({
  displayName: z.string().min(1).max(512),
  combiner: z.enum(['AND', 'OR', 'AND_WITH_MATCHING_RESOURCE']),
  severity: z.enum(['CRITICAL', 'ERROR', 'WARNING']),
  conditions: z
    .array(
      z.strictObject({
        displayName: z.string().min(1),
        conditionPrometheusQueryLanguage: z.strictObject({
          query: z.string().min(1),
          duration: seconds,
          evaluationInterval: seconds,
        }),
      }),
    )
    .min(1)
    .max(6),
  alertStrategy: z.strictObject({ autoClose: seconds }).optional(),
  documentation: z.strictObject({ mimeType: z.literal('text/markdown'), content: z.string().min(20) }),
});

const DataSet = z.strictObject({
  timeSeriesQuery: z.strictObject({ prometheusQuery: z.string().min(1) }),
  plotType: z.enum(['LINE', 'STACKED_AREA', 'STACKED_BAR', 'HEATMAP']),
  legendTemplate: z.string().optional(),
});

/** Dashboard (monitoring.googleapis.com v1): a mosaic layout of XY charts on PromQL. */
const Dashboard = z.strictObject({
  displayName: z.string().min(1),
  mosaicLayout: z.strictObject({
    columns: z.number().int().min(1).max(48),
    tiles: z
      .array(
        z.strictObject({
          xPos: z.number().int().min(0),
          yPos: z.number().int().min(0),
          width: z.number().int().min(1),
          height: z.number().int().min(1),
          widget: z.strictObject({
            title: z.string().min(1),
            xyChart: z.strictObject({ dataSets: z.array(DataSet).min(1) }),
          }),
        }),
      )
      .min(1),
  }),
});

/** Metric names the API exposes on /metrics, with the series a histogram adds. */
async function exportedMetrics(): Promise<Set<string>> {
  // What a scrape of the service reads (some gauges are registered with their route), not one module's list: the
  // service as its own process, on an empty registry it does not seed (no model needed to serve /metrics).
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'packages/api/src/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_FORMAT: 'json',
      MODEL: 'production',
      REGISTRY: mkdtempSync(join(tmpdir(), 'monitoring-')),
      SEED_MODEL: '',
      PREDICTION_LOG: '',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = once(child, 'exit');
  try {
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
        const address = stderr.match(/"address":"(http:\/\/[^"]+)"/)?.[1];
        if (address) resolve(address);
      });
      child.once('exit', (code) => reject(new Error(`the API exited with ${code}: ${stderr}`)));
    });
    const text = await (await fetch(`${url}/metrics`)).text();
    const names = new Set<string>();
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      names.add(name as string);
      if (type === 'histogram')
        for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    }
    return names;
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const PROMQL_WORDS = new Set([
  'sum',
  'max',
  'min',
  'avg',
  'rate',
  'increase',
  'by',
  'without',
  'or',
  'and',
  'unless',
  'vector',
  'histogram_quantile',
  'le',
  'status',
  'route',
  'class',
  'reason',
  'absent',
]);

/** Identifiers a query reads as metrics: words before `{`, `[` or `)`, minus functions, labels and keywords. */
function metricsIn(query: string): string[] {
  // Label matchers, range durations and numbers are not metric names.
  const withoutStrings = query
    .replace(/"[^"]*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\b\d+(\.\d+)?(e\d+)?\b/g, '0');
  return [...withoutStrings.matchAll(/[a-z_][a-z0-9_]*/g)]
    .map((m) => m[0])
    .filter((word) => !PROMQL_WORDS.has(word));
}

describe('alert policies', () => {
  const files = readdirSync(ALERTS).filter((name) => name.endsWith('.yaml'));

  it('cover 5xx rate, p99 latency, drift and no traffic, each valid for the Monitoring API', () => {
    expect(files.sort()).toEqual([
      'api-5xx-rate.yaml',
      'api-p99-latency.yaml',
      'drift-detected.yaml',
      'no-traffic.yaml',
    ]);
    for (const file of files) {
      const parsed = AlertPolicy.safeParse(parse(readFileSync(join(ALERTS, file), 'utf8')));
      expect(
        parsed.success,
        `${file}: ${parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      ).toBe(true);
    }
  });

  it('query only metrics the API exports', async () => {
    const exported = await exportedMetrics();
    expect(exported).toContain('drift_detected');
    for (const file of files) {
      const policy = AlertPolicy.parse(parse(readFileSync(join(ALERTS, file), 'utf8')));
      for (const condition of policy.conditions) {
        const used = metricsIn(condition.conditionPrometheusQueryLanguage.query);
        expect(used.length, `${file} names no metric`).toBeGreaterThan(0);
        for (const metric of used) expect(exported, `${file} queries ${metric}`).toContain(metric);
      }
    }
  }, 60_000);

  it('rejects a policy with a missing field or a malformed duration', () => {
    const policy = parse(readFileSync(join(ALERTS, 'api-5xx-rate.yaml'), 'utf8'));
    expect(AlertPolicy.safeParse({ ...policy, combiner: undefined }).success).toBe(false);
    const badDuration = structuredClone(policy);
    badDuration.conditions[0].conditionPrometheusQueryLanguage.duration = '5m';
    expect(AlertPolicy.safeParse(badDuration).success).toBe(false);
    expect(metricsIn('sum(rate(http_requests_totl[5m]))')).toEqual(['http_requests_totl']);
  });
});

describe('the dashboard', () => {
  const dashboard = Dashboard.parse(
    JSON.parse(readFileSync(join(ROOT, 'deploy/monitoring/dashboard.json'), 'utf8')),
  );

  it('lays its tiles inside the grid without overlap', () => {
    const { columns, tiles } = dashboard.mosaicLayout;
    const cells = new Set<string>();
    for (const tile of tiles) {
      expect(tile.xPos + tile.width, tile.widget.title).toBeLessThanOrEqual(columns);
      for (let x = tile.xPos; x < tile.xPos + tile.width; x++)
        for (let y = tile.yPos; y < tile.yPos + tile.height; y++) {
          expect(cells.has(`${x},${y}`), `${tile.widget.title} overlaps another tile`).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });

  it("charts only metrics the API exports, the alerts' ones among them", async () => {
    const exported = await exportedMetrics();
    const queried = new Set<string>();
    for (const tile of dashboard.mosaicLayout.tiles)
      for (const dataSet of tile.widget.xyChart.dataSets)
        for (const metric of metricsIn(dataSet.timeSeriesQuery.prometheusQuery)) {
          expect(exported, `${tile.widget.title} queries ${metric}`).toContain(metric);
          queried.add(metric);
        }
    for (const metric of ['http_requests_total', 'http_request_duration_seconds_bucket', 'drift_detected'])
      expect(queried).toContain(metric);
  }, 60_000);
});
