// Initialising and unsealing: keys are entered one at a time into a field
// that does not echo them, and the progress is shown after each.
import { api } from '../api.js';
import { actionForm, field, fill, h, notice } from '../dom.js';
import { secretValue } from './reveal.js';

export const unseal = {
  async render(area, _segments, app) {
    const status = await api('GET', 'sys/seal-status', undefined, { token: null });
    const outcome = notice();
    const progress = h('p', { id: 'unseal-progress', role: 'status' }, `${status.progress} of ${status.t} keys given.`);
    const [keyField, keyInput] = field('Unseal key', { type: 'password', name: 'key' });
    const form = h(
      'form',
      {
        onsubmit: async (event) => {
          event.preventDefault();
          outcome.clear();
          const key = keyInput.value.trim();
          keyInput.value = '';
          try {
            const answer = await api('PUT', 'sys/unseal', { key }, { token: null });
            if (!answer.sealed) {
              app.say('The server is unsealed.');
              app.rerender();
              return;
            }
            progress.textContent = `${answer.progress} of ${answer.t} keys given.`;
          } catch (error) {
            outcome.show(`The key was not taken: ${error.message}`);
          }
          keyInput.focus();
        },
      },
      keyField,
      h('button', { type: 'submit', class: 'primary' }, 'Give key'),
      h(
        'button',
        {
          type: 'button',
          onclick: async () => {
            const answer = await api('PUT', 'sys/unseal', { reset: true }, { token: null });
            progress.textContent = `${answer.progress} of ${answer.t} keys given.`;
          },
        },
        'Start over',
      ),
    );
    fill(area, h('h1', {}, 'Unseal'), h('p', {}, 'Give the unseal keys one at a time; each holder may type their own.'), progress, form, outcome);
    keyInput.focus();
  },
};

export const init = {
  async render(area, _segments, app) {
    const outcome = notice();
    const [sharesField, shares] = field('Key shares', { type: 'number', min: 1, max: 255, value: '5' });
    const [thresholdField, threshold] = field('Key threshold', { type: 'number', min: 1, max: 255, value: '3' });
    const result = h('div');
    const form = actionForm(
      {
        outcome,
        failure: 'Initialization failed',
        action: async () => {
          const answer = await api(
            'PUT',
            'sys/init',
            { secret_shares: Number(shares.value), secret_threshold: Number(threshold.value) },
            { token: null },
          );
          form.remove();
          fill(
            result,
            h('h2', {}, 'Keep these now: they are shown once'),
            h(
              'ul',
              { class: 'fields' },
              answer.keys_base64.map((key, index) => secretValue(`Unseal key ${index + 1}`, key)),
              secretValue('Root token', answer.root_token),
            ),
            h('button', { type: 'button', class: 'primary', onclick: () => app.rerender() }, 'I have stored them: unseal'),
          );
        },
      },
      sharesField,
      thresholdField,
      h('button', { type: 'submit', class: 'primary' }, 'Initialize'),
    );
    fill(area, h('h1', {}, 'Initialize the server'), form, outcome, result);
  },
};
