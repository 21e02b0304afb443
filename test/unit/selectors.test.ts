// Label selectors with both of Kubernetes' semantics (model/selectors.ts): a Service's map selector (empty selects
// nothing) and a metav1.LabelSelector (empty selects everything; matchExpressions), as apimachinery evaluates them.
import t from 'tap';
import { labelSelectorMatches, requirementMatches, selectorText, serviceSelects } from '../../src/model/selectors.js';

const web = { app: 'web', tier: 'front' };

t.test('Service selectors: every key must match; an empty or absent selector selects nothing', async (t) => {
  t.ok(serviceSelects({ app: 'web' }, web));
  t.ok(serviceSelects({ app: 'web', tier: 'front' }, web));
  t.notOk(serviceSelects({ app: 'web', tier: 'back' }, web));
  t.notOk(serviceSelects({}, web), 'empty: nothing (endpoints are managed by hand then)');
  t.notOk(serviceSelects(undefined, web));
});

t.test('LabelSelector: {} selects every pod, absent selects none, matchLabels AND matchExpressions', async (t) => {
  t.ok(labelSelectorMatches({}, web), 'podSelector: {} selects all pods of the namespace');
  t.ok(labelSelectorMatches({}, {}), 'also pods without labels');
  t.notOk(labelSelectorMatches(undefined, web), 'nil selects nothing');
  t.ok(labelSelectorMatches({ matchLabels: { app: 'web' } }, web));
  t.notOk(labelSelectorMatches({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, web), 'both must hold');
  t.ok(labelSelectorMatches({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back', 'front'] }] }, web));
});

t.test('requirements: In, NotIn, Exists, DoesNotExist (NotIn and DoesNotExist match a missing key)', async (t) => {
  t.ok(requirementMatches({ key: 'app', operator: 'In', values: ['web', 'db'] }, web));
  t.notOk(requirementMatches({ key: 'app', operator: 'In', values: ['db'] }, web));
  t.notOk(requirementMatches({ key: 'zone', operator: 'In', values: ['a'] }, web), 'In needs the key');
  t.ok(requirementMatches({ key: 'app', operator: 'NotIn', values: ['db'] }, web));
  t.notOk(requirementMatches({ key: 'app', operator: 'NotIn', values: ['web'] }, web));
  t.ok(requirementMatches({ key: 'zone', operator: 'NotIn', values: ['a'] }, web), 'NotIn matches a missing key');
  t.ok(requirementMatches({ key: 'app', operator: 'Exists' }, web));
  t.notOk(requirementMatches({ key: 'zone', operator: 'Exists' }, web));
  t.ok(requirementMatches({ key: 'zone', operator: 'DoesNotExist' }, web));
  t.notOk(requirementMatches({ key: 'app', operator: 'DoesNotExist' }, web));
});

t.test('selectors print as kubectl prints them', async (t) => {
  t.equal(selectorText({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'x', operator: 'DoesNotExist' }] }), 'app=web,tier in (a,b),!x');
  t.equal(selectorText({}), '<all>');
  t.equal(selectorText(undefined), '<none>');
});
