// Writes the event catalogue from the code: docs/events.md and one JSON Schema per event type under
// docs/events/ (src/domain/notifications/event-schemas.ts). A test fails when they differ.
//   npm run docs:events
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { renderEventCatalogue } from './events-doc.js';
import { renderEventSchemas } from '../src/domain/notifications/event-schemas.js';

const dir = new URL('../docs/events/', import.meta.url);
mkdirSync(dir, { recursive: true });
const files = renderEventSchemas();
for (const name of readdirSync(dir)) {
  if (!files.some((f) => f.file === name)) rmSync(new URL(name, dir));
}
for (const f of files) writeFileSync(new URL(f.file, dir), f.text);
writeFileSync(new URL('../docs/events.md', import.meta.url), renderEventCatalogue());
console.log(`docs/events.md and ${files.length} schemas in docs/events/ updated`);
