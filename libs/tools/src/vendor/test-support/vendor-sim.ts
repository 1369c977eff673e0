import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RecordedRequest, type Simulator } from '@exai/provider-sim';
// Vendor tool specs drive the real providers against the simulator (house-style §10); only tests may
// import a provider, the tools themselves type them structurally (vendor-clients.ts).
import { createGlm } from '@exai/providers-glm';
import { createKimi } from '@exai/providers-kimi';
import { createRouter, type Router } from '@exai/router';
import type { Provider } from '@exai/router/spec';
import type { UserStorage } from '@exai/storage';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { GlmVendor, KimiVendor } from '../vendor-clients.js';
import { connectClient, fakeServerOptions } from '../../test-support/tool-harness.js';
import { ConversationMemory } from '../../conversation/conversation-memory.js';

// The real providers must satisfy the structural types the tools rely on.
const glmFits: (provider: ReturnType<typeof createGlm>) => GlmVendor = (provider) => provider;
const kimiFits: (provider: ReturnType<typeof createKimi>) => KimiVendor = (provider) => provider;

/** A connected exai server over the simulator, with a temporary allowed folder. */
export interface VendorSim {
  sim: Simulator;
  router: Router;
  /** The providers handed to the server (empty when not configured). */
  glm: GlmVendor[];
  kimi: KimiVendor[];
  storage: UserStorage;
  /** The only allowed root. */
  dir: string;
  client: Client;
  call: (name: string, args?: Record<string, unknown>) => Promise<CallToolResult>;
  /** Requests to a vendor path ending with `suffix`, with the method. */
  requests: (method: string, suffix: string | RegExp) => RecordedRequest[];
  close: () => Promise<void>;
}

/** Starts the simulator, the real providers (those asked for), a real router and an MCP client on the full profile. */
export async function startVendorSim(options: { glm?: boolean; kimi?: boolean; providerAccounts?: 'own' | 'shared'; maxTurns?: number } = {}): Promise<VendorSim> {
  const sim = await startSimulator({ latencyMs: 0 });
  const glm = options.glm === false ? [] : [glmFits(createGlm({ apiKey: 'glm-test-key.0123456789abcdef', baseURL: sim.glmBaseURL }))];
  const kimi = options.kimi === false ? [] : [kimiFits(createKimi({ apiKey: 'sk-test-kimi-key', baseURL: sim.kimiBaseURL }))];
  const providers: Record<string, Provider[]> = {};
  if (glm.length) providers['glm'] = glm as unknown as Provider[];
  if (kimi.length) providers['kimi'] = kimi as unknown as Provider[];
  const router = createRouter({
    providers,
    providerSetup: {
      glm: { envVar: 'GLM_API_KEY', aliases: ['ZAI_API_KEY', 'ZHIPUAI_API_KEY'] },
      kimi: { envVar: 'KIMI_API_KEY', aliases: ['MOONSHOT_API_KEY'] },
    },
    defaultModel: 'auto',
    retry: { maxAttempts: 0 },
  });
  const dir = await mkdtemp(join(tmpdir(), 'exai-vendor-'));
  const serverOptions = fakeServerOptions({
    router,
    vendors: { glm, kimi },
    limits: { allowedRoots: [dir] },
    providers: [
      { provider: 'glm', configured: glm.length > 0, baseUrl: sim.glmBaseURL },
      { provider: 'kimi', configured: kimi.length > 0, baseUrl: sim.kimiBaseURL },
    ],
    tools: { profile: 'full' },
    ...(options.providerAccounts ? { providerAccounts: options.providerAccounts } : {}),
    ...(options.maxTurns === undefined ? {} : { conversations: new ConversationMemory({ maxTurns: options.maxTurns }) }),
  });
  const connected = await connectClient(serverOptions);
  return {
    sim,
    router,
    glm,
    kimi,
    storage: serverOptions.storage,
    dir,
    client: connected.client,
    call: connected.call,
    requests: (method, suffix) =>
      sim.requests.filter((request) => request.method === method && (typeof suffix === 'string' ? request.path.endsWith(suffix) : suffix.test(request.path))),
    close: async () => {
      await connected.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The structured content of a successful result (fails the test with the error text otherwise). */
export function structuredOf<T = Record<string, unknown>>(result: CallToolResult): T {
  if (result.isError) throw new Error(`tool failed: ${result.content[0]?.type === 'text' ? result.content[0].text : JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}
