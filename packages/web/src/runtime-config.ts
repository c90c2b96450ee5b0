// Where the API is. The page's own server answers /config.json from its API_URL environment variable, so one
// build runs anywhere; without it, the URL baked in at build time (VITE_API_URL) or the local default applies.

export const defaultApiUrl = 'http://localhost:8000';

export function chooseApiUrl(runtimeConfig: unknown, buildTimeUrl: string | undefined): string {
  if (typeof runtimeConfig === 'object' && runtimeConfig !== null && 'apiUrl' in runtimeConfig) {
    const { apiUrl } = runtimeConfig;
    if (typeof apiUrl === 'string' && apiUrl.trim() !== '') return apiUrl.trim();
  }
  return buildTimeUrl?.trim() || defaultApiUrl;
}

export async function loadApiUrl(): Promise<string> {
  let runtimeConfig: unknown = null;
  try {
    const response = await fetch('/config.json', { cache: 'no-store' });
    if (response.ok) runtimeConfig = await response.json();
  } catch {
    // Served by something other than our server (vite dev, a CDN): the build-time URL applies.
  }
  return chooseApiUrl(runtimeConfig, import.meta.env.VITE_API_URL);
}
