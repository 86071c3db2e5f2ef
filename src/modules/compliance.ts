import { makeComplianceReport, type ComplianceReporter } from '../app/compliance/compliance-report.js';
import { complianceRoutes } from '../http/routes/compliance.js';
import type { FeatureModule } from './feature-module.js';

declare module '../http/services.js' {
  interface Services {
    /** The compliance evidence report (Elevate extension). */
    compliance: ComplianceReporter;
  }
}

/** The compliance evidence report, mapped to SOC 2, ISO 27001 and NIST. */
export const complianceModule = {
  name: 'compliance',
  services: (k) => ({
    compliance: makeComplianceReport({
      uow: k.uow,
      clock: k.clock,
      audit: k.audit,
      cursors: k.cursors,
      destinations: (k.options.auditForward ?? []).map((d) => ({
        id: d.id,
        type: d.type === 'file' ? 'file' : `syslog-${d.transport}`,
      })),
      breakGlassGroupId: k.options.breakGlassGroupId ?? null,
    }),
  }),
  routes: [{ plugin: complianceRoutes, prefix: '/v1.0' }],
} satisfies FeatureModule;
