import type { ComplianceReport } from './compliance-report.js';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text safe inside HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#1b1f24;max-width:1100px}
h1{font-size:1.5rem;margin:0 0 .25rem}
.meta{color:#57606a;margin-bottom:1.5rem}
.chain{padding:.75rem 1rem;border-radius:6px;margin-bottom:1.5rem;word-break:break-all}
.ok{background:#dafbe1;border:1px solid #4ac26b}.bad{background:#ffebe9;border:1px solid #ff8182}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #d0d7de;padding:.5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}
.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}
details pre{white-space:pre-wrap;word-break:break-all;background:#f6f8fa;padding:.5rem;border-radius:4px;font-size:12px}
.controls{font-size:12px;color:#57606a}
@media print{details{display:block}details>pre{display:block}}
`;

/**
 * The report as one self-contained HTML page: inline CSS, no script, no external asset, every
 * value escaped. It carries the verified head hash of the audit chain, so a printed copy can be
 * matched against the chain later.
 */
export function renderComplianceHtml(r: ComplianceReport): string {
  const chain = r.auditChain.verified
    ? `<div class="chain ok"><strong>Audit chain verified</strong>: ${r.auditChain.entries} entries, ${r.auditChain.checkpoints} signed checkpoints.<br>Head hash: <code>${escapeHtml(r.auditChain.headHash)}</code></div>`
    : `<div class="chain bad"><strong>Audit chain BROKEN</strong> at seq ${r.auditChain.firstBadSeq} (${escapeHtml(r.auditChain.reason)}): ${escapeHtml(r.auditChain.message)}</div>`;
  const pub = r.auditPublication;
  const published = !pub
    ? ''
    : pub.publishers.length === 0
      ? `<div class="chain bad"><strong>Audit checkpoints not published</strong>: no checkpoint of this chain has been accepted outside the database${pub.lastCheckpoint ? ` (newest checkpoint: seq ${pub.lastCheckpoint.seq}, ${escapeHtml(pub.lastCheckpoint.signedAt)})` : ''}.</div>`
      : `<div class="chain"><strong>Audit checkpoints published</strong> (as this server records it; <code>elevate audit verify --checkpoints</code> checks the copies)${pub.lastCheckpoint ? `, newest checkpoint seq ${pub.lastCheckpoint.seq} signed ${escapeHtml(pub.lastCheckpoint.signedAt)}` : ''}:<ul>${pub.publishers
          .map(
            (p) =>
              `<li><code>${escapeHtml(p.id)}</code>: through seq ${p.lastPublishedSeq}, last at ${escapeHtml(p.lastPublishedAt)}${p.caughtUp ? '' : ' (behind)'}</li>`,
          )
          .join('')}</ul></div>`;
  const rows = r.items
    .map((i) => {
      const c = i.controls;
      const controls = `SOC 2 ${c.soc2.join(', ')} · ISO 27001 ${c.iso27001.join(', ')} · NIST 800-53 ${c.nist80053.join(', ')} · NIST CSF ${c.nistCsf.join(', ')}`;
      return (
        `<tr><td class="${i.status}">${i.status === 'pass' ? 'PASS' : 'FAIL'}</td>` +
        `<td><strong>${escapeHtml(i.title)}</strong><br>${escapeHtml(i.summary)}` +
        `<div class="controls">${escapeHtml(controls)}</div>` +
        `<details><summary>Evidence</summary><pre>${escapeHtml(JSON.stringify(i.evidence, null, 2))}</pre></details></td></tr>`
      );
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Elevate PIM compliance report</title>
<style>${CSS}</style>
</head>
<body>
<h1>PIM compliance evidence</h1>
<div class="meta">Tenant <code>${escapeHtml(r.tenantId)}</code> · generated ${escapeHtml(r.generatedAt)} · ${r.summary.passed} of ${r.summary.total} checks pass${r.truncated ? ' · <strong>truncated: the tenant exceeds what one report reads</strong>' : ''}</div>
${chain}
${published}
<table>
<thead><tr><th>Result</th><th>Check</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`;
}
