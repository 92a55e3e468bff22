// Hash routing: #/<page>/<id>?<query> renders pages/<page>.js (a person's page: pages/contact.js).

import { clear, errorState, h, loading } from './ui.js';

const PAGES = {
  today: 'Today',
  people: 'People',
  contact: 'Contact',
  calendars: 'Calendars',
  import: 'Import',
  settings: 'Settings',
  account: 'Account',
  welcome: 'Welcome',
};

let current = 0;

export function parseHash(hash = location.hash) {
  const [path, search = ''] = hash.replace(/^#\/?/, '').split('?');
  const [name = '', ...rest] = path.split('/');
  const id = rest.length ? decodeURIComponent(rest.join('/')) : undefined;
  let page = name in PAGES && name !== 'contact' ? name : 'today';
  if (page === 'people' && id) page = 'contact';
  return { page, params: id && page === 'contact' ? { id } : {}, query: Object.fromEntries(new URLSearchParams(search)) };
}

function markNav(page) {
  const section = page === 'contact' ? 'people' : page;
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

// Each render writes into its own container: a page still loading when another is opened writes
// into a container no longer shown.
export async function route({ focus = false } = {}) {
  const main = document.getElementById('main');
  const { page, params, query } = parseHash();
  const mine = ++current;
  markNav(page);
  document.title = `${PAGES[page]} · Kith`;
  const container = h('div', { class: `page page-${page}` }, loading());
  clear(main).append(container);
  if (focus) main.focus();
  try {
    const module = await import(`./pages/${page}.js`);
    if (mine !== current) return;
    await module.render(container, { params, query });
  } catch (error) {
    if (mine !== current) return;
    const words = error && error.name === 'ApiError' ? error : { message: 'This page could not be shown. Check your connection and try again.' };
    if (!(error && error.name === 'ApiError')) console.error(error);
    clear(container).append(errorState(words, () => route()));
  }
}

export function startRouting() {
  window.addEventListener('hashchange', () => {
    if (location.hash.startsWith('#/') || location.hash === '') route({ focus: true });
  });
  return route();
}
