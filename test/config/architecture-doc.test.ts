import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAYERS } from '../../layers.config.js';
import { layerTableOf, renderLayerTable } from '../../scripts/architecture-doc.js';
import { MODULES } from '../../src/modules/index.js';

const doc = () => readFileSync(new URL('../../docs/architecture.md', import.meta.url), 'utf8');

describe('docs/architecture.md', () => {
  it('shows exactly the layers of layers.config.js (run `npm run docs:architecture` after changing it)', () => {
    expect(layerTableOf(doc())).toBe(renderLayerTable());
  });

  it('only names layers that exist, and no layer may import one that may import it back', () => {
    for (const [name, layer] of Object.entries(LAYERS)) {
      for (const target of layer.imports) {
        expect(Object.keys(LAYERS), `${name} → ${target}`).toContain(target);
        expect(LAYERS[target]?.imports ?? [], `${name} ↔ ${target}`).not.toContain(name);
      }
    }
  });

  it('lists every feature module', () => {
    for (const m of MODULES) expect(doc()).toContain(`\`${m.name}\``);
  });
});
