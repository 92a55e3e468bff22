// Kith's HTTP API, with the sign-in's access token, answering words when it refuses.

import { accessToken, signIn } from './auth.js';

export class ApiError extends Error {
  constructor(status, message, details = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.details = details;
  }

  fieldProblem(name) {
    const detail = this.details.find((d) => d.field === name) ||
      this.details.find((d) => String(d.field).startsWith(`${name}.`));
    return detail ? detail.problem : undefined;
  }
}

// pydantic's words for the common refusals, said as a person would; a validator's own words as they are.
const PLAIN = [
  [/^List should have at least 1 item\b.*/, 'Choose at least one.'],
  [/^String should have at least 1 character$/, 'This cannot be empty.'],
  [/^Input should be less than or equal to (\S+)$/, 'At most $1.'],
  [/^Input should be greater than or equal to (\S+)$/, 'At least $1.'],
  [/^Input should be less than (\S+)$/, 'Less than $1.'],
  [/^Input should be greater than (\S+)$/, 'More than $1.'],
  [/^Input should be a valid integer.*/, 'A whole number is needed.'],
  [/^Field required$/, 'This is needed.'],
  [/^String should have at most (\d+) characters?$/, 'At most $1 characters.'],
  [/^List should have at most (\d+) items?\b.*/, 'At most $1.'],
];

function cleanProblem(problem) {
  const words = String(problem ?? '').replace(/^(Value error|Assertion failed), /, '');
  for (const [pattern, plain] of PLAIN) if (pattern.test(words)) return words.replace(pattern, plain);
  return words;
}

function isJsonBody(body) {
  return body !== null && typeof body === 'object' && !(body instanceof Blob) &&
    !(body instanceof ArrayBuffer) && !ArrayBuffer.isView(body) && !(body instanceof FormData) &&
    !(body instanceof URLSearchParams);
}

async function refusal(response) {
  const status = response.status;
  if (status >= 500) {
    return new ApiError(status, `Kith could not answer just now (error ${status}). Try again in a moment.`);
  }
  const body = await response.json().catch(() => null);
  const words = body && typeof body.error === 'string' && body.error ? body.error : null;
  const details = body && Array.isArray(body.details)
    ? body.details.map((d) => ({ field: String(d.field ?? ''), problem: cleanProblem(d.problem) }))
    : [];
  if (status === 412) {
    return new ApiError(status, words || 'Someone changed this since you opened it.', details);
  }
  return new ApiError(status, words ? cleanProblem(words) : `Kith refused this request (status ${status}).`, details);
}

export async function api(method, path, { body, query, headers, raw } = {}) {
  const token = await accessToken();
  if (!token) {
    signIn(location.hash).catch(() => {});
    throw new ApiError(401, 'You are signed out. Taking you to sign in.');
  }
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
  }
  const sent = new Headers(headers || {});
  sent.set('Authorization', `Bearer ${token}`);
  let payload = body;
  if (isJsonBody(body)) {
    payload = JSON.stringify(body);
    sent.set('Content-Type', 'application/json');
  }
  let response;
  try {
    response = await fetch(url, { method, headers: sent, body: payload, credentials: 'omit' });
  } catch {
    throw new ApiError(0, 'Kith could not be reached. Check your connection and try again.');
  }
  if (response.status === 401) {
    signIn(location.hash).catch(() => {});
    throw new ApiError(401, 'Your sign-in has ended. Taking you to sign in again.');
  }
  if (!response.ok) throw await refusal(response);
  if (raw) return { status: response.status, data: response, headers: response.headers };
  let data = null;
  if (response.status !== 204) {
    const type = response.headers.get('Content-Type') || '';
    data = /json/.test(type) ? await response.json().catch(() => null) : await response.text();
  }
  return { status: response.status, data, headers: response.headers };
}
