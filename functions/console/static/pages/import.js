// Import: pick a contact file, see what a dry run says would happen to each row, confirm, and watch it
// import in parts of PART_ROWS rows (each part a quick request), with a Retry for the rest if one fails.

import { api } from '../api.js';
import { announce, busy, button, clear, field, h, userText } from '../ui.js';

const PART_ROWS = 200;
const MAX_BYTES = 4 * 1024 * 1024;
const SHOWN_ROWS = 100;
const FORMATS = {
  linkedin: 'a LinkedIn connections export',
  google: 'a Google Contacts export',
  vcard: 'a vCard file',
  kith: 'a Kith export',
};
const OUTCOMES = { new: 'New', merged: 'Merged', unchanged: 'Unchanged', skipped: 'Skipped' };
const CHANGED = {
  emails: 'e-mail addresses',
  linkedin_url: 'LinkedIn profile',
  company: 'company',
  title: 'title',
  notes: 'notes',
  goal: 'goal',
  tags: 'tags',
  last_interaction_at: 'last in touch',
  last_interaction_title: 'last interaction',
};

function mediaType(file) {
  return /\.vcf$/i.test(file.name) || /vcard/i.test(file.type) ? 'text/vcard' : 'text/csv';
}

// The API's words as a sentence: "the file is empty" reads "The file is empty."
function sentence(words) {
  const text = String(words || '').trim();
  if (!text) return '';
  return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?)]$/.test(text) ? '' : '.');
}

function plural(count, one, many = `${one}s`) {
  return `${count.toLocaleString()} ${count === 1 ? one : many}`;
}

function totals(report) {
  return h(
    'ul',
    { class: 'import-totals' },
    ['new', 'merged', 'unchanged', 'skipped'].map((key) =>
      h('li', { class: `import-total import-${key}` }, h('strong', {}, report[key].toLocaleString()), ` ${OUTCOMES[key].toLowerCase()}`),
    ),
  );
}

function details(row) {
  const parts = [];
  if (row.changes && row.changes.length) parts.push(`Adds ${row.changes.map((name) => CHANGED[name] || name).join(', ')}.`);
  if (row.reason) parts.push(sentence(row.reason));
  return parts.length ? userText(parts.join(' ')) : '';
}

// The dry run's rows in a table, filtered by outcome and shown a hundred at a time.
function reportTable(report) {
  const counts = { all: report.rows.length, ...Object.fromEntries(Object.keys(OUTCOMES).map((key) => [key, report[key]])) };
  const show = field({
    label: 'Rows shown',
    name: 'outcome',
    type: 'select',
    value: report.skipped ? 'skipped' : 'all',
    options: [
      { value: 'all', label: `All rows (${counts.all.toLocaleString()})` },
      ...Object.entries(OUTCOMES).map(([value, label]) => ({ value, label: `${label} (${counts[value].toLocaleString()})` })),
    ],
  });
  const body = h('tbody');
  const more = h('div', { class: 'pager' });
  let rows = [];
  let shown = 0;
  const showMore = () => {
    const next = rows.slice(shown, shown + SHOWN_ROWS);
    body.append(
      ...next.map((row) =>
        h(
          'tr',
          { class: `outcome-${row.outcome}` },
          h('td', { 'data-label': 'Line' }, String(row.line)),
          h('td', { 'data-label': 'Name' }, row.name ? userText(row.name) : h('span', { class: 'muted' }, 'no name')),
          h('td', { 'data-label': 'What happens' }, OUTCOMES[row.outcome] || row.outcome),
          h('td', { 'data-label': 'Details' }, details(row)),
        ),
      ),
    );
    shown += next.length;
    clear(more);
    if (shown < rows.length) {
      more.append(
        h('span', { class: 'muted' }, `Showing ${shown.toLocaleString()} of ${rows.length.toLocaleString()} rows.`),
        button(`Show ${Math.min(SHOWN_ROWS, rows.length - shown)} more`, showMore),
      );
    }
  };
  const refill = () => {
    const wanted = show.control.value;
    rows = wanted === 'all' ? report.rows : report.rows.filter((row) => row.outcome === wanted);
    shown = 0;
    clear(body);
    if (!rows.length) body.append(h('tr', {}, h('td', { colspan: '4', class: 'muted' }, 'No rows of this kind.')));
    showMore();
  };
  show.control.addEventListener('change', refill);
  refill();
  return h(
    'div',
    {},
    h('h3', { class: 'report-rows' }, 'Row by row'),
    h('div', { class: 'narrow' }, show),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'import-report' },
        h('caption', { class: 'sr-only' }, 'What happens to each row of the file'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Line'), h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'What happens'), h('th', { scope: 'col' }, 'Details'))),
        body,
      ),
    ),
    more,
  );
}

