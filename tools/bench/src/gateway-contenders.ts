import OpenAI from 'openai';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import type { SimulatorProcess } from '@exai/harness';
import { createGlm } from '@exai/providers-glm';
import { createModelRegistry, createRouter } from '@exai/router';
import { McpHttpClient } from './mcp-http-client.js';
import { McpWebSocketClient, type RpcAnswer } from './mcp-websocket-client.js';
import type { DaemonProcess } from './spawn-daemon-process.js';
import type { PassthroughProcess } from './spawn-passthrough-proxy.js';
import type { PortkeyProcess } from './spawn-portkey.js';

/** The model every contender asks for: GLM's free fast model, served by the simulator's GLM API. */
export const BENCH_MODEL = 'glm-4.5-flash';

/** One independent caller (a client, connection or session) of a contender. */
export interface GatewayCaller {
  /** One chat call; throws unless it succeeded with an answer. */
  call: (prompt: string) => Promise<void>;
  close: () => Promise<void>;
}

/**
 * How a contender is read: `baseline` is the direct call every other is compared with; `peer` is
 * Portkey; `floor` is a pass-through proxy with no logic (what any Node gateway pays for the extra
 * hop); `exai` rows carry a verdict; `exai-raw` rows are the same faces driven by a minimal JSON-RPC
 * client, to separate the server's cost from the MCP SDK client's.
 */
export type ContenderRole = 'baseline' | 'peer' | 'floor' | 'exai' | 'exai-raw';

/** One way of making the same chat call. */
export interface GatewayContender {
  name: string;
  role: ContenderRole;
  /** The process serving the calls (a gateway), when it is not this one. */
  serverPid?: number;
  open: () => Promise<GatewayCaller>;
}

const messagesOf = (prompt: string): OpenAI.ChatCompletionMessageParam[] => [{ role: 'user', content: prompt }];

function openAiCaller(client: OpenAI): GatewayCaller {
  return {
    call: async (prompt) => {
      const completion = await client.chat.completions.create({ model: BENCH_MODEL, messages: messagesOf(prompt) });
      if (!completion.choices[0]?.message.content) throw new Error(`no answer: ${JSON.stringify(completion).slice(0, 300)}`);
    },
    close: async () => undefined,
  };
}

function checkToolAnswer(answer: RpcAnswer): void {
  const result = answer.result as { isError?: boolean; content?: { text?: string }[] } | undefined;
  if (answer.error !== undefined || !result || result.isError === true) throw new Error(`chat failed: ${JSON.stringify(answer).slice(0, 300)}`);
}

function sdkCaller(client: Client): GatewayCaller {
  return {
    call: async (prompt) => {
      const result = await client.callTool({ name: 'chat', arguments: { prompt, model: BENCH_MODEL } });
      if (result.isError === true) throw new Error(`chat failed: ${JSON.stringify(result).slice(0, 300)}`);
    },
    close: () => client.close(),
  };
}

/** Connects an MCP SDK client and lists the tools first, as MCP clients do (so results are validated against the output schema). */
async function sdkClient(transport: WebSocketClientTransport | StreamableHTTPClientTransport): Promise<Client> {
  const client = new Client({ name: 'exai-bench', version: '1' });
  await client.connect(transport);
  await client.listTools();
  return client;
}

/**
 * The contenders of the gateway comparison, all asking `glm-4.5-flash` the same question and all
 * ending at the same simulator: the openai SDK directly; through Portkey (custom host = the
 * simulator's GLM base URL); through a pass-through Node proxy (the floor); through exai-daemon's `/v1/chat/completions`; through its MCP faces
 * (`/ws`, `/mcp`; `chat` tool) with the MCP SDK client and with a minimal JSON-RPC client; and
 * through `@exai/router` in this process.
 */
export function createGatewayContenders(options: { sim: SimulatorProcess; portkey: PortkeyProcess; passthrough: PassthroughProcess; daemon: DaemonProcess }): GatewayContender[] {
  const { sim, portkey, passthrough, daemon } = options;
  const wsUrl = `${daemon.wsUrl}?token=${daemon.token}`;
  const mcpUrl = `${daemon.url}/mcp`;
  const glm = createGlm({ apiKey: 'bench-glm-key', baseURL: sim.glmBaseURL });
  // Limits raised as for the daemon: the sweep measures the router, not its bulkheads (GLM's default is 4 in flight).
  const router = createRouter({
    registry: createModelRegistry({}),
    providers: { glm },
    limits: { globalInFlight: 5000, sessionInFlight: 5000, providerInFlight: { glm: 5000 }, queue: 10_000 },
  });
  return [
    { name: 'direct: openai SDK → simulator', role: 'baseline', open: async () => openAiCaller(new OpenAI({ apiKey: 'bench-glm-key', baseURL: sim.glmBaseURL, maxRetries: 0 })) },
    {
      name: `Portkey gateway ${portkey.version} (openai SDK)`,
      role: 'peer',
      serverPid: portkey.pid,
      open: async () =>
        openAiCaller(
          new OpenAI({
            apiKey: 'bench-glm-key',
            baseURL: portkey.baseURL,
            maxRetries: 0,
            defaultHeaders: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': sim.glmBaseURL },
          }),
        ),
    },
    {
      name: 'floor: pass-through Node proxy (openai SDK)',
      role: 'floor',
      serverPid: passthrough.pid,
      open: async () => openAiCaller(new OpenAI({ apiKey: 'bench-glm-key', baseURL: passthrough.baseURL, maxRetries: 0 })),
    },
    { name: 'exai-daemon /v1/chat/completions (openai SDK)', role: 'exai', serverPid: daemon.pid, open: async () => openAiCaller(new OpenAI({ apiKey: daemon.token, baseURL: `${daemon.url}/v1`, maxRetries: 0 })) },
    { name: 'exai-daemon MCP /ws, chat (MCP SDK client)', role: 'exai', serverPid: daemon.pid, open: async () => sdkCaller(await sdkClient(new WebSocketClientTransport(new URL(wsUrl)))) },
    {
      name: 'exai-daemon MCP /mcp, chat (MCP SDK client)',
      role: 'exai',
      serverPid: daemon.pid,
      open: async () => sdkCaller(await sdkClient(new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers: { authorization: `Bearer ${daemon.token}` } } }))),
    },
    {
      name: 'exai-daemon MCP /ws, chat (raw JSON-RPC)',
      role: 'exai-raw',
      serverPid: daemon.pid,
      open: async () => {
        const client = await McpWebSocketClient.connect(wsUrl);
        return { call: async (prompt) => checkToolAnswer(await client.request('tools/call', { name: 'chat', arguments: { prompt, model: BENCH_MODEL } })), close: async () => client.close() };
      },
    },
    {
      name: 'exai-daemon MCP /mcp, chat (raw JSON-RPC)',
      role: 'exai-raw',
      serverPid: daemon.pid,
      open: async () => {
        const client = await McpHttpClient.connect(mcpUrl, daemon.token);
        return { call: async (prompt) => checkToolAnswer(await client.request('tools/call', { name: 'chat', arguments: { prompt, model: BENCH_MODEL } })), close: () => client.close() };
      },
    },
    {
      name: '@exai/router in-process',
      role: 'exai',
      open: async () => ({
        call: async (prompt) => {
          const result = await router.generate({ model: BENCH_MODEL, request: { messages: [{ role: 'user', content: prompt }] } });
          if (!result.text) throw new Error('no answer');
        },
        close: async () => undefined,
      }),
    },
  ];
}
