// Sign-in: authorization code with PKCE S256. Tokens live in sessionStorage only, for this tab.

const TOKENS = 'kith.tokens';
const PENDING = 'kith.signin';
const REFRESH_MARGIN_MS = 60_000;

let configPromise = null;
let refreshing = null;
let refreshTimer = null;
let leaving = false;

export function config() {
  if (!configPromise) {
    configPromise = fetch(new URL('config.json', import.meta.url), { credentials: 'omit' })
      .then((response) => {
        if (!response.ok) throw new Error(`config.json answered ${response.status}`);
        return response.json();
      })
      .catch((error) => {
        configPromise = null;
        throw new SignInError('The console could not read its sign-in settings. Reload the page to try again.', error);
      })
      .then((body) => {
        if (!body || !body.auth || !body.auth.authorize_url) {
          // A stack deployed with its own JwtIssuer has no user pool for the console to send people to.
          throw new SignInError(
            'Sign-in is not set up for this console: the stack trusts tokens from another issuer (its JwtIssuer). Call the API with a token from that issuer, or deploy with the stack\'s own user pool.',
          );
        }
        return body.auth;
      });
  }
  return configPromise;
}

export class SignInError extends Error {
  constructor(message, cause) {
    super(message);
    this.cause = cause;
  }
}

export function redirectUri() {
  return `${location.origin}/console/`;
}

function base64url(bytes) {
  let text = '';
  for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomToken(size = 32) {
  return base64url(crypto.getRandomValues(new Uint8Array(size)));
}

async function challengeOf(verifier) {
  return base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
}

function readJson(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key) || 'null');
  } catch {
    return null;
  }
}

function storedTokens() {
  const tokens = readJson(TOKENS);
  return tokens && tokens.access_token ? tokens : null;
}

function store(answer, previous) {
  const tokens = {
    access_token: answer.access_token,
    id_token: answer.id_token || (previous && previous.id_token) || null,
    // Cognito's refresh grant answers no new refresh token: the first one stays valid.
    refresh_token: answer.refresh_token || (previous && previous.refresh_token) || null,
    expires_at: Date.now() + Number(answer.expires_in || 3600) * 1000,
  };
  sessionStorage.setItem(TOKENS, JSON.stringify(tokens));
  scheduleRefresh();
  return tokens;
}

export function isSignedIn() {
  return storedTokens() !== null;
}

// Where the sign-in should come back to: a console page, never anything else.
function safeHash(hash) {
  return typeof hash === 'string' && hash.startsWith('#/') && !hash.startsWith('#/welcome') ? hash : '#/today';
}

export async function signIn(returnHash = location.hash) {
  if (leaving) return;
  leaving = true;
  try {
    const auth = await config();
    const verifier = randomToken(48);
    const state = randomToken(24);
    sessionStorage.removeItem(TOKENS);
    sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, hash: safeHash(returnHash) }));
    const url = new URL(auth.authorize_url);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: auth.client_id,
      redirect_uri: redirectUri(),
      scope: auth.scopes || 'openid email profile',
      state,
      code_challenge: await challengeOf(verifier),
      code_challenge_method: 'S256',
    }).toString();
    location.assign(url.toString());
  } catch (error) {
    leaving = false;
    throw error;
  }
}

// Is this page load the way back from the sign-in page (code or error in the query)?
export function isSignInReturn() {
  const query = new URLSearchParams(location.search);
  return query.has('code') || query.has('error') || query.has('state');
}

const REFUSALS = {
  access_denied: 'Sign-in was cancelled, so you are not signed in.',
  login_required: 'You need to sign in again.',
};

// Exchanges the returned code. Resolves the console hash to go to; rejects with a SignInError in words.
export async function completeSignIn() {
  const query = new URLSearchParams(location.search);
  const pending = readJson(PENDING);
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', `${location.pathname}${pending ? pending.hash : '#/today'}`);
  const refusal = query.get('error');
  if (refusal) {
    throw new SignInError(REFUSALS[refusal] || 'The sign-in page did not sign you in.');
  }
  if (!pending || !query.get('state') || query.get('state') !== pending.state) {
    throw new SignInError(
      'This sign-in could not be checked: it did not start in this browser tab, or it was altered. Nothing was signed in.',
    );
  }
  const code = query.get('code');
  if (!code) throw new SignInError('The sign-in page came back without a code. Nothing was signed in.');
  const auth = await config();
  const answer = await tokenRequest(auth, {
    grant_type: 'authorization_code',
    client_id: auth.client_id,
    code,
    redirect_uri: redirectUri(),
    code_verifier: pending.verifier,
  });
  if (!answer) throw new SignInError('The sign-in could not be completed: the code was refused or has expired.');
  store(answer, null);
  return pending.hash;
}

async function tokenRequest(auth, form) {
  let response;
  try {
    response = await fetch(auth.token_url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      credentials: 'omit',
    });
  } catch (error) {
    throw new SignInError('The sign-in service could not be reached. Check your connection and try again.', error);
  }
  if (!response.ok) return null;
  const answer = await response.json().catch(() => null);
  return answer && answer.access_token ? answer : null;
}

async function refresh() {
  const tokens = storedTokens();
  if (!tokens || !tokens.refresh_token) return null;
  const auth = await config();
  const answer = await tokenRequest(auth, {
    grant_type: 'refresh_token',
    client_id: auth.client_id,
    refresh_token: tokens.refresh_token,
  }).catch(() => null);
  if (!answer) {
    sessionStorage.removeItem(TOKENS);
    return null;
  }
  return store(answer, tokens);
}

function refreshOnce() {
  if (!refreshing) refreshing = refresh().finally(() => (refreshing = null));
  return refreshing;
}

// The access token, refreshed first when it ends within a minute; null when signed out.
export async function accessToken() {
  const tokens = storedTokens();
  if (!tokens) return null;
  if (tokens.expires_at - Date.now() > REFRESH_MARGIN_MS) return tokens.access_token;
  const renewed = await refreshOnce();
  return renewed ? renewed.access_token : null;
}

export function scheduleRefresh() {
  clearTimeout(refreshTimer);
  const tokens = storedTokens();
  if (!tokens || !tokens.refresh_token) return;
  const wait = Math.max(0, tokens.expires_at - Date.now() - REFRESH_MARGIN_MS);
  refreshTimer = setTimeout(() => refreshOnce(), wait);
}

const NOTICE = 'kith.notice';

// Signs out here and at the sign-in service; `notice` names the page to show when the browser is back.
export async function signOut(notice = null) {
  clearTimeout(refreshTimer);
  sessionStorage.clear();
  if (notice) sessionStorage.setItem(NOTICE, notice);
  leaving = true;
  try {
    const auth = await config();
    const url = new URL(auth.logout_url);
    url.search = new URLSearchParams({ client_id: auth.client_id, logout_uri: redirectUri() }).toString();
    location.assign(url.toString());
  } catch {
    location.assign(redirectUri());
  }
}

// What signOut(notice) asked to show on return, once.
export function takeNotice() {
  const notice = sessionStorage.getItem(NOTICE);
  sessionStorage.removeItem(NOTICE);
  return notice;
}

// For the header only: who the id token says signed in. Never used to decide anything.
export function shownUser() {
  const tokens = storedTokens();
  const token = tokens && tokens.id_token;
  if (!token) return null;
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const padded = part + '='.repeat((4 - (part.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return {
      email: typeof claims.email === 'string' ? claims.email : '',
      name: typeof claims.name === 'string' ? claims.name : '',
    };
  } catch {
    return null;
  }
}
