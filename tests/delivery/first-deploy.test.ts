/**
 * The first deploy from an empty project, as docs/architecture.md orders it: every resource a step needs was made
 * by an earlier one, and the files it applies (cloudbuild.yaml, deploy/cloud-run/*) render with the values Cloud
 * Build passes and say what the deploy needs (an API that starts without a model, the trainer as a job registering
 * into the bucket the API reads, the page told the API's URL).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The commands of the doc's first-deploy block, one per logical line (continuations joined), comments dropped. */
function firstDeployCommands(): string[] {
  const doc = read('docs/architecture.md');
  const section = doc.slice(doc.indexOf('### First deploy'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('docs/architecture.md has no first-deploy sh block');
  return block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** The script of a Cloud Build step (bash -c). */
function stepScript(id: string): string {
  const build = parse(read('cloudbuild.yaml')) as { steps: { id: string; args: string[] }[] };
  const step = build.steps.find((s) => s.id === id);
  if (!step) throw new Error(`cloudbuild.yaml has no step ${id}`);
  return step.args.join(' ');
}

const SUBSTITUTIONS: Record<string, string> = {
  _REGION: 'europe-west1',
  _REPOSITORY: 'mri',
  _TAG: 'abc1234',
  _BUCKET: 'my-mri-bucket',
  _API_SERVICE: 'mri-api',
  _WEB_SERVICE: 'mri-web',
  _TRAIN_JOB: 'mri-train',
  PROJECT_ID: 'my-project',
};

/** Renders a deploy file the way a Cloud Build step does: its own render.sh line, with Cloud Build's values. */
function renderAsCloudBuild(id: string, file: string): unknown {
  const script = stepScript(id).replace(/\\\n\s*/g, ' ');
  const line = new RegExp(`deploy/render\\.sh ${file.replace(/\./g, '\\.')} ([^>]+)>`).exec(script)?.[1];
  if (line === undefined) throw new Error(`step ${id} does not render ${file}`);
  const pairs = line
    .trim()
    .split(/\s+/)
    .map((pair) =>
      pair.replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (_, name: string) => {
        const value = SUBSTITUTIONS[name];
        if (value === undefined) throw new Error(`step ${id} passes ${name}, which Cloud Build does not set`);
        return value;
      }),
    );
  return parse(
    execFileSync('bash', [join(ROOT, 'deploy/render.sh'), join(ROOT, file), ...pairs], { encoding: 'utf8' }),
  );
}

const EnvVar = z.strictObject({ name: z.string().regex(/^[A-Z_][A-Z0-9_]*$/), value: z.string() });
const Probe = z.strictObject({
  httpGet: z.strictObject({ path: z.string().startsWith('/'), port: z.number().int() }),
  periodSeconds: z.number().int().positive().optional(),
  failureThreshold: z.number().int().positive().optional(),
});
const Limits = z.strictObject({
  limits: z.strictObject({ cpu: z.string(), memory: z.string().regex(/^\d+(Mi|Gi)$/) }),
});

/** The fields of Cloud Run's v1 (Knative) Service that `gcloud run services replace` needs and this file uses. */
const CloudRunService = z.strictObject({
  apiVersion: z.literal('serving.knative.dev/v1'),
  kind: z.literal('Service'),
  metadata: z.strictObject({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,48}$/),
    labels: z.strictObject({ 'cloud.googleapis.com/location': z.string() }),
  }),
  spec: z.strictObject({
    template: z.strictObject({
      metadata: z.strictObject({ annotations: z.record(z.string(), z.string()) }),
      spec: z.strictObject({
        containerConcurrency: z.number().int().positive(),
        timeoutSeconds: z.number().int().positive(),
        containers: z
          .array(
            z.strictObject({
              name: z.string(),
              image: z.string().min(1),
              ports: z
                .array(z.strictObject({ name: z.enum(['http1', 'h2c']), containerPort: z.number().int() }))
                .optional(),
              env: z.array(EnvVar).optional(),
              resources: Limits,
              startupProbe: Probe.optional(),
              livenessProbe: Probe.optional(),
            }),
          )
          .min(1),
      }),
    }),
  }),
});

