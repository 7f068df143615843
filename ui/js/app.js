// The page's frame: the seal status on every page, the sections the token
// may use, and the route (the part after '#') that picks a view.
import { api, capabilities, can, tokenLost } from './api.js';
import { fill, h } from './dom.js';
import { session } from './session.js';
import * as access from './views/access.js';
import * as audit from './views/audit.js';
import * as engines from './views/engines.js';
import * as login from './views/login.js';
import * as policies from './views/policies.js';
import * as seal from './views/seal.js';
import * as secrets from './views/secrets.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const sealLine = document.getElementById('seal');
const who = document.getElementById('who');

// Sections, with what the token must be able to do to see each.
const sections = [
  { route: 'secrets', label: 'Secrets', view: secrets },
  { route: 'policies', label: 'Policies', view: policies, needs: ['sys/policies/acl', 'list'] },
  { route: 'access', label: 'Access', view: access, needs: ['auth/token/accessors', 'list'] },
  { route: 'engines', label: 'Engines', view: engines, needs: ['sys/mounts', 'read'] },
  { route: 'audit', label: 'Audit', view: audit, needs: ['sys/audit-log', 'read'] },
];
let allowed = new Set();
let expiryTimer = null;
let flash = '';

// The route as segments: '#/secrets/secret/app' -> ['secrets', 'secret', 'app'].
function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  return hash === '' ? [] : hash.split('/').map(decodeURIComponent);
}

export function go(...segments) {
  const target = `#/${segments.map(encodeURIComponent).join('/')}`;
  if (location.hash === target) render();
  else location.hash = target;
}

// A message shown once, above the next view.
export function say(text) {
  flash = text;
}

async function showSeal() {
  const status = await api('GET', 'sys/seal-status', undefined, { token: null });
  if (!status.initialized) sealLine.textContent = 'Not initialized';
  else if (status.sealed) sealLine.textContent = `Sealed (${status.progress} of ${status.t} keys given)`;
  else sealLine.textContent = 'Unsealed';
  sealLine.className = `seal ${status.sealed ? 'sealed' : 'unsealed'}`;
  return status;
}

function showNav() {
  const current = route()[0] || 'secrets';
  fill(
    nav,
    h(
      'ul',
      {},
      sections
        .filter((section) => allowed.has(section.route))
        .map((section) =>
          h(
            'li',
            {},
            h(
              'a',
              {
                href: `#/${section.route}`,
                'aria-current': section.route === current ? 'page' : undefined,
                // The section already shown is drawn again, with what is current.
                onclick: () => location.hash === `#/${section.route}` && render(),
              },
              section.label,
            ),
          ),
        ),
    ),
  );
  fill(
    who,
    session.about ? h('span', { class: 'muted' }, session.about.display_name) : null,
    session.about ? h('button', { type: 'button', onclick: () => signOut('You signed out; the token is revoked.') }, 'Sign out') : null,
  );
}

// After sign-in: who the token is, when it expires, which sections it may use.
export async function signedIn(token) {
  session.set(token);
  const answer = await api('GET', 'auth/token/lookup-self');
  session.about = answer.data;
  clearTimeout(expiryTimer);
  if (session.about.ttl > 0) {
    const ms = Math.min(session.about.ttl * 1000, 2 ** 31 - 1);
    expiryTimer = setTimeout(() => endSession('Your token expired. Sign in again.'), ms);
  }
  const wanted = sections.filter((section) => section.needs).map((section) => section.needs[0]);
  const caps = await capabilities(wanted);
  allowed = new Set(
    sections.filter((section) => !section.needs || can(caps[section.needs[0]], section.needs[1])).map((s) => s.route),
  );
}

function endSession(reason) {
  clearTimeout(expiryTimer);
  session.clear();
  session.about = null;
  allowed = new Set();
  say(reason);
  go('login');
}

async function signOut(reason) {
  try {
    await api('POST', 'auth/token/revoke-self');
  } catch {
    // Already gone: nothing more to revoke.
  }
  endSession(reason);
}

tokenLost.addEventListener('lost', () => endSession('Your token no longer works (expired or revoked). Sign in again.'));

let rendering = 0;
async function render() {
  const mine = ++rendering;
  const segments = route();
  try {
    const status = await showSeal();
    if (mine !== rendering) return;
    let view = null;
    if (!status.initialized) view = seal.init;
    else if (status.sealed) view = seal.unseal;
    else if (!session.token()) view = login;
    else if (!session.about) {
      try {
        await signedIn(session.token());
      } catch {
        endSession('Your token no longer works (expired or revoked). Sign in again.');
        return;
      }
    }
    if (!view && segments[0] === 'login') view = login;
    if (!view) {
      const name = segments[0] || 'secrets';
      const section = sections.find((s) => s.route === name && allowed.has(s.route));
      view = section ? section.view : null;
    }
    showNav();
    const message = flash;
    flash = '';
    fill(main, message ? h('p', { class: 'notice info', role: 'status' }, message) : null);
    if (!view) {
      append404();
      return;
    }
    const area = h('div');
    main.append(area);
    await view.render(area, segments.slice(1), { go, say, signedIn, rerender: render });
  } catch (error) {
    fill(main, h('h1', {}, 'Something went wrong'), h('p', { class: 'notice error', role: 'alert' }, error.message));
  }
}

function append404() {
  main.append(h('h1', {}, 'Not here'), h('p', {}, 'This page does not exist, or your token may not use it.'));
}

window.addEventListener('hashchange', render);
// The first screen is drawn and takes input: the mark the tests measure.
render().then(() => performance.mark('tresor-interactive'));
