import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

const ROOT = join(import.meta.dirname, '..', '..');
const load = (path: string): unknown => parse(readFileSync(join(ROOT, path), 'utf8'));

/** The API's peak-RSS target under load (issue 5); Cloud Run memory must leave at least 2x headroom over it. */
const API_PEAK_RSS_MB = 200;

const Step = z.strictObject({
  id: z.string(),
  name: z.string().min(1),
  waitFor: z.array(z.string()).min(1),
  entrypoint: z.string().optional(),
  args: z.array(z.string()).min(1),
});
const CloudBuild = z.strictObject({
  substitutions: z.record(z.string().regex(/^_[A-Z0-9_]+$/), z.string()),
  options: z.object({ logging: z.string() }).loose(),
  steps: z.array(Step).min(1),
  images: z.array(z.string()).min(1),
});

const BUILT_INS = new Set([
  'PROJECT_ID',
  'BUILD_ID',
  'SHORT_SHA',
  'COMMIT_SHA',
  'BRANCH_NAME',
  'TAG_NAME',
  'LOCATION',
]);

function mebibytes(value: string): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(value);
  if (!match) throw new Error(`memory "${value}" is not in Mi or Gi`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
}

/** `--flag=value` from a deploy step's args, or from its bash script. */
function flag(step: z.infer<typeof Step>, name: string): string | undefined {
  const text = step.args.join(' ');
  return new RegExp(`--${name}=(\\S+)`).exec(text)?.[1];
}

