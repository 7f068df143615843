// One KV v2 secret: its fields masked until revealed, editing as a new
// version, its versions (delete, undelete, destroy, roll back), a diff of
// two versions that names the changed fields without showing their values,
// and its metadata.
import { api, can, capabilities } from '../api.js';
import { attempt, confirmButton, fill, h, notice } from '../dom.js';
import { editor, metadataForm } from './secret_forms.js';
import { secretValue, stringOf } from './reveal.js';
import { breadcrumbs } from './secrets.js';

// The "New secret" form of a folder.
export function creator(mount, prefix, app) {
  const box = h('section', { 'aria-label': 'New secret' });
  const open = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      onclick: () => {
        fill(
          box,
          h('h2', {}, 'New secret'),
          editor({
            named: true,
            fields: {},
            onsave: async (name, data) => {
              await api('POST', `${mount}/data/${prefix}${name}`, { data, options: { cas: 0 } });
              app.say(`Created ${prefix}${name}.`);
              app.go('secrets', mount, ...`${prefix}${name}`.split('/'));
            },
            oncancel: () => fill(box, open),
          }),
        );
      },
    },
    'New secret',
  );
  return fill(box, open);
}

export async function render(area, mount, path, app) {
  const name = path.join('/');
  const at = (kind) => `${mount}/${kind}/${name}`;
  const kinds = ['data', 'metadata', 'delete', 'undelete', 'destroy'];
  const caps = await capabilities(kinds.map(at));
  const may = (kind, operation) => can(caps[at(kind)], operation);
  const outcome = notice();
  fill(area, breadcrumbs(mount, path, app), h('h1', {}, name), outcome);

  let metadata = null;
  if (may('metadata', 'read')) {
    try {
      metadata = (await api('GET', at('metadata'))).data;
    } catch (error) {
      if (error.status !== 404) outcome.show(error.message);
    }
  }
  let current = null;
  let currentError = null;
  if (may('data', 'read')) {
    try {
      current = (await api('GET', at('data'))).data;
    } catch (error) {
      currentError = error;
    }
  }
  const reload = () => app.rerender();

  // The latest version's fields.
  const fieldsBox = h('section', { 'aria-label': 'Fields' });
  function showFields() {
    const version = current ? current.metadata.version : metadata && metadata.current_version;
    fill(fieldsBox, h('h2', {}, version ? `Version ${version}` : 'Fields'));
    if (!current) {
      fieldsBox.append(
        h('p', { class: 'muted' }, currentError ? stateOf(metadata, currentError) : 'Your token may not read this secret.'),
      );
    } else {
      fieldsBox.append(h('ul', { class: 'fields' }, Object.entries(current.data).map(([key, value]) => secretValue(key, value))));
    }
    const actions = h('div', { class: 'actions' });
    if (current && may('data', 'update')) {
      actions.append(
        h(
          'button',
          {
            type: 'button',
            class: 'primary',
            onclick: () =>
              fill(
                fieldsBox,
                h('h2', {}, `Edit (saved as version ${current.metadata.version + 1})`),
                editor({
                  fields: current.data,
                  onsave: async (_name, data) => {
                    await api('POST', at('data'), { data, options: { cas: current.metadata.version } });
                    app.say(`Saved version ${current.metadata.version + 1}.`);
                    reload();
                  },
                  oncancel: showFields,
                }),
              ),
          },
          'Edit',
        ),
      );
    }
    if (current && may('data', 'delete')) {
      actions.append(
        confirmButton('Delete latest version', `Press again to delete version ${current.metadata.version}`, async () => {
          await run(outcome, () => api('DELETE', at('data')), reload);
        }),
      );
    }
    fieldsBox.append(actions);
  }
  showFields();
  area.append(fieldsBox);
  if (metadata) {
    area.append(versions(metadata, current, { at, may, outcome, reload, app }));
    if (may('data', 'read')) area.append(diff(metadata, at));
    if (may('metadata', 'update')) area.append(metadataForm(metadata, at('metadata'), outcome, reload));
  }
}

// Why the latest version cannot be read: deleted, destroyed or refused.
function stateOf(metadata, error) {
  const latest = metadata && metadata.versions[String(metadata.current_version)];
  if (latest && latest.destroyed) return `Version ${metadata.current_version} is destroyed.`;
  if (latest && latest.deletion_time) return `Version ${metadata.current_version} was deleted at ${latest.deletion_time}.`;
  return error.message;
}

function run(outcome, call, then) {
  return attempt(outcome, async () => {
    await call();
    then();
  });
}

