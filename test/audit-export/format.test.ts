import { describe, expect, it } from 'vitest';
import { cefHeader, cefLine, cefValue } from '../../src/domain/audit-export/cef.js';
import { ELEVATE_CEF_PRODUCT, syslogRecord } from '../../src/domain/audit-export/format.js';
import { headerToken, sdParamValue, syslogPri } from '../../src/domain/audit-export/syslog.js';
import type { AuditEntry } from '../../src/domain/audit/entry.js';
import { auditForwardSetting } from '../../src/config/audit-forward.js';
import { parse5424 } from './support.js';

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  id: 'e1',
  tenantId: 't1',
  activityDateTime: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
  code: 'policy.update',
  activityDisplayName: 'Update role setting in PIM',
  category: 'RoleManagement',
  operationType: 'Update',
  loggedByService: 'Privileged Identity Management',
  result: 'success',
  resultReason: '',
  initiatedBy: {
    user: { id: 'u1', displayName: 'Ada', userPrincipalName: 'ada@x.test', ipAddress: '10.1.2.3' },
    app: null,
  },
  userAgent: 'curl/8',
  amr: ['pwd', 'mfa'],
  targetResources: [],
  correlationId: null,
  justification: null,
  ticket: null,
  additionalDetails: [],
  seq: 42,
  prevHash: '0'.repeat(64),
  hash: 'a'.repeat(64),
  ...over,
});

/** Splits a CEF extension into key/value pairs, undoing the escapes; throws on a bare `=`. */
function cefExtension(ext: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /(?:^| )([A-Za-z0-9]+)=((?:\\.|[^\\= ]| (?![A-Za-z0-9]+=))*)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(ext)) !== null) {
    out[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
    at = re.lastIndex;
  }
  if (at !== ext.length) throw new Error(`unparsed extension from ${at}: ${ext.slice(at)}`);
  return out;
}

/** Splits a CEF line into 7 header fields and the extension, honouring `\|` and `\\`. */
function cefParts(line: string): { header: string[]; ext: string } {
  const header: string[] = [];
  let cur = '';
  let i = 0;
  for (; i < line.length && header.length < 7; i += 1) {
    const c = line[i]!;
    if (c === '\\' && (line[i + 1] === '|' || line[i + 1] === '\\')) {
      cur += line[i + 1];
      i += 1;
    } else if (c === '|') {
      header.push(cur);
      cur = '';
    } else cur += c;
  }
  return { header, ext: line.slice(i) };
}

describe('CEF', () => {
  it('escapes | and \\ in the header and turns line breaks into spaces', () => {
    expect(cefHeader('a|b\\c\nd\r\ne')).toBe('a\\|b\\\\c d e');
  });

  it('escapes \\ and = in extension values and writes line breaks as \\n and \\r', () => {
    expect(cefValue('a=b\\c\nd\re|f')).toBe('a\\=b\\\\c\\nd\\re|f');
  });

  it('renders an entry that parses back to the same values, whatever its text holds', () => {
    const nasty = 'x|y\\z=w\nnext line\r\nthird';
    const line = cefLine(
      entry({ activityDisplayName: nasty, justification: nasty, ticket: 'T=1', code: 'a|b' }),
      ELEVATE_CEF_PRODUCT,
    );
    expect(line).not.toMatch(/[\r\n]/);
    const { header, ext } = cefParts(line);
    expect(header).toEqual([
      'CEF:0',
      'Elevate',
      'Elevate PIM',
      '0.1.0',
      'a|b',
      'x|y\\z=w next line third',
      '3',
    ]);
    const kv = cefExtension(ext);
    expect(kv).toMatchObject({
      rt: String(Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
      act: nasty.replace(/\r\n/g, '\n'),
      cs3: nasty.replace(/\r\n/g, '\n'),
      cs4: 'T=1',
      cn1: '42',
      cs1: 't1',
      cs2: 'a'.repeat(64),
      suser: 'ada@x.test',
      src: '10.1.2.3',
      outcome: 'success',
    });
  });

  it('gives failures a higher severity', () => {
    expect(cefParts(cefLine(entry({ result: 'failure' }), ELEVATE_CEF_PRODUCT)).header[6]).toBe('6');
  });
});

describe('RFC 5424 mapping', () => {
  it('maps success to info and failure to warning in facility log audit (13)', () => {
    expect(syslogPri({ result: 'success' })).toBe(110);
    expect(syslogPri({ result: 'failure' })).toBe(108);
  });

  it('escapes structured data and keeps header fields printable', () => {
    expect(sdParamValue('a"b\\c]d')).toBe('a\\"b\\\\c\\]d');
    expect(headerToken('host name\u00e9', 255)).toBe('host_name_');
    expect(headerToken('', 32)).toBe('-');
    const p = parse5424(syslogRecord(entry({ tenantId: 'we"ird]\\' }), 'json', 'h'));
    expect(p.sd[0]?.params.tenant).toBe('we"ird]\\');
    expect(p.msgId).toBe('policy.update');
    expect(p.timestamp).toBe('2026-01-02T03:04:05.006Z');
    expect(JSON.parse(p.msg)).toMatchObject({ seq: 42 });
  });

  it('the test parser rejects what is not RFC 5424', () => {
    expect(() => parse5424('<13>1 2026-01-01T00:00:00Z host app - id msg')).toThrow();
    expect(() => parse5424('<13>1 2026-01-01T00:00:00Z host app - id [x a="b]"] m')).toThrow();
    expect(() => parse5424('<192>1 2026-01-01T00:00:00Z host app - id - m')).toThrow();
    expect(parse5424('<13>1 - host app - id - m').msg).toBe('m');
  });
});

describe('ELEVATE_AUDIT_FORWARD', () => {
  it('accepts a list of destinations and defaults the format to JSON', () => {
    expect(
      auditForwardSetting.parse(
        '[{"id":"siem","type":"syslog","transport":"tls","host":"siem.example","port":6514,"caFile":"/ca.pem"},{"id":"f","type":"file","path":"/var/log/a.jsonl","format":"cef"}]',
      ),
    ).toEqual([
      {
        id: 'siem',
        type: 'syslog',
        transport: 'tls',
        host: 'siem.example',
        port: 6514,
        caFile: '/ca.pem',
        format: 'json',
      },
      { id: 'f', type: 'file', path: '/var/log/a.jsonl', format: 'cef' },
    ]);
  });

  it.each([
    'not json',
    '{"id":"x"}',
    '[{"id":"x","type":"ftp"}]',
    '[{"id":"x","type":"syslog","transport":"tcp","host":"h","port":0}]',
    '[{"id":"x","type":"file","path":"/a","key":"secret"}]',
    '[{"id":"x","type":"file","path":"/a"},{"id":"x","type":"file","path":"/b"}]',
  ])('rejects %s', (text) => {
    expect(auditForwardSetting.safeParse(text).success).toBe(false);
  });
});
