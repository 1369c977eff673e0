import { z } from 'zod';
import { confidenceStage } from './confidence-stage.js';
import { expertSystemPrompt } from './expert-prompts.js';
import { severityCounts, severityFilterLine, severityFilterShape } from './review-fields.js';
import { defineWorkflowTool } from './workflow-engine.js';

const extraShape = {
  security_scope: z.string().optional(),
  threat_level: z.enum(['low', 'medium', 'high', 'critical']).optional(),
  compliance_requirements: z.array(z.string()).optional(),
  audit_focus: z.enum(['owasp', 'compliance', 'infrastructure', 'dependencies', 'comprehensive']).optional(),
  severity_filter: severityFilterShape,
};

/** `secaudit`: a security audit (OWASP Top 10, compliance), finished by an expert's assessment. */
export const secauditTool = defineWorkflowTool({
  name: 'secaudit',
  title: 'Security audit',
  description: 'Multi-step security audit (OWASP Top 10, secrets, dependencies, compliance); a GLM/Kimi model validates the findings.',
  profile: 'full',
  extraShape,
  pauseStatus: 'pause_for_security_audit',
  requiredActions(input) {
    if (input.step_number === 1) {
      return [
        'Map the attack surface: entry points, inputs, trust boundaries, data stores',
        'Identify authentication and authorisation mechanisms',
        'List the sensitive data and where it flows',
      ];
    }
    switch (confidenceStage(input.confidence)) {
      case 'early':
      case 'middle':
        return [
          'Check the OWASP Top 10 categories that apply: injection, broken access control, cryptographic failures, SSRF, …',
          'Check secrets handling, dependencies and configuration',
          'Record each vulnerability in issues_found with severity and file:line',
        ];
      default:
        return ['Confirm each vulnerability is exploitable as described, then finish with next_step_required=false'];
    }
  },
  expert: {
    category: 'deep',
    systemPrompt: expertSystemPrompt({
      role: 'You are a senior application security engineer. An AI coding assistant has audited code step by step and asks you to validate and complete its findings.',
      instructions:
        'Find real, exploitable vulnerabilities with evidence: how an attacker reaches them and what they gain. Weigh them by the threat level and compliance requirements given. No generic advice without a location in the code.',
      outputFormat: [
        'ONLY JSON:',
        '{"status": "security_analysis_complete", "summary": "...", "risk_level": "critical|high|medium|low", "vulnerabilities": [{"severity": "critical|high|medium|low", "category": "OWASP A01…|other", "file": "/abs/path", "line": 12, "description": "...", "exploit_scenario": "...", "remediation": "..."}], "compliance_gaps": ["..."], "positive_findings": ["..."], "remediation_priorities": ["..."]}',
      ].join('\n'),
    }),
    skip: (input) => (input.confidence === 'certain' ? 'confidence is certain: the audit is complete without an expert' : undefined),
    buildContext(_input, state) {
      const extra = state.extra;
      const lines: string[] = [];
      if (extra['security_scope']) lines.push(`Security scope: ${String(extra['security_scope'])}`);
      lines.push(`Threat level: ${String(extra['threat_level'] ?? 'medium')}`, `Audit focus: ${String(extra['audit_focus'] ?? 'comprehensive')}`);
      const compliance = extra['compliance_requirements'];
      if (Array.isArray(compliance) && compliance.length > 0) lines.push(`Compliance requirements: ${compliance.join(', ')}`);
      const filter = severityFilterLine(extra['severity_filter']);
      if (filter) lines.push(filter);
      return lines.join('\n');
    },
  },
  complete: (_input, state) => ({ issues_by_severity: severityCounts(state.issues) }),
});
