// Calendars: each connection's state and what to do about it, disconnecting, and connecting the four
// providers (Google and Outlook through their consent page, with the sent mail if the owner ticks it;
// Cal.com and Calendly by a signed webhook), and the owner's BCC address. One request: the connections.

import { api } from '../api.js';
import { announce, busy, button, clear, emptyState, errorState, field, formatDate, h, userText } from '../ui.js';

const MAIL_CHOICE = 'Also count the emails I send (reads who and when, never the message)';

const PROVIDERS = {
  google: { name: 'Google Calendar', kind: 'consent', what: 'Sign in with Google and allow Kith to read your calendar’s events.' },
  outlook: { name: 'Outlook', kind: 'consent', what: 'Sign in with Microsoft and allow Kith to read your Outlook calendar.' },
  calcom: { name: 'Cal.com', kind: 'webhook', what: 'Kith gives you a webhook address and a secret to paste into Cal.com.' },
  calendly: { name: 'Calendly', kind: 'webhook', what: 'Kith gives you a webhook address and a secret for a Calendly webhook subscription.' },
};

function advice(connection) {
  const expires = connection.expires_at ? formatDate(connection.expires_at) : null;
  switch (connection.state) {
    case 'active':
      return 'Working: Kith hears of meetings as they are booked, moved or cancelled.';
    case 'expiring':
      return `The provider’s notifications end${expires ? ` on ${expires}` : ' soon'} and have not been renewed yet. Kith renews them on its own; if this stays, disconnect and connect again.`;
    case 'failing':
      return 'The provider keeps failing to answer; Kith keeps retrying. If this lasts more than a day, disconnect and connect again.';
    case 'revoked':
      return 'Kith no longer has access: it was revoked or disconnected, and nothing more arrives. Connect again to resume.';
    default:
      return '';
  }
}

function copyButton(what, getText) {
  return button(`Copy ${what}`, async (event) => {
    const text = getText();
    const target = event.currentTarget.parentElement.querySelector('code');
    try {
      await navigator.clipboard.writeText(text);
      announce(`Copied the ${what}.`);
    } catch {
      const range = document.createRange();
      range.selectNodeContents(target);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      announce('Copying is not allowed here: the text is selected, press Ctrl+C (or ⌘C) to copy it.');
    }
  });
}

function secretLine(label, value, id) {
  return h(
    'div',
    { class: 'field' },
    h('p', { class: 'label', id }, label),
    h('div', { class: 'secret' }, h('code', { 'aria-labelledby': id }, value), copyButton(label === 'Webhook URL' ? 'webhook URL' : label.toLowerCase(), () => value)),
  );
}

function calcomSteps() {
  return h(
    'ol',
    { class: 'steps' },
    h('li', {}, 'In Cal.com, open Settings → Developer → Webhooks and choose New.'),
    h('li', {}, 'Paste the webhook URL as the Subscriber URL and the signing secret as the Secret.'),
    h('li', {}, 'Under event triggers, keep Booking Created, Booking Rescheduled and Booking Cancelled (Meeting Ended helps too).'),
    h('li', {}, 'Leave the payload template empty and save. Your next booking appears in Kith.'),
  );
}

function calendlySteps(created) {
  const command = [
    'curl -X POST https://api.calendly.com/webhook_subscriptions \\',
    '  -H "Authorization: Bearer YOUR_TOKEN" -H "Content-Type: application/json" \\',
    `  -d '{"url": "${created.webhook_url}", "events": ["invitee.created", "invitee.canceled"],`,
    `       "organization": "YOUR_ORGANIZATION_URI", "user": "YOUR_USER_URI", "scope": "user",`,
    `       "signing_key": "${created.signing_secret}"}'`,
  ].join('\n');
  return [
    h(
      'ol',
      { class: 'steps' },
      h('li', {}, 'Calendly makes webhooks through its API (on its paid plans): in Calendly, open Integrations → API & Webhooks and create a personal access token.'),
      h('li', {}, 'Find your user and organization URIs: GET https://api.calendly.com/users/me with that token (resource.uri and resource.current_organization).'),
      h('li', {}, 'Create the subscription with the webhook URL as url, the events invitee.created and invitee.canceled, scope user, and the signing secret as signing_key: for example this command, with the three YOUR_… values replaced by your token and the URIs of step 2.'),
    ),
    h('div', { class: 'secret' }, h('code', { class: 'command' }, command), copyButton('command', () => command)),
  ];
}

