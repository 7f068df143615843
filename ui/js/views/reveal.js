// A secret value on screen: masked until revealed, copyable without being
// revealed. The value stays in this closure; the page holds it only while
// it is revealed.
import { h } from '../dom.js';

const mask = '••••••••';

// An <li> with the name, the masked value and its buttons.
export function secretValue(name, value) {
  const shown = h('code', { class: 'value masked', 'aria-label': `${name}: hidden` }, mask);
  const reveal = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Reveal');
  reveal.setAttribute('aria-label', `Reveal ${name}`);
  reveal.addEventListener('click', () => {
    const hidden = reveal.getAttribute('aria-pressed') === 'false';
    shown.textContent = hidden ? stringOf(value) : mask;
    shown.className = hidden ? 'value' : 'value masked';
    shown.setAttribute('aria-label', hidden ? name : `${name}: hidden`);
    reveal.setAttribute('aria-pressed', String(hidden));
    reveal.textContent = hidden ? 'Hide' : 'Reveal';
    reveal.setAttribute('aria-label', `${hidden ? 'Hide' : 'Reveal'} ${name}`);
  });
  const copied = h('span', { class: 'muted', role: 'status' });
  const copy = h(
    'button',
    {
      type: 'button',
      'aria-label': `Copy ${name}`,
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(stringOf(value));
          copied.textContent = 'Copied';
        } catch {
          copied.textContent = 'The browser did not allow copying';
        }
      },
    },
    'Copy',
  );
  return h('li', {}, h('span', { class: 'name' }, name), shown, reveal, copy, copied);
}

export function stringOf(value) {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
