import { hash } from 'node:crypto';
const p = JSON.stringify({ x: 'y'.repeat(1300) }); let r = '0'.repeat(64);
const cpu0 = process.cpuUsage(); const t = performance.now();
for (let i = 0; i < 200000; i++) r = hash('sha256', r + p, 'hex');
const cpu = process.cpuUsage(cpu0);
console.log('hash only', Math.round(200000 / (performance.now() - t) * 1000), '/s wall', Math.round(200000 / ((cpu.user + cpu.system) / 1e6)), '/CPU-s');
