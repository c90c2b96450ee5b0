/**
 * Tells the deploy workflow that `production` moved, so the API rolls onto the new model now instead of at the next
 * poll: a GitHub `repository_dispatch` of type `model-promoted` (.github/workflows/deploy.yml listens for it).
 * Sent only when a token is configured; without one, or if GitHub refuses, the promotion still stands and the
 * workflow's schedule picks it up.
 */

/** The event deploy.yml's `repository_dispatch` trigger names. */
export const PROMOTED_EVENT = 'model-promoted';

export interface Promotion {
  readonly alias: string;
  readonly version: string;
  readonly registry: string;
}

export type NotifyResult =
  | { readonly sent: true; readonly repository: string }
  | { readonly sent: false; readonly reason: string };

/**
 * GITHUB_DISPATCH_TOKEN (a token that may dispatch: fine-grained with Contents read-write, or a classic `repo`
 * token) and GITHUB_REPOSITORY (owner/name) turn it on; GITHUB_API_URL points it at GitHub Enterprise.
 */
export async function notifyPromotion(
  promotion: Promotion,
  env: NodeJS.ProcessEnv,
  fetchImpl: typeof fetch = fetch,
): Promise<NotifyResult> {
  const token = env.GITHUB_DISPATCH_TOKEN;
  const repository = env.GITHUB_REPOSITORY;
  if (!token)
    return { sent: false, reason: 'GITHUB_DISPATCH_TOKEN is not set; the deploy workflow polls instead' };
  if (!repository || !/^[\w.-]+\/[\w.-]+$/.test(repository))
    return {
      sent: false,
      reason: `GITHUB_REPOSITORY must be owner/name to notify the deploy workflow (it is "${repository ?? ''}")`,
    };
  const api = (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '');
  let response: Response;
  try {
    response = await fetchImpl(`${api}/repos/${repository}/dispatches`, {
      method: 'POST',
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'user-agent': 'mri-pipeline-registry',
        'x-github-api-version': '2022-11-28',
      },
      body: JSON.stringify({ event_type: PROMOTED_EVENT, client_payload: promotion }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    return {
      sent: false,
      reason: `GitHub could not be reached (${(error as Error).message}); the deploy workflow polls instead`,
    };
  }
  // GitHub answers 204 No Content to a dispatch it accepted.
  if (response.status === 204 || response.ok) return { sent: true, repository };
  return {
    sent: false,
    reason: `GitHub refused the dispatch to ${repository} (${response.status}): check that GITHUB_DISPATCH_TOKEN may write to it`,
  };
}
