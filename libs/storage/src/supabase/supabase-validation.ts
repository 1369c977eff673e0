export { listLimit, requireOneOf, requireSha256, requireText, requireUuid } from '../validate-input.js';
