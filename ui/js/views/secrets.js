// Secrets: the KV mounts, folders with breadcrumbs, a name filter and pages
// of 100, a search by name across a mount, and one secret (secret.js).
import { api, can, capabilities, list } from '../api.js';
import { field, fill, h, notice } from '../dom.js';
import * as secret from './secret.js';

const pageSize = 100;

export async function render(area, segments, app) {
  if (segments.length === 0) return mounts(area, app);
  const [mount, ...path] = segments;
  if (path.length === 0 || path[path.length - 1] === '') {
    return folder(area, mount, path.filter((part) => part !== ''), app);
  }
  return secret.render(area, mount, path, app);
}

export function breadcrumbs(mount, path, app) {
  const items = [h('li', {}, h('a', { href: '#/secrets' }, 'Secrets'))];
  items.push(h('li', {}, h('a', { href: `#/secrets/${encodeURIComponent(mount)}/` }, `${mount}/`)));
  path.forEach((part, index) => {
    const last = index === path.length - 1;
    const target = ['secrets', mount, ...path.slice(0, index + 1)].map(encodeURIComponent).join('/');
    items.push(
      h('li', {}, last ? h('span', { 'aria-current': 'page' }, part) : h('a', { href: `#/${target}/` }, `${part}/`)),
    );
  });
  return h('nav', { 'aria-label': 'Breadcrumb', class: 'crumbs' }, h('ol', {}, items));
}

async function mounts(area, app) {
  const outcome = notice();
  const [pathField, pathInput] = field('Open a path (mount/path)', { name: 'path', placeholder: 'secret/app/' });
  const open = h(
    'form',
    {
      class: 'inline',
      onsubmit: (event) => {
        event.preventDefault();
        const parts = pathInput.value.trim().replace(/^\/+/, '').split('/');
        app.go('secrets', ...parts);
      },
    },
    pathField,
    h('button', { type: 'submit' }, 'Open'),
  );
  fill(area, h('h1', {}, 'Secrets'), open, outcome);
  // The mounts this token's policies grant something under (any token may ask).
  const answer = await api('GET', 'sys/internal/ui/mounts');
  const kv = Object.entries(answer.data.secret).filter(([, about]) => about.type === 'kv');
  if (kv.length === 0) {
    area.append(h('p', { class: 'muted' }, 'Your token may use no key/value mount: open a path you know.'));
    return;
  }
  area.append(
    h('h2', {}, 'Key/value mounts'),
    h(
      'ul',
      { class: 'entries' },
      kv.map(([path, about]) => {
        const v2 = about.options && about.options.version === '2';
        return h(
          'li',
          {},
          // KV version 1 has no versions or metadata to show: listed only.
          v2 ? h('a', { href: `#/secrets/${encodeURIComponent(path.replace(/\/$/, ''))}/` }, path) : path,
          h('span', { class: 'muted' }, v2 ? ' kv v2' : ' kv v1 (read it with tresor read and tresor list)'),
          about.description ? h('span', { class: 'muted' }, ` — ${about.description}`) : null,
        );
      }),
    ),
  );
}

async function folder(area, mount, path, app) {
  const prefix = path.map((part) => `${part}/`).join('');
  const caps = await capabilities([`${mount}/metadata/${prefix}`, `${mount}/data/${prefix}`]);
  const outcome = notice();
  fill(area, breadcrumbs(mount, path, app), h('h1', {}, `${mount}/${prefix}`), outcome);
  if (can(caps[`${mount}/data/${prefix}`], 'create')) area.append(secret.creator(mount, prefix, app));
  if (!can(caps[`${mount}/metadata/${prefix}`], 'list')) {
    area.append(h('p', { class: 'muted' }, 'Your token may not list this folder.'));
    return;
  }
  let keys;
  try {
    keys = await list(`${mount}/metadata/${prefix}`);
  } catch (error) {
    outcome.show(error.message);
    return;
  }
  const [filterField, filterInput] = field('Filter names in this folder', { type: 'search', name: 'filter' });
  const listing = h('div');
  let page = 0;
  function show() {
    const wanted = filterInput.value.trim();
    const matching = wanted ? keys.filter((key) => key.includes(wanted)) : keys;
    const pages = Math.max(1, Math.ceil(matching.length / pageSize));
    page = Math.min(page, pages - 1);
    const shown = matching.slice(page * pageSize, (page + 1) * pageSize);
    fill(
      listing,
      h(
        'p',
        { class: 'muted', role: 'status' },
        matching.length === 0
          ? 'Nothing here.'
          : `${page * pageSize + 1}–${page * pageSize + shown.length} of ${matching.length}`,
      ),
      h('ul', { class: 'entries' }, shown.map((key) => entry(mount, path, key))),
      pages > 1
        ? h(
            'div',
            { class: 'pager' },
            h('button', { type: 'button', disabled: page === 0, onclick: () => ((page -= 1), show()) }, 'Previous page'),
            h('span', {}, ` Page ${page + 1} of ${pages} `),
            h('button', { type: 'button', disabled: page + 1 >= pages, onclick: () => ((page += 1), show()) }, 'Next page'),
          )
        : null,
    );
  }
  filterInput.addEventListener('input', () => {
    page = 0;
    show();
  });
  show();
  area.append(filterField, listing, search(mount, app));
}

function entry(mount, path, key) {
  const target = ['secrets', mount, ...path, ...key.split('/')].map(encodeURIComponent).join('/');
  return h('li', {}, h('a', { href: `#/${target}`, class: key.endsWith('/') ? 'folder' : 'secret' }, key));
}

// A search by name across the whole mount: folders are listed breadth-first,
// four at a time, until 200 matches or the end.
function search(mount, app) {
  const [queryField, query] = field(`Search names across ${mount}/`, { type: 'search', name: 'search' });
  const status = h('p', { class: 'muted', role: 'status' });
  const results = h('ul', { class: 'entries' });
  let generation = 0;
  const form = h(
    'form',
    {
      class: 'inline',
      onsubmit: async (event) => {
        event.preventDefault();
        const mine = ++generation;
        const wanted = query.value.trim();
        fill(results);
        if (!wanted) return;
        let searched = 0;
        let found = 0;
        const queue = [''];
        async function worker() {
          while (queue.length && found < 200 && mine === generation) {
            const prefix = queue.shift();
            let keys = [];
            try {
              keys = await list(`${mount}/metadata/${prefix}`);
            } catch {
              keys = []; // a folder the token may not list
            }
            searched += 1;
            for (const key of keys) {
              if (key.endsWith('/')) queue.push(prefix + key);
              if (key.includes(wanted) && found < 200 && mine === generation) {
                found += 1;
                results.append(entry(mount, [], prefix + key));
              }
            }
            status.textContent = `${found} found in ${searched} folders`;
          }
        }
        await Promise.all([worker(), worker(), worker(), worker()]);
        if (mine === generation) status.textContent = `${found} found in ${searched} folders${found >= 200 ? ' (first 200)' : ''}.`;
      },
    },
    queryField,
    h('button', { type: 'submit' }, 'Search'),
  );
  return h('section', { 'aria-label': 'Search the mount' }, h('h2', {}, 'Search'), form, status, results);
}
