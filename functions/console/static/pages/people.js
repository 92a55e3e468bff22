// People: search by name or e-mail prefix, filters kept in the address, pages of 50, and adding a contact.
// A view asks for two things: the goals (for the filter) and the first page of contacts.

import { api } from '../api.js';
import {
  CIRCLES, announce, busy, button, clear, clearErrors, emptyState, errorState, field, h, showErrors, userText,
} from '../ui.js';
import {
  circleWords, contactFieldset, lastInTouch, newContact, setGoalChoices, withListItems,
} from './contact-fields.js';

const PAGE_SIZE = 50;
const TYPING_PAUSE_MS = 250;
const FILTERS = ['q', 'circle', 'goal', 'due', 'overdue'];
const SEARCHABLE = /[\p{L}\p{N}]/u;

// The filters a hash asks for, as the API reads them.
function filtersOf(query) {
  const filters = {};
  if (query.q && query.q.trim()) filters.q = query.q.trim().slice(0, 100);
  if (query.circle in CIRCLES) filters.circle = query.circle;
  if (query.goal && query.goal.trim()) filters.goal = query.goal.slice(0, 100);
  if (query.due === 'true') filters.due = 'true';
  if (query.overdue === 'true') filters.overdue = 'true';
  return filters;
}

function hashOf(filters) {
  const search = new URLSearchParams(FILTERS.filter((key) => filters[key]).map((key) => [key, filters[key]]));
  const text = search.toString();
  return text ? `#/people?${text}` : '#/people';
}

// Where a contact's page leads back to: this list, with its search and filters.
const LIST_KEY = 'kith.people.list';

function rememberList() {
  sessionStorage.setItem(LIST_KEY, location.hash.startsWith('#/people') ? location.hash : '#/people');
}

function contactRow(contact) {
  const work = [contact.title, contact.company].filter(Boolean);
  return h(
    'li',
    { 'data-contact-id': contact.contact_id },
    h(
      'div',
      { class: 'row-head' },
      h('a', { class: 'row-name', href: `#/people/${encodeURIComponent(contact.contact_id)}` }, userText(contact.name)),
      h('span', { class: 'badge' }, circleWords(contact)),
      contact.goal ? h('span', { class: 'badge badge-ok' }, 'Goal: ', userText(contact.goal)) : null,
    ),
    h(
      'ul',
      { class: 'facts' },
      work.length ? h('li', {}, userText(work.join(', '))) : null,
      h('li', {}, lastInTouch(contact)),
    ),
  );
}

function searchForm(filters, goals, onChange) {
  const search = field({
    label: 'Search',
    name: 'q',
    type: 'search',
    value: filters.q || '',
    hint: 'The start of a name (any word of it) or of an e-mail address.',
    inputAttrs: { maxlength: '100', autocomplete: 'off', spellcheck: 'false', enterkeyhint: 'search' },
  });
  const circle = field({
    label: 'Circle',
    name: 'circle',
    type: 'select',
    value: filters.circle || '',
    options: [{ value: '', label: 'Any circle' }, ...Object.entries(CIRCLES).map(([value, label]) => ({ value, label }))],
  });
  const goal = field({ label: 'Goal', name: 'goal', type: 'select', value: filters.goal || '', options: goalOptions(goals, filters.goal) });
  const due = field({ label: 'Due now', name: 'due', type: 'checkbox', value: filters.due === 'true' });
  const overdue = field({ label: 'Overdue', name: 'overdue', type: 'checkbox', value: filters.overdue === 'true' });
  const form = h(
    'form',
    { class: 'people-search', role: 'search', 'aria-label': 'Search people', on: { submit: (event) => { event.preventDefault(); onChange(true); } } },
    h('div', { class: 'people-filters' }, search, circle, goal, h('div', { class: 'checks people-checks' }, due, overdue)),
  );
  let pause = null;
  search.control.addEventListener('input', () => {
    clearTimeout(pause);
    pause = setTimeout(() => onChange(false), TYPING_PAUSE_MS);
  });
  for (const control of [circle.control, goal.control, due.control, overdue.control]) {
    control.addEventListener('change', () => onChange(true));
  }
  form.cancelPause = () => clearTimeout(pause);
  return form;
}

function goalOptions(goals, chosen) {
  const options = [{ value: '', label: 'Any goal' }];
  for (const goal of goals) options.push({ value: goal.name, label: goal.active ? goal.name : `${goal.name} (not active)` });
  if (chosen && !goals.some((goal) => goal.name === chosen)) options.push({ value: chosen, label: chosen });
  return options;
}

function filtersFromForm(form) {
  const read = (name) => form.elements.namedItem(name);
  return filtersOf({
    q: read('q').value,
    circle: read('circle').value,
    goal: read('goal').value,
    due: read('due').checked ? 'true' : '',
    overdue: read('overdue').checked ? 'true' : '',
  });
}

