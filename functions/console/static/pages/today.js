// Today: whom the next digest names, in its order, with the same one-click actions; follow-ups waiting;
// meetings that hold a nudge back. Three requests: the owner, the due list, the follow-ups.

import { api } from '../api.js';
import {
  announce, busy, button, circleName, clear, emptyState, errorState, formatDate, formatDaysAgo, h, userText,
} from '../ui.js';

const ACTIONS = [
  { action: 'done', label: 'Done', said: (name) => `Marked done: ${name}. The clock starts again today.` },
  { action: 'snooze', label: 'Snooze 14 days', said: (name) => `${name} is snoozed for 14 days.` },
  {
    action: 'see_less_often',
    label: 'See less often',
    said: (name, contact) => `${name} moves to the ${circleName(contact.circle).toLowerCase()}.`,
  },
];

function longDate(iso, timeZone) {
  try {
    return new Intl.DateTimeFormat(undefined, {
      weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', timeZone,
    }).format(new Date(iso));
  } catch {
    return formatDate(iso);
  }
}

function lateness(entry, now) {
  if (entry.overdue) return h('span', { class: 'badge badge-overdue' }, lateWords(entry.days_late, 'overdue'));
  if (new Date(entry.due_at).getTime() > now) return h('span', { class: 'badge' }, 'falls due before the digest');
  if (entry.days_late > 0) return h('span', { class: 'badge badge-late' }, lateWords(entry.days_late, 'late'));
  return h('span', { class: 'badge' }, 'due now');
}

function lateWords(days, word) {
  if (days <= 0) return word;
  return `${days} ${days === 1 ? 'day' : 'days'} ${word}`;
}

function lastInteraction(entry) {
  if (!entry.last_interaction_at) return 'No interaction recorded yet';
  const when = `Last: ${formatDaysAgo(entry.last_interaction_at)} (${formatDate(entry.last_interaction_at, null, { time: false })})`;
  return entry.last_interaction_title ? [when, ' · ', userText(entry.last_interaction_title)] : when;
}

function dueRow(entry, index, now, onAction) {
  const nameId = `due-name-${index}`;
  const buttons = ACTIONS.map((spec) =>
    button(spec.label, (event) => onAction(event.currentTarget, entry, spec), {
      kind: spec.action === 'done' ? 'primary' : 'secondary',
      attrs: { 'aria-describedby': nameId, 'data-action': spec.action },
    }),
  );
  return h(
    'li',
    { class: 'due-row', 'data-contact-id': entry.contact_id },
    h(
      'div',
      { class: 'row-head' },
      h('a', { class: 'row-name', href: `#/people/${encodeURIComponent(entry.contact_id)}`, id: nameId }, userText(entry.name)),
      h('span', { class: 'badge' }, circleName(entry.circle)),
      entry.goal ? h('span', { class: 'badge badge-ok' }, 'Goal: ', userText(entry.goal)) : null,
      lateness(entry, now),
    ),
    h('p', { class: 'facts' }, h('span', {}, lastInteraction(entry))),
    h('div', { class: 'actions' }, buttons),
  );
}

function heldBackList(held, timeZone) {
  if (!held.length) return null;
  return h(
    'section',
    { 'aria-labelledby': 'held-heading' },
    h('h2', { id: 'held-heading' }, 'Meetings coming up'),
    h('p', { class: 'muted' }, 'Due, but you are meeting them soon, so the digest leaves them out.'),
    h(
      'ul',
      { class: 'list' },
      held.map((item) =>
        h(
          'li',
          {},
          h('a', { class: 'row-name', href: `#/people/${encodeURIComponent(item.contact_id)}` }, userText(item.name)),
          h('p', { class: 'facts' }, item.planned_meeting_at ? `Meeting ${formatDate(item.planned_meeting_at, timeZone)}` : 'Meeting planned'),
        ),
      ),
    ),
  );
}

function followUpList(followUps, timeZone, names) {
  const pending = followUps.filter((item) => item.status === 'pending');
  const section = h(
    'section',
    { 'aria-labelledby': 'follow-heading' },
    h('h2', { id: 'follow-heading' }, 'Follow-ups waiting'),
  );
  if (!pending.length) {
    section.append(h('p', { class: 'muted' }, 'No follow-up is waiting. After a meeting with your contacts ends, Kith emails you a short follow-up.'));
    return section;
  }
  section.append(
    h(
      'ul',
      { class: 'list' },
      pending.map((item) => {
        // contact_names follows contact_ids; a contact deleted since has no name.
        const named = item.contact_names || [];
        const people = item.contact_ids.map((id, i) => {
          const name = named[i] || names.get(id);
          return h('a', { href: `#/people/${encodeURIComponent(id)}` }, name ? userText(name) : `contact ${i + 1}`);
        });
        const joined = people.flatMap((link, i) => (i ? [', ', link] : [link]));
        return h(
          'li',
          {},
          h('div', { class: 'row-head' }, h('span', { class: 'row-name' }, item.title ? userText(item.title) : 'A meeting')),
          h(
            'ul',
            { class: 'facts' },
            h('li', {}, `${new Date(item.meeting_end).getTime() > Date.now() ? 'Ends' : 'Ended'} ${formatDate(item.meeting_end, timeZone)}`),
            h('li', {}, `Follow-up email ${formatDate(item.due_at, timeZone)}`),
          ),
          people.length ? h('p', { class: 'facts' }, 'With ', joined) : null,
          item.new_attendees.length
            ? h(
                'p',
                { class: 'facts' },
                'Not yet contacts: ',
                item.new_attendees.flatMap((a, i) => [
                  i ? ', ' : null,
                  a.name ? [userText(a.name), ' (', userText(a.email), ')'] : userText(a.email),
                ]),
              )
            : null,
        );
      }),
    ),
  );
  return section;
}