/** Cloud Run's v1 Job, as `gcloud run jobs replace` takes it. */
const CloudRunJob = z.strictObject({
  apiVersion: z.literal('run.googleapis.com/v1'),
  kind: z.literal('Job'),
  metadata: z.strictObject({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,48}$/),
    labels: z.strictObject({ 'cloud.googleapis.com/location': z.string() }),
  }),
  spec: z.strictObject({
    template: z.strictObject({
      spec: z.strictObject({
        taskCount: z.number().int().positive(),
        parallelism: z.number().int().positive(),
        template: z.strictObject({
          spec: z.strictObject({
            maxRetries: z.number().int().min(0),
            timeoutSeconds: z.number().int().positive(),
            serviceAccountName: z.string().optional(),
            containers: z
              .array(
                z.strictObject({
                  image: z.string(),
                  command: z.array(z.string()).optional(),
                  args: z.array(z.string()).optional(),
                  env: z.array(EnvVar).optional(),
                  resources: Limits,
                }),
              )
              .length(1),
          }),
        }),
      }),
    }),
  }),
});

const mebibytes = (value: string) => Number.parseInt(value, 10) * (value.endsWith('Gi') ? 1024 : 1);

describe('the first deploy, in the documented order', () => {
  const commands = firstDeployCommands();
  const at = (pattern: RegExp) => {
    const index = commands.findIndex((command) => pattern.test(command));
    expect(
      index,
      `docs/architecture.md's first deploy has no step matching ${pattern}`,
    ).toBeGreaterThanOrEqual(0);
    return index;
  };

  it('creates what the build, the services and the job use before it builds', () => {
    const build = at(/^gcloud builds submit --config cloudbuild\.yaml/);
    const enable = at(/^gcloud services enable /);
    for (const api of ['run', 'cloudbuild', 'artifactregistry', 'monitoring'])
      expect(commands[enable]).toContain(`${api}.googleapis.com`);
    expect(enable).toBeLessThan(build);
    expect(at(/^gcloud artifacts repositories create "\$REPOSITORY"/)).toBeLessThan(build);
    expect(at(/^gcloud storage buckets create "gs:\/\/\$BUCKET"/)).toBeLessThan(build);
    // The trainer job runs as mri-trainer, which must exist and reach the bucket before the job is deployed.
    expect(at(/^gcloud iam service-accounts create mri-trainer$/)).toBeLessThan(build);
    expect(at(/mri-trainer@\$PROJECT_ID.*roles\/storage\.objectAdmin/)).toBeLessThan(build);
    expect(at(/roles\/monitoring\.metricWriter/)).toBeLessThan(build);
    expect(at(/\$CLOUDBUILD_SA.*roles\/run\.admin/)).toBeLessThan(build);
    // The job trains from the dataset pushed to the bucket (`pnpm data import` pushes what it imports), after the
    // build deployed it; the remote it pushes to is added first.
    expect(at(/^pnpm data remote add gcs "gs:\/\/\$BUCKET\/dvcstore"/)).toBeLessThan(
      at(/^pnpm data (import|push)/),
    );
    expect(at(/^pnpm data (import|push)/)).toBeLessThan(at(/^gcloud run jobs execute mri-train/));
    expect(build).toBeLessThan(at(/^gcloud run jobs execute mri-train/));
    // Alert policies and the dashboard watch metrics the deployed service writes.
    expect(build).toBeLessThan(at(/^gcloud alpha monitoring policies create --policy-from-file="\$policy"/));
    expect(build).toBeLessThan(
      at(/^gcloud monitoring dashboards create --config-from-file=deploy\/monitoring\/dashboard\.json/),
    );
  });

  it('passes the build every substitution cloudbuild.yaml has no useful default for', () => {
    const build = commands[at(/^gcloud builds submit/)] ?? '';
    for (const name of ['_REGION', '_REPOSITORY', '_TAG', '_BUCKET']) expect(build).toContain(`${name}=`);
  });

  it('deploys an API that starts without a model and reads the registry the trainer job writes', () => {
    const service = CloudRunService.parse(
      renderAsCloudBuild('deploy-api', 'deploy/cloud-run/api-service.yaml'),
    );
    const [api, collector] = service.spec.template.spec.containers;
    expect(api?.image).toBe('europe-west1-docker.pkg.dev/my-project/mri/api:abc1234');
    expect(api?.ports?.[0]?.containerPort).toBe(8080);
    const env = Object.fromEntries(api?.env?.map((v) => [v.name, v.value]) ?? []);
    expect(env).toMatchObject({ MODEL: 'production', REGISTRY: 'gs://my-mri-bucket/registry' });
    // Request traces in the log lines are named by the project (@mri/logging, gcp.ts).
    expect(env.GOOGLE_CLOUD_PROJECT).toBe('my-project');
    // /healthz answers with no model yet; /readyz would keep the first revision from ever starting.
    expect(api?.startupProbe?.httpGet.path).toBe('/healthz');
    // The probes ask the API's probe thread (PROBE_PORT), not the port the uploads queue on.
    expect(Number(env.PROBE_PORT)).not.toBe(8080);
    expect(api?.startupProbe?.httpGet.port).toBe(Number(env.PROBE_PORT));
    expect(api?.livenessProbe?.httpGet.port).toBe(Number(env.PROBE_PORT));
    expect(mebibytes(api?.resources.limits.memory ?? '0')).toBeGreaterThanOrEqual(400);

    const job = CloudRunJob.parse(
      renderAsCloudBuild('deploy-trainer-job', 'deploy/cloud-run/trainer-job.yaml'),
    );
    expect(job.metadata.name).toBe('mri-train');
    const trainer = job.spec.template.spec.template.spec;
    expect(trainer.containers[0]?.image).toBe('europe-west1-docker.pkg.dev/my-project/mri/trainer:abc1234');
    expect(trainer.serviceAccountName).toBe('mri-trainer@my-project.iam.gserviceaccount.com');
    const jobEnv = Object.fromEntries(trainer.containers[0]?.env?.map((v) => [v.name, v.value]) ?? []);
    expect(jobEnv.REGISTRY_URL).toBe(env.REGISTRY);
    const script = trainer.containers[0]?.args?.join(' ') ?? '';
    expect(script.indexOf('pnpm data pull')).toBeLessThan(script.indexOf('pnpm train'));
    for (const [, name] of script.matchAll(/\$([A-Z_][A-Z0-9_]*)/g))
      expect(jobEnv).toHaveProperty(name ?? '');

    // The Prometheus sidecar starts after the API, which serves /metrics on the port the sidecar scrapes.
    expect(collector?.image).toMatch(/cloud-run-gmp-sidecar/);
    expect(
      JSON.parse(
        service.spec.template.metadata.annotations['run.googleapis.com/container-dependencies'] ?? '{}',
      ),
    ).toEqual({
      collector: ['api'],
    });
    expect(service.spec.template.metadata.annotations['run.googleapis.com/cpu-throttling']).toBe('false');
  });

  it('orders Cloud Build so every deploy has its image, and the page learns the API URL from the deployed API', () => {
    const build = parse(read('cloudbuild.yaml')) as {
      steps: { id: string; waitFor: string[]; args: string[] }[];
    };
    const step = (id: string) => build.steps.find((s) => s.id === id);
    expect(step('deploy-api')?.waitFor).toEqual(['push-api']);
    expect(step('deploy-trainer-job')?.waitFor).toEqual(['push-trainer']);
    expect(step('deploy-web')?.waitFor).toEqual(expect.arrayContaining(['push-web', 'deploy-api']));
    const web = stepScript('deploy-web');
    expect(web).toMatch(/gcloud run services describe \$\{_API_SERVICE\}.*status\.url/);
    expect(web).toMatch(/--set-env-vars=API_URL=\$\$\{api_url\}/);
    // The API answers the browser directly.
    expect(stepScript('deploy-api')).toMatch(/--member=allUsers --role=roles\/run\.invoker/);
  });

  it('refuses to render a file with a placeholder left unfilled', () => {
    expect(() =>
      execFileSync(
        'bash',
        [join(ROOT, 'deploy/render.sh'), join(ROOT, 'deploy/cloud-run/trainer-job.yaml'), 'REGION=x'],
        {
          encoding: 'utf8',
          stdio: 'pipe',
        },
      ),
    ).toThrow(/still has \$\{BUCKET\} \$\{PROJECT_ID\} \$\{REPOSITORY\} \$\{TAG\} \$\{TRAIN_JOB\}/);
  });
});