function versions(metadata, current, { at, may, outcome, reload, app }) {
  const numbers = Object.keys(metadata.versions)
    .map(Number)
    .sort((a, b) => b - a);
  const rows = numbers.map((number) => {
    const about = metadata.versions[String(number)];
    const state = about.destroyed ? 'destroyed' : about.deletion_time ? `deleted ${about.deletion_time}` : 'live';
    const actions = h('td', { class: 'actions' });
    const versions = { versions: [number] };
    if (!about.destroyed && !about.deletion_time && current && number !== current.metadata.version && may('data', 'update')) {
      actions.append(
        h(
          'button',
          {
            type: 'button',
            onclick: () =>
              run(
                outcome,
                async () => {
                  const old = await api('GET', at('data'), undefined, { query: { version: number } });
                  await api('POST', at('data'), { data: old.data.data, options: { cas: current.metadata.version } });
                  app.say(`Rolled back: version ${current.metadata.version + 1} holds version ${number}'s fields.`);
                },
                reload,
              ),
          },
          `Roll back to ${number}`,
        ),
      );
    }
    if (!about.destroyed && !about.deletion_time && may('delete', 'update')) {
      actions.append(h('button', { type: 'button', onclick: () => run(outcome, () => api('POST', at('delete'), versions), reload) }, `Delete ${number}`));
    }
    if (!about.destroyed && about.deletion_time && may('undelete', 'update')) {
      actions.append(h('button', { type: 'button', onclick: () => run(outcome, () => api('POST', at('undelete'), versions), reload) }, `Undelete ${number}`));
    }
    if (!about.destroyed && may('destroy', 'update')) {
      actions.append(confirmButton(`Destroy ${number}`, `Press again to destroy ${number} for good`, () => run(outcome, () => api('POST', at('destroy'), versions), reload)));
    }
    return h('tr', {}, h('td', {}, String(number)), h('td', {}, about.created_time), h('td', {}, state), actions);
  });
  return h(
    'section',
    { 'aria-label': 'Versions' },
    h('h2', {}, 'Versions'),
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, ['Version', 'Created', 'State', 'Actions'].map((title) => h('th', { scope: 'col' }, title)))),
      h('tbody', {}, rows),
    ),
  );
}

// Which fields differ between two versions; values only when revealed.
function diff(metadata, at) {
  const live = Object.entries(metadata.versions)
    .filter(([, about]) => !about.destroyed && !about.deletion_time)
    .map(([number]) => Number(number))
    .sort((a, b) => a - b);
  const result = h('div', { role: 'status' });
  const picker = (label, initial) => {
    const id = `diff-${label.toLowerCase()}`;
    const select = h('select', { id }, live.map((number) => h('option', { value: String(number), selected: number === initial }, String(number))));
    return [h('label', { for: id }, label), select];
  };
  const [fromLabel, from] = picker('From', live[live.length - 2]);
  const [toLabel, to] = picker('To', live[live.length - 1]);
  const form = h(
    'form',
    {
      class: 'inline',
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          const [a, b] = await Promise.all(
            [from.value, to.value].map((version) => api('GET', at('data'), undefined, { query: { version } })),
          );
          fill(result, h('ul', { class: 'fields' }, changes(a.data.data, b.data.data, from.value, to.value)));
        } catch (error) {
          fill(result, h('p', { class: 'notice error' }, error.message));
        }
      },
    },
    fromLabel,
    from,
    toLabel,
    to,
    h('button', { type: 'submit' }, 'Compare'),
  );
  if (live.length < 2) return h('section', { 'aria-label': 'Compare versions' }, h('h2', {}, 'Compare versions'), h('p', { class: 'muted' }, 'There is one live version.'));
  return h('section', { 'aria-label': 'Compare versions' }, h('h2', {}, 'Compare versions'), form, result);
}

function changes(before, after, fromVersion, toVersion) {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.map((name) => {
    const old = name in before ? stringOf(before[name]) : null;
    const now = name in after ? stringOf(after[name]) : null;
    const kind = old === null ? 'added' : now === null ? 'removed' : old === now ? 'unchanged' : 'changed';
    const item = h('li', { class: `change ${kind}` }, h('span', { class: 'name' }, name), h('span', { class: 'kind' }, kind));
    if (kind !== 'unchanged') {
      const shown = h('span', { class: 'value' });
      const reveal = h('button', { type: 'button', 'aria-label': `Reveal the change to ${name}` }, 'Reveal');
      reveal.addEventListener('click', () => {
        shown.textContent = `${fromVersion}: ${old ?? '(absent)'} → ${toVersion}: ${now ?? '(absent)'}`;
        reveal.remove();
      });
      item.append(shown, reveal);
    }
    return item;
  });
}
