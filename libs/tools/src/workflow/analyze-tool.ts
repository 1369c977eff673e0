import { z } from 'zod';
import { confidenceStage } from './confidence-stage.js';
import { expertSystemPrompt } from './expert-prompts.js';
import { defineWorkflowTool } from './workflow-engine.js';

const extraShape = {
  analysis_type: z.enum(['architecture', 'performance', 'security', 'quality', 'general']).optional(),
  output_format: z.enum(['summary', 'detailed', 'actionable']).optional(),
};

/** `analyze`: a structured analysis of code (architecture, performance, quality), always finished by an expert. */
export const analyzeTool = defineWorkflowTool({
  name: 'analyze',
  title: 'Analyze code',
  description: 'Multi-step code analysis (architecture, performance, quality); a GLM/Kimi model adds a strategic assessment.',
  profile: 'full',
  extraShape,
  pauseStatus: 'pause_for_analysis',
  requiredActions(input) {
    if (input.step_number === 1) {
      return [
        'Read the main files and map the structure: modules, dependencies, data flow, entry points',
        'Note the design decisions and the patterns the code relies on',
        'Write down the questions the analysis must answer',
      ];
    }
    switch (confidenceStage(input.confidence)) {
      case 'early':
      case 'middle':
        return [
          'Examine the areas of the chosen analysis type in depth, with file:line evidence',
          'Weigh strengths against risks: scalability, coupling, technical debt',
          'Record concrete issues in issues_found',
        ];
      default:
        return ['Check your conclusions against the code, then finish with next_step_required=false'];
    }
  },
  expert: {
    category: 'balanced',
    systemPrompt: expertSystemPrompt({
      role: 'You are a senior software architect. An AI coding assistant has analysed a codebase step by step and asks for your strategic assessment.',
      instructions:
        'Assess architecture, scalability, maintainability, performance and security as they matter for this code. Name systemic issues and real risks, with evidence; ignore cosmetic ones. Respect the analysis type and output format you are given.',
      outputFormat:
        'Markdown: ## Executive overview, ## Strategic findings (each: what, evidence file:line, impact, recommendation, effort), ## Quick wins, ## Long-term roadmap.',
    }),
    buildContext(_input, state) {
      return [`Analysis type: ${String(state.extra['analysis_type'] ?? 'general')}`, `Output format: ${String(state.extra['output_format'] ?? 'detailed')}`].join('\n');
    },
  },
});
