import { InvalidRequestError } from '@exai/router/spec';

/** An `InvalidRequestError` raised before anything is sent, so the caller can fix the request. */
export function invalidRequest(message: string): InvalidRequestError {
  return new InvalidRequestError({ message, provider: 'kimi' });
}
