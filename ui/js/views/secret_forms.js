// The forms of a secret: its fields (new or edited) and its metadata.
import { api } from '../api.js';
import { actionForm, field, fill, h, notice, uid } from '../dom.js';
import { stringOf } from './reveal.js';

// Rows of name and value; values are typed into password fields, each with
// its own Show toggle. onsave(name, data) is awaited; its error is shown.
export function editor({ named = false, fields, onsave, oncancel }) {
  const outcome = notice();
  const rows = h('ul', { class: 'rows' });
  const [nameField, nameInput] = field('Secret name (may hold folders: app/db)', { name: 'name', required: true });
  let count = 0;

  function addRow(key = '', value = '') {
    count += 1;
    const keyId = uid('key');
    const valueId = uid('value');
    const keyInput = h('input', { id: keyId, type: 'text', autocomplete: 'off', spellcheck: 'false', value: key, class: 'key' });
    const valueInput = h('input', { id: valueId, type: 'password', autocomplete: 'new-password', spellcheck: 'false', value: stringOf(value), class: 'val' });
    valueInput.json = typeof value !== 'string';
    const show = h('button', { type: 'button', 'aria-pressed': 'false', 'aria-label': `Show value ${count}` }, 'Show');
    show.addEventListener('click', () => {
      const hidden = valueInput.type === 'password';
      valueInput.type = hidden ? 'text' : 'password';
      show.setAttribute('aria-pressed', String(hidden));
      show.textContent = hidden ? 'Hide' : 'Show';
    });
    const row = h(
      'li',
      {},
      h('label', { for: keyId }, `Field ${count} name`),
      keyInput,
      h('label', { for: valueId }, `Field ${count} value`),
      valueInput,
      show,
      h('button', { type: 'button', onclick: () => row.remove(), 'aria-label': `Remove field ${count}` }, 'Remove'),
    );
    rows.append(row);
    return keyInput;
  }

  for (const [key, value] of Object.entries(fields)) addRow(key, value);
  if (Object.keys(fields).length === 0) addRow();

  const form = h(
    'form',
    {
      onsubmit: async (event) => {
        event.preventDefault();
        outcome.clear();
        const data = {};
        for (const row of rows.children) {
          const key = row.querySelector('.key').value.trim();
          const input = row.querySelector('.val');
          if (key === '') continue;
          if (key in data) return outcome.show(`The field name "${key}" is given twice.`);
          let value = input.value;
          if (input.json) {
            try {
              value = JSON.parse(value);
            } catch {
              // kept as the text typed
            }
          }
          data[key] = value;
        }
        if (Object.keys(data).length === 0) return outcome.show('A secret needs at least one field with a name.');
        const name = named ? nameInput.value.trim().replace(/^\/+/, '') : '';
        if (named && (name === '' || name.endsWith('/'))) return outcome.show('Give the secret a name that does not end in "/".');
        try {
          await onsave(name, data);
          for (const input of rows.querySelectorAll('.val')) input.value = '';
        } catch (error) {
          outcome.show(`Not saved: ${error.message}`);
        }
      },
    },
    named ? nameField : null,
    rows,
    h('div', { class: 'actions' },
      h('button', { type: 'button', onclick: () => addRow().focus() }, 'Add field'),
      h('button', { type: 'submit', class: 'primary' }, 'Save'),
      h('button', { type: 'button', onclick: oncancel }, 'Cancel')),
    outcome,
  );
  return form;
}

// max_versions, cas_required, delete_version_after and custom metadata.
export function metadataForm(metadata, path, outcome, reload) {
  const [maxField, maxInput] = field('Versions kept (0: the mount\'s setting)', { type: 'number', min: 0, name: 'max_versions', value: String(metadata.max_versions) });
  const casId = uid('cas');
  const cas = h('input', { id: casId, type: 'checkbox', checked: metadata.cas_required, name: 'cas_required' });
  const [afterField, afterInput] = field('Delete versions after (e.g. 720h; 0s: never)', { name: 'delete_version_after', value: metadata.delete_version_after });
  const custom = Object.entries(metadata.custom_metadata || {}).map(([key, value]) => `${key}=${value}`).join('\n');
  const [customField, customInput] = field('Custom metadata (one key=value per line)', { multiline: true, rows: 3, name: 'custom_metadata', value: custom });
  const box = h('section', { 'aria-label': 'Metadata' });
  const form = actionForm(
    {
      outcome,
      failure: 'Metadata not saved',
      action: async () => {
        const customMetadata = {};
        for (const line of customInput.value.split('\n')) {
          if (line.trim() === '') continue;
          const at = line.indexOf('=');
          if (at <= 0) throw new Error(`custom metadata: "${line}" is not key=value`);
          customMetadata[line.slice(0, at).trim()] = line.slice(at + 1).trim();
        }
        await api('POST', path, {
          max_versions: Number(maxInput.value),
          cas_required: cas.checked,
          delete_version_after: afterInput.value.trim(),
          custom_metadata: customMetadata,
        });
        reload();
      },
    },
    maxField,
    h('div', { class: 'field check' }, cas, h('label', { for: casId }, 'Writes must name the version they replace (check-and-set)')),
    afterField,
    customField,
    h('button', { type: 'submit' }, 'Save metadata'),
  );
  return fill(box, h('h2', {}, 'Metadata'), form);
}
