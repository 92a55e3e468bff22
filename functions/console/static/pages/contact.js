// A contact's page: every field editable (saved with If-Match; a stale version is a conflict that keeps what
// was typed), Done / Snooze / See less often, the timeline with logging and deleting, and deleting the contact.
// A view asks for two things: the contact and the first page of its timeline.

import { api } from '../api.js';
import {
  announce, busy, button, clear, clearErrors, emptyState, errorState, field, formatDate, h, showErrors, userText,
} from '../ui.js';
import {
  changesFrom, circleWords, contactFieldset, fill, lastInTouch, localMinute, setGoalChoices, shown, shownWords, typed,
  withListItems,
} from './contact-fields.js';

const TIMELINE_PAGE = 20;
const KINDS = { meeting: 'Meeting', email: 'Email', call: 'Call', message: 'Message', note: 'Note' };
const SOURCES = {
  manual: 'logged by hand',
  console: 'marked done in the console',
  email: 'marked done in an email',
  google: 'from Google Calendar',
  outlook: 'from Outlook',
  calcom: 'from Cal.com',
  calendly: 'from Calendly',
  gmail: 'sent from Gmail',
  bcc: 'BCC’d or forwarded to Kith',
};
const ACTIONS = [
  { action: 'done', label: 'Done', kind: 'primary', said: (c) => `Marked done: ${c.name}. The clock starts again today.` },
  { action: 'snooze', label: 'Snooze 14 days', said: (c) => `${c.name} is snoozed for 14 days.` },
  { action: 'see_less_often', label: 'See less often', said: (c) => `${c.name} is now in: ${circleWords(c)}.` },
];

// The People list as it was left (search and filters), or all of it.
function backToList() {
  const hash = sessionStorage.getItem('kith.people.list') || '';
  return /^#\/people(\?|$)/.test(hash) ? hash : '#/people';
}

const path = (id) => `/v1/contacts/${encodeURIComponent(id)}`;

function summary(contact) {
  const work = [contact.title, contact.company].filter(Boolean);
  const facts = [
    h('li', {}, circleWords(contact)),
    contact.goal ? h('li', {}, 'Goal: ', userText(contact.goal)) : null,
    work.length ? h('li', {}, userText(work.join(', '))) : null,
    h('li', {}, lastInTouch(contact)),
    contact.snoozed_until && new Date(contact.snoozed_until) > new Date()
      ? h('li', {}, `Snoozed until ${formatDate(contact.snoozed_until, null, { time: false })}`)
      : null,
    contact.planned_meeting_at ? h('li', {}, `Meeting planned ${formatDate(contact.planned_meeting_at)}`) : null,
  ];
  return [h('h1', { class: 'contact-name' }, userText(contact.name)), h('ul', { class: 'facts' }, facts)];
}

function sourceWords(item) {
  if (item.kind === 'email' && item.source === 'outlook') return 'sent from Outlook';
  return SOURCES[item.source] || `from ${item.source}`;
}

function interactionRow(item, onDelete) {
  const label = KINDS[item.kind] || item.kind;
  const row = h(
    'li',
    { 'data-interaction-id': item.interaction_id },
    h(
      'div',
      { class: 'row-head' },
      h('span', { class: 'badge' }, label),
      // An email has a title only where the owner keeps subjects: otherwise who and when is all there is.
      item.title ? h('span', { class: 'timeline-title' }, userText(item.title)) : item.kind === 'email' ? null : h('span', { class: 'timeline-title' }, label),
    ),
    h('p', { class: 'facts' }, formatDate(item.start), ' · ', sourceWords(item)),
  );
  if (item.source === 'manual') {
    const actions = h('div', { class: 'actions' });
    const ask = () => {
      const yes = button(`Delete this ${label.toLowerCase()}`, () => onDelete(item, yes, keep), { kind: 'danger' });
      const keep = button('Keep it', () => { clear(actions).append(start()); actions.querySelector('button').focus(); });
      clear(actions).append(h('span', {}, 'Its contacts’ clocks go back to the interaction before it.'), yes, keep);
      yes.focus();
    };
    const start = () => button('Delete', ask, { kind: 'link', attrs: { 'aria-label': `Delete the ${label.toLowerCase()} of ${formatDate(item.start)}` } });
    actions.append(start());
    row.append(actions);
  }
  return row;
}

