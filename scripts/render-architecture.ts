// Rewrites the layer table in docs/architecture.md from layers.config.js.
//   npm run docs:architecture
import { readFileSync, writeFileSync } from 'node:fs';
import { renderLayerTable, replaceLayerTable } from './architecture-doc.js';

const path = new URL('../docs/architecture.md', import.meta.url);
writeFileSync(path, replaceLayerTable(readFileSync(path, 'utf8'), renderLayerTable()));
console.log('docs/architecture.md updated');
