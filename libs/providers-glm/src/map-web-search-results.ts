import type { WebSearchResult } from '@exai/router/spec';
import type { GlmWebSearchItem } from './glm-wire.js';

/**
 * Maps GLM search hits (`web_search[]` in chat, `search_result[]` of `POST /web_search`) to exai's
 * results: `link` becomes `url`, `publish_date` `publishDate`; empty fields are left out.
 */
export function mapWebSearchResults(items: readonly GlmWebSearchItem[] | null | undefined): WebSearchResult[] {
  return (items ?? []).map((item) => {
    const result: WebSearchResult = { title: item.title ?? '', url: item.link ?? '' };
    if (item.content) result.content = item.content;
    if (item.publish_date) result.publishDate = item.publish_date;
    if (item.refer) result.refer = item.refer;
    if (item.media) result.media = item.media;
    if (item.icon) result.icon = item.icon;
    return result;
  });
}
