import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderEventSchemas } from '../../src/domain/notifications/event-schemas.js';
import { NOTIFICATION_EVENT_TYPES } from '../../src/domain/notifications/event-types.js';
import { renderEventCatalogue } from '../../scripts/events-doc.js';

const docs = new URL('../../docs/', import.meta.url);

describe('the event catalogue in docs/', () => {
  it('docs/events.md is the catalogue in code (run `npm run docs:events` after changing it)', () => {
    expect(readFileSync(new URL('events.md', docs), 'utf8')).toBe(renderEventCatalogue());
    for (const type of NOTIFICATION_EVENT_TYPES) expect(renderEventCatalogue()).toContain(`\`${type}\``);
  });

  it('docs/events/ holds exactly one schema per event type, as the code renders it', () => {
    const files = renderEventSchemas();
    expect(readdirSync(new URL('events/', docs)).sort()).toEqual(files.map((f) => f.file).sort());
    for (const f of files) {
      expect(readFileSync(new URL(`events/${f.file}`, docs), 'utf8'), f.file).toBe(f.text);
    }
  });
});