// Imports the parts from `start` on; resolves what was done, stops at the first part that fails.
async function importParts({ bytes, file, readable, start, sums, onPart }) {
  for (let from = start; from < readable; from += PART_ROWS) {
    const to = Math.min(from + PART_ROWS, readable);
    const answer = await api('POST', '/v1/imports', {
      query: { dry_run: 'false', filename: file.name.slice(0, 255), rows: `${from}:${to}` },
      body: bytes,
      headers: { 'Content-Type': mediaType(file) },
    }).catch((error) => {
      error.part = { from, to };
      throw error;
    });
    for (const key of Object.keys(OUTCOMES)) sums[key] += answer.data[key];
    onPart(to);
  }
  return sums;
}

export async function render(main) {
  const picker = field({
    label: 'Contact file',
    name: 'file',
    type: 'file',
    hint: 'LinkedIn’s Connections.csv, a Google Contacts CSV, a vCard (.vcf) or a Kith CSV export. Up to 4 MB and 10,000 contacts.',
    inputAttrs: { accept: '.csv,.vcf,text/csv,text/vcard,text/x-vcard' },
  });
  const check = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Check the file');
  const refusal = h('div', { role: 'alert' });
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'pick-heading' },
    h('h2', { id: 'pick-heading' }, 'Pick a file'),
    h('p', {}, 'Kith first reads the file and shows what importing it would do, row by row. Nothing is imported until you confirm. Importing the same file again changes nothing: rows merge into the contacts they match by e-mail address, LinkedIn profile or name, and never overwrite what you wrote.'),
    picker,
    refusal,
    h('div', { class: 'actions' }, check),
  );
  const stage = h('div', { class: 'import-stage' });
  clear(main).append(h('div', { class: 'page-header' }, h('h1', {}, 'Import')), form, stage);

  const restart = () => {
    clear(stage);
    picker.control.value = '';
    clear(refusal);
    form.hidden = false;
    picker.control.focus();
  };

  picker.control.addEventListener('change', () => {
    if (picker.control.files.length) form.requestSubmit(check);
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(refusal);
    clear(stage);
    const file = picker.control.files[0];
    const refuse = (words) => {
      refusal.append(h('p', { class: 'page-error' }, words));
      picker.control.focus();
    };
    if (!file) return refuse('Choose a file first.');
    if (!file.size) return refuse('This file is empty.');
    if (file.size > MAX_BYTES) {
      const size = (Math.ceil((file.size / 1048576) * 10) / 10).toFixed(1);
      return refuse(`This file is ${size} MB, more than the 4 MB Kith imports at once. Split it, or export fewer contacts at a time.`);
    }
    try {
      const bytes = new Blob([await file.arrayBuffer()]);
      const answer = await busy(check, api('POST', '/v1/imports', {
        query: { dry_run: 'true', filename: file.name.slice(0, 255) },
        body: bytes,
        headers: { 'Content-Type': mediaType(file) },
      }));
      showReport(file, bytes, answer.data);
    } catch (error) {
      refuse(error.status === 413 ? 'This file is too large: Kith imports files of up to 4 MB.' : sentence(error.message));
    }
  });

  function showReport(file, bytes, report) {
    const importable = report.new + report.merged;
    const confirm = button(`Import ${plural(importable, 'contact')}`, () => start(), { kind: 'primary' });
    const other = button('Choose another file', restart);
    const heading = h('h2', { id: 'report-heading', tabindex: '-1' }, 'What importing ', userText(file.name), ' would do');
    const kind = FORMATS[report.format] || report.format;
    const adds = [
      report.new ? `adds ${plural(report.new, 'new contact')}` : null,
      report.merged ? `adds to ${plural(report.merged, 'contact')} you have` : null,
    ].filter(Boolean);
    const said = [
      importable
        ? `Kith read ${plural(report.readable_rows, 'row')} of ${kind}. Importing it ${adds.join(' and ')}.`
        : `Kith read ${kind}, but nothing in it is new: importing it would change nothing.`,
      report.skipped ? ` ${plural(report.skipped, 'row is', 'rows are')} skipped: the table below says why.` : '',
    ].join('');
    const section = h(
      'section',
      { class: 'card', 'aria-labelledby': 'report-heading' },
      heading,
      h('p', {}, said),
      totals(report),
      h('div', { class: 'actions' }, importable ? confirm : null, other),
      reportTable(report),
    );
    clear(stage).append(section);
    form.hidden = true;
    heading.focus();

    const progress = h('progress', { max: String(report.readable_rows), value: '0', 'aria-label': 'Rows imported' });
    const words = h('p', { id: 'progress-words', 'aria-live': 'polite' });
    const sums = { new: 0, merged: 0, unchanged: 0, skipped: 0 };
    const warn = (event) => {
      event.preventDefault();
      event.returnValue = '';
    };

    async function start(from = 0) {
      const panel = h('section', { class: 'card', 'aria-labelledby': 'progress-heading' }, h('h2', { id: 'progress-heading' }, 'Importing ', userText(file.name)), progress, words);
      clear(stage).append(panel);
      const said_ = (done) => `${done.toLocaleString()} of ${plural(report.readable_rows, 'row')} imported`;
      words.textContent = said_(from);
      progress.value = from;
      window.addEventListener('beforeunload', warn);
      try {
        await importParts({
          bytes, file, readable: report.readable_rows, start: from, sums,
          onPart: (done) => {
            progress.value = done;
            words.textContent = said_(done);
          },
        });
        window.removeEventListener('beforeunload', warn);
        finished(panel);
      } catch (error) {
        window.removeEventListener('beforeunload', warn);
        stopped(panel, error);
      }
    }

    function finished(panel) {
      announce(`Import finished: ${sums.new} new, ${sums.merged} merged.`);
      const heading_ = h('h2', { id: 'done-heading', tabindex: '-1' }, 'Imported ', userText(file.name));
      panel.replaceChildren(
        heading_,
        h('p', { class: 'notice notice-ok' }, `Done: ${plural(sums.new, 'new contact')}, ${plural(sums.merged, 'contact')} added to, ${sums.unchanged.toLocaleString()} unchanged, ${sums.skipped.toLocaleString()} skipped.`),
        totals(sums),
        h('div', { class: 'actions' }, h('a', { class: 'btn btn-primary', href: '#/people' }, 'See your people'), button('Import another file', restart)),
      );
      heading_.focus();
    }

    function stopped(panel, error) {
      const { from, to } = error.part || { from: 0, to: 0 };
      const retry = button('Retry the rest', () => start(from), { kind: 'primary' });
      panel.replaceChildren(
        h('h2', { id: 'stopped-heading' }, 'The import stopped'),
        progress,
        h(
          'div',
          { class: 'page-error', role: 'alert' },
          h('p', {}, `Rows ${(from + 1).toLocaleString()} to ${to.toLocaleString()} could not be imported. `, sentence(error.message)),
          h('p', {}, from
            ? `The ${plural(from, 'row')} before them were imported (${sums.new.toLocaleString()} new, ${sums.merged.toLocaleString()} merged, ${sums.unchanged.toLocaleString()} unchanged, ${sums.skipped.toLocaleString()} skipped).`
            : 'Nothing was imported.'),
        ),
        h('p', {}, `Retry imports the remaining ${plural(report.readable_rows - from, 'row')}; rows already in Kith are not imported twice.`),
        h('div', { class: 'actions' }, retry, h('a', { class: 'btn btn-secondary', href: '#/people' }, 'See your people')),
      );
      retry.focus();
    }
  }
}
