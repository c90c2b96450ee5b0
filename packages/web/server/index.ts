// Node-side entry of @mri/web: build the page and serve it. The page itself lives in src/ (browser code).
export { type BuildPageOptions, buildPage, defaultDistDir } from './build-page.js';
export { type DashboardHandler, type DashboardOptions, dashboardHandler } from './dashboard/routes.js';
export {
  handleRequest,
  type RunningWebServer,
  startWebServer,
  type WebServerOptions,
} from './static-server.js';
