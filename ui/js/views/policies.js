// Policies: the list, one policy's text with the server's parse errors shown
// at their line and column, and a checker of what this token may do on a path.
import { api, can, capabilities, list } from '../api.js';
import { field, fill, h, notice } from '../dom.js';

export async function render(area, segments, app) {
  if (segments.length > 0) return policy(area, segments[0], app);
  const names = await list('sys/policies/acl');
  const caps = await capabilities(['sys/policies/acl/new-policy']);
  const [nameField, nameInput] = field('New policy name', { name: 'policy-name' });
  fill(
    area,
    h('h1', {}, 'Policies'),
    h('ul', { class: 'entries' }, names.map((name) => h('li', {}, h('a', { href: `#/policies/${encodeURIComponent(name)}` }, name)))),
    can(caps['sys/policies/acl/new-policy'], 'create')
      ? h(
          'form',
          {
            class: 'inline',
            onsubmit: (event) => {
              event.preventDefault();
              if (nameInput.value.trim()) app.go('policies', nameInput.value.trim().toLowerCase());
            },
          },
          nameField,
          h('button', { type: 'submit' }, 'Write a new policy'),
        )
      : null,
    checker(),
  );
}

// "failed to parse policy: 3:1: expected ..." -> {line: 3, column: 1}.
function position(message) {
  const found = /(\d+):(\d+): /.exec(message);
  return found ? { line: Number(found[1]), column: Number(found[2]) } : null;
}

async function policy(area, name, app) {
  const path = `sys/policies/acl/${name}`;
  const caps = await capabilities([path]);
  let text = '';
  try {
    text = (await api('GET', path)).data.policy;
  } catch (error) {
    if (error.status !== 404) throw error;
  }
  const outcome = notice();
  const editable = can(caps[path], 'update') || (text === '' && can(caps[path], 'create'));
  const [textField, textInput] = field('Policy (HCL)', { multiline: true, rows: 16, name: 'policy', value: text, class: 'code', readonly: !editable });
  const form = h(
    'form',
    {
      onsubmit: async (event) => {
        event.preventDefault();
        outcome.clear();
        try {
          await api('PUT', path, { policy: textInput.value });
          outcome.show(`Saved policy ${name}.`, 'info');
        } catch (error) {
          const at = position(error.message);
          outcome.show(at ? `Line ${at.line}, column ${at.column}: ${error.message}` : error.message);
          if (at) {
            const lines = textInput.value.split('\n');
            const offset = lines.slice(0, at.line - 1).reduce((sum, line) => sum + line.length + 1, 0) + at.column - 1;
            textInput.focus();
            textInput.setSelectionRange(offset, offset);
          }
        }
      },
    },
    textField,
    editable ? h('button', { type: 'submit', class: 'primary' }, 'Save') : null,
    outcome,
  );
  const remove =
    can(caps[path], 'delete') && text !== '' && name !== 'default' && name !== 'root'
      ? h(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: async () => {
              try {
                await api('DELETE', path);
                app.say(`Deleted policy ${name}.`);
                app.go('policies');
              } catch (error) {
                outcome.show(error.message);
              }
            },
          },
          'Delete policy',
        )
      : null;
  fill(area, h('nav', { 'aria-label': 'Breadcrumb', class: 'crumbs' }, h('ol', {}, h('li', {}, h('a', { href: '#/policies' }, 'Policies')), h('li', {}, h('span', { 'aria-current': 'page' }, name)))), h('h1', {}, `Policy ${name}`), form, remove);
}

function checker() {
  const [pathField, pathInput] = field('Path', { name: 'check-path', placeholder: 'secret/data/app/db' });
  const answer = h('p', { role: 'status', id: 'capabilities' });
  return h(
    'section',
    { 'aria-label': 'Capabilities' },
    h('h2', {}, 'What may this token do?'),
    h(
      'form',
      {
        class: 'inline',
        onsubmit: async (event) => {
          event.preventDefault();
          const wanted = pathInput.value.trim().replace(/^\/+/, '');
          try {
            const caps = await api('POST', 'sys/capabilities-self', { paths: [wanted] });
            answer.textContent = `${wanted}: ${(caps.data[wanted] || []).join(', ')}`;
          } catch (error) {
            answer.textContent = error.message;
          }
        },
      },
      pathField,
      h('button', { type: 'submit' }, 'Check'),
    ),
    answer,
  );
}
