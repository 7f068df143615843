// The tresor server driven by node-vault: node node_vault_test.js URL ROOT_TOKEN
// Prints one line per check and "ok N" at the end; exits 1 at the first failure.
'use strict';
const assert = require('assert');
const crypto = require('crypto');
const nodeVault = require('node-vault');

const [endpoint, rootToken] = process.argv.slice(2);
let checks = 0;
function check(name, fn) {
  return fn().then(() => { checks += 1; console.log(`${name}: ok`); });
}
async function rejects(promise, status, message) {
  try {
    await promise;
  } catch (e) {
    assert.strictEqual(e.response && e.response.statusCode, status, e.message);
    if (message) assert.ok(e.message.includes(message), e.message);
    return;
  }
  assert.fail(`expected a ${status}`);
}

async function main() {
  const root = nodeVault({ apiVersion: 'v1', endpoint, token: rootToken });
  // tokenCreate makes the client use the new token: each gets its own client.
  const admin = () => nodeVault({ apiVersion: 'v1', endpoint, token: rootToken });
  await check('kv v2 write, read, old version, list', async () => {
    const w1 = await root.write('secret/data/node/db', { data: { password: 'one' } });
    assert.strictEqual(w1.data.version, 1);
    await root.write('secret/data/node/db', { data: { password: 'two' } });
    const latest = await root.read('secret/data/node/db');
    assert.deepStrictEqual(latest.data.data, { password: 'two' });
    const old = await root.read('secret/data/node/db?version=1');
    assert.deepStrictEqual(old.data.data, { password: 'one' });
    const listed = await root.list('secret/metadata/node');
    assert.deepStrictEqual(listed.data.keys, ['db']);
  });
  await check('check-and-set success and conflict', async () => {
    await root.write('secret/data/node/cas', { data: { v: '1' }, options: { cas: 0 } });
    await rejects(root.write('secret/data/node/cas', { data: { v: 'x' }, options: { cas: 0 } }),
      400, 'check-and-set parameter did not match the current version');
    const ok = await root.write('secret/data/node/cas', { data: { v: '2' }, options: { cas: 1 } });
    assert.strictEqual(ok.data.version, 2);
  });
  await check('soft delete, undelete, destroy, metadata delete', async () => {
    await root.delete('secret/data/node/db');
    await rejects(root.read('secret/data/node/db'), 404);
    await root.write('secret/undelete/node/db', { versions: [2] });
    assert.deepStrictEqual((await root.read('secret/data/node/db')).data.data, { password: 'two' });
    await root.write('secret/destroy/node/db', { versions: [1] });
    const meta = await root.read('secret/metadata/node/db');
    assert.strictEqual(meta.data.versions['1'].destroyed, true);
    await root.delete('secret/metadata/node/db');
    await rejects(root.read('secret/metadata/node/db'), 404);
  });
  await check('policy written through the client, a read it denies', async () => {
    await root.addPolicy({ name: 'node-read',
      rules: 'path "secret/data/node/*" { capabilities = ["read"] }' });
    const policy = await root.getPolicy({ name: 'node-read' });
    assert.ok(policy.rules.includes('secret/data/node/*'));
    assert.ok((await root.policies()).policies.includes('node-read'));
    const made = await admin().tokenCreate({ policies: ['node-read'], ttl: '1h' });
    const app = nodeVault({ apiVersion: 'v1', endpoint, token: made.auth.client_token });
    assert.deepStrictEqual((await app.read('secret/data/node/cas')).data.data, { v: '2' });
    await rejects(app.write('secret/data/node/cas', { data: { v: '3' } }), 403, 'permission denied');
    await rejects(app.read('sys/policy/node-read'), 403);
  });
  await check('token create, lookup-self, renew, revoke', async () => {
    const made = await admin().tokenCreate({ policies: ['default'], ttl: '10m' });
    const me = nodeVault({ apiVersion: 'v1', endpoint, token: made.auth.client_token });
    const self = await me.tokenLookupSelf();
    assert.deepStrictEqual(self.data.policies, ['default']);
    const renewed = await me.tokenRenewSelf({ increment: '30m' });
    assert.strictEqual(renewed.auth.lease_duration, 1800);
    await me.tokenRevokeSelf();
    await rejects(me.tokenLookupSelf(), 403);
  });
  await check('userpass login', async () => {
    await root.enableAuth({ mount_point: 'userpass', type: 'userpass' });
    await root.write('auth/userpass/users/bob', { password: 'b0b-pw', policies: 'node-read' });
    const bob = nodeVault({ apiVersion: 'v1', endpoint });
    const login = await bob.userpassLogin({ username: 'bob', password: 'b0b-pw' });
    assert.deepStrictEqual(login.auth.policies, ['default', 'node-read']);
    assert.deepStrictEqual((await bob.read('secret/data/node/cas')).data.data, { v: '2' });
    await rejects(nodeVault({ apiVersion: 'v1', endpoint })
      .userpassLogin({ username: 'bob', password: 'nope' }), 400, 'invalid username or password');
  });
  await check('approle role, role id, secret id, login', async () => {
    await root.enableAuth({ mount_point: 'approle', type: 'approle' });
    await root.addApproleRole({ role_name: 'node-app', policies: 'node-read' });
    const roles = await root.approleRoles();
    assert.deepStrictEqual(roles.data.keys, ['node-app']);
    const roleId = (await root.getApproleRoleId({ role_name: 'node-app' })).data.role_id;
    const secret = await root.getApproleRoleSecret({ role_name: 'node-app' });
    const accessors = await root.approleSecretAccessors({ role_name: 'node-app' });
    assert.deepStrictEqual(accessors.data.keys, [secret.data.secret_id_accessor]);
    const app = nodeVault({ apiVersion: 'v1', endpoint });
    const login = await app.approleLogin({ role_id: roleId, secret_id: secret.data.secret_id });
    assert.deepStrictEqual(login.auth.policies, ['default', 'node-read']);
    assert.deepStrictEqual(login.auth.metadata, { role_name: 'node-app' });
    assert.deepStrictEqual((await app.read('secret/data/node/cas')).data.data, { v: '2' });
    await root.approleSecretDestroy({ role_name: 'node-app', secret_id: secret.data.secret_id });
    await rejects(nodeVault({ apiVersion: 'v1', endpoint })
      .approleLogin({ role_id: roleId, secret_id: secret.data.secret_id }), 400,
    'invalid role or secret ID');
  });
  await check('jwt config, role, login with a token signed here (EdDSA)', async () => {
    const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
    await root.enableAuth({ mount_point: 'jwt', type: 'jwt' });
    await root.write('auth/jwt/config', {
      jwt_validation_pubkeys: [publicKey.export({ type: 'spki', format: 'pem' })],
    });
    await root.write('auth/jwt/role/node-ci', {
      role_type: 'jwt', user_claim: 'sub', bound_audiences: 'node', policies: 'node-read',
    });
    const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const input = `${part({ alg: 'EdDSA', typ: 'JWT' })}.${part({ sub: 'pipeline-7', aud: 'node', exp: now + 60 })}`;
    const jwt = `${input}.${crypto.sign(null, Buffer.from(input), privateKey).toString('base64url')}`;
    const ci = nodeVault({ apiVersion: 'v1', endpoint });
    const login = await ci.jwtLogin({ role: 'node-ci', jwt });
    assert.deepStrictEqual(login.auth.policies, ['default', 'node-read']);
    assert.deepStrictEqual(login.auth.metadata, { role: 'node-ci' });
    assert.deepStrictEqual((await ci.read('secret/data/node/cas')).data.data, { v: '2' });
    await rejects(nodeVault({ apiVersion: 'v1', endpoint }).jwtLogin({ role: 'node-ci', jwt: `${input}.AAAA` }),
      400, 'error validating token: the signature does not verify with any configured key');
  });
  await check('transit mount, key, encrypt, rotate, decrypt', async () => {
    await root.mount({ mount_point: 'transit', type: 'transit' });
    await root.write('transit/keys/orders', {});
    const plaintext = Buffer.from('order 42').toString('base64');
    const v1 = (await root.encryptData({ name: 'orders', plaintext })).data.ciphertext;
    assert.ok(v1.startsWith('vault:v1:'), v1);
    await root.write('transit/keys/orders/rotate', {});
    const back = await root.decryptData({ name: 'orders', ciphertext: v1 });
    assert.strictEqual(Buffer.from(back.data.plaintext, 'base64').toString(), 'order 42');
    const key = await root.read('transit/keys/orders');
    assert.strictEqual(key.data.latest_version, 2);
    await rejects(root.decryptData({ name: 'orders', ciphertext: 'vault:v1:AAAA' }),
      400, 'cipher: message authentication failed');
  });
  await check('health and seal status', async () => {
    const health = await root.health();
    assert.strictEqual(health.sealed, false);
    assert.strictEqual((await root.status()).sealed, false);
  });
  console.log(`ok ${checks}`);
}

main().catch((e) => { console.error(e.stack || e); process.exit(1); });