function createdPanel(created, onDone) {
  const provider = PROVIDERS[created.provider] || { name: created.provider };
  const done = button('I have saved them', () => onDone(), { kind: 'primary' });
  const panel = h(
    'section',
    { class: 'card secret-panel', 'aria-labelledby': 'created-heading', tabindex: '-1' },
    h('h2', { id: 'created-heading' }, `${provider.name}: paste these into ${provider.name}`),
    h('p', { class: 'notice notice-warn' }, 'The signing secret is shown only now. Copy it before you leave this page; if it is lost, disconnect and connect again for a new one.'),
    secretLine('Webhook URL', created.webhook_url, 'created-url'),
    secretLine('Signing secret', created.signing_secret, 'created-secret'),
    created.provider === 'calendly' ? calendlySteps(created) : calcomSteps(),
    h('p', { class: 'actions' }, done),
  );
  return panel;
}

function mailWords(connection) {
  return connection.mail
    ? 'Mail: on. The emails you send from this account count as keeping in touch (who and when only).'
    : 'Mail: off. Only meetings count from this account; connect again with the mail box ticked to count your emails too.';
}

// The owner's own address at Kith, when the stack receives mail: a BCC or forward to it logs the email.
function bccPanel(address) {
  return h(
    'section',
    { class: 'card bcc-panel', 'aria-labelledby': 'bcc-heading' },
    h('h2', { id: 'bcc-heading' }, 'Your Kith address'),
    h('p', { class: 'muted', id: 'bcc-line' }, 'BCC or forward to this address to log any email'),
    h('div', { class: 'secret' }, h('code', { 'aria-labelledby': 'bcc-heading', 'aria-describedby': 'bcc-line' }, address), copyButton('address', () => address)),
  );
}

function connectionRow(connection, onDisconnect, onConnect) {
  const provider = PROVIDERS[connection.provider] || { name: connection.provider };
  const nameId = `conn-${connection.connection_id}`;
  const confirmBox = h('div', { class: 'confirm', hidden: true });
  const disconnect = button('Disconnect', () => {
    disconnect.hidden = true;
    confirmBox.hidden = false;
    clear(confirmBox).append(
      h('p', {}, `Disconnect ${provider.name}? Kith stops reading it; meetings already recorded stay.`),
      h(
        'p',
        { class: 'actions' },
        button('Yes, disconnect', (event) => onDisconnect(event.currentTarget, connection), { kind: 'danger', attrs: { 'aria-describedby': nameId } }),
        button('Keep it', () => {
          confirmBox.hidden = true;
          disconnect.hidden = false;
          disconnect.focus();
        }),
      ),
    );
    confirmBox.querySelector('button').focus();
  }, { kind: 'danger', attrs: { 'aria-describedby': nameId } });
  return h(
    'li',
    { 'data-connection-id': connection.connection_id, 'data-state': connection.state },
    h(
      'div',
      { class: 'row-head' },
      h('span', { class: 'row-name', id: nameId }, provider.name),
      h('span', { class: `badge badge-${connection.state}` }, connection.state),
      connection.account_email ? userText(connection.account_email, 'span', { class: 'muted' }) : null,
    ),
    h('p', { class: 'facts' }, `Connected ${formatDate(connection.created_at)} · no. …${connection.connection_id.slice(-6)}`, connection.expires_at ? ` · renews by ${formatDate(connection.expires_at)}` : ''),
    h('p', {}, advice(connection)),
    provider.kind === 'consent' ? h('p', { class: 'mail-state', 'data-mail': connection.mail ? 'on' : 'off' }, mailWords(connection)) : null,
    h(
      'div',
      { class: 'actions' },
      connection.state === 'revoked'
        ? button('Connect again', (event) => onConnect(event.currentTarget, connection.provider, connection.mail), { kind: 'primary' })
        : null,
      disconnect,
    ),
    confirmBox,
  );
}

