// Welcome: the first sign-in, with no owner profile yet. Name, e-mail and time zone, then Today.

import { api } from '../api.js';
import { shownUser } from '../auth.js';
import { announce, busy, clear, clearErrors, errorState, field, h, showErrors } from '../ui.js';
import { timeZoneField } from './settings.js';

export async function render(main) {
  try {
    await api('GET', '/v1/owner');
    location.replace('#/today');
    return;
  } catch (error) {
    if (error.status !== 404) {
      clear(main).append(h('h1', {}, 'Welcome to Kith'), errorState(error, () => render(main)));
      return;
    }
  }
  const user = shownUser() || {};
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Start with Kith');
  const form = h(
    'form',
    { class: 'card narrow-form', novalidate: true, on: { submit: (event) => save(event) } },
    field({ label: 'Your name', name: 'name', value: user.name || '', required: true, inputAttrs: { autocomplete: 'name', maxlength: 200 } }),
    field({
      label: 'Your e-mail',
      name: 'email',
      type: 'email',
      value: user.email || '',
      required: true,
      hint: 'Where Kith sends your digest and follow-ups.',
      inputAttrs: { autocomplete: 'email' },
    }),
    timeZoneField(Intl.DateTimeFormat().resolvedOptions().timeZone),
    h('p', { class: 'hint' }, 'Your digest comes on Mondays at 8:00 with at most 5 people; change that any time in Settings.'),
    h('p', { class: 'actions' }, submit),
  );

  async function save(event) {
    event.preventDefault();
    clearErrors(form);
    const body = {
      name: form.elements.name.value.trim(),
      email: form.elements.email.value.trim(),
      time_zone: form.elements.time_zone.value.trim(),
    };
    try {
      await busy(submit, api('PUT', '/v1/owner', { body }));
    } catch (error) {
      showErrors(form, error);
      return;
    }
    announce('Welcome to Kith. Your profile is saved.');
    location.replace('#/today');
  }

  clear(main).append(
    h('h1', {}, 'Welcome to Kith'),
    h('p', {}, 'Tell Kith who you are and where you live, so your digest arrives at your local morning.'),
    form,
  );
  form.elements.name.focus();
}
