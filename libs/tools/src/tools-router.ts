import type { Router } from '@exai/router';

/** The part of `@exai/router`'s `Router` the tools use; a narrower type lets tool tests pass a fake. */
export type ToolsRouter = Pick<Router, 'resolve' | 'generate' | 'streamWithMetadata' | 'listModels' | 'status' | 'explain'>;