function ownerNotices(owner) {
  const notices = [];
  const paused = owner.settings && owner.settings.paused_until;
  if (paused && new Date(paused).getTime() > Date.now()) {
    notices.push(
      h('p', { class: 'notice notice-warn' }, `Nudges are paused until ${formatDate(paused, owner.settings.time_zone)}. `,
        h('a', { href: '#/settings' }, 'Change it in Settings')),
    );
  }
  if (owner.unsubscribed_at) {
    notices.push(
      h('p', { class: 'notice notice-warn' }, 'Kith sends you no email: you unsubscribed. ',
        h('a', { href: '#/settings' }, 'Turn emails back on in Settings')),
    );
  }
  return notices;
}

function digestLine(due, owner, timeZone) {
  const when = `${longDate(due.digest_at, timeZone)} (${timeZone})`;
  const count = due.contacts.length;
  const words = count
    ? `Your next digest, ${when}, names ${count === 1 ? 'this person' : `these ${count} people`}, best first; it names at most ${owner.settings.digest_limit}. `
    : `Your next digest: ${when}. `;
  return h('p', { class: 'muted' }, words, h('a', { href: '#/settings' }, 'Change when and how many'));
}

function nothingDue() {
  return emptyState('Nobody is due. As people fall due, they appear here in the order your digest lists them.', [
    { href: '#/calendars', label: 'Connect a calendar' },
    { href: '#/import', label: 'Import contacts' },
    { href: '#/people', label: 'Add a contact' },
  ]);
}

export async function render(main, { query = {} } = {}) {
  let owner;
  let due;
  let followUps;
  try {
    [owner, due, followUps] = await Promise.all([
      api('GET', '/v1/owner').then((r) => r.data),
      api('GET', '/v1/due').then((r) => r.data),
      api('GET', '/v1/follow-ups', { query: { status: 'pending', limit: 50 } }).then((r) => r.data.follow_ups),
    ]);
  } catch (error) {
    if (error.status === 404) {
      location.replace('#/welcome');
      return;
    }
    clear(main).append(h('h1', {}, 'Today'), errorState(error, () => render(main, { query })));
    return;
  }
  const timeZone = due.time_zone || owner.settings.time_zone;
  const dueSection = h('section', { 'aria-labelledby': 'due-heading' });
  const names = new Map(due.contacts.map((c) => [c.contact_id, c.name]));
  for (const item of due.held_back || []) names.set(item.contact_id, item.name);

  const fillDue = (focusIndex = null) => {
    const now = Date.now();
    clear(dueSection).append(
      h('h2', { id: 'due-heading', tabindex: '-1' }, due.contacts.length ? `Due now (${due.contacts.length})` : 'Due now'),
      digestLine(due, owner, timeZone),
    );
    if (!due.contacts.length) {
      dueSection.append(nothingDue());
    } else {
      dueSection.append(h('ol', { class: 'list' }, due.contacts.map((entry, i) => dueRow(entry, i, now, act))));
    }
    if (focusIndex !== null) {
      const rows = dueSection.querySelectorAll('.due-row');
      const target = rows[Math.min(focusIndex, rows.length - 1)];
      (target ? target.querySelector('button') : dueSection.querySelector('h2')).focus();
    }
  };

  async function act(btn, entry, spec) {
    const index = due.contacts.indexOf(entry);
    try {
      await busy(btn, async () => {
        const { data: contact } = await api('POST', `/v1/contacts/${encodeURIComponent(entry.contact_id)}/actions`, {
          body: { action: spec.action },
        });
        announce(spec.said(entry.name, contact));
        // The digest's list again: whoever was next now moves up into it.
        due = (await api('GET', '/v1/due')).data;
        for (const c of due.contacts) names.set(c.contact_id, c.name);
      });
      fillDue(index);
      heldHolder.replaceChildren(...[heldBackList(due.held_back || [], timeZone)].filter(Boolean));
    } catch (error) {
      const row = btn.closest('li');
      const old = row.querySelector('.page-error');
      if (old) old.remove();
      row.append(h('p', { class: 'page-error', role: 'alert' }, error.message));
    }
  }

  const heldHolder = h('div', {}, heldBackList(due.held_back || [], timeZone));
  fillDue();
  clear(main).append(
    h('div', { class: 'page-header' }, h('h1', {}, 'Today'), h('span', { class: 'muted' }, 'Hello, ', userText(owner.name))),
    ...ownerNotices(owner),
    dueSection,
    heldHolder,
    followUpList(followUps, timeZone, names),
  );
}