describe('cloudbuild.yaml', () => {
  const text = readFileSync(join(ROOT, 'cloudbuild.yaml'), 'utf8');
  const build = CloudBuild.parse(load('cloudbuild.yaml'));
  const step = (id: string) => {
    const found = build.steps.find((s) => s.id === id);
    if (!found) throw new Error(`no step ${id}`);
    return found;
  };

  it('declares every user substitution it uses (Cloud Build rejects undeclared ones), region, repository and tag included', () => {
    const used = new Set([...text.matchAll(/(?<!\$)\$\{?([A-Z_][A-Z0-9_]*)\}?/g)].map((m) => m[1] ?? ''));
    for (const name of used) {
      if (name.startsWith('_'))
        expect(build.substitutions, `${name} is used but not declared`).toHaveProperty(name);
      else expect(BUILT_INS.has(name), `${name} is not a Cloud Build built-in`).toBe(true);
    }
    for (const required of ['_REGION', '_REPOSITORY', '_TAG'])
      expect(build.substitutions).toHaveProperty(required);
  });

  it('builds every Dockerfile and pushes each image to Artifact Registry before anything deploys it', () => {
    for (const image of ['api', 'web', 'trainer']) {
      const ref = `\${_REGION}-docker.pkg.dev/$PROJECT_ID/\${_REPOSITORY}/${image}:\${_TAG}`;
      const built = step(`build-${image}`);
      expect(built.args).toEqual(['build', '-f', `dockerfiles/${image}.Dockerfile`, '-t', ref, '.']);
      expect(existsSync(join(ROOT, `dockerfiles/${image}.Dockerfile`))).toBe(true);
      expect(step(`push-${image}`)).toMatchObject({ args: ['push', ref], waitFor: [`build-${image}`] });
      expect(build.images).toContain(ref);
    }
    expect(step('deploy-api').waitFor).toContain('push-api');
    expect(step('deploy-web').waitFor).toContain('push-web');
  });

  it('deploys the page to Cloud Run sized, bounded and in the configured region', () => {
    const deploy = step('deploy-web');
    expect(deploy.args.join(' ')).toMatch(/run deploy/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Cloud Build's and envsubst's placeholder syntax, literally
    expect(flag(deploy, 'region')).toBe('${_REGION}');
    expect(Number(flag(deploy, 'concurrency'))).toBeGreaterThan(1);
    const min = Number(flag(deploy, 'min-instances'));
    const max = Number(flag(deploy, 'max-instances'));
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeGreaterThanOrEqual(Math.max(1, min));
    expect(deploy.args.join(' ')).toMatch(/API_URL=\$\$\{api_url\}/);
  });

  it('sizes the API (deploy/cloud-run/api-service.yaml) with 2x headroom over its measured peak RSS, bounded', () => {
    const service = load('deploy/cloud-run/api-service.yaml') as {
      spec: {
        template: {
          metadata: { annotations: Record<string, string> };
          spec: {
            containerConcurrency: number;
            containers: { name: string; resources: { limits: { memory: string } } }[];
          };
        };
      };
    };
    const api = service.spec.template.spec.containers.find((c) => c.name === 'api');
    expect(mebibytes(api?.resources.limits.memory ?? '')).toBeGreaterThanOrEqual(
      (2 * API_PEAK_RSS_MB * 1e6) / 2 ** 20,
    );
    expect(service.spec.template.spec.containerConcurrency).toBeGreaterThan(1);
    const annotations = service.spec.template.metadata.annotations;
    const min = Number(annotations['autoscaling.knative.dev/minScale']);
    expect(min).toBeGreaterThanOrEqual(1);
    expect(Number(annotations['autoscaling.knative.dev/maxScale'])).toBeGreaterThanOrEqual(min);
    expect(step('deploy-api').args.join(' ')).toMatch(
      /gcloud run services replace .* --region=\$\{_REGION\}/,
    );
  });
});

const CustomJob = z.strictObject({
  workerPoolSpecs: z
    .array(
      z.strictObject({
        replicaCount: z.number().int().min(1),
        machineSpec: z.strictObject({ machineType: z.string().regex(/^[a-z0-9]+-[a-z]+-\d+$/) }),
        diskSpec: z
          .strictObject({ bootDiskType: z.string(), bootDiskSizeGb: z.number().int().min(10) })
          .optional(),
        containerSpec: z.strictObject({
          imageUri: z.string(),
          command: z.array(z.string()),
          args: z.array(z.string()),
          env: z.array(z.strictObject({ name: z.string().regex(/^[A-Z_][A-Z0-9_]*$/), value: z.string() })),
        }),
      }),
    )
    .length(1),
  scheduling: z.strictObject({
    timeout: z.string().regex(/^\d+s$/),
    restartJobOnWorkerRestart: z.boolean().optional(),
  }),
  serviceAccount: z.string(),
});

describe('configs/vertex/train-job.yaml', () => {
  const text = readFileSync(join(ROOT, 'configs/vertex/train-job.yaml'), 'utf8');
  const job = CustomJob.parse(load('configs/vertex/train-job.yaml'));
  const container = job.workerPoolSpecs[0]?.containerSpec;
  const script = container?.args.join(' ') ?? '';

  it('runs the trainer image from the repository Cloud Build pushes to', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Cloud Build's and envsubst's placeholder syntax, literally
    expect(container?.imageUri).toBe('${REGION}-docker.pkg.dev/${PROJECT_ID}/${REPOSITORY}/trainer:${TAG}');
  });

  it('pulls the dataset from GCS with the data CLI, then runs pnpm train on it', () => {
    expect(script.indexOf('pnpm data pull')).toBeGreaterThan(-1);
    expect(script.indexOf('pnpm train')).toBeGreaterThan(script.indexOf('pnpm data pull'));
    expect(script).toContain('data.root=data/brain-mri');
    const env = Object.fromEntries(container?.env.map((entry) => [entry.name, entry.value]) ?? []);
    expect(env.DATA_REMOTE).toMatch(/^gs:\/\//);
    // Every variable the script reads at run time is set on the container.
    for (const [, name] of script.matchAll(/\$([A-Z_][A-Z0-9_]*)/g)) expect(env).toHaveProperty(name ?? '');
  });

  it('continues a restarted task from its checkpoint: run folders in the mounted bucket, training.resume=auto', () => {
    expect(job.scheduling.restartJobOnWorkerRestart).toBe(true);
    expect(script).toContain('training.resume=auto');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: envsubst's placeholder, literally
    expect(script).toContain('output_dir=/gcs/${BUCKET}/');
  });

  it('uses only the placeholders its envsubst line fills', () => {
    const placeholders = new Set([...text.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]));
    expect([...placeholders].sort()).toEqual(['BUCKET', 'PROJECT_ID', 'REGION', 'REPOSITORY', 'TAG']);
  });
});
