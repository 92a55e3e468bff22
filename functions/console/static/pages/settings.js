// Settings: the profile, when the digest comes and how long it is, working hours, follow-ups, the mail you
// send (other addresses, subjects kept or not), a pause, emails on or off (PUT /v1/owner), and goals
// (PUT /v1/goals). Two requests: the owner and the goals.

import { api } from '../api.js';
import { announce, busy, button, clear, clearErrors, errorState, field, h, showErrors } from '../ui.js';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

function zones(current) {
  let all = [];
  try {
    all = Intl.supportedValuesOf('timeZone');
  } catch {
    all = [];
  }
  const listed = new Set(all);
  for (const extra of ['UTC', current]) if (extra && !listed.has(extra)) listed.add(extra);
  return Array.from(listed).sort();
}

export function timeZoneField(value) {
  return field({
    label: 'Time zone',
    name: 'time_zone',
    type: 'select',
    value,
    options: zones(value),
    hint: 'Your digest arrives at its hour in this time zone, and days are counted in it.',
  });
}

function hourOptions(from, to) {
  const options = [];
  for (let hour = from; hour <= to; hour += 1) options.push({ value: hour, label: `${String(hour).padStart(2, '0')}:00` });
  return options;
}

// Checkboxes sharing one name and one error slot, the fieldset's.
function checkGroup({ legend, name, selected, hint }) {
  const chosen = new Set(selected);
  return h(
    'fieldset',
    { class: 'check-group' },
    h('legend', {}, legend),
    h('p', { class: 'field-error', hidden: true }),
    hint ? h('p', { class: 'hint' }, hint) : null,
    h(
      'div',
      { class: 'checks' },
      WEEKDAYS.map((day, index) => {
        const id = `${name.replace(/\W/g, '-')}-${index}`;
        return h(
          'div',
          { class: 'field-check' },
          h('input', { type: 'checkbox', id, name, value: index, checked: chosen.has(index) }),
          h('label', { for: id }, day),
        );
      }),
    ),
  );
}

function checkedValues(form, name) {
  return Array.from(form.querySelectorAll(`input[name="${name}"]:checked`)).map((box) => Number(box.value));
}

function whole(value) {
  const text = String(value).trim();
  return text === '' ? null : Number(text);
}

// The offset of a time zone from UTC at an instant, in milliseconds.
function zoneOffset(instant, timeZone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    }).formatToParts(new Date(instant)).map((part) => [part.type, part.value]),
  );
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

// Midnight starting `day` (YYYY-MM-DD) in the time zone, as an ISO instant.
export function localMidnight(day, timeZone) {
  const [year, month, date] = day.split('-').map(Number);
  const guess = Date.UTC(year, month - 1, date);
  let instant = guess - zoneOffset(guess, timeZone);
  instant = guess - zoneOffset(instant, timeZone);
  return new Date(instant).toISOString();
}

function localDay(iso, timeZone) {
  if (!iso || new Date(iso).getTime() <= Date.now()) return '';
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
  } catch {
    return iso.slice(0, 10);
  }
}

// Addresses as typed, one a line or separated by commas: each once, as the API checks them.
function addressList(text) {
  return Array.from(new Set(String(text).split(/[\s,;]+/).map((part) => part.trim()).filter(Boolean)));
}

