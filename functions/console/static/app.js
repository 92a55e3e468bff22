// The console starts here: finish a sign-in coming back, or offer one, then route to the page asked for.

import { api } from './api.js';
import { completeSignIn, isSignInReturn, isSignedIn, scheduleRefresh, shownUser, signIn, signOut, takeNotice } from './auth.js';
import { startRouting } from './router.js';
import { button, clear, h } from './ui.js';

function showChrome(signedIn) {
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('who').hidden = !signedIn;
  const user = signedIn ? shownUser() : null;
  document.getElementById('who-name').textContent = user ? user.email || user.name : '';
}

// A signed-out page: what happened, in words, and the way to sign in.
export function showSignedOut({ title = 'Kith', text, action = 'Sign in' } = {}) {
  showChrome(false);
  document.title = `${title} · Kith`;
  const main = document.getElementById('main');
  const signInButton = button(action, () => signIn(location.hash).catch((error) => problem(error)), { kind: 'primary' });
  const problem = (error) => {
    signInButton.after(h('p', { class: 'page-error', role: 'alert' }, error.message));
  };
  clear(main).append(
    h(
      'section',
      { class: 'signed-out' },
      h('h1', {}, title),
      text ? h('p', {}, text) : null,
      h('p', {}, signInButton),
    ),
  );
  main.focus();
}

const NOTICES = {
  erased: {
    title: 'Your account is erased',
    text: 'Everything Kith kept for you is gone: your profile, contacts, meetings and calls, follow-ups, calendars and the record of emails sent. Your calendars were disconnected and you are signed out. Signing in again starts a new, empty account.',
  },
};

function welcomeSignedOut() {
  const notice = NOTICES[takeNotice()];
  if (notice) {
    showSignedOut(notice);
    return;
  }
  showSignedOut({
    title: 'Kith',
    text: 'Kith keeps your network warm: it reads whom you met from your calendar and tells you, a few at a time, whom to get back in touch with. Sign in to see who is due.',
  });
}

async function finishSignIn() {
  try {
    await completeSignIn();
  } catch (error) {
    showSignedOut({ title: 'Not signed in', text: error.message, action: 'Sign in again' });
    return false;
  }
  try {
    await api('GET', '/v1/owner');
  } catch (error) {
    if (error.status === 404) history.replaceState(null, '', `${location.pathname}#/welcome`);
  }
  return true;
}

async function boot() {
  document.getElementById('skip-link').addEventListener('click', (event) => {
    event.preventDefault();
    document.getElementById('main').focus();
  });
  document.getElementById('sign-out').addEventListener('click', () => signOut());
  if (isSignInReturn() && !(await finishSignIn())) return;
  if (!isSignedIn()) {
    welcomeSignedOut();
    return;
  }
  showChrome(true);
  scheduleRefresh();
  await startRouting();
}

boot();
