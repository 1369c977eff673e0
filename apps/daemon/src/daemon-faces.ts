import type { DaemonContext, DaemonFace } from './daemon-context.js';
import { createMcpHttpFace } from './mcp-http/mcp-http-face.js';
import { createDashboardFace } from './dashboard/dashboard-face.js';
import { createHealthFace } from './observability/health-face.js';
import { createOpenAiFace } from './openai/openai-face.js';
import { createHealthFileFace } from './observability/health-file-face.js';
import { createWebSocketFace } from './ws/websocket-face.js';

/**
 * The faces the daemon serves, in the order requests are offered to them. Each lives in its own
 * folder and shares the context's router, storage, auth and limits.
 */
export function daemonFaces(context: DaemonContext): DaemonFace[] {
  return [createMcpHttpFace(context), createOpenAiFace(context), createHealthFace(context), createWebSocketFace(context), createDashboardFace(context), createHealthFileFace(context)];
}