function logForm(onLogged, contactId) {
  const when = field({ label: 'When', name: 'at', type: 'datetime-local', value: localMinute(), inputAttrs: { max: localMinute() } });
  const kind = field({
    label: 'What',
    name: 'kind',
    type: 'select',
    value: 'call',
    options: [
      { value: 'call', label: 'A call' },
      { value: 'message', label: 'A message' },
      { value: 'note', label: 'A note' },
    ],
  });
  const title = field({ label: 'About', name: 'title', hint: 'Optional: a few words.', inputAttrs: { maxlength: '200' } });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Log it');
  const form = h(
    'form',
    { class: 'card log-form', 'aria-labelledby': 'log-heading', novalidate: true },
    h('h2', { id: 'log-heading' }, 'Log a call, message or note'),
    h('div', { class: 'grid-2' }, kind, when),
    title,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const at = when.control.value ? new Date(when.control.value) : new Date();
    if (Number.isNaN(at.getTime())) {
      showErrors(form, { message: 'Give a date and time.', details: [{ field: 'at', problem: 'Give a date and time, or leave it as now.' }] });
      return;
    }
    const body = { kind: kind.control.value, contact_ids: [contactId], at: (at > new Date() ? new Date() : at).toISOString() };
    if (title.control.value.trim()) body.title = title.control.value;
    try {
      await busy(submit, api('POST', '/v1/interactions', { body }));
      title.control.value = '';
      when.control.value = localMinute();
      when.control.max = localMinute();
      announce(`Logged ${kind.control.selectedOptions[0].textContent.toLowerCase()}.`);
      await onLogged();
    } catch (error) {
      showErrors(form, withListItems(error, form));
    }
  });
  return form;
}

