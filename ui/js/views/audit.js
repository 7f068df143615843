// Audit: who did what on which path, and when, from the newest lines of the
// server's audit log (GET sys/audit-log). Values stay HMACs in the log; the
// view shows callers, operations, paths and statuses, and whether the chain
// of what was read verifies.
import { api } from '../api.js';
import { field, fill, h, notice } from '../dom.js';

const pageSize = 50;

function chainState(chain) {
  if (!chain.verified) return [`The chain does not verify: ${chain.problem}.`, 'error'];
  if (chain.lines === 0) return ['The log is empty.', 'info'];
  const start = chain.from_start ? 'from the first line' : `from line ${chain.first_seq} (older lines: tresor audit verify)`;
  const head = chain.holds_head ? "and hold the server's head" : "but do not hold the server's head";
  return [`Chain verified: lines ${chain.first_seq}–${chain.last_seq} link up ${start}, ${head}.`, chain.holds_head ? 'info' : 'error'];
}

export async function render(area) {
  const outcome = notice();
  const [pathField, path] = field('Path starts with', { name: 'audit-path', placeholder: 'secret/data/' });
  const [callerField, caller] = field('Caller (display name or accessor)', { name: 'audit-caller' });
  const [sinceField, since] = field('Since (UTC, 2026-12-07T15:00:00Z)', { name: 'audit-since' });
  const [untilField, until] = field('Until (UTC)', { name: 'audit-until' });
  const chain = h('p', { id: 'audit-chain', role: 'status' });
  const rows = h('tbody');
  const more = h('div');

  async function load(before) {
    outcome.clear();
    const query = { limit: String(pageSize) };
    for (const [name, input] of [['path', path], ['caller', caller], ['since', since], ['until', until]]) {
      if (input.value.trim()) query[name] = input.value.trim();
    }
    if (before) query.before = String(before);
    let answer;
    try {
      answer = (await api('GET', 'sys/audit-log', undefined, { query })).data;
    } catch (error) {
      outcome.show(error.message);
      return;
    }
    const [text, kind] = chainState(answer.chain);
    chain.textContent = text;
    chain.className = `notice ${kind}`;
    if (!before) fill(rows);
    for (const entry of answer.entries) {
      rows.append(
        h(
          'tr',
          {},
          h('td', {}, entry.time.replace(/\.\d+Z$/, 'Z')),
          h('td', {}, entry.display_name || '(no token)', entry.accessor ? h('div', { class: 'muted' }, entry.accessor) : null),
          h('td', {}, entry.type === 'gap' ? 'gap in the log' : entry.operation),
          h('td', {}, h('code', {}, entry.path)),
          h('td', {}, entry.status ? String(entry.status) : ''),
          h('td', {}, entry.remote_address),
        ),
      );
    }
    const last = answer.entries[answer.entries.length - 1];
    fill(more, answer.more && last ? h('button', { type: 'button', onclick: () => load(last.seq) }, 'Older entries') : null);
  }

  const form = h(
    'form',
    {
      class: 'inline',
      onsubmit: (event) => {
        event.preventDefault();
        load();
      },
    },
    pathField,
    callerField,
    sinceField,
    untilField,
    h('button', { type: 'submit', class: 'primary' }, 'Filter'),
  );
  fill(
    area,
    h('h1', {}, 'Audit'),
    form,
    outcome,
    chain,
    h('table', {}, h('thead', {}, h('tr', {}, ['Time', 'Caller', 'Operation', 'Path', 'Status', 'From'].map((t) => h('th', { scope: 'col' }, t)))), rows),
    more,
  );
  await load();
}