export async function render(main, { query = {} } = {}) {
  let listing;
  try {
    listing = (await api('GET', '/v1/connections')).data;
  } catch (error) {
    clear(main).append(h('h1', {}, 'Calendars'), errorState(error, () => render(main, { query })));
    return;
  }
  const available = new Set(listing.available_providers || []);
  const messages = h('div', {});
  const listSection = h('section', { 'aria-labelledby': 'connections-heading' });
  const panelHolder = h('div', {});

  function showProblem(text) {
    clear(messages).append(h('p', { class: 'page-error', role: 'alert' }, text));
  }

  async function refresh() {
    listing = (await api('GET', '/v1/connections')).data;
    drawList();
  }

  function drawList() {
    clear(listSection).append(h('h2', { id: 'connections-heading' }, 'Your calendars'));
    if (!listing.connections.length) {
      listSection.append(
        emptyState('No calendar is connected yet. Connect one below: Kith learns whom you met from it and resets their clocks.'),
      );
      return;
    }
    listSection.append(h('ul', { class: 'list' }, listing.connections.map((c) => connectionRow(c, disconnectOne, connect))));
  }

  async function disconnectOne(btn, connection) {
    try {
      await busy(btn, () => api('DELETE', `/v1/connections/${encodeURIComponent(connection.connection_id)}`));
      announce(`${(PROVIDERS[connection.provider] || {}).name || connection.provider} is disconnected.`);
      await refresh();
      listSection.querySelector('h2').setAttribute('tabindex', '-1');
      listSection.querySelector('h2').focus();
    } catch (error) {
      showProblem(error.message);
    }
  }

  async function connect(btn, provider, mail = false) {
    clear(messages);
    const spec = PROVIDERS[provider];
    try {
      if (spec.kind === 'consent') {
        const { data } = await busy(btn, () => api('POST', `/v1/connections/${provider}/authorize`, { body: { mail } }));
        announce(`Taking you to ${spec.name} to allow Kith.`);
        location.assign(data.authorize_url);
        return;
      }
      const { data: created } = await busy(btn, () => api('POST', '/v1/connections', { body: { provider } }));
      const panel = createdPanel(created, async () => {
        clear(panelHolder);
        await refresh().catch((error) => showProblem(error.message));
        listSection.querySelector('h2').setAttribute('tabindex', '-1');
        listSection.querySelector('h2').focus();
      });
      clear(panelHolder).append(panel);
      panel.focus();
      announce(`${spec.name} is connected: copy the webhook URL and the secret now.`);
      refresh().catch(() => {});
    } catch (error) {
      showProblem(error.message);
    }
  }

  const connectList = h(
    'ul',
    { class: 'list provider-list' },
    Object.entries(PROVIDERS).map(([provider, spec]) => {
      const ready = available.has(provider);
      const descId = `provider-${provider}-what`;
      const mailBox = spec.kind === 'consent' && ready ? field({ label: MAIL_CHOICE, name: `mail-${provider}`, type: 'checkbox', value: false }) : null;
      return h(
        'li',
        { 'data-provider': provider },
        h('div', { class: 'row-head' }, h('span', { class: 'row-name' }, spec.name)),
        h('p', { class: 'muted', id: descId }, ready ? spec.what : `Not available: whoever runs this Kith has not set up ${spec.name} (it needs an OAuth client in the stack's settings).`),
        mailBox,
        h(
          'div',
          { class: 'actions' },
          button(`Connect ${spec.name}`, (event) => connect(event.currentTarget, provider, Boolean(mailBox && mailBox.control.checked)), {
            kind: 'primary',
            attrs: { disabled: !ready, 'aria-describedby': descId },
          }),
        ),
      );
    }),
  );

  if (query.connected && PROVIDERS[query.connected]) {
    messages.append(h('p', { class: 'notice notice-ok', role: 'status' }, `${PROVIDERS[query.connected].name} is connected. Kith reads your meetings from now on.`));
  }
  drawList();
  clear(main).append(
    h('h1', {}, 'Calendars'),
    h('p', { class: 'muted' }, 'Kith reads who was at your meetings, and when (never more), to know whom you have seen.'),
    messages,
    panelHolder,
    listSection,
    listing.bcc_address ? bccPanel(listing.bcc_address) : null,
    h('section', { 'aria-labelledby': 'connect-heading' }, h('h2', { id: 'connect-heading' }, 'Connect a calendar'), connectList),
  );
}