export async function render(main, { params }) {
  const id = params.id;
  let answer;
  let firstPage;
  try {
    [answer, firstPage] = await Promise.all([
      api('GET', path(id)),
      api('GET', `${path(id)}/interactions`, { query: { limit: TIMELINE_PAGE } }),
    ]);
  } catch (error) {
    if (error.status === 404 || error.status === 422) {
      clear(main).append(
        h('h1', {}, 'No such contact'),
        emptyState('This contact is not in Kith: it may have been deleted.', { href: '#/people', label: 'Back to People' }),
      );
      return;
    }
    throw error;
  }
  // `latest`: the contact as Kith last answered it. `base`: the version the form was filled from and
  // saves against (If-Match); what the person changed is the form's difference from it.
  let latest = answer.data;
  let base = latest;
  let etag = answer.headers.get('ETag');
  const header = h('div', { class: 'contact-summary' }, summary(latest));
  const showLatest = () => header.replaceChildren(...summary(latest));
  const gone = () => {
    clear(main).append(
      h('h1', {}, 'Contact deleted'),
      emptyState('This contact was deleted elsewhere, so nothing here can be saved.', { href: '#/people', label: 'Back to People' }),
    );
  };

  // Edit form ---------------------------------------------------------------------------------------
  const { controls, goalList } = contactFieldset(base, { mode: 'edit' });
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save changes');
  const conflictBox = h('div', { class: 'conflict notice notice-warn', role: 'alert', tabindex: '-1', hidden: true });
  const form = h(
    'form',
    { class: 'card contact-form', 'aria-labelledby': 'details-heading', novalidate: true },
    h('h2', { id: 'details-heading' }, 'Details'),
    conflictBox,
    controls,
    h('div', { class: 'actions' }, save),
  );
  let goalsAsked = false;
  form.elements.namedItem('goal').addEventListener('focus', () => {
    if (goalsAsked) return;
    goalsAsked = true;
    api('GET', '/v1/goals').then((goals) => setGoalChoices(goalList, goals.data.goals), () => (goalsAsked = false));
  });

  const clearConflict = () => {
    clear(conflictBox).hidden = true;
    for (const note of form.querySelectorAll('.conflict-note')) note.remove();
  };

  // The form moves onto a newer version: fields the person did not touch take its values; what they
  // typed stays. Returns the fields both changed differently.
  const rebase = (contact, tag) => {
    const text = typed(form);
    const clashes = [];
    const untouched = [];
    for (const [name, value] of Object.entries(text)) {
      const before = shown(base, name);
      const now = shown(contact, name);
      if (value === before) untouched.push(name);
      else if (before !== now && value !== now) clashes.push(name);
    }
    fill(form, contact, untouched);
    base = contact;
    latest = contact;
    etag = tag;
    showLatest();
    return clashes;
  };

  const noteBeside = (name, contact) => {
    const control = form.elements.namedItem(name);
    const holder = control && control.closest('.field');
    if (!holder) return;
    const words = shownWords(contact, name);
    holder.append(h('p', { class: 'conflict-note' }, 'Saved elsewhere meanwhile: ', userText(words)));
  };

  const showConflict = (contact, clashes) => {
    clearConflict();
    const mine = button('Save mine over it', () => form.requestSubmit(save), { kind: 'primary' });
    const theirs = button('Discard mine and show the saved version', () => {
      fill(form, contact);
      clearConflict();
      clearErrors(form);
      announce('The form now shows the saved version.');
    });
    conflictBox.append(
      h('p', {}, h('strong', {}, 'This contact was changed elsewhere since you opened it, so nothing was saved.')),
      h(
        'p',
        {},
        clashes.length
          ? 'What you typed is still in the form. Beside each field you changed that was also changed elsewhere, you see what is saved now. Fields you did not touch now show the saved version.'
          : 'What you typed is still in the form; fields you did not touch now show the saved version.',
      ),
      h('div', { class: 'actions' }, mine, theirs),
    );
    for (const name of clashes) noteBeside(name, contact);
    conflictBox.hidden = false;
    conflictBox.focus();
  };

  const onStale = async () => {
    let fresh;
    try {
      fresh = await api('GET', path(id));
    } catch (error) {
      if (error.status === 404) return gone();
      throw error;
    }
    const clashes = rebase(fresh.data, fresh.headers.get('ETag'));
    showConflict(fresh.data, clashes);
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const changes = changesFrom(base, form);
    if (!Object.keys(changes).length) {
      clearConflict();
      announce('Nothing to save: no field was changed.');
      return;
    }
    try {
      const saved = await busy(save, api('PATCH', path(id), { body: changes, headers: { 'If-Match': etag } }));
      clearConflict();
      latest = saved.data;
      base = saved.data;
      etag = saved.headers.get('ETag');
      fill(form, base);
      showLatest();
      announce(`Saved ${latest.name}.`);
    } catch (error) {
      if (error.status === 412) {
        await onStale().catch((failure) => showErrors(form, failure));
      } else if (error.status === 404) {
        gone();
      } else {
        showErrors(form, withListItems(error, form));
      }
    }
  });

  // A newer version from an action, a logged or deleted interaction: no conflict, only newer values.
  const adopt = (contact, tag) => {
    const clashes = rebase(contact, tag);
    for (const name of clashes) noteBeside(name, contact);
  };
  const reread = async () => {
    const fresh = await api('GET', path(id));
    adopt(fresh.data, fresh.headers.get('ETag'));
  };

  // Timeline ---------------------------------------------------------------------------------------
  const timeline = h('ul', { class: 'list timeline' });
  const older = h('div', { class: 'pager' });
  const timelineStatus = h('p', { class: 'muted', role: 'status' });

  const deleteInteraction = async (item, yes) => {
    try {
      await busy(yes, api('DELETE', `/v1/interactions/${encodeURIComponent(item.interaction_id)}`));
      announce(`Deleted the ${(KINDS[item.kind] || item.kind).toLowerCase()}.`);
      await Promise.all([reread(), showTimeline()]);
    } catch (error) {
      yes.closest('.actions').append(h('p', { class: 'field-error', role: 'alert' }, error.message));
    }
  };

  const appendPage = (page) => {
    timeline.append(...page.interactions.map((item) => interactionRow(item, deleteInteraction)));
    clear(older);
    if (page.next_cursor) {
      const more = button('Show older', () =>
        busy(more, api('GET', `${path(id)}/interactions`, { query: { limit: TIMELINE_PAGE, cursor: page.next_cursor } }))
          .then((next) => appendPage(next.data))
          .catch((error) => older.append(errorState(error))),
      );
      older.append(more);
    }
  };

  const showTimeline = async (page) => {
    const data = page || (await api('GET', `${path(id)}/interactions`, { query: { limit: TIMELINE_PAGE } })).data;
    clear(timeline);
    clear(older);
    if (!data.interactions.length) {
      timelineStatus.textContent = '';
      timeline.append(
        h(
          'li',
          { class: 'empty-row' },
          emptyState('Nothing recorded with them yet. Log a call, message or note above, or connect a calendar so Kith sees your meetings.', {
            href: '#/calendars',
            label: 'Connect a calendar',
          }),
        ),
      );
      return;
    }
    timelineStatus.textContent = '';
    appendPage(data);
  };

  // Actions and deleting ---------------------------------------------------------------------------
  const actionBar = h('div', { class: 'actions contact-actions', role: 'group', 'aria-label': 'Nudges' });
  for (const spec of ACTIONS) {
    const b = button(spec.label, async () => {
      try {
        const done = await busy(b, api('POST', `${path(id)}/actions`, { body: { action: spec.action } }));
        adopt(done.data, done.headers.get('ETag'));
        announce(spec.said(done.data));
        if (spec.action === 'done') await showTimeline();
      } catch (error) {
        if (error.status === 404) return gone();
        actionBar.append(h('p', { class: 'field-error', role: 'alert' }, error.message));
      }
    }, { kind: spec.kind || 'secondary', attrs: { 'data-action': spec.action } });
    actionBar.append(b);
  }

  const dangerZone = h('section', { class: 'card danger-zone', 'aria-labelledby': 'delete-heading' });
  const askDelete = () => {
    const yes = button('Delete this contact for good', async () => {
      try {
        await busy(yes, api('DELETE', path(id), { headers: { 'If-Match': etag } }));
        announce(`Deleted ${latest.name}.`);
        location.hash = '#/people';
      } catch (error) {
        if (error.status === 404) return gone();
        const words = error.status === 412
          ? 'This contact was changed elsewhere since you opened it; the page now shows the saved version. Delete again if you still want to.'
          : error.message;
        if (error.status === 412) await reread().catch(() => {});
        dangerZone.append(h('p', { class: 'field-error', role: 'alert' }, words));
      }
    }, { kind: 'danger' });
    const keep = button('Keep them', () => showDelete(true));
    dangerZone.replaceChildren(
      h('h2', { id: 'delete-heading' }, 'Delete this contact'),
      h('p', {}, 'Delete ', userText(latest.name), '? Kith forgets them and their timeline. This cannot be undone.'),
      h('div', { class: 'actions' }, yes, keep),
    );
    yes.focus();
  };
  const showDelete = (focus) => {
    const start = button('Delete this contact…', askDelete, { kind: 'danger' });
    dangerZone.replaceChildren(
      h('h2', { id: 'delete-heading' }, 'Delete this contact'),
      h('p', { class: 'muted' }, 'Kith forgets them, their e-mail addresses and their timeline.'),
      start,
    );
    if (focus) start.focus();
  };
  showDelete(false);

  clear(main).append(
    h('p', { class: 'back' }, h('a', { href: backToList() }, '← People')),
    header,
    actionBar,
    h(
      'div',
      { class: 'contact-layout' },
      form,
      h(
        'div',
        {},
        logForm(() => Promise.all([reread(), showTimeline()]), id),
        h('section', { 'aria-labelledby': 'timeline-heading' }, h('h2', { id: 'timeline-heading' }, 'Timeline'), timelineStatus, timeline, older),
      ),
    ),
    dangerZone,
  );
  await showTimeline(firstPage.data);
}