function ownerForm(owner, onSaved) {
  const s = owner.settings;
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save settings');
  const form = h(
    'form',
    { novalidate: true, 'aria-labelledby': 'settings-heading', on: { submit: (event) => save(event) } },
    h(
      'fieldset',
      {},
      h('legend', {}, 'Profile'),
      h(
        'div',
        { class: 'grid-2' },
        field({ label: 'Name', name: 'name', value: owner.name, required: true, inputAttrs: { autocomplete: 'name' } }),
        field({ label: 'E-mail', name: 'email', type: 'email', value: owner.email, required: true, hint: 'Where Kith sends your emails.', inputAttrs: { autocomplete: 'email' } }),
      ),
      timeZoneField(s.time_zone),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Digest'),
      checkGroup({ legend: 'Days it comes', name: 'digest_weekdays', selected: s.digest_weekdays }),
      h(
        'div',
        { class: 'grid-2' },
        field({ label: 'Hour', name: 'digest_hour', type: 'select', value: s.digest_hour, options: hourOptions(0, 23) }),
        field({
          label: 'People per digest', name: 'digest_limit', type: 'number', value: s.digest_limit,
          hint: 'At most this many, 1 to 50.', inputAttrs: { min: 1, max: 50, inputmode: 'numeric' },
        }),
      ),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Working hours'),
      h('input', { type: 'hidden', name: 'working_hours' }),
      h('p', { class: 'field-error', hidden: true }),
      h('p', { class: 'hint' }, 'A follow-up that would land outside them waits for the next working morning.'),
      checkGroup({ legend: 'Working days', name: 'working_hours.days', selected: s.working_hours.days }),
      h(
        'div',
        { class: 'grid-2' },
        field({ label: 'From', name: 'working_hours.start_hour', type: 'select', value: s.working_hours.start_hour, options: hourOptions(0, 23) }),
        field({ label: 'Until', name: 'working_hours.end_hour', type: 'select', value: s.working_hours.end_hour, options: hourOptions(1, 24) }),
      ),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Meetings'),
      h(
        'div',
        { class: 'grid-2' },
        field({
          label: 'Follow-up after (minutes)', name: 'follow_up_delay_minutes', type: 'number', value: s.follow_up_delay_minutes,
          hint: 'How long after a meeting ends its follow-up comes: 0 to 10080 (a week).', inputAttrs: { min: 0, max: 10080, inputmode: 'numeric' },
        }),
        field({
          label: 'Largest meeting that counts', name: 'meeting_size_limit', type: 'number', value: s.meeting_size_limit,
          hint: 'Meetings with more people than this do not reset anyone’s clock: 2 to 500.', inputAttrs: { min: 2, max: 500, inputmode: 'numeric' },
        }),
      ),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Mail you send'),
      field({
        label: 'Other addresses you send from', name: 'other_addresses', type: 'textarea', value: (s.other_addresses || []).join('\n'),
        hint: 'One a line, up to 10. A BCC or forward to Kith from one of these counts as yours; so does one from your e-mail above.',
        inputAttrs: { rows: 3, autocomplete: 'off', spellcheck: 'false' },
      }),
      field({
        label: 'Keep the subjects of the emails I send', name: 'keep_email_subjects', type: 'checkbox', value: s.keep_email_subjects,
        hint: 'Ticked, an email’s subject is its title on the timeline. Unticked (the default), Kith keeps only whom you wrote to and when.',
      }),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Emails'),
      field({
        label: 'Pause all nudges until', name: 'paused_until', type: 'date', value: localDay(s.paused_until, s.time_zone),
        hint: 'A vacation: no digest or follow-up goes out before this day starts in your time zone. Leave it empty to not pause.',
      }),
      field({
        label: 'Send me Kith’s emails (digest and follow-ups)', name: 'subscribed', type: 'checkbox', value: !owner.unsubscribed_at,
        hint: 'Unticked, Kith sends you nothing, as an email’s unsubscribe link does.',
      }),
    ),
    h('p', { class: 'actions' }, submit),
  );

  function body() {
    const els = form.elements;
    const zone = els.time_zone.value;
    const pause = els.paused_until.value;
    const wanted = {
      name: els.name.value.trim(),
      email: els.email.value.trim(),
      time_zone: zone,
      digest_weekdays: checkedValues(form, 'digest_weekdays'),
      digest_hour: Number(els.digest_hour.value),
      digest_limit: whole(els.digest_limit.value),
      working_hours: {
        days: checkedValues(form, 'working_hours.days'),
        start_hour: Number(els['working_hours.start_hour'].value),
        end_hour: Number(els['working_hours.end_hour'].value),
      },
      follow_up_delay_minutes: whole(els.follow_up_delay_minutes.value),
      meeting_size_limit: whole(els.meeting_size_limit.value),
      paused_until: pause ? localMidnight(pause, zone) : null,
      other_addresses: addressList(els.other_addresses.value),
      keep_email_subjects: els.keep_email_subjects.checked,
    };
    const subscribed = els.subscribed.checked;
    if (subscribed !== !owner.unsubscribed_at) wanted.subscribed = subscribed;
    return wanted;
  }

  async function save(event) {
    event.preventDefault();
    clearErrors(form);
    let saved;
    try {
      saved = (await busy(submit, () => api('PUT', '/v1/owner', { body: body() }))).data;
    } catch (error) {
      showErrors(form, error);
      return;
    }
    owner = saved;
    announce('Settings saved.');
    onSaved(saved);
  }

  return form;
}

