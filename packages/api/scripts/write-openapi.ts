// `pnpm openapi` (first half): writes packages/api/openapi.json from the routes' schemas.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiDocument, openApiText } from '../src/openapi.js';

const target = fileURLToPath(new URL('../openapi.json', import.meta.url));
writeFileSync(target, openApiText(await openApiDocument()));
console.log(`wrote ${target}`);
