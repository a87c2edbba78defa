// Checks json/graph.json against JupiterOne's own data model, @jupiterone/data-model (the version
// pinned in package-lock.json): every entity against the schema of each of its `_class`es with
// the package's IntegrationSchema (its Ajv instance), every relationship against its GraphObject
// schema, RelationshipClass and relationship rules, and every property value against the value
// types JupiterOne stores. Where our model must differ, the difference is listed in DIFFERENCES
// and in the README; the check fails on any other difference and on a listed one it no longer
// sees. A broken copy shows that it fails.
//
// usage: node check.js EXPORT_DIR README
'use strict';
const fs = require('fs');
const Ajv = require('ajv');
const dataModel = require('@jupiterone/data-model');
const { version } = require('@jupiterone/data-model/package.json');

// [_type, class, property, kind]: kind `value` is a value the class's schema rejects, `missing` a
// property it requires. Why each is so: README, "JupiterOne's data model". Each must be seen in
// the export, but for those in SOMETIMES: a person lacks a name only where its users disagree on
// it, which an account may or may not hold.
const DIFFERENCES = [
  ['knowbe4_user', 'User', 'id', 'value'],
  ['knowbe4_user', 'User', 'email', 'value'],
  ['knowbe4_user', 'User', 'username', 'missing'],
  ['knowbe4_user', 'User', 'shortLoginId', 'missing'],
  ['knowbe4_user_group', 'UserGroup', 'id', 'value'],
  ['training_module', 'Module', 'status', 'value'],
  ['employee', 'Person', 'email', 'value'],
  ['employee', 'Person', 'firstName', 'missing'],
  ['employee', 'Person', 'lastName', 'missing'],
];
const SOMETIMES = new Set(['employee Person firstName missing', 'employee Person lastName missing']);
// [_type, _class]: relationship classes the package's RelationshipClass lacks (README, same
// section), each to be seen.
const CLASS_DIFFERENCES = [['employee_reports_to_employee', 'REPORTS_TO']];

// The package's IntegrationSchema stops at an entity's first error; this Ajv, set up the same
// way from the package's own helpers, lists them all.
const allErrors = new Ajv({ strictSchema: false, allErrors: true });
dataModel.registerFormats(allErrors);
dataModel.registerSchemas(allErrors);
const { IntegrationSchema, RelationshipClass, relationshipRules } = dataModel;

function differencesOf(schemaId, object) {
  const verdict = IntegrationSchema.validate(schemaId, object);
  const validate = allErrors.getSchema(schemaId);
  const found = new Set();
  if (!validate(object)) {
    for (const e of validate.errors) {
      if (e.keyword === 'required') found.add(`${e.params.missingProperty} missing`);
      else if (e.keyword === 'propertyNames' || e.params.propertyName !== undefined)
        found.add(`${e.params.propertyName} name`);
      else found.add(`${e.instancePath.split('/')[1] || '(object)'} value`);
    }
  }
  if (verdict !== (found.size === 0)) throw new Error(`${schemaId}: the two Ajv verdicts differ`);
  return found;
}

// JupiterOne stores strings, numbers, booleans and flat arrays of them.
function storable(value) {
  const scalar = (v) => ['string', 'number', 'boolean'].includes(typeof v);
  return scalar(value) || (Array.isArray(value) && value.every(scalar));
}

