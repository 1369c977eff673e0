import { ExaiError, type SearchRecency, type WebSearchResult } from '@exai/router/spec';
import type { ProviderName } from '@exai/storage';
import type { ToolDependencies } from '../tool-definition.js';

/** Per-call options every vendor method takes (`CallOptions` of the provider contract). */
export interface VendorCallOptions {
  signal?: AbortSignal;
}

/** A file stored at a vendor, as both providers describe it. */
export interface VendorFile {
  id: string;
  bytes: number;
  filename: string;
  purpose: string;
  /** Unix seconds. */
  createdAt?: number | undefined;
  /** Kimi: `ok` / `ready`, or a failed extraction. */
  status?: string | undefined;
}

/** A file's content: Kimi answers with the extracted text, GLM with the stored bytes. */
export type VendorFileContent = { content: string; fileType?: string | undefined; filename?: string | undefined; title?: string | undefined; type?: string | undefined } | { bytes: Uint8Array; contentType?: string | undefined };

/** The files API both providers expose (`createGlm(...).files`, `createKimi(...).files`). */
export interface VendorFiles {
  upload(file: { data: Uint8Array; filename: string; purpose: string; mimeType?: string }, options?: VendorCallOptions): Promise<VendorFile>;
  content(id: string, options?: VendorCallOptions): Promise<VendorFileContent>;
  delete(id: string, options?: VendorCallOptions): Promise<{ id: string; deleted: boolean }>;
}

/** GLM's standalone web search request (`createGlm(...).webSearch`). */
export interface GlmSearchRequest {
  query: string;
  count?: number;
  recency?: SearchRecency;
  domainFilter?: string;
  contentSize?: 'medium' | 'high';
  searchEngine?: string;
}

/** The answer of GLM's `POST /web_search`. */
export interface GlmSearchResponse {
  id?: string;
  requestId?: string;
  intents: Array<{ query: string; intent: string; keywords: string }>;
  results: WebSearchResult[];
}

/** What the tools use of a GLM provider. */
export interface GlmVendor {
  readonly files: VendorFiles;
  webSearch(request: GlmSearchRequest, options?: VendorCallOptions): Promise<GlmSearchResponse>;
  readonly baseURL?: string;
}

/** What the tools use of a Kimi provider. */
export interface KimiVendor {
  /** Kimi lists every file at once (no paging). */
  readonly files: VendorFiles & { list(options?: VendorCallOptions): Promise<VendorFile[]> };
}

/** Environment variables that configure each provider, named in errors. */
export const providerKeyVariables: Record<ProviderName, { envVar: string; aliases: string[]; label: string }> = {
  glm: { envVar: 'GLM_API_KEY', aliases: ['ZAI_API_KEY', 'ZHIPUAI_API_KEY'], label: 'GLM (Z.ai)' },
  kimi: { envVar: 'KIMI_API_KEY', aliases: ['MOONSHOT_API_KEY'], label: 'Kimi (Moonshot)' },
};

/** A tool needs a provider that has no API key. Code `provider_not_configured`. */
export class VendorNotConfiguredError extends ExaiError {
  readonly provider: ProviderName;
  readonly envVar: string;

  constructor(provider: ProviderName, tool: string) {
    const { envVar, aliases, label } = providerKeyVariables[provider];
    super('provider_not_configured', {
      message: `${envVar} is not set; ${tool} needs a ${label} API key (also accepted: ${aliases.join(', ')}).`,
    });
    this.name = 'VendorNotConfiguredError';
    this.provider = provider;
    this.envVar = envVar;
  }
}

const isFunction = (value: unknown): boolean => typeof value === 'function';

function hasFiles(value: unknown): boolean {
  const files = (value as { files?: Record<string, unknown> } | null)?.files;
  return typeof files === 'object' && files !== null && ['upload', 'content', 'delete'].every((name) => isFunction(files[name]));
}

/** Whether the provider is configured (a vendor instance present), without throwing. */
export function hasVendor(deps: Pick<ToolDependencies, 'vendors'>, provider: ProviderName): boolean {
  return (deps.vendors[provider]?.length ?? 0) > 0;
}

/**
 * The first GLM provider (standalone calls use the first key). Hosts leave providers without a key
 * out of `vendors`, so an empty list means `GLM_API_KEY` is not set.
 */
export function glmVendor(deps: Pick<ToolDependencies, 'vendors'>, tool: string): GlmVendor {
  const vendor = deps.vendors.glm?.[0];
  if (vendor === undefined) throw new VendorNotConfiguredError('glm', tool);
  if (!hasFiles(vendor) || !isFunction((vendor as { webSearch?: unknown }).webSearch)) {
    throw new ExaiError('invalid_settings', { message: 'vendors.glm[0] is not a GLM provider (createGlm(...)): it lacks webSearch or files' });
  }
  return vendor as GlmVendor;
}

/** The first Kimi provider; uploads and file ids belong to that key's account. */
export function kimiVendor(deps: Pick<ToolDependencies, 'vendors'>, tool: string): KimiVendor {
  const vendor = deps.vendors.kimi?.[0];
  if (vendor === undefined) throw new VendorNotConfiguredError('kimi', tool);
  if (!hasFiles(vendor) || !isFunction((vendor as KimiVendor).files.list)) {
    throw new ExaiError('invalid_settings', { message: 'vendors.kimi[0] is not a Kimi provider (createKimi(...)): it lacks files' });
  }
  return vendor as KimiVendor;
}

/** The files API of a provider. */
export function vendorFiles(deps: Pick<ToolDependencies, 'vendors'>, provider: ProviderName, tool: string): VendorFiles {
  return provider === 'glm' ? glmVendor(deps, tool).files : kimiVendor(deps, tool).files;
}
