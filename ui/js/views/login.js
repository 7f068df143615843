// Sign-in: with a token, or by logging in through userpass, AppRole or JWT.
import { api } from '../api.js';
import { actionForm, field, fill, h, notice } from '../dom.js';

const methods = {
  token: {
    label: 'Token',
    fields: [['Token', 'token', 'password']],
    hint: 'Signing out revokes the token: use one made for this (tresor token create), not your only root token.',
  },
  userpass: {
    label: 'Username',
    fields: [['Username', 'username', 'text'], ['Password', 'password', 'password'], ['Mount', 'mount', 'text', 'userpass']],
  },
  approle: {
    label: 'AppRole',
    fields: [['Role ID', 'role_id', 'text'], ['Secret ID', 'secret_id', 'password'], ['Mount', 'mount', 'text', 'approle']],
  },
  jwt: {
    label: 'JWT',
    fields: [['Role', 'role', 'text'], ['JWT', 'jwt', 'password'], ['Mount', 'mount', 'text', 'jwt']],
  },
};

async function tokenFrom(method, values) {
  if (method === 'token') return values.token;
  let answer;
  if (method === 'userpass') {
    answer = await api('POST', `auth/${values.mount}/login/${values.username}`, { password: values.password }, { token: null });
  } else if (method === 'approle') {
    answer = await api('POST', `auth/${values.mount}/login`, { role_id: values.role_id, secret_id: values.secret_id }, { token: null });
  } else {
    answer = await api('POST', `auth/${values.mount}/login`, { role: values.role, jwt: values.jwt }, { token: null });
  }
  return answer.auth.client_token;
}

export async function render(area, _segments, app) {
  const outcome = notice();
  const fieldsBox = h('div');
  let method = 'token';
  let inputs = {};

  function showFields() {
    inputs = {};
    fill(
      fieldsBox,
      methods[method].fields.map(([label, name, type, initial]) => {
        const [wrapper, input] = field(label, { type, name, value: initial, autocomplete: 'off' });
        inputs[name] = input;
        return wrapper;
      }),
      methods[method].hint ? h('p', { class: 'muted' }, methods[method].hint) : null,
    );
  }

  const choices = h(
    'fieldset',
    { class: 'choices' },
    h('legend', {}, 'Sign in with'),
    Object.entries(methods).map(([name, about]) =>
      h(
        'label',
        {},
        h('input', {
          type: 'radio',
          name: 'method',
          value: name,
          checked: name === method,
          onchange: () => {
            method = name;
            showFields();
          },
        }),
        ` ${about.label}`,
      ),
    ),
  );

  const form = actionForm(
    {
      outcome,
      failure: 'Sign-in failed',
      action: async () => {
        const values = Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input.value.trim()]));
        const token = await tokenFrom(method, values);
        for (const input of Object.values(inputs)) input.value = '';
        await app.signedIn(token);
        app.go('secrets');
      },
    },
    choices,
    fieldsBox,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    outcome,
  );
  showFields();
  fill(area, h('h1', {}, 'Sign in'), form);
  inputs[methods[method].fields[0][1]].focus();
}
