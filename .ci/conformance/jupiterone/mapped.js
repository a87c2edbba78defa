// Checks the `mappedRelationships` of json/graph.json against @jupiterone/integration-sdk-core
// (the version json.sh unpacks): each is exactly what the package's own createMappedRelationship
// makes of its `_class` and `_mapping` (so the `_key` and `_type` JupiterOne expects), each stands
// for one `knowbe4_user_is_employee` relationship (its user, its person's address) and every such
// relationship has one, and the whole list type-checks with tsc against the package's
// MappedRelationship type, where an object literal may hold no field the type lacks. Broken
// copies show that both checks fail.
//
// usage: node mapped.js EXPORT_DIR WORK_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const assert = require('assert');
const { execFileSync } = require('child_process');
const {
  createMappedRelationship,
} = require('@jupiterone/integration-sdk-core/dist/src/data/createIntegrationRelationship.js');
const { version } = require('@jupiterone/integration-sdk-core/package.json');

const PERSON_KEY = 'knowbe4:person:';

function problemsOf(doc) {
  const problems = [];
  const mapped = doc.mappedRelationships;
  if (!Array.isArray(mapped)) return ['no mappedRelationships array'];
  const wanted = new Map();
  for (const r of doc.relationships) {
    if (r._type !== 'knowbe4_user_is_employee') continue;
    wanted.set(`${r._fromEntityKey} ${r._toEntityKey}`, r._key);
  }
  const seen = new Set();
  for (const m of mapped) {
    let made;
    try {
      made = createMappedRelationship({ _class: m._class, _mapping: structuredClone(m._mapping) });
      assert.deepStrictEqual(m, made);
    } catch (e) {
      problems.push(`${m._key}: not what createMappedRelationship makes: ${e.message.split('\n')[0]}`);
      continue;
    }
    const ends = `${m._mapping.sourceEntityKey} ${PERSON_KEY}${m._mapping.targetEntity.email}`;
    if (!wanted.has(ends)) problems.push(`${m._key}: stands for no knowbe4_user_is_employee relationship`);
    else if (seen.has(ends)) problems.push(`${m._key}: a second mapped relationship for ${ends}`);
    seen.add(ends);
  }
  for (const [ends, key] of wanted) {
    if (!seen.has(ends)) problems.push(`${key}: no mapped relationship stands for it`);
  }
  return problems;
}

/** tsc's verdict on the list as MappedRelationship[]: its errors, or '' when it type-checks. */
function typeErrors(doc, work, name) {
  const items = doc.mappedRelationships.map((m) =>
    JSON.stringify(m).replace(
      '"relationshipDirection":"FORWARD"',
      '"relationshipDirection":RelationshipDirection.FORWARD',
    ),
  );
  const file = path.join(work, `${name}.ts`);
  fs.writeFileSync(
    file,
    "import { MappedRelationship, RelationshipDirection } from '@jupiterone/integration-sdk-core/dist/src/types/relationship';\n" +
      `export const mapped: MappedRelationship[] = [\n${items.join(',\n')}\n];\n`,
  );
  try {
    execFileSync(
      path.join(work, 'node_modules/.bin/tsc'),
      ['--noEmit', '--strict', '--skipLibCheck', '--moduleResolution', 'node', '--module', 'commonjs', '--target', 'es2020', file],
      { cwd: work, encoding: 'utf8' },
    );
    return '';
  } catch (e) {
    return `${e.stdout}${e.stderr}`.trim() || String(e);
  }
}

const [exportDir, work] = process.argv.slice(2);
const doc = JSON.parse(fs.readFileSync(`${exportDir}/json/graph.json`, 'utf8'));
const problems = problemsOf(doc);
const types = typeErrors(doc, work, 'mapped');
if (types) problems.push(`tsc: ${types.split('\n').slice(0, 5).join('\n')}`);
for (const p of problems.slice(0, 30)) console.log(p);
if (problems.length) {
  console.log(`@jupiterone/integration-sdk-core ${version}: ${problems.length} problems`);
  process.exit(1);
}
if (doc.mappedRelationships.length === 0) {
  console.log('no mapped relationships in the export: nothing was compared');
  process.exit(1);
}
console.log(
  `@jupiterone/integration-sdk-core ${version}: ${doc.mappedRelationships.length} mapped relationships ` +
    'are what createMappedRelationship makes, one per knowbe4_user_is_employee relationship, ' +
    'and type-check as MappedRelationship[]',
);

// The checks must fail on what they are meant to catch.
const broken = structuredClone(doc);
broken.mappedRelationships[0]._mapping.sourceEntityKey += '0';
const moved = broken.mappedRelationships[0]._key;
broken.mappedRelationships.pop();
const caught = problemsOf(broken).join('\n');
const last = doc.mappedRelationships[doc.mappedRelationships.length - 1];
const lastRelationship = doc.relationships.find(
  (r) =>
    r._type === 'knowbe4_user_is_employee' &&
    r._fromEntityKey === last._mapping.sourceEntityKey,
);
for (const wanted of [
  `${moved}: not what createMappedRelationship makes`,
  `${lastRelationship._key}: no mapped relationship stands for it`,
]) {
  if (!caught.includes(wanted)) {
    console.log(`a broken copy was not rejected for: ${wanted}\n${caught}`);
    process.exit(1);
  }
}
const renamed = structuredClone(doc);
renamed.mappedRelationships = renamed.mappedRelationships.map((m) => {
  const { targetFilterKeys, ...rest } = m._mapping;
  return { ...m, _mapping: { ...rest, targetFilterKey: targetFilterKeys } };
});
const renamedErrors = typeErrors(renamed, work, 'renamed');
if (!/targetFilterKey"?' does not exist in type 'RelationshipMapping'/.test(renamedErrors)) {
  console.log(`tsc accepted a misspelled field:\n${renamedErrors.split('\n').slice(0, 5).join('\n')}`);
  process.exit(1);
}
console.log('broken copies are rejected (by createMappedRelationship and by tsc)');