// The list under the search: a page at a time, answers to an earlier search dropped.
function contactList(container) {
  const count = h('p', { class: 'muted people-count', role: 'status' });
  const list = h('ul', { class: 'list people-list' });
  const more = h('div', { class: 'pager' });
  const body = h('div', {}, list, more);
  container.append(count, body);
  let asked = 0;

  async function show(filters, onEmpty) {
    const mine = ++asked;
    if (filters.q && !SEARCHABLE.test(filters.q)) {
      clear(list);
      clear(more);
      count.textContent = 'Type a letter or a digit to search.';
      return;
    }
    count.textContent = 'Searching…';
    body.setAttribute('aria-busy', 'true');
    let shown = 0;
    const load = async (cursor) => {
      const answer = await api('GET', '/v1/contacts', { query: { ...filters, limit: PAGE_SIZE, cursor } });
      if (mine !== asked) return;
      const { contacts, next_cursor: next } = answer.data;
      if (!cursor) clear(list);
      list.append(...contacts.map(contactRow));
      shown += contacts.length;
      clear(more);
      if (!shown) {
        clear(list);
        list.append(h('li', { class: 'empty-row' }, onEmpty(filters)));
        count.textContent = 'No one found.';
        return;
      }
      count.textContent = next
        ? `Showing the first ${shown.toLocaleString()} people. More are below the list.`
        : `${shown.toLocaleString()} ${shown === 1 ? 'person' : 'people'}.`;
      if (next) {
        const button_ = button('Show 50 more', () =>
          busy(button_, load(next)).catch((error) => mine === asked && more.append(errorState(error))),
        );
        more.append(button_);
      }
    };
    try {
      await load(null);
    } catch (error) {
      if (mine !== asked) return;
      clear(list);
      clear(more);
      count.textContent = '';
      list.append(h('li', { class: 'empty-row' }, errorState(error, () => show(filters, onEmpty))));
    } finally {
      if (mine === asked) body.removeAttribute('aria-busy');
    }
  }
  return { show };
}

function addContactSection(goals, onCancel) {
  const { controls } = contactFieldset({}, { mode: 'add', goals });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Add the contact');
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'add-heading', novalidate: true },
    h('h2', { id: 'add-heading' }, 'Add a contact'),
    controls,
    h('div', { class: 'actions' }, submit, button('Cancel', onCancel)),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const body = newContact(form);
    if (!body.name || !body.name.trim()) {
      showErrors(form, { message: 'A contact needs a name.', details: [{ field: 'name', problem: 'Give their name.' }] });
      return;
    }
    try {
      const created = await busy(submit, api('POST', '/v1/contacts', { body }));
      announce(`Added ${created.data.name}.`);
      location.hash = `#/people/${encodeURIComponent(created.data.contact_id)}`;
    } catch (error) {
      showErrors(form, withListItems(error, form));
    }
  });
  return form;
}

export async function render(main, { query }) {
  let filters = filtersOf(query);
  const goalsAsked = api('GET', '/v1/goals').then((answer) => answer.data.goals, () => []);
  const addButton = button('Add a contact', () => openAdd(), { kind: 'primary', attrs: { 'aria-expanded': 'false' } });
  const addSlot = h('div', {});
  const listSlot = h('section', { 'aria-label': 'People found' });
  let goals = [];
  let form = null;

  const openAdd = () => {
    if (!addSlot.firstChild) {
      addSlot.append(addContactSection(goals, closeAdd));
      addButton.setAttribute('aria-expanded', 'true');
    }
    addSlot.querySelector('input[name="name"]').focus();
  };
  const closeAdd = () => {
    clear(addSlot);
    addButton.setAttribute('aria-expanded', 'false');
    addButton.focus();
  };
  const clearFilters = () => {
    const fresh = searchForm({}, goals, changed);
    form.replaceWith(fresh);
    form = fresh;
    changed(true);
    form.elements.namedItem('q').focus();
  };
  const onEmpty = (asked) => {
    if (Object.keys(asked).length) {
      return emptyState('No one matches this search. Try the start of another word of the name, or fewer filters.', button('Clear the search and filters', clearFilters));
    }
    return emptyState('Your network is empty. Bring in your contacts from a LinkedIn, Google or vCard file, or add someone by hand.', [
      { href: '#/import', label: 'Import a file' },
      button('Add a contact', () => openAdd(), { kind: 'primary' }),
    ]);
  };
  const list = contactList(listSlot);
  const changed = (now) => {
    if (now) form.cancelPause();
    const next = filtersFromForm(form);
    if (JSON.stringify(next) === JSON.stringify(filters) && !now) return;
    filters = next;
    history.replaceState(null, '', hashOf(filters));
    rememberList();
    list.show(filters, onEmpty);
  };

  form = searchForm(filters, goals, changed);
  clear(main).append(
    h('div', { class: 'page-header' }, h('h1', {}, 'People'), addButton),
    addSlot,
    form,
    listSlot,
  );
  rememberList();
  if (query.add === 'true') openAdd();
  const shown = list.show(filters, onEmpty);
  goals = await goalsAsked;
  const goalSelect = form.elements.namedItem('goal');
  const chosen = goalSelect.value;
  goalSelect.replaceChildren(...goalOptions(goals, chosen).map(({ value, label }) => h('option', { value, selected: value === chosen }, label)));
  const datalist = addSlot.querySelector('datalist');
  if (datalist) setGoalChoices(datalist, goals);
  await shown;
}
