// Building the page: elements from data as text (never as markup), forms with their errors, status words.

// The circles as the console names them, shared by every page that shows one.
export const CIRCLES = {
  inner: 'Inner circle',
  core: 'Core circle',
  wider: 'Wider circle',
  custom: 'Own cadence',
  never: 'Never',
};

export function circleName(circle) {
  return CIRCLES[circle] || circle;
}

const BOOLEAN_PROPS = new Set(['disabled', 'required', 'checked', 'selected', 'multiple', 'hidden', 'readonly', 'open']);

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'on') {
      for (const [type, handler] of Object.entries(value)) el.addEventListener(type, handler);
    } else if (key === 'class') {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value);
    } else if (key === 'for') {
      el.htmlFor = String(value);
    } else if (key === 'value' && 'value' in el) {
      el.value = String(value);
    } else if (BOOLEAN_PROPS.has(key)) {
      if (key === 'readonly') el.readOnly = true;
      else el[key] = true;
      if (key !== 'checked' && key !== 'selected') el.setAttribute(key, '');
    } else if (key === 'style' || key.startsWith('on') || key === 'innerHTML') {
      throw new Error(`h(): ${key} is not allowed`);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// Text a person or a file supplied (a name, a title): its own direction, isolated, wrapping anywhere.
export function userText(value, tag = 'span', attrs = {}) {
  const extra = attrs.class ? ` ${attrs.class}` : '';
  return h(tag, { ...attrs, dir: 'auto', class: `user-text${extra}` }, value ?? '');
}

let fieldCount = 0;

function optionList(options, selected) {
  return (options || []).map((option) => {
    const { value, label } = typeof option === 'object' ? option : { value: option, label: option };
    return h('option', { value, selected: String(value) === String(selected ?? '') }, label ?? value);
  });
}

// A labelled control with a hint and a slot for its error. The wrapper's `.control` is the control.
export function field({ label, name, type = 'text', value, hint, options, required, inputAttrs = {} }) {
  fieldCount += 1;
  const id = `f-${String(name).replace(/[^A-Za-z0-9_-]/g, '-')}-${fieldCount}`;
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ');
  const common = { id, name, required, 'aria-describedby': describedBy, ...inputAttrs };
  let control;
  if (type === 'select') {
    control = h('select', common, optionList(options, value));
  } else if (type === 'textarea') {
    control = h('textarea', common);
    control.value = value ?? '';
  } else if (type === 'checkbox') {
    control = h('input', { ...common, type, checked: Boolean(value) });
  } else {
    control = h('input', { ...common, type, value: value ?? '', dir: type === 'text' || type === 'search' ? 'auto' : null });
  }
  if (type === 'text' || type === 'textarea') control.setAttribute('dir', 'auto');
  const labelEl = h('label', { for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null);
  const hintEl = hint ? h('p', { class: 'hint', id: hintId }, hint) : null;
  const errorEl = h('p', { class: 'field-error', id: errorId, hidden: true });
  const wrapper = type === 'checkbox'
    ? h('div', { class: 'field field-check' }, control, labelEl, hintEl, errorEl)
    : h('div', { class: 'field' }, labelEl, control, hintEl, errorEl);
  wrapper.control = control;
  return wrapper;
}

function controlsOf(form) {
  return Array.from(form.elements).filter((el) => el.name);
}

function controlFor(controls, fieldName) {
  const exact = controls.find((el) => el.name === fieldName);
  if (exact) return exact;
  // "emails.2" belongs to the control named "emails"; "working_hours" to the first "working_hours.…".
  const parent = controls
    .filter((el) => fieldName.startsWith(`${el.name}.`))
    .sort((a, b) => b.name.length - a.name.length)[0];
  return parent || controls.find((el) => el.name.startsWith(`${fieldName}.`));
}

function slotFor(control) {
  const holder = control.closest('.field, fieldset');
  return holder ? holder.querySelector('.field-error') : null;
}

function formErrorBox(form) {
  let box = form.querySelector(':scope > .form-error');
  if (!box) {
    box = h('div', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true });
    form.prepend(box);
  }
  return box;
}

export function clearErrors(form) {
  for (const slot of form.querySelectorAll('.field-error')) {
    clear(slot).hidden = true;
  }
  for (const control of form.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
  const box = form.querySelector(':scope > .form-error');
  if (box) clear(box).hidden = true;
}

// Each problem beside the control it names; the rest, and what went wrong, in a box atop the form.
export function showErrors(form, error) {
  clearErrors(form);
  const controls = controlsOf(form);
  const unplaced = [];
  let first = null;
  for (const detail of error.details || []) {
    const control = controlFor(controls, String(detail.field || ''));
    const slot = control && slotFor(control);
    if (!slot) {
      unplaced.push(detail);
      continue;
    }
    control.setAttribute('aria-invalid', 'true');
    slot.hidden = false;
    if (slot.textContent) slot.append(' ');
    slot.append(detail.problem);
    first = first || control;
  }
  const box = formErrorBox(form);
  const placedAll = (error.details || []).length > 0 && unplaced.length === 0;
  box.append(h('p', {}, placedAll ? 'Nothing was saved: see the problems marked below.' : error.message));
  if (unplaced.length) {
    box.append(h('ul', {}, unplaced.map((d) => h('li', {}, d.field ? `${d.field}: ${d.problem}` : d.problem))));
  }
  box.hidden = false;
  const focusable = first && first.type === 'hidden'
    ? first.closest('fieldset').querySelector('input:not([type="hidden"]), select, textarea')
    : first;
  (focusable || box).focus();
}

let announceTimer = null;

export function announce(text) {
  const region = document.getElementById('status');
  if (!region) return;
  clear(region);
  clearTimeout(announceTimer);
  // A beat later, so the same words said twice are read twice.
  setTimeout(() => {
    region.textContent = text;
    region.hidden = false;
  }, 50);
  announceTimer = setTimeout(() => {
    clear(region).hidden = true;
  }, 8000);
}

// actionLink: a node, {href, label}, or a list of them.
export function emptyState(text, actionLink) {
  const actions = (Array.isArray(actionLink) ? actionLink : [actionLink]).filter(Boolean).map((action) =>
    action instanceof Node ? action : h('a', { href: action.href, class: 'btn btn-secondary' }, action.label),
  );
  return h('div', { class: 'empty' }, h('p', {}, text), actions.length ? h('p', { class: 'actions' }, actions) : null);
}

export function loading(text = 'Loading…') {
  return h('p', { class: 'loading', role: 'status' }, text);
}

// An error as words in the page, with a way to try again.
export function errorState(error, retry) {
  return h(
    'div',
    { class: 'page-error', role: 'alert' },
    h('p', {}, error && error.message ? error.message : 'Something went wrong.'),
    retry ? button('Try again', retry) : null,
  );
}

export function formatDate(iso, timeZone, { time = true } = {}) {
  if (!iso) return '';
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return '';
  const options = time ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' };
  try {
    return new Intl.DateTimeFormat(undefined, { ...options, timeZone: timeZone || undefined }).format(when);
  } catch {
    return new Intl.DateTimeFormat(undefined, options).format(when);
  }
}

export function formatDaysAgo(iso, now = Date.now()) {
  if (!iso) return 'never';
  const days = Math.floor((now - new Date(iso).getTime()) / 86400000);
  if (Number.isNaN(days)) return '';
  if (days === 0) return 'today';
  if (days === 1) return 'yesterday';
  if (days === -1) return 'tomorrow';
  return days > 0 ? `${days} days ago` : `in ${-days} days`;
}

export function button(label, onClick, { kind = 'secondary', type = 'button', attrs = {} } = {}) {
  return h('button', { ...attrs, type, class: `btn btn-${kind}`, on: onClick ? { click: onClick } : {} }, label);
}

// Disables the button while the work runs; resolves or rejects as the work does.
export async function busy(btn, work) {
  btn.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  try {
    return await (typeof work === 'function' ? work() : work);
  } finally {
    btn.disabled = false;
    btn.removeAttribute('aria-busy');
  }
}
