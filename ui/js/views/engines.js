// Secrets engines: the mounts, enabling a KV or transit mount, disabling one.
import { api } from '../api.js';
import { actionForm, attempt, confirmButton, field, fill, h, notice } from '../dom.js';

export async function render(area, _segments, app) {
  const answer = await api('GET', 'sys/mounts');
  const outcome = notice();
  const rows = Object.entries(answer.data).map(([path, about]) =>
    h(
      'tr',
      {},
      h('td', {}, path),
      h('td', {}, about.type + (about.options && about.options.version ? ` v${about.options.version}` : '')),
      h('td', {}, about.description || ''),
      h(
        'td',
        {},
        about.type === 'system' || about.type === 'cubbyhole'
          ? null
          : confirmButton('Disable', `Press again to disable ${path} and delete what it holds`, () =>
              attempt(outcome, async () => {
                await api('DELETE', `sys/mounts/${path.replace(/\/$/, '')}`);
                app.rerender();
              }),
            ),
      ),
    ),
  );
  const [pathField, path] = field('Path', { name: 'mount-path' });
  const typeId = 'mount-type';
  const type = h(
    'select',
    { id: typeId, name: 'mount-type' },
    h('option', { value: 'kv-v2' }, 'kv (version 2)'),
    h('option', { value: 'kv-v1' }, 'kv (version 1)'),
    h('option', { value: 'transit' }, 'transit'),
  );
  const form = actionForm(
    {
      className: 'inline',
      outcome,
      failure: 'Not enabled',
      action: async () => {
        const body =
          type.value === 'transit' ? { type: 'transit' } : { type: 'kv', options: { version: type.value === 'kv-v2' ? '2' : '1' } };
        await api('POST', `sys/mounts/${path.value.trim()}`, body);
        app.rerender();
      },
    },
    pathField,
    h('div', { class: 'field' }, h('label', { for: typeId }, 'Type'), type),
    h('button', { type: 'submit' }, 'Enable'),
  );
  fill(
    area,
    h('h1', {}, 'Secrets engines'),
    h('table', {}, h('thead', {}, h('tr', {}, ['Path', 'Type', 'Description', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, rows)),
    h('h2', {}, 'Enable an engine'),
    form,
    outcome,
  );
}
