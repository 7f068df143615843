// A new persistent server initialised and unsealed by node-vault:
// node node_vault_init_test.js URL. Prints one line per check and "ok N".
'use strict';
const assert = require('assert');
const nodeVault = require('node-vault');

const [endpoint] = process.argv.slice(2);
let checks = 0;
function check(name, fn) {
  return fn().then(() => { checks += 1; console.log(`${name}: ok`); });
}

async function main() {
  const vault = nodeVault({ apiVersion: 'v1', endpoint });
  let keys;
  await check('init', async () => {
    assert.strictEqual((await vault.initialized()).initialized, false);
    const made = await vault.init({ secret_shares: 3, secret_threshold: 2 });
    assert.strictEqual(made.keys.length, 3);
    assert.strictEqual(made.keys_base64.length, 3);
    keys = made.keys;
    vault.token = made.root_token;
    assert.strictEqual((await vault.initialized()).initialized, true);
  });
  await check('unseal with two of three keys', async () => {
    assert.strictEqual((await vault.status()).sealed, true);
    const first = await vault.unseal({ key: keys[2] });
    assert.strictEqual(first.sealed, true);
    assert.strictEqual(first.progress, 1);
    const second = await vault.unseal({ key: keys[0] });
    assert.strictEqual(second.sealed, false);
  });
  await check('the root token works once unsealed', async () => {
    await vault.write('secret/data/node/after-init', { data: { v: 'x' } });
    const read = await vault.read('secret/data/node/after-init');
    assert.deepStrictEqual(read.data.data, { v: 'x' });
  });
  await check('seal', async () => {
    await vault.seal();
    assert.strictEqual((await vault.status()).sealed, true);
  });
  console.log(`ok ${checks}`);
}

main().catch((e) => { console.error(e.stack || e); process.exit(1); });
