// Access: tokens (create one for a set of policies, accessors with their
// TTLs, revoke), auth methods (enable, disable) and userpass users.
import { api, can, capabilities, list } from '../api.js';
import { actionForm, attempt, confirmButton, duration, field, fill, h, notice } from '../dom.js';
import { secretValue } from './reveal.js';

const pageSize = 50;

export async function render(area, _segments, app) {
  const caps = await capabilities(['auth/token/create', 'sys/auth', 'auth/userpass/users']);
  fill(area, h('h1', {}, 'Access'));
  if (can(caps['auth/token/create'], 'update')) area.append(tokenCreator(app));
  area.append(await accessors(app));
  const enabled = can(caps['sys/auth'], 'read') ? (await api('GET', 'sys/auth')).data : null;
  if (enabled) area.append(methods(enabled, app));
  // Users only where a userpass method is enabled (the token may not know).
  if ((!enabled || 'userpass/' in enabled) && can(caps['auth/userpass/users'], 'list')) {
    area.append(await users(app));
  }
}

function csv(text) {
  return text.split(',').map((part) => part.trim()).filter((part) => part !== '');
}

function tokenCreator(app) {
  const outcome = notice();
  const made = h('ul', { class: 'fields' });
  const [policiesField, policies] = field('Policies (comma-separated)', { name: 'token-policies', value: 'default' });
  const [ttlField, ttl] = field('TTL (e.g. 1h)', { name: 'token-ttl', value: '1h' });
  const [nameField, displayName] = field('Display name', { name: 'token-name' });
  const form = actionForm(
    {
      outcome,
      failure: 'No token made',
      action: async () => {
        const answer = await api('POST', 'auth/token/create', {
          policies: csv(policies.value),
          ttl: ttl.value.trim(),
          display_name: displayName.value.trim() || undefined,
        });
        fill(made, secretValue('New token', answer.auth.client_token), h('li', {}, h('span', { class: 'name' }, 'Accessor'), h('code', {}, answer.auth.accessor)));
      },
    },
    policiesField,
    ttlField,
    nameField,
    h('button', { type: 'submit', class: 'primary' }, 'Create token'),
  );
  return h('section', { 'aria-label': 'Create a token' }, h('h2', {}, 'Create a token'), form, outcome, made);
}

async function accessors(app) {
  const box = h('section', { 'aria-label': 'Tokens' }, h('h2', {}, 'Tokens'));
  const outcome = notice();
  const all = await list('auth/token/accessors');
  const table = h('tbody');
  let page = 0;
  const status = h('p', { class: 'muted', role: 'status' });
  async function show() {
    const shown = all.slice(page * pageSize, (page + 1) * pageSize);
    status.textContent = all.length ? `${page * pageSize + 1}–${page * pageSize + shown.length} of ${all.length}` : 'No tokens.';
    const rows = await Promise.all(
      shown.map(async (accessor) => {
        try {
          const about = (await api('POST', 'auth/token/lookup-accessor', { accessor })).data;
          return h(
            'tr',
            {},
            h('td', {}, h('code', {}, accessor)),
            h('td', {}, about.display_name),
            h('td', {}, (about.policies || []).join(', ')),
            h('td', {}, duration(about.ttl)),
            h(
              'td',
              {},
              confirmButton('Revoke', 'Press again to revoke', () =>
                attempt(outcome, async () => {
                  await api('POST', 'auth/token/revoke-accessor', { accessor });
                  app.say(`Revoked the token with accessor ${accessor}.`);
                  app.rerender();
                }),
              ),
            ),
          );
        } catch (error) {
          return h('tr', {}, h('td', {}, h('code', {}, accessor)), h('td', { colspan: 4 }, error.message));
        }
      }),
    );
    fill(table, rows);
  }
  await show();
  const pages = Math.ceil(all.length / pageSize);
  box.append(
    status,
    h('table', {}, h('thead', {}, h('tr', {}, ['Accessor', 'Display name', 'Policies', 'TTL', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))), table),
    pages > 1
      ? h('div', { class: 'pager' },
          h('button', { type: 'button', onclick: () => { if (page > 0) { page -= 1; show(); } } }, 'Previous page'),
          h('button', { type: 'button', onclick: () => { if (page + 1 < pages) { page += 1; show(); } } }, 'Next page'))
      : null,
    outcome,
  );
  return box;
}

function methods(enabled, app) {
  const outcome = notice();
  const [typeField, type] = field('Type (userpass, approle, jwt)', { name: 'auth-type', value: 'userpass' });
  const [pathField, path] = field('Path', { name: 'auth-path' });
  const rows = Object.entries(enabled).map(([at, about]) =>
    h(
      'tr',
      {},
      h('td', {}, at),
      h('td', {}, about.type),
      h('td', {}, about.description || ''),
      h(
        'td',
        {},
        about.type === 'token'
          ? null
          : confirmButton('Disable', `Press again to disable ${at}`, () =>
              attempt(outcome, async () => {
                await api('DELETE', `sys/auth/${at.replace(/\/$/, '')}`);
                app.rerender();
              }),
            ),
      ),
    ),
  );
  const form = actionForm(
    {
      className: 'inline',
      outcome,
      failure: 'Not enabled',
      action: async () => {
        await api('POST', `sys/auth/${path.value.trim() || type.value.trim()}`, { type: type.value.trim() });
        app.rerender();
      },
    },
    typeField,
    pathField,
    h('button', { type: 'submit' }, 'Enable'),
  );
  return h(
    'section',
    { 'aria-label': 'Auth methods' },
    h('h2', {}, 'Auth methods'),
    h('table', {}, h('thead', {}, h('tr', {}, ['Path', 'Type', 'Description', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, rows)),
    form,
    outcome,
  );
}

async function users(app) {
  const names = await list('auth/userpass/users');
  const outcome = notice();
  const [nameField, name] = field('Username', { name: 'user-name' });
  const [passwordField, password] = field('Password', { type: 'password', name: 'user-password', autocomplete: 'new-password' });
  const [policiesField, policies] = field('Policies (comma-separated)', { name: 'user-policies' });
  const form = actionForm(
    {
      outcome,
      failure: 'User not saved',
      action: async () => {
        await api('POST', `auth/userpass/users/${name.value.trim()}`, { password: password.value, token_policies: csv(policies.value) });
        password.value = '';
        app.say(`Saved user ${name.value.trim()}.`);
        app.rerender();
      },
    },
    nameField,
    passwordField,
    policiesField,
    h('button', { type: 'submit' }, 'Save user'),
  );
  return h(
    'section',
    { 'aria-label': 'Userpass users' },
    h('h2', {}, 'Userpass users'),
    h(
      'ul',
      { class: 'entries' },
      names.map((user) =>
        h(
          'li',
          {},
          h('span', { class: 'name' }, user),
          confirmButton(`Delete ${user}`, `Press again to delete ${user}`, () =>
            attempt(outcome, async () => {
              await api('DELETE', `auth/userpass/users/${user}`);
              app.rerender();
            }),
          ),
        ),
      ),
    ),
    form,
    outcome,
  );
}
