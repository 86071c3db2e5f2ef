import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { chainHash, GENESIS_HASH } from '../../src/domain/audit/hash.js';
const url = 'postgres://postgres@127.0.0.1:5432/test';
const N = 200_000;
const schema = `exp_${randomBytes(4).toString('hex')}`;
const c = new pg.Client({ connectionString: url });
await c.connect();
await c.query(`create schema ${schema}; set search_path=${schema}`);
await c.query(`create table e (tenant_id text, seq bigint, payload text, prev_hash text, hash text, primary key (tenant_id, seq))`);
const payload = (i: number) => JSON.stringify({ activity: 'Add user', i, targets: [{ id: randomBytes(16).toString('hex'), props: 'x'.repeat(1200) }] });
let prev = GENESIS_HASH;
const t0 = performance.now();
for (let b = 0; b < N; b += 2000) {
  const vals: unknown[] = []; const ph: string[] = [];
  for (let i = b; i < b + 2000; i++) { const p = payload(i); const h = chainHash(prev, p); vals.push('t', i + 1, p, prev, h); prev = h; const k = vals.length; ph.push(`($${k-4},$${k-3},$${k-2},$${k-1},$${k})`); }
  await c.query(`insert into e values ${ph.join(',')}`, vals);
}
await c.query('analyze e');
console.log('seeded', ((performance.now() - t0) / 1000).toFixed(1), 's');
pg.types.setTypeParser(20, (v) => Number(v));
async function rowsWay() {
  let running = GENESIS_HASH, n = 0;
  for (let after = 0; ; after += 2000) {
    const r = await c.query('select seq, payload, prev_hash as "prevHash", hash from e where tenant_id=$1 and seq > $2 and seq <= $3 order by seq', ['t', after, after + 2000]);
    for (const row of r.rows) { const h = chainHash(running, row.payload); if (h !== row.hash) throw new Error('bad'); running = h; n++; }
    if (r.rows.length < 2000) break;
  }
  return n;
}
async function aggWay() {
  let running = GENESIS_HASH, n = 0;
  for (let after = 0; ; after += 2000) {
    const r = await c.query(`select string_agg(seq::text || chr(31) || prev_hash || hash || payload, chr(30) order by seq) as s from e where tenant_id=$1 and seq > $2 and seq <= $3`, ['t', after, after + 2000]);
    const s: string | null = r.rows[0].s; if (s === null) break;
    let pos = 0, count = 0;
    while (pos < s.length) {
      let end = s.indexOf('\x1e', pos); if (end < 0) end = s.length;
      const us = s.indexOf('\x1f', pos);
      const seq = Number(s.slice(pos, us));
      const prevHash = s.slice(us + 1, us + 65); const hash = s.slice(us + 65, us + 129); const p = s.slice(us + 129, end);
      const h = chainHash(running, p); if (h !== hash || prevHash.length !== 64 || seq < 1) throw new Error('bad'); running = h; n++; count++;
      pos = end + 1;
    }
    if (count < 2000) break;
  }
  return n;
}
for (const [name, f] of [['rows', rowsWay], ['agg', aggWay], ['rows', rowsWay], ['agg', aggWay]] as const) {
  const cpu0 = process.cpuUsage(); const s = performance.now();
  const n = await f();
  const ms = performance.now() - s; const cpu = process.cpuUsage(cpu0);
  console.log(name, n, Math.round(n / ms * 1000), 'entries/s wall', Math.round(n / ((cpu.user + cpu.system) / 1e6)), 'per CPU-s');
}
await c.query(`drop schema ${schema} cascade`);
await c.end();
