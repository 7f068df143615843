// Building the page from elements: text is always set as text, never parsed
// as HTML, and an input's value is set as a property, so that it never
// shows in the document's markup.

// h('button', {class: 'x', onclick: f}, 'Save') -> <button class="x">Save</button>
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'value' || name === 'checked') element[name] = value;
    else if (name === 'class') element.className = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

// Replaces what `element` holds.
export function fill(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

let unique = 0;
export function uid(prefix) {
  unique += 1;
  return `${prefix}-${unique}`;
}

// A labelled input: returns [wrapper, input].
export function field(label, props = {}) {
  const id = uid('f');
  const input = props.multiline
    ? h('textarea', { id, ...props, multiline: undefined })
    : h('input', { id, type: 'text', autocomplete: 'off', spellcheck: 'false', ...props });
  return [h('div', { class: 'field' }, h('label', { for: id }, label), input), input];
}

// A place for an operation's outcome: errors are announced to screen readers.
export function notice() {
  const box = h('div', { class: 'notice', role: 'alert' });
  box.show = (text, kind = 'error') => {
    box.className = `notice ${kind}`;
    box.textContent = text;
  };
  box.clear = () => {
    box.className = 'notice';
    box.textContent = '';
  };
  return box;
}

// A button that asks to be pressed twice before it does something that
// cannot be undone.
export function confirmButton(label, confirmLabel, action) {
  const button = h('button', { type: 'button', class: 'danger' }, label);
  let armed = false;
  button.addEventListener('click', async () => {
    if (!armed) {
      armed = true;
      button.textContent = confirmLabel;
      return;
    }
    armed = false;
    button.textContent = label;
    await action();
  });
  button.addEventListener('blur', () => {
    armed = false;
    button.textContent = label;
  });
  return button;
}

// "1h 2m 3s" for a number of seconds; "never" for 0.
export function duration(seconds) {
  if (!seconds) return 'never';
  const parts = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]]) {
    const count = Math.floor(seconds / size);
    if (count) parts.push(`${count}${unit}`);
    seconds -= count * size;
  }
  return parts.join(' ');
}

// Runs `action`; a refusal is shown in `outcome`, after `failure` if given.
export async function attempt(outcome, action, failure = '') {
  outcome.clear();
  try {
    await action();
  } catch (error) {
    outcome.show(failure ? `${failure}: ${error.message}` : error.message);
  }
}

// A form whose submit runs `action` through attempt().
export function actionForm({ className, outcome, failure, action }, ...children) {
  return h(
    'form',
    {
      class: className,
      onsubmit: (event) => {
        event.preventDefault();
        return attempt(outcome, action, failure);
      },
    },
    ...children,
  );
}
