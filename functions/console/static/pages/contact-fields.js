// A contact's fields as form controls, shared by adding a contact (People) and editing one (a contact's page).
// Each control is named as the API names its field, so a 422's details land beside the right control.

import { circleName, field, formatDate, formatDaysAgo, h, userText } from '../ui.js';

const CIRCLE_CHOICES = [
  { value: 'inner', label: 'Inner circle: every 3 weeks' },
  { value: 'core', label: 'Core circle: every 2 months' },
  { value: 'wider', label: 'Wider circle: every 6 months' },
  { value: 'custom', label: 'Own cadence: every so many days' },
  { value: 'never', label: 'Never: no nudges' },
];

// What a contact's circle means, in words: "Own cadence, every 45 days".
export function circleWords(contact) {
  const words = circleName(contact.circle);
  return contact.circle === 'custom' && contact.cadence_days ? `${words}, every ${contact.cadence_days} days` : words;
}

export function lastInTouch(contact) {
  if (!contact.last_interaction_at) return 'Never in touch yet';
  const when = `In touch ${formatDaysAgo(contact.last_interaction_at)}`;
  return contact.last_interaction_title ? [when, ' · ', userText(contact.last_interaction_title)] : when;
}

function pad(number) {
  return String(number).padStart(2, '0');
}

// An instant as the browser's local day, for <input type="date">.
export function localDay(iso) {
  if (!iso) return '';
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return '';
  return `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}`;
}

// An instant as the browser's local time, for <input type="datetime-local">.
export function localMinute(when = new Date()) {
  return `${localDay(when.toISOString())}T${pad(when.getHours())}:${pad(when.getMinutes())}`;
}

// A local day as an instant: its start, or (for a day in the past) noon, never later than now.
function dayStart(value) {
  const [year, month, day] = value.split('-').map(Number);
  return new Date(year, month - 1, day).toISOString();
}

function dayNoonNotLater(value) {
  const [year, month, day] = value.split('-').map(Number);
  const noon = new Date(year, month - 1, day, 12);
  const now = new Date();
  return (noon > now && localDay(now.toISOString()) === value ? now : noon).toISOString();
}

const orNull = (text) => (text.trim() ? text : null);
const words = (text) => text.split(/[\s,;]+/).filter(Boolean);
const items = (text) => text.split(',').map((part) => part.trim()).filter(Boolean);

// Each field: how a contact shows in its control, and how the control's text becomes the API's value.
const FIELDS = {
  name: { show: (c) => c.name || '', read: (text) => text },
  emails: { show: (c) => (c.emails || []).join('\n'), read: words },
  circle: { show: (c) => c.circle || 'core', read: (text) => text },
  cadence_days: { show: (c) => (c.cadence_days == null ? '' : String(c.cadence_days)), read: (t) => (t.trim() ? Number(t) : null) },
  goal: { show: (c) => c.goal || '', read: orNull },
  company: { show: (c) => c.company || '', read: orNull },
  title: { show: (c) => c.title || '', read: orNull },
  linkedin_url: { show: (c) => c.linkedin_url || '', read: orNull },
  tags: { show: (c) => (c.tags || []).join(', '), read: items },
  notes: { show: (c) => c.notes || '', read: orNull },
  last_interaction_at: { show: (c) => localDay(c.last_interaction_at), read: (t) => (t ? dayNoonNotLater(t) : null) },
  snoozed_until: {
    show: (c) => (c.snoozed_until && new Date(c.snoozed_until) > new Date() ? localDay(c.snoozed_until) : ''),
    read: (t) => (t ? dayStart(t) : null),
  },
};

// The text a field of a contact shows as, for comparing with what is typed and for showing "now saved".
export function shown(contact, name) {
  return FIELDS[name].show(contact);
}

export function shownWords(contact, name) {
  const text = shown(contact, name);
  if (!text) return '(empty)';
  if (name === 'circle') return circleName(text);
  if (name === 'snoozed_until' || name === 'last_interaction_at') return formatDate(contact[name], null, { time: false });
  return text;
}

export function apiValue(name, text) {
  return FIELDS[name].read(text);
}

let goalLists = 0;

