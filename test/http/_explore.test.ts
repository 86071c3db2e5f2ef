import { it } from 'vitest';
import { validate } from '@readme/openapi-parser';
import { testServer } from '../helpers/server.js';

it('explore', async () => {
  const s = await testServer();
  const doc = (await s.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const v = await validate(structuredClone(doc));
  console.log(v.valid, (v as any).errors?.length);
  for (const e of (v as any).errors ?? []) console.log(e.message.split('\n').slice(0, 9).join('\n'));
  console.log(JSON.stringify(doc.paths['/v1.0/users'].get, null, 1).slice(0, 2500));
  console.log(JSON.stringify(doc.paths['/oauth2/v2.0/{*}'], null, 1).slice(0, 500));
  await s.close();
});
