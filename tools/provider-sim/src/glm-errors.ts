/** An error response: HTTP status and body. */
export interface WireError {
  status: number;
  body: { error: Record<string, string> };
}

/**
 * GLM business codes with their HTTP status and English message (provider-wire.md §1.9; observed
 * messages where the reference quotes one, docs.z.ai/api-reference/api-code otherwise).
 */
const glmCodes: Record<string, [status: number, message: string]> = {
  '500': [500, 'Internal Error'],
  '1000': [401, 'Authentication Failed'],
  '1001': [401, 'Authentication parameter not received in Header, unable to authenticate'],
  '1002': [401, 'Invalid Authentication Token, please confirm the correct transmission of the Authentication Token'],
  '1003': [401, 'Authentication Token expired, please regenerate/obtain'],
  '1004': [401, 'Authentication failed with the provided Authentication Token'],
  '1112': [429, 'Your account has been locked, please contact customer service to unlock'],
  '1113': [429, 'Insufficient balance or no resource package. Please recharge.'],
  '1121': [429, 'Account has irregular activities and has been locked'],
  '1210': [400, 'Invalid API parameter, please check the documentation.'],
  '1211': [400, 'Unknown Model, please check the model code.'],
  '1213': [400, 'The messages parameter was not received properly.'],
  '1214': [400, 'The messages parameter is illegal. Please check the documentation.'],
  '1261': [400, 'Prompt exceeds max length'],
  '1301': [
    400,
    'System detected potentially unsafe or sensitive content in input or generation. Please avoid using prompts that may generate sensitive content. Thank you for your cooperation.',
  ],
  '1302': [429, 'Rate limit reached for requests'],
  '1303': [429, 'High frequency usage of this API, please reduce frequency or contact customer service to increase limits'],
  '1304': [429, 'The number of calls to this API has reached the daily limit, please contact customer service to increase it'],
  '1305': [429, 'The service may be temporarily overloaded, please try again later'],
  '1308': [429, 'Usage limit reached for 5 hour. Your limit will reset at 2025-01-01 00:00:00'],
  '1310': [429, 'Weekly/Monthly Limit Exhausted. Your limit will reset at 2025-01-01 00:00:00'],
  '1312': [429, 'The model is currently overloaded, please try again later'],
};

/** Every GLM code the simulator knows. */
export const glmErrorCodes: readonly string[] = Object.keys(glmCodes);

/** The GLM error for `code` (`message` overrides the table's); unknown codes answer 400. */
export function glmError(code: string, message?: string): WireError {
  const known = glmCodes[code];
  return {
    status: known?.[0] ?? 400,
    body: { error: { code, message: message ?? known?.[1] ?? `Simulated error ${code}` } },
  };
}

const reasons: Record<number, string> = {
  500: 'Internal Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  434: 'No API permission, fine-tuning API and file management API are in beta phase',
  435: 'File size exceeds 100MB',
  404: 'Not Found',
};

/** A bare HTTP status in GLM's body shape: `{"error":{"code":"<status>","message":…}}`. */
export function glmStatusError(status: number, message?: string): WireError {
  return { status, body: { error: { code: String(status), message: message ?? reasons[status] ?? `HTTP ${status}` } } };
}
