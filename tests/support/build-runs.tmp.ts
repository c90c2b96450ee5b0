import { ensureSampleRuns } from './sample-runs.js';

const t = performance.now();
console.log(await ensureSampleRuns(), ((performance.now() - t) / 1000).toFixed(0), 's');