// The controls, filled from a contact (or a new one's defaults). `mode` is "add" or "edit".
export function contactFieldset(contact, { mode, goals = [] }) {
  goalLists += 1;
  const listId = `goal-choices-${goalLists}`;
  const value = (name) => FIELDS[name].show(contact);
  const cadence = field({
    label: 'Every how many days',
    name: 'cadence_days',
    type: 'number',
    value: value('cadence_days'),
    hint: 'From 1 to 3650.',
    inputAttrs: { min: '1', max: '3650', step: '1', inputmode: 'numeric' },
  });
  const circle = field({
    label: 'Circle',
    name: 'circle',
    type: 'select',
    value: value('circle'),
    options: CIRCLE_CHOICES,
    hint: 'How often Kith nudges you about them.',
  });
  const showCadence = () => {
    const custom = circle.control.value === 'custom';
    cadence.hidden = !custom;
    cadence.control.required = custom;
  };
  circle.control.addEventListener('change', showCadence);
  showCadence();
  const goal = field({
    label: 'Goal',
    name: 'goal',
    value: value('goal'),
    hint: 'Optional: a goal of yours this person helps with, such as Hiring.',
    inputAttrs: { list: listId, maxlength: '100', autocomplete: 'off' },
  });
  const goalList = h('datalist', { id: listId });
  setGoalChoices(goalList, goals);
  const when =
    mode === 'add'
      ? field({
          label: 'Last in touch on',
          name: 'last_interaction_at',
          type: 'date',
          value: value('last_interaction_at'),
          hint: 'Optional: when you last met or spoke. Kith counts from it.',
          inputAttrs: { max: localDay(new Date().toISOString()) },
        })
      : field({
          label: 'No nudge until',
          name: 'snoozed_until',
          type: 'date',
          value: value('snoozed_until'),
          hint: 'Optional: Kith holds their nudge until this day. Empty: no snooze.',
        });
  const controls = [
    field({ label: 'Name', name: 'name', value: value('name'), required: true, inputAttrs: { maxlength: '200', autocomplete: 'off' } }),
    field({
      label: 'E-mail addresses',
      name: 'emails',
      type: 'textarea',
      value: value('emails'),
      hint: 'One per line. Kith knows them in your calendar by these.',
      inputAttrs: { rows: '2', autocomplete: 'off', spellcheck: 'false' },
    }),
    h('div', { class: 'grid-2' }, circle, cadence),
    h('div', { class: 'grid-2' }, goal, when),
    goalList,
    h(
      'div',
      { class: 'grid-2' },
      field({ label: 'Company', name: 'company', value: value('company'), inputAttrs: { maxlength: '200' } }),
      field({ label: 'Title', name: 'title', value: value('title'), inputAttrs: { maxlength: '200' } }),
    ),
    field({
      label: 'LinkedIn profile',
      name: 'linkedin_url',
      type: 'url',
      value: value('linkedin_url'),
      hint: 'Optional: https://www.linkedin.com/in/…',
      inputAttrs: { spellcheck: 'false' },
    }),
    field({ label: 'Tags', name: 'tags', value: value('tags'), hint: 'Separated by commas.' }),
    field({ label: 'Notes', name: 'notes', type: 'textarea', value: value('notes'), inputAttrs: { maxlength: '5000', rows: '4' } }),
  ];
  return { controls, goalList, refreshCadence: showCadence };
}

export function setGoalChoices(list, goals) {
  list.replaceChildren(...goals.map((goal) => h('option', { value: goal.name })));
}

// The form's text for every field it holds.
export function typed(form) {
  const found = {};
  for (const name of Object.keys(FIELDS)) {
    const control = form.elements.namedItem(name);
    if (control && 'value' in control) found[name] = control.value;
  }
  return found;
}

// A new contact (ContactIn) from the form: empty optional fields left out.
export function newContact(form) {
  const text = typed(form);
  const body = {};
  for (const [name, value] of Object.entries(text)) {
    const read = apiValue(name, value);
    if (read === null || (Array.isArray(read) && !read.length)) continue;
    if (name === 'cadence_days' && text.circle !== 'custom') continue;
    body[name] = read;
  }
  return body;
}

// The changes (ContactPatch) between a contact and what the form holds now; {} when nothing changed.
export function changesFrom(contact, form) {
  const text = typed(form);
  const changes = {};
  for (const [name, value] of Object.entries(text)) {
    if (shown(contact, name) === value) continue;
    if (name === 'cadence_days' && text.circle !== 'custom') continue;
    changes[name] = apiValue(name, value);
  }
  if (text.circle === 'custom' && 'circle' in changes && !('cadence_days' in changes)) {
    changes.cadence_days = apiValue('cadence_days', text.cadence_days);
  }
  return changes;
}

// Puts a contact's values into the form's controls.
export function fill(form, contact, names = Object.keys(FIELDS)) {
  for (const name of names) {
    const control = form.elements.namedItem(name);
    if (control && 'value' in control) control.value = shown(contact, name);
  }
  const circle = form.elements.namedItem('circle');
  if (circle) circle.dispatchEvent(new Event('change'));
}

// A refusal's details, with "emails.1" said as the address it means: one control holds every address.
export function withListItems(error, form) {
  const lists = { emails: words, tags: items };
  if (!error || !Array.isArray(error.details)) return error;
  const details = error.details.map((detail) => {
    const [name, index] = String(detail.field || '').split('.');
    const control = form.elements.namedItem(name);
    if (!(name in lists) || index === undefined || !control) return detail;
    const entry = lists[name](control.value)[Number(index)];
    return entry === undefined ? detail : { ...detail, problem: `${entry}: ${detail.problem}` };
  });
  return Object.assign(Object.create(Object.getPrototypeOf(error)), error, { details, message: error.message });
}