/** Every problem in `doc`, and the count of entities by documented difference. */
function check(doc) {
  const problems = [];
  const expected = new Set(DIFFERENCES.map((d) => d.join(' ')));
  const seen = new Map();
  const differing = new Set();
  for (const entity of doc.entities) {
    const classes = Array.isArray(entity._class) ? entity._class : [entity._class];
    for (const cls of classes) {
      if (!dataModel.entityClasses.includes(cls)) {
        problems.push(`${entity._key}: _class ${cls} is not a JupiterOne class`);
        continue;
      }
      for (const d of differencesOf(`#${cls}`, entity)) {
        const key = `${entity._type} ${cls} ${d}`;
        differing.add(entity._key);
        if (expected.has(key)) seen.set(key, (seen.get(key) || 0) + 1);
        else problems.push(`${entity._key}: ${cls}: ${d} (not a documented difference)`);
      }
    }
  }
  for (const key of expected) {
    if (!seen.has(key) && !SOMETIMES.has(key)) problems.push(`documented difference not seen any more: ${key}`);
  }
  const verbs = new Set(Object.values(RelationshipClass));
  const otherVerbs = new Set(CLASS_DIFFERENCES.map((d) => d.join(' ')));
  const classesOf = new Map(doc.entities.map((e) => [e._key, [].concat(e._class)]));
  let ruled = 0;
  for (const rel of doc.relationships) {
    if (!verbs.has(rel._class)) {
      const key = `${rel._type} ${rel._class}`;
      if (otherVerbs.has(key)) seen.set(key, (seen.get(key) || 0) + 1);
      else problems.push(`${rel._key}: _class ${rel._class} is no RelationshipClass`);
    }
    for (const d of differencesOf('#GraphObject', rel)) problems.push(`${rel._key}: GraphObject: ${d}`);
    const from = classesOf.get(rel._fromEntityKey) || [];
    const to = classesOf.get(rel._toEntityKey) || [];
    for (const rule of relationshipRules) {
      const forward = from.includes(rule.sourceClass) && to.includes(rule.targetClass);
      const backward = from.includes(rule.targetClass) && to.includes(rule.sourceClass);
      if (forward || backward) ruled++;
      if ((forward && !rule.allowedVerbs.includes(rel._class)) || (backward && rule.directionEnforced))
        problems.push(`${rel._key}: breaks the rule "${rule.description}"`);
    }
  }
  for (const key of otherVerbs) {
    if (!seen.has(key)) problems.push(`documented difference not seen any more: ${key}`);
  }
  for (const object of [...doc.entities, ...doc.relationships]) {
    for (const [name, value] of Object.entries(object)) {
      if (!storable(value)) problems.push(`${object._key}: ${name} is not a value JupiterOne stores`);
    }
  }
  return { problems, seen, differing, ruled };
}

const [exportDir, readmePath] = process.argv.slice(2);
const doc = JSON.parse(fs.readFileSync(`${exportDir}/json/graph.json`, 'utf8'));
const { problems, seen, differing, ruled } = check(doc);
const readme = fs.readFileSync(readmePath, 'utf8');
for (const [, cls, property] of DIFFERENCES) {
  if (!readme.includes(`\`${cls}.${property}\``)) problems.push(`README does not document ${cls}.${property}`);
}
for (const [, verb] of CLASS_DIFFERENCES) {
  if (!readme.includes(`\`${verb}\``)) problems.push(`README does not document ${verb}`);
}
for (const p of problems.slice(0, 30)) console.log(p);
if (problems.length) {
  console.log(`@jupiterone/data-model ${version}: ${problems.length} problems`);
  process.exit(1);
}
console.log(
  `@jupiterone/data-model ${version}: ${doc.entities.length} entities, ` +
    `${doc.entities.length - differing.size} valid against the schemas of all their classes, ` +
    `${differing.size} differing only as documented:`,
);
for (const [key, n] of seen) console.log(`  ${key}: ${n}`);
console.log(
  `${doc.relationships.length} relationships: valid GraphObjects, RelationshipClass verbs, ` +
    `${ruled} under one of the package's ${relationshipRules.length} relationship rules`,
);

// The check must fail on what it is meant to catch.
const broken = JSON.parse(JSON.stringify(doc));
const user = broken.entities.find((e) => e._type === 'knowbe4_user');
user.firstName = 42;
const account = broken.entities.find((e) => e._type === 'knowbe4_account');
delete account.vendor;
broken.relationships[0]._class = 'IS_OWNED';
broken.relationships[1].nested = { a: 1 };
for (const e of broken.entities) if (e._type === 'training_module') e.status = String(e.status);
const caught = check(broken).problems.join('\n');
for (const wanted of [
  `${user._key}: User: firstName value`,
  `${account._key}: Account: vendor missing`,
  `${broken.relationships[0]._key}: _class IS_OWNED is no RelationshipClass`,
  `${broken.relationships[1]._key}: nested is not a value JupiterOne stores`,
  'documented difference not seen any more: training_module Module status value',
]) {
  if (!caught.includes(wanted)) {
    console.log(`a broken copy was not rejected for: ${wanted}\n${caught}`);
    process.exit(1);
  }
}
console.log('a broken copy is rejected');
