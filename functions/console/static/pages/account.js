// Account: everything as downloads (JSON, and the contacts as CSV that an import reads back), and erasing
// the account behind a typed confirmation. One request on arrival: the owner, for the address to type.

import { api } from '../api.js';
import { signOut } from '../auth.js';
import { announce, busy, clear, clearErrors, errorState, field, h, showErrors } from '../ui.js';

function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: filename, class: 'sr-only' }, filename);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function filenameFrom(headers, fallback) {
  const disposition = headers.get('Content-Disposition') || '';
  const match = /filename="?([^";]+)"?/.exec(disposition);
  return match ? match[1] : fallback;
}

function today() {
  return new Date().toISOString().slice(0, 10);
}

function exportSection() {
  const status = h('div', {});
  const exportAs = async (btn, path, type, fallback) => {
    clear(status);
    try {
      const { data: response, headers } = await busy(btn, () => api('GET', path, { raw: true }));
      const blob = new Blob([await response.arrayBuffer()], { type });
      download(blob, filenameFrom(headers, fallback));
      announce(`${fallback.endsWith('.csv') ? 'The CSV file' : 'The JSON file'} is downloading.`);
    } catch (error) {
      status.append(h('p', { class: 'page-error', role: 'alert' }, error.message));
    }
  };
  const jsonButton = h('button', { type: 'button', class: 'btn btn-secondary', on: { click: (e) => exportAs(e.currentTarget, '/v1/export', 'application/json', `kith-export-${today()}.json`) } }, 'Download everything (JSON)');
  const csvButton = h('button', { type: 'button', class: 'btn btn-secondary', on: { click: (e) => exportAs(e.currentTarget, '/v1/export/contacts.csv', 'text/csv', `kith-contacts-${today()}.csv`) } }, 'Download contacts (CSV)');
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'export-heading' },
    h('h2', { id: 'export-heading' }, 'Export'),
    h('p', {}, 'The JSON file holds everything Kith keeps for you: your profile, goals, contacts, meetings and calls, follow-ups, calendars (never their secrets) and the emails sent. The CSV file holds your contacts in a form Import reads back.'),
    h('p', { class: 'actions' }, jsonButton, csvButton),
    status,
  );
}

function deleteSection(owner) {
  const expected = owner ? owner.email : null;
  const submit = h('button', { type: 'submit', class: 'btn btn-danger btn-solid' }, 'Erase my account');
  const form = h(
    'form',
    { novalidate: true, on: { submit: (event) => erase(event) } },
    field({
      label: expected ? `Type your e-mail (${expected}) or the word delete` : 'Type the word delete',
      name: 'confirmation',
      inputAttrs: { autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off' },
    }),
    h('p', { class: 'actions' }, submit),
  );

  async function erase(event) {
    event.preventDefault();
    clearErrors(form);
    const typed = form.elements.confirmation.value.trim();
    const agreed = typed.toLowerCase() === 'delete' || (expected && typed.toLowerCase() === expected.toLowerCase());
    if (!agreed) {
      showErrors(form, {
        message: 'Nothing was erased.',
        details: [{ field: 'confirmation', problem: expected ? `Type ${expected} or delete to confirm.` : 'Type delete to confirm.' }],
      });
      return;
    }
    try {
      await busy(submit, () => api('DELETE', '/v1/owner'));
    } catch (error) {
      if (error.status !== 404) {
        showErrors(form, error);
        return;
      }
    }
    announce('Your account is erased. Signing you out.');
    signOut('erased');
  }

  return h(
    'section',
    { class: 'card danger-zone', 'aria-labelledby': 'delete-heading' },
    h('h2', { id: 'delete-heading' }, 'Erase your account'),
    h('p', {}, 'This erases everything Kith keeps for you and disconnects your calendars. It cannot be undone: download your export first if you may want it.'),
    form,
  );
}

export async function render(main) {
  let owner = null;
  try {
    owner = (await api('GET', '/v1/owner')).data;
  } catch (error) {
    if (error.status !== 404) {
      clear(main).append(h('h1', {}, 'Account'), errorState(error, () => render(main)));
      return;
    }
  }
  clear(main).append(
    h('h1', {}, 'Account'),
    owner ? h('p', { class: 'muted' }, 'Signed in as ', h('span', { dir: 'auto' }, owner.email)) : null,
    exportSection(),
    deleteSection(owner),
  );
}
