// Labs across machines, the parts that need no etcd: store URLs, the credentials file, node subnets.
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseStoreUrl, readCredentials, podIps } from '../../src/store/etcd.js';
import { nodeSubnets } from '../../src/lab/multihost.js';

t.test('store URLs', async (t) => {
  t.same(parseStoreUrl('etcd:///run/x/etcd:2379').hosts, ['unix:///run/x/etcd:2379']);
  t.same(parseStoreUrl('etcd://10.0.0.1:2379,node2:2379').hosts, ['http://10.0.0.1:2379', 'http://node2:2379']);
  t.throws(() => parseStoreUrl('http://10.0.0.1:2379'), /not an etcd URL/);
  t.throws(() => parseStoreUrl('etcd://10.0.0.1'), /"10.0.0.1" .* is not host:port/);
  t.throws(() => parseStoreUrl('etcd://a:1;rm -rf /'), /is not host:port/);
});

t.test('credentials file', async (t) => {
  const d = mkdtempSync(join(tmpdir(), 'podlab-mh-unit-'));
  const f = join(d, 'c');
  writeFileSync(f, 'podlab:s3cr:et\n', { mode: 0o600 });
  t.same(readCredentials(f), { username: 'podlab', password: 's3cr:et' });
  const loose = join(d, 'loose');
  writeFileSync(loose, 'podlab:x\n', { mode: 0o644 });
  t.throws(() => readCredentials(loose), /readable by others \(mode 644\)/);
  const bad = join(d, 'bad');
  writeFileSync(bad, 'nopassword\n', { mode: 0o600 });
  t.throws(() => readCredentials(bad), /expected one line "user:password"/);
  t.throws(() => readCredentials(join(d, 'none')), /does not exist/);
});

t.test('node subnets and pod IPs', async (t) => {
  t.same([...nodeSubnets('10.244.0.0/16', 24)].slice(0, 3), ['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24']);
  t.equal([...nodeSubnets('10.244.0.0/16', 24)].length, 256);
  t.same([...nodeSubnets('10.0.0.0/8', 9)], ['10.0.0.0/9', '10.128.0.0/9']);
  t.same([...nodeSubnets('172.16.0.0/22', 23)], ['172.16.0.0/23', '172.16.2.0/23']);
  t.throws(() => [...nodeSubnets('10.244.0.0/16', 12)], /does not fit/);
  const ips = [...podIps('10.244.3.0/24')];
  t.equal(ips[0], '10.244.3.2');
  t.equal(ips.at(-1), '10.244.3.254');
});
