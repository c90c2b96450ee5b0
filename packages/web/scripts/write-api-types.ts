// `pnpm openapi` (second half): writes src/api-types.gen.ts from the API's committed OpenAPI document.
import { writeFileSync } from 'node:fs';
import { API_TYPES_FILE, apiTypesSource } from './api-types.js';

writeFileSync(API_TYPES_FILE, await apiTypesSource());
console.log(`wrote ${API_TYPES_FILE}`);