function goalsForm(initial) {
  let goals = initial.map((goal) => ({ ...goal }));
  const rows = h('ul', { class: 'list goal-list' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save goals');
  const form = h(
    'form',
    { novalidate: true, 'aria-labelledby': 'goals-heading', on: { submit: (event) => save(event) } },
    h('p', { class: 'muted' }, 'A few things you want your network to help with. A contact can carry one; the digest ranks contacts serving an active goal higher.'),
    rows,
    h('p', { class: 'actions' }, button('Add a goal', () => addGoal()), submit),
  );

  // What is typed stays typed: the rows are read back before they are drawn again.
  function read() {
    goals = goals.map((goal, index) => ({
      name: form.elements[`goals.${index}.name`].value,
      active: form.elements[`goals.${index}.active`].checked,
    }));
  }

  function draw(focusIndex = null) {
    clear(rows);
    if (!goals.length) {
      rows.append(h('li', { class: 'muted' }, 'No goals yet. Add one, for example “mentorship” or “job search”.'));
    }
    goals.forEach((goal, index) => {
      const nameField = field({ label: `Goal ${index + 1}`, name: `goals.${index}.name`, value: goal.name, inputAttrs: { maxlength: 100 } });
      const activeField = field({ label: 'Active', name: `goals.${index}.active`, type: 'checkbox', value: goal.active });
      const remove = button('Remove', () => {
        read();
        goals.splice(index, 1);
        draw(Math.min(index, goals.length - 1));
        announce('Goal removed. Save goals to keep the change.');
      }, { kind: 'danger', attrs: { 'aria-describedby': nameField.control.id } });
      rows.append(h('li', { class: 'goal-row' }, nameField, activeField, remove));
    });
    if (focusIndex !== null) {
      const target = form.elements[`goals.${focusIndex}.name`];
      (target || form.querySelector('button')).focus();
    }
  }

  function addGoal() {
    read();
    goals.push({ name: '', active: true });
    draw(goals.length - 1);
  }

  async function save(event) {
    event.preventDefault();
    clearErrors(form);
    read();
    const body = { goals: goals.map((goal) => ({ name: goal.name.trim(), active: goal.active })) };
    let saved;
    try {
      saved = (await busy(submit, () => api('PUT', '/v1/goals', { body }))).data;
    } catch (error) {
      showErrors(form, error);
      return;
    }
    goals = saved.goals.map((goal) => ({ ...goal }));
    draw();
    announce('Goals saved.');
  }

  draw();
  return form;
}

export async function render(main) {
  let owner;
  let goals;
  try {
    [owner, goals] = await Promise.all([
      api('GET', '/v1/owner').then((r) => r.data),
      api('GET', '/v1/goals').then((r) => r.data.goals),
    ]);
  } catch (error) {
    if (error.status === 404) {
      location.replace('#/welcome');
      return;
    }
    clear(main).append(h('h1', {}, 'Settings'), errorState(error, () => render(main)));
    return;
  }
  const next = h('p', { class: 'muted' });
  const showNext = (o) => {
    next.textContent = o.next_digest_at
      ? `Next digest: ${new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short', timeZone: o.settings.time_zone }).format(new Date(o.next_digest_at))}.`
      : '';
  };
  showNext(owner);
  clear(main).append(
    h('h1', { id: 'settings-heading' }, 'Settings'),
    next,
    ownerForm(owner, showNext),
    h('section', { class: 'card', 'aria-labelledby': 'goals-heading' }, h('h2', { id: 'goals-heading' }, 'Goals'), goalsForm(goals)),
  );
}
